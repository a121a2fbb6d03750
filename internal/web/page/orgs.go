package page

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// OrgTreePage lists the organizations in the caller's scope as an indented tree.
type OrgTreePage struct {
	view.Base
	Orgs []*OrgRow
}

// OrgTree renders the organization tree.
func (h *Handlers) OrgTree(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &OrgTreePage{Base: h.View.NewBase(r, "orgs.title")}
	p.NavItem = "orgs"
	today := h.Now().In(p.Zone)
	for _, o := range tree {
		p.Orgs = append(p.Orgs, &OrgRow{Organization: o, Warning: org.TermWarning(o, today)})
	}
	h.View.Render(w, r, http.StatusOK, "orgs", p)
}

// OrgPage shows one organization: its unit, committee and term, and the organizations below.
type OrgPage struct {
	view.Base
	Org          *org.Organization
	Warning      string
	Positions    []*org.Position
	Children     []*org.Organization
	CanAdmin     bool
	CanView      bool
	Parent       *org.Organization
	Members      []*org.Person // candidates for a committee position
	PositionKeys []string
	PositionForm *view.Form
	Today        string
	Calendar     *CalendarSection // calendar feed (calendar.go)
}

// ShowOrg renders one organization's page.
func (h *Handlers) ShowOrg(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.orgPage(r, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "org", p)
}

func (h *Handlers) orgPage(r *http.Request, id int64) (*OrgPage, error) {
	a, err := actor(r)
	if err != nil {
		return nil, err
	}
	o, err := h.Org.Organization(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &OrgPage{Base: h.View.NewBase(r, "orgs.title"), Org: o, CanAdmin: a.CanAdmin(o.Path), CanView: a.CanView(o.Path),
		PositionKeys: org.Positions}
	p.Title = o.Name
	p.NavItem = "orgs"
	p.PositionForm = view.NewForm(p.Translator, nil)
	today := h.Now().In(p.Zone)
	p.Today = today.Format(time.DateOnly)
	p.Warning = org.TermWarning(o, today)
	if p.Calendar, err = h.orgCalendar(r, a, o); err != nil {
		return nil, err
	}
	if !p.CanView {
		return p, nil
	}
	if p.Positions, err = h.Org.Positions(r.Context(), a, id); err != nil {
		return nil, err
	}
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		return nil, err
	}
	for _, c := range tree {
		if c.ParentID == o.ID {
			p.Children = append(p.Children, c)
		}
		if c.ID == o.ParentID {
			p.Parent = c
		}
	}
	if p.CanAdmin {
		members, _, err := h.Org.People(r.Context(), a, org.PeopleFilter{OrgPath: o.Path, Members: true, Status: org.StatusNormal, Limit: org.MaxPageSize, Brief: true})
		if err != nil {
			return nil, err
		}
		p.Members = members
		p.PositionForm.Values.Set("term_start", o.TermStart)
		p.PositionForm.Values.Set("term_end", o.TermEnd)
	}
	return p, nil
}

// OrgFormPage creates or edits an organization.
type OrgFormPage struct {
	view.Base
	Form      *view.Form
	Parent    *org.Organization
	Org       *org.Organization // nil when creating
	Kinds     []string
	UnitKinds []string

	// Management of an existing organization: move, move its people, dissolve.
	Manage     *view.Form
	NewParents []*org.Organization // where it may move
	Targets    []*org.Organization // where its people may go
	Children   int
	People     int
}

// NewOrg shows the form for an organization under ?parent=ID (top level without it).
func (h *Handlers) NewOrg(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &OrgFormPage{Base: h.View.NewBase(r, "orgs.new"), Kinds: org.Kinds, UnitKinds: org.UnitKinds}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, r.URL.Query())
	if err := h.loadParent(r, a, p, r.URL.Query().Get("parent")); err != nil {
		h.View.Error(w, r, err)
		return
	}
	if p.Form.Get("kind") == "" {
		kind := org.KindCommittee
		if p.Parent != nil {
			kind = childKind(p.Parent.Kind)
		}
		p.Form.Values.Set("kind", kind)
	}
	h.View.Render(w, r, http.StatusOK, "org_form", p)
}

func childKind(parent string) string {
	switch parent {
	case org.KindCommittee:
		return org.KindBranch
	case org.KindGeneralBranch, org.KindBranch:
		return org.KindGroup
	}
	return org.KindGroup
}

func (h *Handlers) loadParent(r *http.Request, a *auth.Actor, p *OrgFormPage, raw string) error {
	if raw == "" || raw == "0" {
		if !a.SysAdmin {
			return apperr.ErrDenied
		}
		return nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	parent, err := h.Org.Organization(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !a.CanAdmin(parent.Path) {
		return apperr.ErrDenied
	}
	p.Parent = parent
	return nil
}

// CreateOrg saves a new organization.
func (h *Handlers) CreateOrg(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &OrgFormPage{Base: h.View.NewBase(r, "orgs.new"), Kinds: org.Kinds, UnitKinds: org.UnitKinds}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, r.PostForm)
	if err := h.loadParent(r, a, p, r.PostForm.Get("parent")); err != nil {
		h.View.Error(w, r, err)
		return
	}
	o := orgFromForm(r)
	if p.Parent != nil {
		o.ParentID = p.Parent.ID
	}
	if err := h.Org.CreateOrganization(r.Context(), a, o); err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "org_form", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "flash.saved")
}

func orgFromForm(r *http.Request) *org.Organization {
	f := r.PostForm
	return &org.Organization{Kind: f.Get("kind"), Name: f.Get("name"), UnitName: f.Get("unit_name"),
		UnitKind: f.Get("unit_kind"), TermStart: f.Get("term_start"), TermEnd: f.Get("term_end"),
		SortOrder: atoi(f.Get("sort_order")), Version: atoi(f.Get("version"))}
}

// EditOrg shows the edit form of an organization.
func (h *Handlers) EditOrg(w http.ResponseWriter, r *http.Request) {
	_, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.orgEditPage(r, o, "orgs.edit")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	v := p.Form.Values
	v.Set("kind", o.Kind)
	v.Set("name", o.Name)
	v.Set("unit_name", o.UnitName)
	v.Set("unit_kind", o.UnitKind)
	v.Set("term_start", o.TermStart)
	v.Set("term_end", o.TermEnd)
	v.Set("sort_order", strconv.Itoa(o.SortOrder))
	v.Set("version", strconv.Itoa(o.Version))
	h.View.Render(w, r, http.StatusOK, "org_form", p)
}

// UpdateOrg saves an organization's changes.
func (h *Handlers) UpdateOrg(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.orgEditPage(r, o, "orgs.edit")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	upd := orgFromForm(r)
	upd.ID = o.ID
	if err := h.Org.UpdateOrganization(r.Context(), a, upd); err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "org_form", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "flash.saved")
}

func (h *Handlers) adminOrg(r *http.Request) (*auth.Actor, *org.Organization, error) {
	a, err := actor(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return nil, nil, err
	}
	o, err := h.Org.Organization(r.Context(), a, id)
	if err != nil {
		return nil, nil, err
	}
	if !a.CanAdmin(o.Path) {
		return nil, nil, apperr.ErrDenied
	}
	return a, o, nil
}

// orgEditPage builds the edit page of an organization with its management choices.
func (h *Handlers) orgEditPage(r *http.Request, o *org.Organization, title string) (*OrgFormPage, error) {
	a, err := actor(r)
	if err != nil {
		return nil, err
	}
	p := &OrgFormPage{Base: h.View.NewBase(r, title), Org: o, Kinds: org.Kinds, UnitKinds: org.UnitKinds}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, nil)
	p.Manage = view.NewForm(p.Translator, nil)
	p.Manage.Values.Set("parent_id", strconv.FormatInt(o.ParentID, 10))
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		return nil, err
	}
	for _, c := range tree {
		if !a.CanAdmin(c.Path) || c.ID == o.ID {
			continue
		}
		p.Targets = append(p.Targets, c)
		if !strings.HasPrefix(c.Path, o.Path) && c.Kind != org.KindGroup {
			p.NewParents = append(p.NewParents, c)
		}
	}
	if p.Children, p.People, err = h.Org.Contents(r.Context(), a, o.ID); err != nil {
		return nil, err
	}
	return p, nil
}
