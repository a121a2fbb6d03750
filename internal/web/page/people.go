package page

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

const pageSize = 20

// PeoplePage is the searchable, filterable register.
type PeoplePage struct {
	view.Base
	People []PersonRow
	// Rows is People rendered (peopleRowsHTML).
	Rows     template.HTML
	Total    int
	Orgs     []view.Option // organizations, indented by depth
	Stages   []view.Option
	Statuses []view.Option
	Sorts    []view.Option
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	CanAdd   bool
	// BoothLabel is the translated label of the booth, shown on many rows.
	BoothLabel string
	// The filter's values as the form shows them, and the whole query for the export links.
	Search, OrgID, Tag, QueryString string
	// CanExportClear offers the export with clear numbers.
	CanExportClear bool
}

// PersonRow is a person of the list as the list shows it, labels translated. Its fields are
// its own, not promoted from an embedded person: html/template finds promoted fields by a
// slow search, twenty rows a page.
type PersonRow struct {
	ID           int64
	Name         string
	Stage        string
	StageLabel   string
	StatusLabel  string // empty for the normal status
	OrgName      string
	PhoneMask    string
	IDNumberMask string
	Booth        string
}

// ListPeople renders the register list.
func (h *Handlers) ListPeople(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := org.PeopleFilter{Query: q.Get("q"), Stage: q.Get("stage"), Status: q.Get("status"), Tag: q.Get("tag"),
		Sort: q.Get("sort"), Limit: pageSize, Brief: true}
	page := max(atoi(q.Get("page")), 1)
	f.Offset = (page - 1) * pageSize
	tree, err := h.Org.Choices(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if id := q.Get("org"); id != "" {
		for _, o := range tree {
			if strconv.FormatInt(o.ID, 10) == id {
				f.OrgPath = o.Path
			}
		}
		if f.OrgPath == "" {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	list, total, err := h.Org.People(r.Context(), a, f)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := h.peoplePage(r, a, q, f, page, tree, list, total)
	h.View.Render(w, r, http.StatusOK, "people", p)
}

// peoplePage builds the list page of one page of people of the filter f.
func (h *Handlers) peoplePage(r *http.Request, a *auth.Actor, q url.Values, f org.PeopleFilter, page int,
	tree []*org.Organization, list []*org.Person, total int) *PeoplePage {
	p := &PeoplePage{Base: h.View.NewBase(r, "people.title"), Total: total,
		Page: page, Pages: (total + pageSize - 1) / pageSize}
	p.NavItem = "people"
	p.BoothLabel = p.T("field.booth")
	p.Stages = p.Options("stage.", org.Stages, f.Stage)
	p.Statuses = p.Options("status.", org.Statuses, f.Status)
	p.Sorts = p.Options("sort.", []string{org.SortName, org.SortStage, org.SortNewest, org.SortUpdated}, f.Sort)
	for _, person := range list {
		row := PersonRow{ID: person.ID, Name: person.Name, Stage: person.Stage, StageLabel: p.T("stage." + person.Stage),
			OrgName: person.OrgName, PhoneMask: person.PhoneMask, IDNumberMask: person.IDNumberMask, Booth: person.Booth}
		if person.Status != org.StatusNormal {
			row.StatusLabel = p.T("status." + person.Status)
		}
		p.People = append(p.People, row)
	}
	p.Rows = peopleRowsHTML(p.People, p.BoothLabel)
	selectedOrg := q.Get("org")
	p.Orgs = filterOptions(tree, a.CanView, selectedOrg, f.OrgPath)
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.CanAdd = true
			break
		}
	}
	p.Search, p.OrgID, p.Tag, p.QueryString = q.Get("q"), selectedOrg, q.Get("tag"), q.Encode()
	p.CanExportClear = p.CanAdd && (a.CanReveal || a.SysAdmin)
	pageURL := func(n int) string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("page", strconv.Itoa(n))
		return "/people?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = pageURL(page - 1)
	}
	if page < p.Pages {
		p.NextURL = pageURL(page + 1)
	}
	return p
}

// PersonPage shows one person, with history for administrators.
type PersonPage struct {
	view.Base
	Person    *org.Person
	CanAdmin  bool
	CanReveal bool
	Revealed  map[string]string
	History   []*audit.Record
	// This year's study hours and the activities that credited them.
	StudyYear  int
	StudyHours float64
	Study      []*activity.StudyEntry
}

// ShowPerson renders one person's page.
func (h *Handlers) ShowPerson(w http.ResponseWriter, r *http.Request) {
	h.renderPerson(w, r, nil)
}

func (h *Handlers) renderPerson(w http.ResponseWriter, r *http.Request, revealed map[string]string) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	person, err := h.Org.Person(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &PersonPage{Base: h.View.NewBase(r, "people.title"), Person: person, CanAdmin: a.CanAdmin(person.OrgPath),
		Revealed: revealed}
	p.Title = person.Name
	p.NavItem = "people"
	p.CanReveal = p.CanAdmin && (a.CanReveal || a.SysAdmin)
	p.StudyYear = h.Now().In(p.Zone).Year()
	if p.StudyHours, p.Study, err = h.Activity.StudyHours(r.Context(), a, id, p.StudyYear); err != nil {
		h.View.Error(w, r, err)
		return
	}
	if p.CanAdmin {
		if p.History, err = h.Org.AuditTrail(r.Context(), a, audit.Filter{PersonID: id, Limit: 20}); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "person", p)
}

// RevealPage is the htmx fragment that replaces a masked number with the clear one.
type RevealPage struct {
	view.Base
	Value string
}

// Reveal shows one clear personal number and audits it. With htmx it returns a fragment;
// without JavaScript it renders the person page with the value shown.
func (h *Handlers) Reveal(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	field := r.PostForm.Get("field")
	value, err := h.Org.Reveal(r.Context(), a, id, field)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("HX-Request") == "true" {
		p := &RevealPage{Base: h.View.NewBase(r, "people.title"), Value: value}
		h.View.Render(w, r, http.StatusOK, "reveal", p)
		return
	}
	h.renderPerson(w, r, map[string]string{field: value})
}

// PersonFormPage creates or edits a person.
type PersonFormPage struct {
	view.Base
	Form     *view.Form
	Person   *org.Person // nil when creating
	Orgs     []*org.Organization
	Stages   []string
	Statuses []string
}

func (h *Handlers) personForm(r *http.Request, a *auth.Actor, title string) (*PersonFormPage, error) {
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := &PersonFormPage{Base: h.View.NewBase(r, title), Stages: org.Stages, Statuses: org.Statuses}
	p.NavItem = "people"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	return p, nil
}

// NewPerson shows the empty person form; ?org=ID preselects the organization.
func (h *Handlers) NewPerson(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.personForm(r, a, "people.new")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, nil)
	p.Form.Values.Set("org_id", r.URL.Query().Get("org"))
	p.Form.Values.Set("stage", org.StageFull)
	h.View.Render(w, r, http.StatusOK, "person_form", p)
}

// CreatePerson saves a new person.
func (h *Handlers) CreatePerson(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.personForm(r, a, "people.new")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	person := personFromForm(r)
	if err := h.Org.CreatePerson(r.Context(), a, person); err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "person_form", p)
		return
	}
	redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10), "flash.saved")
}

func personFromForm(r *http.Request) *org.Person {
	f := r.PostForm
	p := &org.Person{OrgID: int64(atoi(f.Get("org_id"))), Name: f.Get("name"), Gender: f.Get("gender"),
		Ethnicity: f.Get("ethnicity"), BirthDate: f.Get("birth_date"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"),
		Education: f.Get("education"), WorkUnit: f.Get("work_unit"), Post: f.Get("post"), NativePlace: f.Get("native_place"),
		Address: f.Get("address"), Zone: f.Get("zone"), Booth: f.Get("booth"), Stage: f.Get("stage"),
		AppliedOn: f.Get("applied_on"), ActivistOn: f.Get("activist_on"), TargetOn: f.Get("target_on"),
		AdmittedOn: f.Get("admitted_on"), FullOn: f.Get("full_on"), Status: f.Get("status"), Notes: f.Get("notes"),
		Version: atoi(f.Get("version"))}
	p.Tags = strings.FieldsFunc(f.Get("tags"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' })
	return p
}

// EditPerson shows the edit form. The personal numbers are not filled in: left empty, they
// stay as they are.
func (h *Handlers) EditPerson(w http.ResponseWriter, r *http.Request) {
	_, person, p, err := h.editablePerson(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, nil)
	v := p.Form.Values
	for k, s := range map[string]string{"org_id": strconv.FormatInt(person.OrgID, 10), "name": person.Name,
		"gender": person.Gender, "ethnicity": person.Ethnicity, "birth_date": person.BirthDate, "education": person.Education,
		"work_unit": person.WorkUnit, "post": person.Post, "native_place": person.NativePlace, "address": person.Address,
		"zone": person.Zone, "booth": person.Booth, "stage": person.Stage, "applied_on": person.AppliedOn,
		"activist_on": person.ActivistOn, "target_on": person.TargetOn, "admitted_on": person.AdmittedOn,
		"full_on": person.FullOn, "status": person.Status, "tags": strings.Join(person.Tags, ", "), "notes": person.Notes,
		"version": strconv.Itoa(person.Version)} {
		v.Set(k, s)
	}
	h.View.Render(w, r, http.StatusOK, "person_form", p)
}

// UpdatePerson saves a person's changes; a save over someone else's newer change is refused.
func (h *Handlers) UpdatePerson(w http.ResponseWriter, r *http.Request) {
	a, person, p, err := h.editablePerson(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	upd := personFromForm(r)
	upd.ID = person.ID
	upd.KeepIDNumber = strings.TrimSpace(upd.IDNumber) == "" && r.PostForm.Get("clear_id_number") == ""
	upd.KeepPhone = strings.TrimSpace(upd.Phone) == "" && r.PostForm.Get("clear_phone") == ""
	if err := h.Org.UpdatePerson(r.Context(), a, upd); err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "person_form", p)
		return
	}
	redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10), "flash.saved")
}

func (h *Handlers) editablePerson(r *http.Request) (*auth.Actor, *org.Person, *PersonFormPage, error) {
	a, err := actor(r)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return nil, nil, nil, err
	}
	person, err := h.Org.Person(r.Context(), a, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if !a.CanAdmin(person.OrgPath) {
		return nil, nil, nil, apperr.ErrDenied
	}
	p, err := h.personForm(r, a, "people.edit")
	if err != nil {
		return nil, nil, nil, err
	}
	p.Person = person
	return a, person, p, nil
}

// maxFilterOrgs is how many organizations the filter lists in full; a larger tree (a committee
// with hundreds of branches) lists its top two levels and the path to the chosen organization,
// whose own page links to the roster of any organization below.
const maxFilterOrgs = 200

// filterOptions lists the organizations the viewer may filter by, indented by depth.
func filterOptions(tree []*org.Organization, visible func(string) bool, selected, selectedPath string) []view.Option {
	var orgs []*org.Organization
	minDepth := -1
	for _, o := range tree {
		if visible(o.Path) {
			orgs = append(orgs, o)
			if minDepth < 0 || o.Depth < minDepth {
				minDepth = o.Depth
			}
		}
	}
	out := make([]view.Option, 0, min(len(orgs), maxFilterOrgs))
	for _, o := range orgs {
		id := strconv.FormatInt(o.ID, 10)
		onPath := selectedPath != "" && strings.HasPrefix(selectedPath, o.Path)
		if len(orgs) > maxFilterOrgs && o.Depth > minDepth+1 && !onPath {
			continue
		}
		out = append(out, view.Option{Value: id, Label: strings.Repeat("　", o.Depth-minDepth) + o.Name, Selected: id == selected})
	}
	return out
}
