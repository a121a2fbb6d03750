package masswork_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestProjectProgress(t *testing.T) {
	for _, tt := range []struct {
		name       string
		milestones []*masswork.Milestone
		want       float64
	}{
		{"none", nil, 0},
		{"one", []*masswork.Milestone{{Weight: 1, Progress: 40}}, 40},
		{"equal weights average", []*masswork.Milestone{{Weight: 1, Progress: 100}, {Weight: 1, Progress: 0}}, 50},
		{"weighted", []*masswork.Milestone{{Weight: 1, Progress: 100}, {Weight: 3, Progress: 50}}, 62.5},
		{"fractional weights", []*masswork.Milestone{{Weight: 0.5, Progress: 100}, {Weight: 1.5, Progress: 20}}, 40},
		{"all done", []*masswork.Milestone{{Weight: 2, Progress: 100}, {Weight: 7, Progress: 100}}, 100},
		{"no weight counts nothing", []*masswork.Milestone{{Weight: 0, Progress: 100}}, 0},
	} {
		p := &masswork.Project{Milestones: tt.milestones}
		if got := p.Progress(); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: progress = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// projectPerson returns a full member of an organization's own register.
func projectPerson(t *testing.T, e *env, o *org.Organization) *org.Person {
	t.Helper()
	people, _, err := e.app.Org.People(context.Background(), auth.System("test"), org.PeopleFilter{OrgPath: o.Path, Members: true, Limit: 1})
	if err != nil || len(people) == 0 {
		t.Fatalf("no member in %s: %v", o.Name, err)
	}
	return people[0]
}

func TestProjectService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		sec := e.actors["secretary"]
		parking := e.report(t, "parking", "东门停车难，车位太少")
		heat := e.report(t, "facilities", "走廊高温42度，没有遮阳和降温")
		first, err := e.svc.Submit(ctx, nil, &masswork.Report{OrgID: e.demo.FirstBranch.ID, CategoryID: e.cats["other"].ID, Description: "第一支部的问题"})
		if err != nil {
			t.Fatal(err)
		}
		owner := e.demo.Secretary
		outsider := projectPerson(t, e, e.demo.FirstBranch)

		// The matter page's button: the plan adopts the matter, in its organization.
		plan, err := e.svc.NewProjectPlan(ctx, sec, parking.MatterID)
		if err != nil {
			t.Fatal(err)
		}
		if plan.OrgID != e.demo.SecondBranch.ID || plan.Title != "东门停车难，车位太少" || len(plan.MatterCodes) != 1 ||
			plan.MatterCodes[0] != parking.MatterCode || !plan.Public || plan.Status != masswork.ProjectActive || plan.StartsOn != "2026-03-10" {
			t.Errorf("plan = %+v", plan)
		}
		for _, tt := range []struct {
			user     string
			matterID int64
			want     error
		}{
			{"member", 0, apperr.ErrDenied},
			{"inspector", parking.MatterID, apperr.ErrDenied},
			{"firstsec", parking.MatterID, apperr.ErrNotFound},
			{"secretary", first.MatterID, apperr.ErrNotFound},
		} {
			if _, err := e.svc.NewProjectPlan(ctx, e.actors[tt.user], tt.matterID); !errors.Is(err, tt.want) {
				t.Errorf("%s plans with matter %d: err = %v, want %v", tt.user, tt.matterID, err, tt.want)
			}
		}

		plan.OwnerID = owner.ID
		plan.DueOn = "2026-06-30"
		plan.MatterCodes = append(plan.MatterCodes, masswork.FormatCode(heat.Code), parking.MatterCode) // a report's code, spaced; a repeat
		plan.Milestones = []masswork.MilestonePlan{
			{Title: "现场勘察", Weight: "1", Progress: "100", DoneOn: "2026-03-20"},
			{},
			{Title: "施工划线", Weight: "3", Progress: "50%", DueOn: "2026-05-31"},
		}
		p, err := e.svc.SaveProject(ctx, sec, plan)
		if err != nil {
			t.Fatal(err)
		}
		if p.OwnerName != owner.Name || len(p.Milestones) != 2 || len(p.Matters) != 2 || math.Abs(p.Progress()-62.5) > 1e-9 {
			t.Errorf("saved %+v with %d milestones, %d matters", p, len(p.Milestones), len(p.Matters))
		}
		if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'project.create' AND object_id = ? AND org_path = ?", p.ID, e.demo.SecondBranch.Path); n != 1 {
			t.Errorf("%d audit records of the creation", n)
		}

		// Bad input: every field's error, nothing written.
		base := masswork.PlanOf(p)
		for _, tt := range []struct {
			name  string
			edit  func(pl *masswork.ProjectPlan)
			field string
			key   string
		}{
			{"no title", func(pl *masswork.ProjectPlan) { pl.Title = "  " }, "title", "error.required"},
			{"long title", func(pl *masswork.ProjectPlan) { pl.Title = strings.Repeat("长", 101) }, "title", "error.too_long"},
			{"status", func(pl *masswork.ProjectPlan) { pl.Status = "paused" }, "status", "error.choice"},
			{"date", func(pl *masswork.ProjectPlan) { pl.StartsOn = "2026-02-30" }, "starts_on", "error.date"},
			{"order", func(pl *masswork.ProjectPlan) { pl.DueOn = "2026-01-01" }, "due_on", "error.date_order"},
			{"org out of scope", func(pl *masswork.ProjectPlan) { pl.OrgID = e.demo.FirstBranch.ID }, "org_id", "error.org_out_of_scope"},
			{"org unknown", func(pl *masswork.ProjectPlan) { pl.OrgID = 999999 }, "org_id", "error.org_out_of_scope"},
			{"owner elsewhere", func(pl *masswork.ProjectPlan) { pl.OwnerID = outsider.ID }, "owner_id", "error.project_owner_scope"},
			{"owner unknown", func(pl *masswork.ProjectPlan) { pl.OwnerID = 999999 }, "owner_id", "error.project_owner_scope"},
			{"milestone title", func(pl *masswork.ProjectPlan) { pl.Milestones[1].Title = "" }, "milestones.1.title", "error.required"},
			{"weight zero", func(pl *masswork.ProjectPlan) { pl.Milestones[0].Weight = "0" }, "milestones.0.weight", "error.project_weight"},
			{"weight text", func(pl *masswork.ProjectPlan) { pl.Milestones[0].Weight = "NaN" }, "milestones.0.weight", "error.project_weight"},
			{"progress over", func(pl *masswork.ProjectPlan) { pl.Milestones[1].Progress = "101" }, "milestones.1.progress", "error.project_progress"},
			{"progress negative", func(pl *masswork.ProjectPlan) { pl.Milestones[1].Progress = "-1" }, "milestones.1.progress", "error.project_progress"},
			{"done but not 100", func(pl *masswork.ProjectPlan) { pl.Milestones[1].DoneOn = "2026-04-01" }, "milestones.1.progress", "error.project_done_progress"},
			{"milestone date", func(pl *masswork.ProjectPlan) { pl.Milestones[1].DueOn = "31/05/2026" }, "milestones.1.due_on", "error.date"},
			{"too many milestones", func(pl *masswork.ProjectPlan) {
				for i := 0; i < 31; i++ {
					pl.Milestones = append(pl.Milestones, masswork.MilestonePlan{Title: "节点"})
				}
			}, "milestones", "error.project_too_many"},
			{"unknown code", func(pl *masswork.ProjectPlan) { pl.MatterCodes = append(pl.MatterCodes, "0000 0000 0000") }, "matters", "error.project_matter"},
			{"other branch's matter", func(pl *masswork.ProjectPlan) { pl.MatterCodes = append(pl.MatterCodes, first.MatterCode) }, "matters", "error.project_matter"},
		} {
			pl := base
			pl.Milestones = append([]masswork.MilestonePlan(nil), base.Milestones...)
			pl.MatterCodes = append([]string(nil), base.MatterCodes...)
			tt.edit(&pl)
			_, err := e.svc.SaveProject(ctx, sec, pl)
			if got := fieldOf(err)[tt.field]; got != tt.key {
				t.Errorf("%s: %s error = %q (%v), want %q", tt.name, tt.field, got, err, tt.key)
			}
		}
		if got, err := e.svc.Project(ctx, sec, p.ID); err != nil || got.Version != 1 {
			t.Fatalf("after refused saves: %+v, %v", got, err)
		}

		// Who sees and who changes it.
		for _, tt := range []struct {
			user     string
			see      error
			edit     error
			listSees bool
		}{
			{"secretary", nil, nil, true},
			{"admin", nil, nil, true},
			{"inspector", nil, apperr.ErrDenied, true},
			{"member", apperr.ErrNotFound, apperr.ErrNotFound, false}, // of a group below the branch
			{"firstsec", apperr.ErrNotFound, apperr.ErrNotFound, false},
		} {
			a := e.actors[tt.user]
			if _, err := e.svc.Project(ctx, a, p.ID); !errors.Is(err, tt.see) {
				t.Errorf("%s sees: err = %v, want %v", tt.user, err, tt.see)
			}
			list, err := e.svc.Projects(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			seen := false
			for _, x := range list {
				seen = seen || x.ID == p.ID
			}
			if seen != tt.listSees {
				t.Errorf("%s lists it: %v, want %v", tt.user, seen, tt.listSees)
			}
			if tt.edit == nil {
				continue
			}
			pl := masswork.PlanOf(p)
			pl.Title = "改名"
			if _, err := e.svc.SaveProject(ctx, a, pl); !errors.Is(err, tt.edit) {
				t.Errorf("%s edits: err = %v, want %v", tt.user, err, tt.edit)
			}
		}
		if _, err := e.svc.Project(ctx, e.actors["secretary"], 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing project: %v", err)
		}

		// Two editors from the same version: the second is stale.
		one, two := masswork.PlanOf(p), masswork.PlanOf(p)
		one.Milestones[1].Progress = "100"
		one.Status = masswork.ProjectDone
		if _, err := e.svc.SaveProject(ctx, sec, one); err != nil {
			t.Fatal(err)
		}
		two.Title = "另一个标题"
		if _, err := e.svc.SaveProject(ctx, e.actors["admin"], two); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("second editor: err = %v, want stale", err)
		}
		got, err := e.svc.Project(ctx, sec, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Progress() != 100 || got.Status != masswork.ProjectDone || got.Title != p.Title || got.Version != 2 {
			t.Errorf("after the edits: %+v progress %v", got, got.Progress())
		}
	})
}
