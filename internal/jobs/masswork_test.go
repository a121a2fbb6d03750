package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestMassWorkJob: the mass-work job is scheduled beside the reminders and runs at start;
// through river, on the app's clock, it escalates a matter whose first response is overdue
// (after the National Day holiday) and closes a resolved one nobody answered for a week.
func TestMassWorkJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newRemindEnv(t, d)
		ctx := context.Background()
		svc := e.app.Masswork
		if got := e.app.Jobs.PeriodicJobs(); !slices.Contains(got, "masswork") {
			t.Fatalf("periodic jobs %v", got)
		}
		if _, err := svc.UseDefaultCategories(ctx, auth.System("test"), e.demo.Committee.ID); err != nil {
			t.Fatal(err)
		}
		cats, err := svc.Categories(ctx, e.demo.SecondBranch.ID)
		if err != nil || len(cats) == 0 {
			t.Fatalf("categories: %v", err)
		}
		report := func(text string) *masswork.Receipt {
			t.Helper()
			rc, err := svc.Submit(ctx, nil, &masswork.Report{OrgID: e.demo.SecondBranch.ID, CategoryID: cats[0].ID, Description: text})
			if err != nil {
				t.Fatal(err)
			}
			return rc
		}
		e.clock.Set(at("2026-09-21 10:00"))
		resolved := report("东门停车难")
		for _, step := range []func() error{
			func() error { return svc.Accept(ctx, e.sec, resolved.MatterID, 0, "") },
			func() error { return svc.Resolve(ctx, e.sec, resolved.MatterID, 0, "已增设车位") },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Set(at("2026-09-30 15:00"))
		overdue := report("B区宽带又断网了")
		e.clock.Set(at("2026-10-09 00:01"))
		if err := e.app.StartJobs(ctx); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			m, err := e.app.DB.FindMatterByID(ctx, overdue.MatterID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.app.DB.FindMatterByID(ctx, resolved.MatterID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Escalations == masswork.EscalatedResponse && r.Status == masswork.StatusClosed {
				if m.EscalatedOrgID != e.demo.Committee.ID || r.CloseReason != masswork.CloseNoReply {
					t.Fatalf("escalated to %d; closed as %s", m.EscalatedOrgID, r.CloseReason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the job did not run: escalations %d, status %s", m.Escalations, r.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// A run queued by hand goes beside the schedule.
		if err := e.app.Jobs.EnqueueMassWork(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
