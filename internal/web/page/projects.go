package page

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ProjectsPage lists the projects of practical things for the masses (我为群众办实事) the
// caller sees, with their progress.
type ProjectsPage struct {
	view.Base
	Projects []*masswork.Project
	CanAdd   bool
}

// ListProjects shows the projects of the organizations the caller sees.
func (h *Handlers) ListProjects(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &ProjectsPage{Base: h.View.NewBase(r, "project.title"), CanAdd: a.IsAdmin()}
	p.NavItem = "masswork"
	if p.Projects, err = h.Mass.Projects(r.Context(), a); err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "projects", p)
}

// ProjectPage shows one project to staff: its milestones and the matters it adopts, with
// links to them.
type ProjectPage struct {
	view.Base
	Project *masswork.Project
	CanEdit bool
}

// FormatCode shows a tracking code in groups of four digits.
func (p *ProjectPage) FormatCode(code string) string { return masswork.FormatCode(code) }

// ShowProject renders a project.
func (h *Handlers) ShowProject(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pr, err := h.Mass.Project(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &ProjectPage{Base: h.View.NewBase(r, "project.title"), Project: pr, CanEdit: masswork.CanEditProject(a, pr)}
	p.NavItem = "masswork"
	p.Title = pr.Title
	h.View.Render(w, r, http.StatusOK, "project", p)
}

// ProjectFormPage is the form of a new or existing project, milestones and matters in one.
type ProjectFormPage struct {
	view.Base
	Form     *view.Form
	Project  *masswork.Project // nil for a new one
	Orgs     []*org.Organization
	People   []*org.Person
	Statuses []string
	Rows     []int // indexes of the milestone rows to show
}

// Milestone returns field of milestone row i as submitted.
func (p *ProjectFormPage) Milestone(i int, field string) string {
	return p.Form.Get(projectRowField(i, field))
}

// MilestoneError returns the translated error of field of milestone row i.
func (p *ProjectFormPage) MilestoneError(i int, field string) string {
	return p.Form.ErrorOf(projectRowField(i, field))
}

func projectRowField(i int, field string) string {
	return "milestones." + strconv.Itoa(i) + "." + field
}

// projectBlankRows is how many empty milestone rows the form offers below the filled ones.
const projectBlankRows = 2

// projectMaxRows bounds the milestone rows read from a form.
const projectMaxRows = 60

// withRows sets the milestone rows: the submitted or stored ones and a few blank ones.
func (p *ProjectFormPage) withRows() {
	n := 0
	for i := 0; i < projectMaxRows; i++ {
		for _, f := range []string{"title", "weight", "progress", "due_on", "done_on"} {
			if p.Milestone(i, f) != "" {
				n = i + 1
			}
		}
	}
	p.Rows = make([]int, n+projectBlankRows)
	for i := range p.Rows {
		p.Rows[i] = i
	}
}

func (h *Handlers) projectForm(r *http.Request, a *auth.Actor, title string) (*ProjectFormPage, error) {
	ctx := r.Context()
	tree, err := h.Org.Tree(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &ProjectFormPage{Base: h.View.NewBase(r, title), Statuses: masswork.ProjectStatuses}
	p.NavItem = "masswork"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	if p.People, _, err = h.Org.People(ctx, a, org.PeopleFilter{Members: true, Limit: org.MaxPageSize, Brief: true}); err != nil {
		return nil, err
	}
	return p, nil
}

// projectValues fills form values from a plan.
func projectValues(f *view.Form, pl masswork.ProjectPlan) {
	v := f.Values
	if pl.OrgID != 0 {
		v.Set("org_id", strconv.FormatInt(pl.OrgID, 10))
	}
	if pl.OwnerID != 0 {
		v.Set("owner_id", strconv.FormatInt(pl.OwnerID, 10))
	}
	v.Set("title", pl.Title)
	v.Set("description", pl.Description)
	v.Set("status", pl.Status)
	if pl.Public {
		v.Set("public", "1")
	}
	v.Set("starts_on", pl.StartsOn)
	v.Set("due_on", pl.DueOn)
	v.Set("matters", strings.Join(pl.MatterCodes, "\n"))
	v.Set("version", strconv.Itoa(pl.Version))
	for i, m := range pl.Milestones {
		v.Set(projectRowField(i, "title"), m.Title)
		v.Set(projectRowField(i, "weight"), m.Weight)
		v.Set(projectRowField(i, "progress"), m.Progress)
		v.Set(projectRowField(i, "due_on"), m.DueOn)
		v.Set(projectRowField(i, "done_on"), m.DoneOn)
	}
}

// projectFromForm reads a plan from a submitted form.
func projectFromForm(r *http.Request) masswork.ProjectPlan {
	f := r.PostForm
	id := func(k string) int64 { n, _ := strconv.ParseInt(f.Get(k), 10, 64); return n }
	pl := masswork.ProjectPlan{OrgID: id("org_id"), Title: f.Get("title"), Description: f.Get("description"),
		OwnerID: id("owner_id"), Status: f.Get("status"), Public: f.Get("public") != "", StartsOn: f.Get("starts_on"),
		DueOn: f.Get("due_on"), MatterCodes: strings.FieldsFunc(f.Get("matters"), func(c rune) bool {
			// Codes are read in groups of four ("4821 0937 5562"): spaces stay inside a code.
			return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == '\n' || c == '\r'
		}), Version: atoi(f.Get("version"))}
	for i := 0; i < projectMaxRows; i++ {
		if _, ok := f[projectRowField(i, "title")]; !ok {
			continue
		}
		pl.Milestones = append(pl.Milestones, masswork.MilestonePlan{Title: f.Get(projectRowField(i, "title")),
			Weight: f.Get(projectRowField(i, "weight")), Progress: f.Get(projectRowField(i, "progress")),
			DueOn: f.Get(projectRowField(i, "due_on")), DoneOn: f.Get(projectRowField(i, "done_on"))})
	}
	return pl
}

// NewProject shows the empty project form; ?matter=ID adopts a matter (the matter page's
// "立项办实事" button).
func (h *Handlers) NewProject(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	var matterID int64
	if raw := r.URL.Query().Get("matter"); raw != "" {
		if matterID, err = strconv.ParseInt(raw, 10, 64); err != nil || matterID <= 0 {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	pl, err := h.Mass.NewProjectPlan(r.Context(), a, matterID)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.projectForm(r, a, "project.new")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if pl.OrgID == 0 {
		pl.OrgID = p.Orgs[0].ID
	}
	p.Form = view.NewForm(p.Translator, nil)
	projectValues(p.Form, pl)
	p.withRows()
	h.View.Render(w, r, http.StatusOK, "project_form", p)
}

// EditProject shows the form of a project.
func (h *Handlers) EditProject(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pr, err := h.Mass.Project(r.Context(), a, id)
	if err == nil && !masswork.CanEditProject(a, pr) {
		err = apperr.ErrDenied
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.projectForm(r, a, "project.edit")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Project = pr
	p.Form = view.NewForm(p.Translator, nil)
	projectValues(p.Form, masswork.PlanOf(pr))
	p.withRows()
	h.View.Render(w, r, http.StatusOK, "project_form", p)
}

// SaveProject creates (POST /projects) or updates (POST /projects/{id}) a project.
func (h *Handlers) SaveProject(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pl := projectFromForm(r)
	if r.PathValue("id") != "" {
		if pl.ID, err = idParam(r, "id"); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	pr, err := h.Mass.SaveProject(r.Context(), a, pl)
	if err != nil {
		title := "project.new"
		var old *masswork.Project
		if pl.ID != 0 {
			title = "project.edit"
			var oerr error
			if old, oerr = h.Mass.Project(r.Context(), a, pl.ID); oerr != nil {
				h.View.Error(w, r, oerr)
				return
			}
		}
		p, perr := h.projectForm(r, a, title)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.Project = old
		p.Form = view.NewForm(p.Translator, r.PostForm)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		p.withRows()
		h.View.Render(w, r, http.StatusUnprocessableEntity, "project_form", p)
		return
	}
	redirect(w, r, "/projects/"+strconv.FormatInt(pr.ID, 10), "flash.project_saved")
}

// PublicProjectPage is a project's public page: no account needed, no personal data.
type PublicProjectPage struct {
	view.Base
	Project *masswork.Project
}

// FormatCode shows a tracking code in groups of four digits.
func (p *PublicProjectPage) FormatCode(code string) string { return masswork.FormatCode(code) }

// ShowPublicProject renders the public page of a public project (GET /p/{id}).
func (h *Handlers) ShowPublicProject(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	pr, err := h.Mass.PublicProject(r.Context(), id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &PublicProjectPage{Base: h.View.NewBase(r, "project.title"), Project: pr}
	p.Title = pr.Title
	h.View.Render(w, r, http.StatusOK, "project_public", p)
}
