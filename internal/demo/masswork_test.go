package demo_test

import (
	"context"
	"testing"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestLoadMasswork: the story's matters stand where the demo says, their counts of people
// agree with a recount of their reports, and the parking matter is a project.
func TestLoadMasswork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a := apptest.Open(t, d, apptest.Options{})
		data := apptest.Demo(t, a, "demo-pass-2023")
		mw, err := demo.LoadMasswork(ctx, demo.MassworkDeps{Store: a.DB, Orgs: a.DB, Register: a.Org, Users: a.Auth, Zone: a.Zone}, data, a.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"heat": masswork.StatusInProgress, "parking": masswork.StatusInProgress, "network": masswork.StatusClosed,
			"fire": masswork.StatusInProgress, "toilet": masswork.StatusClosed, "fee": masswork.StatusRejected,
			"fake": masswork.StatusSubmitted, "leak": masswork.StatusSubmitted,
		}
		sys := auth.System("test")
		for name, status := range want {
			m := mw.Matters[name]
			if m == nil {
				t.Errorf("no matter %s", name)
				continue
			}
			if m.Status != status {
				t.Errorf("%s: status %s, want %s", name, m.Status, status)
			}
			v, err := a.Masswork.Matter(ctx, sys, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			people := map[string]bool{}
			for _, p := range v.Problems {
				people[p.PersonKey] = true
			}
			if testing.Verbose() {
				for _, p := range v.Problems {
					t.Logf("%s: %s %s %s %q", name, p.PersonKey, p.Kind, p.Channel, p.Description)
				}
			}
			if m.People != len(people) {
				t.Errorf("%s: %d people, recount %d", name, m.People, len(people))
			}
		}
		if mw.Matters["parking"].People != 11 || mw.Matters["heat"].People != 10 {
			t.Errorf("prominent matters have %d and %d people", mw.Matters["parking"].People, mw.Matters["heat"].People)
		}
		if got := mw.Matters["toilet"].CloseReason; got != masswork.CloseNoReply {
			t.Errorf("toilet closed as %q", got)
		}
		if got := mw.Matters["network"].CloseReason; got != masswork.CloseAnswered {
			t.Errorf("network closed as %q", got)
		}
		if mw.Matters["fire"].Round != 1 {
			t.Errorf("fire reopened after round %d", mw.Matters["fire"].Round)
		}
		if mw.Matters["fake"].EscalatedOrgID != data.Committee.ID {
			t.Errorf("counterfeit matter escalated to %d, want the committee %d", mw.Matters["fake"].EscalatedOrgID, data.Committee.ID)
		}
		if p := mw.Project; p == nil || len(p.Milestones) != 4 || p.Progress() < 46 || p.Progress() > 47 {
			t.Errorf("project = %+v", p)
		}
		if mw.Visits != 13 {
			t.Errorf("%d visits, want 13", mw.Visits)
		}
		board, err := a.Masswork.Prominent(ctx, sys, data.Committee.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(board) < 2 || board[0].ID != mw.Matters["heat"].ID && board[0].ID != mw.Matters["parking"].ID {
			t.Errorf("prominent board starts with %+v", board)
		}
	})
}
