package masswork

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Project statuses.
const (
	ProjectActive  = "active"
	ProjectDone    = "done"
	ProjectDropped = "dropped"
)

// ProjectStatuses lists the project statuses in display order.
var ProjectStatuses = []string{ProjectActive, ProjectDone, ProjectDropped}

// Limits of a project's form.
const (
	maxProjectTitle       = 100
	maxProjectDescription = 5000
	maxProjectMilestones  = 30
	maxProjectMatters     = 50
	maxMilestoneWeight    = 1000
)

// ProjectPlan is a project as its form submits it: texts that the service checks and turns
// into a Project. Errors name their field, "milestones.<i>.<field>" for a milestone row.
type ProjectPlan struct {
	ID          int64 // 0 for a new project
	OrgID       int64
	Title       string
	Description string
	OwnerID     int64
	Status      string
	Public      bool
	StartsOn    string
	DueOn       string
	// Milestones are the rows of the form in order; wholly blank rows are skipped.
	Milestones []MilestonePlan
	// MatterCodes are the tracking codes of the matters the project adopts (a report's code
	// names its matter).
	MatterCodes []string
	Version     int
}

// MilestonePlan is one milestone row of the project form.
type MilestonePlan struct {
	Title    string
	Weight   string // blank: 1
	Progress string // 0..100, blank: 0
	DueOn    string
	DoneOn   string
}

func (m MilestonePlan) blank() bool {
	return strings.TrimSpace(m.Title+m.Weight+m.Progress+m.DueOn+m.DoneOn) == ""
}

// PlanOf returns the plan of an existing project, for its edit form.
func PlanOf(p *Project) ProjectPlan {
	pl := ProjectPlan{ID: p.ID, OrgID: p.OrgID, Title: p.Title, Description: p.Description, OwnerID: p.OwnerID,
		Status: p.Status, Public: p.Public, StartsOn: p.StartsOn, DueOn: p.DueOn, Version: p.Version}
	for _, m := range p.Milestones {
		pl.Milestones = append(pl.Milestones, MilestonePlan{Title: m.Title, Weight: strconv.FormatFloat(m.Weight, 'f', -1, 64),
			Progress: strconv.Itoa(m.Progress), DueOn: m.DueOn, DoneOn: m.DoneOn})
	}
	for _, m := range p.Matters {
		pl.MatterCodes = append(pl.MatterCodes, m.Code)
	}
	return pl
}

// CanEditProject reports whether the actor may change a project: whoever administers the
// organization that runs it (its leadership).
func CanEditProject(a *auth.Actor, p *Project) bool { return a.CanAdmin(p.OrgPath) }

// Projects lists the projects of the organizations the actor sees, active ones first.
func (s *Service) Projects(ctx context.Context, a *auth.Actor) ([]*Project, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	roots := a.ReadRoots()
	if a.MemberPath != "" {
		roots = auth.Collapse(append(roots, a.MemberPath))
	}
	all, err := s.store.FindProjects(ctx, roots, false)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, p := range all {
		if a.CanSee(p.OrgPath) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Project returns one project with its milestones and matters, to those who see its
// organization; to anyone else it does not exist.
func (s *Service) Project(ctx context.Context, a *auth.Actor, id int64) (*Project, error) {
	p, err := s.store.FindProjectByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(p.OrgPath) {
		return nil, apperr.ErrNotFound
	}
	if !a.CanView(p.OrgPath) {
		// A member sees the matters' public faces, as the public page shows them.
		for i, m := range p.Matters {
			p.Matters[i] = boardMatter(m)
		}
	}
	return p, nil
}

// NewProjectPlan returns the plan of a new project, adopting the matter matterID when it is
// not 0: its public title and its handling organization, if the actor administers it.
func (s *Service) NewProjectPlan(ctx context.Context, a *auth.Actor, matterID int64) (ProjectPlan, error) {
	pl := ProjectPlan{Status: ProjectActive, Public: true, StartsOn: s.now().In(s.zone).Format(time.DateOnly)}
	if len(a.AdminRoots()) == 0 {
		return pl, apperr.ErrDenied
	}
	if matterID == 0 {
		return pl, nil
	}
	m, err := s.store.FindMatterByID(ctx, matterID)
	if err != nil {
		return pl, err
	}
	if !s.matterCanRead(ctx, a, m) {
		return pl, apperr.ErrNotFound
	}
	if !a.CanAdmin(m.OrgPath) {
		return pl, apperr.ErrDenied
	}
	pl.OrgID, pl.Title, pl.MatterCodes = m.OrgID, m.Title, []string{m.Code}
	return pl, nil
}

// SaveProject creates (pl.ID 0) or updates a project of an organization the actor
// administers, with its milestones and the matters it adopts, and returns it. An update must
// be made from the current version.
func (s *Service) SaveProject(ctx context.Context, a *auth.Actor, pl ProjectPlan) (*Project, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	var old *Project
	if pl.ID != 0 {
		var err error
		if old, err = s.Project(ctx, a, pl.ID); err != nil {
			return nil, err
		}
		if !CanEditProject(a, old) {
			return nil, apperr.ErrDenied
		}
	} else if len(a.AdminRoots()) == 0 {
		return nil, apperr.ErrDenied
	}
	p, err := s.projectFromPlan(ctx, a, pl)
	if err != nil {
		return nil, err
	}
	rec := record(a, "project.create", "project")
	rec.OrgPath = p.OrgPath
	if old != nil {
		rec.Action, rec.ObjectID = "project.update", old.ID
		rec.Before = audit.JSON(projectAudit(old))
	}
	rec.After = audit.JSON(projectAudit(p))
	if err := s.store.SaveProject(ctx, p, rec); err != nil {
		return nil, err
	}
	return p, nil
}

// projectFromPlan checks a plan and builds the project it describes.
func (s *Service) projectFromPlan(ctx context.Context, a *auth.Actor, pl ProjectPlan) (*Project, error) {
	var v apperr.Validation
	p := &Project{ID: pl.ID, OrgID: pl.OrgID, Title: cleanProjectLine(pl.Title), Description: strings.TrimSpace(pl.Description),
		OwnerID: pl.OwnerID, Status: pl.Status, Public: pl.Public, StartsOn: strings.TrimSpace(pl.StartsOn),
		DueOn: strings.TrimSpace(pl.DueOn), Version: pl.Version}
	switch n := utf8.RuneCountInString(p.Title); {
	case n == 0:
		v.Add("title", "error.required")
	case n > maxProjectTitle:
		v.Add("title", "error.too_long")
	}
	if utf8.RuneCountInString(p.Description) > maxProjectDescription {
		v.Add("description", "error.too_long")
	}
	if !projectHas(ProjectStatuses, p.Status) {
		v.Add("status", "error.choice")
	}
	start, okStart := projectDate(p.StartsOn)
	due, okDue := projectDate(p.DueOn)
	if !okStart {
		v.Add("starts_on", "error.date")
	}
	if !okDue {
		v.Add("due_on", "error.date")
	}
	if okStart && okDue && start != "" && due != "" && due < start {
		v.Add("due_on", "error.date_order")
	}

	o, err := s.orgs.FindOrganizationByID(ctx, p.OrgID)
	switch {
	case errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(o.Path)):
		v.Add("org_id", "error.org_out_of_scope")
	case err != nil:
		return nil, err
	default:
		p.OrgPath, p.OrgName = o.Path, o.Name
	}

	if p.OwnerID != 0 {
		owner, err := s.orgs.FindPersonByID(ctx, p.OwnerID)
		switch {
		case errors.Is(err, apperr.ErrNotFound) || (err == nil && (p.OrgPath == "" || !strings.HasPrefix(owner.OrgPath, p.OrgPath))):
			v.Add("owner_id", "error.project_owner_scope")
		case err != nil:
			return nil, err
		default:
			p.OwnerName = owner.Name
		}
	}

	p.Milestones = projectMilestones(pl.Milestones, &v)
	if err := s.projectMatters(ctx, a, p, pl.MatterCodes, &v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// projectMilestones checks the milestone rows, skipping blank ones; errors name the row.
func projectMilestones(rows []MilestonePlan, v *apperr.Validation) []*Milestone {
	var out []*Milestone
	for i, row := range rows {
		if row.blank() {
			continue
		}
		field := func(name string) string { return "milestones." + strconv.Itoa(i) + "." + name }
		m := &Milestone{Title: cleanProjectLine(row.Title), Weight: 1, DueOn: strings.TrimSpace(row.DueOn), DoneOn: strings.TrimSpace(row.DoneOn)}
		switch n := utf8.RuneCountInString(m.Title); {
		case n == 0:
			v.Add(field("title"), "error.required")
		case n > maxProjectTitle:
			v.Add(field("title"), "error.too_long")
		}
		if w := strings.TrimSpace(row.Weight); w != "" {
			x, err := strconv.ParseFloat(w, 64)
			if err != nil || math.IsNaN(x) || x <= 0 || x > maxMilestoneWeight {
				v.Add(field("weight"), "error.project_weight")
			} else {
				m.Weight = x
			}
		}
		if pr := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(row.Progress), "%")); pr != "" {
			x, err := strconv.Atoi(pr)
			if err != nil || x < 0 || x > 100 {
				v.Add(field("progress"), "error.project_progress")
			} else {
				m.Progress = x
			}
		}
		if _, ok := projectDate(m.DueOn); !ok {
			v.Add(field("due_on"), "error.date")
		}
		if _, ok := projectDate(m.DoneOn); !ok {
			v.Add(field("done_on"), "error.date")
		} else if m.DoneOn != "" && m.Progress < 100 {
			v.Add(field("progress"), "error.project_done_progress")
		}
		out = append(out, m)
	}
	if len(out) > maxProjectMilestones {
		v.Add("milestones", "error.project_too_many")
	}
	return out
}

// projectMatters resolves the tracking codes into the matters the project adopts: each of the
// project's organization's subtree, once.
func (s *Service) projectMatters(ctx context.Context, a *auth.Actor, p *Project, codes []string, v *apperr.Validation) error {
	seen := map[int64]bool{}
	for _, code := range codes {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		if c, ok := ParseCode(code); ok {
			code = c
		}
		m, err := s.store.FindMatterByCode(ctx, code)
		if errors.Is(err, apperr.ErrNotFound) {
			// A report's own code names its matter.
			var pr *Problem
			if pr, err = s.store.FindProblemByCode(ctx, code); err == nil {
				m, err = s.store.FindMatterByID(ctx, pr.MatterID)
			}
		}
		switch {
		case errors.Is(err, apperr.ErrNotFound) || (err == nil && (p.OrgPath == "" || !strings.HasPrefix(m.OrgPath, p.OrgPath) || !s.matterCanRead(ctx, a, m))):
			v.Add("matters", "error.project_matter")
			continue
		case err != nil:
			return err
		}
		if !seen[m.ID] {
			seen[m.ID] = true
			p.Matters = append(p.Matters, m)
		}
	}
	if len(p.Matters) > maxProjectMatters {
		v.Add("matters", "error.project_too_many")
	}
	return nil
}

// projectDate checks an optional date, YYYY-MM-DD, and returns it.
func projectDate(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", false
	}
	return s, true
}

// cleanProjectLine trims a one-line text and folds its line breaks and tabs into spaces.
func cleanProjectLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func projectHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// projectAudit is what the audit trail keeps of a project: its fields, milestones and the
// codes of its matters.
func projectAudit(p *Project) any {
	type milestone struct {
		Title    string  `json:"title"`
		Weight   float64 `json:"weight"`
		Progress int     `json:"progress"`
		DueOn    string  `json:"due_on,omitempty"`
		DoneOn   string  `json:"done_on,omitempty"`
	}
	out := struct {
		OrgID      int64       `json:"org_id"`
		Title      string      `json:"title"`
		OwnerID    int64       `json:"owner_id,omitempty"`
		Status     string      `json:"status"`
		Public     bool        `json:"public"`
		StartsOn   string      `json:"starts_on,omitempty"`
		DueOn      string      `json:"due_on,omitempty"`
		Progress   float64     `json:"progress"`
		Milestones []milestone `json:"milestones"`
		Matters    []string    `json:"matters"`
	}{OrgID: p.OrgID, Title: p.Title, OwnerID: p.OwnerID, Status: p.Status, Public: p.Public, StartsOn: p.StartsOn,
		DueOn: p.DueOn, Progress: math.Round(p.Progress()*10) / 10, Milestones: []milestone{}, Matters: []string{}}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, milestone{m.Title, m.Weight, m.Progress, m.DueOn, m.DoneOn})
	}
	for _, m := range p.Matters {
		out.Matters = append(out.Matters, m.Code)
	}
	return out
}

// PublicProject returns a public project for its public page, with its matters' public faces
// only; a project that is not public does not exist there.
func (s *Service) PublicProject(ctx context.Context, id int64) (*Project, error) {
	p, err := s.store.FindProjectByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Public {
		return nil, apperr.ErrNotFound
	}
	pub := boardProject(p)
	for _, m := range p.Matters {
		pub.Matters = append(pub.Matters, boardMatter(m))
	}
	return pub, nil
}
