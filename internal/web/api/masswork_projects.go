package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
)

// Project is a practical thing for the masses (我为群众办实事) with its milestones and the
// matters it adopts (schema Project). Progress is the weighted average of the milestones'
// progress, 0 to 100.
type Project struct {
	ID          int64           `json:"id"`
	OrgID       int64           `json:"org_id"`
	OrgName     string          `json:"org_name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	OwnerID     *int64          `json:"owner_id"`
	OwnerName   string          `json:"owner_name"`
	Status      string          `json:"status"`
	Public      bool            `json:"public"`
	StartsOn    string          `json:"starts_on"`
	DueOn       string          `json:"due_on"`
	Progress    float64         `json:"progress"`
	Milestones  []Milestone     `json:"milestones"`
	Matters     []ProjectMatter `json:"matters"`
	CanEdit     bool            `json:"can_edit"`
	Version     int             `json:"version"`
	CreatedAt   *time.Time      `json:"created_at"`
	UpdatedAt   *time.Time      `json:"updated_at"`
}

// Milestone is one step of a project (schema Milestone).
type Milestone struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Weight   float64 `json:"weight"`
	Progress int     `json:"progress"`
	DueOn    string  `json:"due_on"`
	DoneOn   string  `json:"done_on"`
}

// ProjectMatter is a matter a project adopts (schema ProjectMatter). A caller who sees the
// project but not the matter's organization's matters gets its public title only.
type ProjectMatter struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Status string `json:"status"`
	People int    `json:"people"`
}

// ProjectList lists the projects the caller sees, active ones first (schema ProjectList).
// The items carry their milestones but not their matters; read a project for those.
type ProjectList struct {
	Items []Project `json:"items"`
}

// ProjectWrite is the body of POST /projects (schema ProjectCreate) and, with version, of
// PUT /projects/{id} (schema ProjectUpdate), which replaces the whole project: its
// milestones and the matters it adopts included.
type ProjectWrite struct {
	OrgID       *int64           `json:"org_id"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	OwnerID     *int64           `json:"owner_id"`
	Status      string           `json:"status"`
	Public      *bool            `json:"public"`
	StartsOn    string           `json:"starts_on"`
	DueOn       string           `json:"due_on"`
	Milestones  []MilestoneWrite `json:"milestones"`
	MatterIDs   []int64          `json:"matter_ids"`
	Version     *int             `json:"version"`
}

// MilestoneWrite is one milestone as sent (schema MilestoneCreate).
type MilestoneWrite struct {
	Title    string   `json:"title"`
	Weight   *float64 `json:"weight"`
	Progress *int     `json:"progress"`
	DueOn    string   `json:"due_on"`
	DoneOn   string   `json:"done_on"`
}

func (h *Handler) toProject(p *masswork.Project, a *auth.Actor) Project {
	zone := h.massZone()
	out := Project{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, Title: p.Title, Description: p.Description,
		OwnerID: idOrNull(p.OwnerID), OwnerName: p.OwnerName, Status: p.Status, Public: p.Public, StartsOn: p.StartsOn,
		DueOn: p.DueOn, Progress: math.Round(p.Progress()*10) / 10, Milestones: make([]Milestone, 0, len(p.Milestones)),
		Matters: make([]ProjectMatter, 0, len(p.Matters)), CanEdit: masswork.CanEditProject(a, p), Version: p.Version,
		CreatedAt: timeOrNull(p.CreatedAt, zone), UpdatedAt: timeOrNull(p.UpdatedAt, zone)}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, Milestone{ID: m.ID, Title: m.Title, Weight: m.Weight, Progress: m.Progress,
			DueOn: m.DueOn, DoneOn: m.DoneOn})
	}
	for _, m := range p.Matters {
		pm := ProjectMatter{ID: m.ID, Code: m.Code, Title: masswork.MaskPublicText(m.Title), Status: m.Status, People: m.People}
		if !a.CanView(m.OrgPath) && m.AssigneeID != a.PersonID {
			// The public face, as the project's public page shows it.
			if m.Withheld {
				pm.Title = ""
			}
		}
		out.Matters = append(out.Matters, pm)
	}
	return out
}

func (h *Handler) listProjects(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	list, err := h.mass.Projects(r.Context(), a)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := ProjectList{Items: make([]Project, 0, len(list))}
	for _, p := range list {
		out.Items = append(out.Items, h.toProject(p, a))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getProject(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerProject(w, r, a, http.StatusOK, id)
}

// answerProject reads a project and writes it with a Location header.
func (h *Handler) answerProject(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	p, err := h.mass.Project(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	location(w, "projects", p.ID)
	h.writeJSON(w, r, status, h.toProject(p, a))
}

// plan turns the body into the service's plan; the matters named by ID are looked up as the
// caller may see them (one it may not see is refused on matter_ids, as one that does not
// exist).
func (in *ProjectWrite) plan(h *Handler, r *http.Request, a *auth.Actor, id int64) (masswork.ProjectPlan, error) {
	pl := masswork.ProjectPlan{ID: id, Title: in.Title, Description: in.Description, Status: in.Status,
		StartsOn: in.StartsOn, DueOn: in.DueOn, Public: true}
	if in.OrgID != nil {
		pl.OrgID = *in.OrgID
	}
	if in.OwnerID != nil {
		pl.OwnerID = *in.OwnerID
	}
	if in.Public != nil {
		pl.Public = *in.Public
	}
	if pl.Status == "" {
		pl.Status = masswork.ProjectActive
	}
	if in.Version != nil {
		pl.Version = *in.Version
	}
	for _, m := range in.Milestones {
		mp := masswork.MilestonePlan{Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn, Weight: "1", Progress: "0"}
		if m.Weight != nil {
			mp.Weight = strconv.FormatFloat(*m.Weight, 'f', -1, 64)
		}
		if m.Progress != nil {
			mp.Progress = strconv.Itoa(*m.Progress)
		}
		pl.Milestones = append(pl.Milestones, mp)
	}
	for _, mid := range in.MatterIDs {
		v, err := h.mass.Matter(r.Context(), a, mid)
		if apperr.KindOf(err) == apperr.NotFound {
			return pl, invalid("matter_ids", "error.project_matter")
		}
		if err != nil {
			return pl, err
		}
		pl.MatterCodes = append(pl.MatterCodes, v.Matter.Code)
	}
	return pl, nil
}

// projectFields maps the service's field names of a project to the body's.
var projectFields = map[string]string{"matters": "matter_ids"}

func (h *Handler) createProject(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in ProjectWrite
	if err := decode(w, r, &in, "version", "progress", "can_edit", "owner_name"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	switch {
	case len(a.AdminRoots()) == 0:
		h.fail(w, r, a.Locale, apperr.ErrDenied)
		return
	case in.OrgID == nil:
		h.fail(w, r, a.Locale, invalid("org_id", "error.required"))
		return
	}
	pl, err := in.plan(h, r, a, 0)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	p, err := h.mass.SaveProject(r.Context(), a, pl)
	if err != nil {
		h.fail(w, r, a.Locale, renameFields(err, projectFields))
		return
	}
	h.answerProject(w, r, a, http.StatusCreated, p.ID)
}

// updateProject replaces a project, from the version the caller read.
func (h *Handler) updateProject(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in ProjectWrite
	if err := decode(w, r, &in, "progress", "can_edit", "owner_name"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	cur, err := h.mass.Project(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if !masswork.CanEditProject(a, cur) {
		h.fail(w, r, a.Locale, apperr.ErrDenied)
		return
	}
	if in.OrgID == nil {
		in.OrgID = &cur.OrgID
	}
	pl, err := in.plan(h, r, a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if _, err := h.mass.SaveProject(r.Context(), a, pl); err != nil {
		h.fail(w, r, a.Locale, renameFields(err, projectFields))
		return
	}
	h.answerProject(w, r, a, http.StatusOK, id)
}
