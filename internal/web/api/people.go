package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Person is an entry of the register as the API shows it: personal numbers masked only
// (schema Person).
type Person struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	Name           string    `json:"name"`
	Gender         string    `json:"gender"`
	Ethnicity      string    `json:"ethnicity"`
	BirthDate      string    `json:"birth_date"`
	IDNumberMasked string    `json:"id_number_masked"`
	PhoneMasked    string    `json:"phone_masked"`
	Education      string    `json:"education"`
	WorkUnit       string    `json:"work_unit"`
	Post           string    `json:"post"`
	NativePlace    string    `json:"native_place"`
	Address        string    `json:"address"`
	Zone           string    `json:"zone"`
	Booth          string    `json:"booth"`
	Stage          string    `json:"stage"`
	AppliedOn      string    `json:"applied_on"`
	ActivistOn     string    `json:"activist_on"`
	TargetOn       string    `json:"target_on"`
	AdmittedOn     string    `json:"admitted_on"`
	FullOn         string    `json:"full_on"`
	Status         string    `json:"status"`
	Tags           []string  `json:"tags"`
	Notes          string    `json:"notes"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PeoplePage is one page of the register (schema PeoplePage).
type PeoplePage struct {
	Items   []Person `json:"items"`
	Total   int      `json:"total"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
}

// PersonFields are the writable fields of a person. In a PATCH a field left out (or null)
// stays as it is; IDNumber and Phone are the clear values, write-only, and "" clears them.
type PersonFields struct {
	OrgID       *int64    `json:"org_id"`
	Name        *string   `json:"name"`
	Gender      *string   `json:"gender"`
	Ethnicity   *string   `json:"ethnicity"`
	BirthDate   *string   `json:"birth_date"`
	IDNumber    *string   `json:"id_number"`
	Phone       *string   `json:"phone"`
	Education   *string   `json:"education"`
	WorkUnit    *string   `json:"work_unit"`
	Post        *string   `json:"post"`
	NativePlace *string   `json:"native_place"`
	Address     *string   `json:"address"`
	Zone        *string   `json:"zone"`
	Booth       *string   `json:"booth"`
	Stage       *string   `json:"stage"`
	AppliedOn   *string   `json:"applied_on"`
	ActivistOn  *string   `json:"activist_on"`
	TargetOn    *string   `json:"target_on"`
	AdmittedOn  *string   `json:"admitted_on"`
	FullOn      *string   `json:"full_on"`
	Status      *string   `json:"status"`
	Tags        *[]string `json:"tags"`
	Notes       *string   `json:"notes"`
}

// PersonUpdate is the body of PATCH /people/{id} (schema PersonUpdate): the fields to change
// and the version the caller read.
type PersonUpdate struct {
	PersonFields
	Version *int `json:"version"`
}

// apply copies the given fields onto p. Personal numbers not given are kept.
func (f *PersonFields) apply(p *org.Person) {
	if f.OrgID != nil {
		p.OrgID = *f.OrgID
	}
	for dst, v := range map[*string]*string{&p.Name: f.Name, &p.Gender: f.Gender, &p.Ethnicity: f.Ethnicity,
		&p.BirthDate: f.BirthDate, &p.Education: f.Education, &p.WorkUnit: f.WorkUnit, &p.Post: f.Post,
		&p.NativePlace: f.NativePlace, &p.Address: f.Address, &p.Zone: f.Zone, &p.Booth: f.Booth, &p.Stage: f.Stage,
		&p.AppliedOn: f.AppliedOn, &p.ActivistOn: f.ActivistOn, &p.TargetOn: f.TargetOn, &p.AdmittedOn: f.AdmittedOn,
		&p.FullOn: f.FullOn, &p.Status: f.Status, &p.Notes: f.Notes} {
		setString(dst, v)
	}
	if f.Tags != nil {
		p.Tags = *f.Tags
	}
	p.KeepIDNumber, p.KeepPhone = f.IDNumber == nil, f.Phone == nil
	setString(&p.IDNumber, f.IDNumber)
	setString(&p.Phone, f.Phone)
}

func toPerson(p *org.Person) Person {
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	return Person{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, Name: p.Name, Gender: p.Gender, Ethnicity: p.Ethnicity,
		BirthDate: p.BirthDate, IDNumberMasked: p.IDNumberMask, PhoneMasked: p.PhoneMask, Education: p.Education,
		WorkUnit: p.WorkUnit, Post: p.Post, NativePlace: p.NativePlace, Address: p.Address, Zone: p.Zone, Booth: p.Booth,
		Stage: p.Stage, AppliedOn: p.AppliedOn, ActivistOn: p.ActivistOn, TargetOn: p.TargetOn, AdmittedOn: p.AdmittedOn,
		FullOn: p.FullOn, Status: p.Status, Tags: tags, Notes: p.Notes, Version: p.Version,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

// Sort orders a people list accepts.
var peopleSorts = []string{org.SortName, org.SortNewest, org.SortStage, org.SortUpdated}

// peopleQuery parses the query of GET /people. Malformed parameters are a 400 naming each.
func peopleQuery(r *http.Request) (f org.PeopleFilter, page, perPage int, orgID int64, err error) {
	q := r.URL.Query()
	fields := map[string]string{}
	f = org.PeopleFilter{Query: q.Get("q"), Stage: q.Get("stage"), Status: q.Get("status"), Tag: q.Get("tag"), Sort: q.Get("sort")}
	page, perPage = 1, 20
	if s := q.Get("page"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 1_000_000 {
			fields["page"] = "api.page"
		} else {
			page = n
		}
	}
	if s := q.Get("per_page"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > org.MaxPageSize {
			fields["per_page"] = "api.per_page"
		} else {
			perPage = n
		}
	}
	if s := q.Get("org"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n < 1 {
			fields["org"] = "api.wrong_type"
		} else {
			orgID = n
		}
	}
	for name, choices := range map[string][]string{"stage": org.Stages, "status": org.Statuses, "sort": peopleSorts} {
		if v := q.Get(name); v != "" && !slices.Contains(choices, v) {
			fields[name] = "error.choice"
		}
	}
	if len(fields) > 0 {
		return f, 0, 0, 0, badRequest(fields)
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	return f, page, perPage, orgID, nil
}

func (h *Handler) listPeople(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	f, page, perPage, orgID, err := peopleQuery(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if orgID != 0 {
		o, err := h.org.Organization(r.Context(), a, orgID)
		if err != nil {
			h.fail(w, r, a.Locale, err)
			return
		}
		f.OrgPath = o.Path
	}
	list, total, err := h.org.People(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := PeoplePage{Items: make([]Person, 0, len(list)), Total: total, Page: page, PerPage: perPage}
	for _, p := range list {
		out.Items = append(out.Items, toPerson(p))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getPerson(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	p, err := h.org.Person(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toPerson(p))
}

func (h *Handler) createPerson(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in PersonFields
	if err := decode(w, r, &in, "version"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	p := &org.Person{}
	in.apply(p)
	p.KeepIDNumber, p.KeepPhone = false, false
	if err := h.org.CreatePerson(r.Context(), a, p); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerPerson(w, r, a, http.StatusCreated, p.ID)
}

func (h *Handler) updatePerson(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in PersonUpdate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"version": "error.required"}})
		return
	}
	cur, err := h.org.Person(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	upd := *cur
	upd.Tags = slices.Clone(cur.Tags)
	in.apply(&upd)
	upd.Version = *in.Version
	if err := h.org.UpdatePerson(r.Context(), a, &upd); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerPerson(w, r, a, http.StatusOK, id)
}

// answerPerson reads a just-written person back and writes it with a Location header.
func (h *Handler) answerPerson(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	p, err := h.org.Person(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"people/"+strconv.FormatInt(p.ID, 10))
	h.writeJSON(w, r, status, toPerson(p))
}
