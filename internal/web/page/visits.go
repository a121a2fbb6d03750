package page

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

const visitsPerPage = 20

// VisitsPage lists the visits the caller may see, newest first.
type VisitsPage struct {
	view.Base
	Visits []*masswork.Visit
	Total  int
	Page   int
	Pages  int
	// The filter as given.
	Area        string // zone
	Since       string
	VisitorID   int64
	VisitorName string
	ContactID   int64
	ContactName string
	Query       string // the filter as a query string, without the page
	CanLog      bool
	MyPersonID  int64
}

// Excerpt returns the start of a visit's summary for the list.
func (p *VisitsPage) Excerpt(v *masswork.Visit) string { return visitExcerpt(v.Summary, 80) }

func visitExcerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ListVisits shows the visits the caller may see, filtered by ?zone=, ?visitor= (a person),
// ?contact= and ?since= (a date).
func (h *Handlers) ListVisits(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &VisitsPage{Base: h.View.NewBase(r, "visits.title"), Page: max(1, atoi(q.Get("page"))), CanLog: a.IsAdmin(),
		MyPersonID: a.PersonID, Area: strings.TrimSpace(q.Get("zone"))}
	p.NavItem = "masswork"
	f := masswork.VisitFilter{Zone: p.Area, Limit: visitsPerPage, Offset: (p.Page - 1) * visitsPerPage}
	f.VisitorID, _ = strconv.ParseInt(q.Get("visitor"), 10, 64)
	f.ContactID, _ = strconv.ParseInt(q.Get("contact"), 10, 64)
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("since"), p.Zone); err == nil {
		f.Since, p.Since = d, d.Format(time.DateOnly)
	}
	p.VisitorID, p.ContactID = f.VisitorID, f.ContactID
	visits, total, err := h.Mass.Visits(r.Context(), a, f)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Visits, p.Total, p.Pages = visits, total, (total+visitsPerPage-1)/visitsPerPage
	if len(visits) > 0 {
		p.VisitorName, p.ContactName = visits[0].VisitorName, visits[0].ContactName
	}
	v := url.Values{}
	for k, s := range map[string]string{"zone": p.Area, "since": p.Since, "visitor": q.Get("visitor"), "contact": q.Get("contact")} {
		if s != "" {
			v.Set(k, s)
		}
	}
	p.Query = v.Encode()
	h.View.Render(w, r, http.StatusOK, "visits", p)
}

// VisitPage shows one visit.
type VisitPage struct {
	view.Base
	Visit   *masswork.Visit
	Contact *org.Person
	CanLog  bool
}

// CategoryName returns a problem's category in the page's language.
func (p *VisitPage) CategoryName(pr *masswork.Problem) string {
	if p.Lang == "en" && pr.CategoryNameEn != "" {
		return pr.CategoryNameEn
	}
	return pr.CategoryName
}

// ShowVisit renders a visit with the contact and the problems raised.
func (h *Handlers) ShowVisit(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	vv, err := h.Mass.Visit(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &VisitPage{Base: h.View.NewBase(r, "visits.title"), Visit: vv.Visit, Contact: vv.Contact, CanLog: a.IsAdmin()}
	p.NavItem = "masswork"
	p.Title = p.T("visit.title_of", "Name", vv.Visit.ContactName)
	h.View.Render(w, r, http.StatusOK, "visit", p)
}

// VisitFormPage is the form of a new visit.
type VisitFormPage struct {
	view.Base
	Form       *view.Form
	Orgs       []view.Option
	Categories []view.Option
	// Contacts to choose from: the caller's reservations, the search's results, and the one
	// chosen when it is neither.
	Reserved []*masswork.CoverageRow
	Results  []*org.Person
	Chosen   *org.Person
	Searched bool
	Rows     []int // problem rows
}

// Problem returns field of problem row i as submitted.
func (p *VisitFormPage) Problem(i int, field string) string {
	return p.Form.Get("problems." + strconv.Itoa(i) + "." + field)
}

// ProblemError returns the translated error of field of problem row i; with field "", the
// first error of the row on a field the form does not show.
func (p *VisitFormPage) ProblemError(i int, field string) string {
	pre := "problems." + strconv.Itoa(i) + "."
	if field != "" {
		return p.Form.ErrorOf(pre + field)
	}
	for k := range p.Form.Errors {
		if rest, ok := strings.CutPrefix(k, pre); ok && rest != "category_id" && rest != "description" {
			return p.Form.ErrorOf(k)
		}
	}
	return ""
}

// CategoryOptions returns the categories with the one of problem row i selected.
func (p *VisitFormPage) CategoryOptions(i int) []view.Option {
	sel := p.Problem(i, "category_id")
	out := make([]view.Option, len(p.Categories))
	for j, c := range p.Categories {
		c.Selected = c.Value == sel
		out[j] = c
	}
	return out
}

// NewOpen reports whether the new-contact part starts unfolded.
func (p *VisitFormPage) NewOpen() bool {
	f := p.Form
	return f.Get("contact_id") == "new" || f.Get("new_name") != "" || f.Has("new_name") || f.Has("new_phone") ||
		f.Has("new_zone") || f.Has("new_booth")
}

// ProblemsOpen reports whether problem row i starts unfolded: the first one always, the
// others when filled in or wrong.
func (p *VisitFormPage) ProblemsOpen(i int) bool {
	return i == 0 || p.Problem(i, "category_id") != "" || p.Problem(i, "description") != "" || p.ProblemError(i, "") != "" ||
		p.ProblemError(i, "category_id") != "" || p.ProblemError(i, "description") != ""
}

// visitForm builds the visit form around values: the organizations the caller administers,
// the categories of the chosen one, the caller's reservations, the contacts matching ?q= and
// the chosen contact.
func (h *Handlers) visitForm(r *http.Request, a *auth.Actor, values url.Values) (*VisitFormPage, error) {
	ctx := r.Context()
	if !a.IsAdmin() {
		return nil, apperr.ErrDenied
	}
	p := &VisitFormPage{Base: h.View.NewBase(r, "visit.new"), Rows: []int{0, 1, 2}}
	p.NavItem = "masswork"
	p.Form = view.NewForm(p.Translator, values)
	choices, err := h.Org.Choices(ctx, a)
	if err != nil {
		return nil, err
	}
	if p.Orgs = filterOptions(choices, a.CanAdmin, p.Form.Get("org_id"), ""); len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	orgID, _ := strconv.ParseInt(p.Form.Get("org_id"), 10, 64)
	if !visitHasOption(p.Orgs, p.Form.Get("org_id")) {
		orgID, _ = strconv.ParseInt(p.Orgs[0].Value, 10, 64)
		p.Form.Values.Set("org_id", p.Orgs[0].Value)
		p.Orgs[0].Selected = true
	}
	cats, err := h.Mass.Categories(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		p.Categories = append(p.Categories, view.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name(p.Lang)})
	}
	mine, err := h.Mass.Coverage(ctx, a, masswork.CoverageRequest{Mine: true})
	if err != nil {
		return nil, err
	}
	p.Reserved = mine.Rows
	if err := h.visitSearch(r, a, p); err != nil {
		return nil, err
	}
	return p, nil
}

// visitSearch fills the contacts matching the form's q, and the chosen contact when it is not
// listed otherwise.
func (h *Handlers) visitSearch(r *http.Request, a *auth.Actor, p *VisitFormPage) error {
	if q := strings.TrimSpace(p.Form.Get("q")); q != "" {
		var err error
		p.Searched = true
		if p.Results, _, err = h.Org.People(r.Context(), a, org.PeopleFilter{Query: q, Stage: org.StageMasses, Limit: 20}); err != nil {
			return err
		}
	}
	id, err := strconv.ParseInt(p.Form.Get("contact_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	for _, c := range p.Reserved {
		if c.ContactID == id {
			return nil
		}
	}
	for _, c := range p.Results {
		if c.ID == id {
			return nil
		}
	}
	if c, err := h.Org.Person(r.Context(), a, id); err == nil {
		p.Chosen = c
	}
	return nil
}

func visitHasOption(opts []view.Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// NewVisit shows the visit form. It is also where the form's search goes without
// JavaScript: what was typed comes back in the query and is kept. ?contact_id= preselects a
// contact and fills the place from the register.
func (h *Handlers) NewVisit(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := h.visitForm(r, a, q)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := p.Form.Values
	if f.Get("visited_at") == "" {
		f.Set("visited_at", h.Now().In(p.Zone).Format("2006-01-02T15:04"))
	}
	if c := p.chosen(); c != nil && f.Get("zone") == "" && f.Get("booth") == "" && f.Get("address") == "" {
		f.Set("zone", c.zone)
		f.Set("booth", c.booth)
		f.Set("address", c.address)
	}
	h.View.Render(w, r, http.StatusOK, "visit_form", p)
}

// visitPlace is the registered place of the chosen contact.
type visitPlace struct{ zone, booth, address string }

// chosen returns the place of the contact the form names, if it is listed.
func (p *VisitFormPage) chosen() *visitPlace {
	id, err := strconv.ParseInt(p.Form.Get("contact_id"), 10, 64)
	if err != nil {
		return nil
	}
	for _, c := range p.Reserved {
		if c.ContactID == id {
			return &visitPlace{zone: c.Zone, booth: c.Booth}
		}
	}
	for _, c := range p.Results {
		if c.ID == id {
			return &visitPlace{zone: c.Zone, booth: c.Booth, address: c.Address}
		}
	}
	if c := p.Chosen; c != nil && c.ID == id {
		return &visitPlace{zone: c.Zone, booth: c.Booth, address: c.Address}
	}
	return nil
}

// VisitContacts answers the form's search as you type (htmx): the contact choices only.
func (h *Handlers) VisitContacts(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !a.IsAdmin() {
		h.View.Error(w, r, apperr.ErrDenied)
		return
	}
	p := &VisitFormPage{Base: h.View.NewBase(r, "visit.new")}
	p.Form = view.NewForm(p.Translator, r.URL.Query())
	if err := h.visitSearch(r, a, p); err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "visit_contacts_part", p)
}

// CreateVisit logs a visit and shows it; an invalid form comes back with what was typed.
func (h *Handlers) CreateVisit(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	in, v := visitFromForm(r.PostForm)
	err = v.Err()
	var visit *masswork.Visit
	if err == nil {
		visit, err = h.Mass.LogVisit(r.Context(), a, in)
	}
	switch {
	case err == nil:
		redirect(w, r, "/visits/"+strconv.FormatInt(visit.ID, 10), "flash.visit_logged")
		return
	case visit != nil && errors.Is(err, masswork.ErrProblemsNotFiled):
		// The visit stands; what failed is told on its page, and why in the log.
		h.View.LogError(r, "visit: problems not filed", err)
		redirect(w, r, "/visits/"+strconv.FormatInt(visit.ID, 10), "flash.visit_problems_failed")
		return
	}
	p, perr := h.visitForm(r, a, r.PostForm)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	if !p.Form.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusUnprocessableEntity, "visit_form", p)
}

// visitFromForm reads a visit from the form. The contact is the one chosen, or a new one
// when "new" is chosen or none is and a new name is typed.
func visitFromForm(f url.Values) (masswork.VisitInput, *apperr.Validation) {
	var v apperr.Validation
	in := masswork.VisitInput{Place: masswork.Place{Zone: f.Get("zone"), Booth: f.Get("booth"), Address: f.Get("address")},
		VisitedAt: f.Get("visited_at"), Summary: f.Get("summary")}
	in.OrgID, _ = strconv.ParseInt(f.Get("org_id"), 10, 64)
	newOne := &masswork.NewContact{Name: f.Get("new_name"), Zone: f.Get("new_zone"), Booth: f.Get("new_booth"), Phone: f.Get("new_phone")}
	typed := strings.TrimSpace(newOne.Name) != ""
	switch c := f.Get("contact_id"); {
	case c == "new" || (c == "" && typed):
		in.NewContact = newOne
	case c != "":
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil || id <= 0 {
			v.Add("contact_id", "visit.error.contact")
		}
		in.ContactID = id
		if typed {
			v.Add("new_name", "visit.error.contact_both")
		}
	}
	for i := 0; i < masswork.MaxVisitProblems+2; i++ {
		pre := "problems." + strconv.Itoa(i) + "."
		if _, ok := f[pre+"description"]; !ok {
			if _, ok := f[pre+"category_id"]; !ok {
				continue
			}
		}
		pr := masswork.VisitProblem{Description: f.Get(pre + "description")}
		if c := f.Get(pre + "category_id"); c != "" {
			id, err := strconv.ParseInt(c, 10, 64)
			if err != nil || id <= 0 {
				v.Add(pre+"category_id", "error.choice")
			}
			pr.CategoryID = id
		}
		for len(in.Problems) < i {
			in.Problems = append(in.Problems, masswork.VisitProblem{})
		}
		in.Problems = append(in.Problems, pr)
	}
	return in, &v
}
