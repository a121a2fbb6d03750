package masswork_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestMergeSplit: merging keeps every report and reporter in the surviving matter, and the
// merged matter's codes lead to it; splitting moves reports into a new matter with its own
// code, deadlines and grams.
func TestMergeSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		a := e.report(t, "parking", "东门停车难，车位太少", func(r *masswork.Report) { r.Phone = "13800000011" })
		e.metoo(t, a.MatterID, func(r *masswork.Report) { r.Phone = "13800000012" })
		b := e.report(t, "parking", "东大门那边停车太难了", func(r *masswork.Report) { r.Phone = "13800000013" })
		c := e.report(t, "network", "B区宽带又断网了")

		if err := e.svc.Merge(ctx, sec, a.MatterID, 0, a.MatterID, 0); keyOf(err) != "matter.error.same_matter" {
			t.Errorf("merge into itself: %v", err)
		}
		ma, mb := e.matter(t, a.MatterID), e.matter(t, b.MatterID)
		if err := e.svc.Merge(ctx, e.actors["firstsec"], ma.ID, ma.Version, mb.ID, mb.Version); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch merges: %v", err)
		}
		if err := e.svc.Merge(ctx, sec, ma.ID, ma.Version, mb.ID, mb.Version); err != nil {
			t.Fatal(err)
		}
		ma, mb = e.matter(t, a.MatterID), e.matter(t, b.MatterID)
		if ma.People != 3 || mb.Status != masswork.StatusMerged || mb.MergedInto != ma.ID || mb.CloseReason != masswork.CloseMerged {
			t.Fatalf("after the merge: into %+v, from %+v", ma, mb)
		}
		if n := len(e.problemIDs(t, ma.ID)); n != 3 {
			t.Errorf("%d reports in the survivor", n)
		}
		// b's codes lead to a's matter; b's reporter keeps their own report.
		for _, code := range []string{b.Code, b.MatterCode} {
			tr, err := e.svc.Track(ctx, code, b.Key)
			if err != nil || tr.Matter.ID != ma.ID {
				t.Errorf("track %s: %+v, %v", code, tr, err)
			}
		}
		if tr, _ := e.svc.Track(ctx, b.Code, b.Key); !tr.Owner || tr.Problem.Description != "东大门那边停车太难了" {
			t.Errorf("b's reporter: %+v", tr)
		}
		// A me-too on the merged matter goes to the survivor.
		d2 := e.metoo(t, b.MatterID, func(r *masswork.Report) { r.Phone = "13800000014" })
		if d2.MatterID != ma.ID {
			t.Errorf("me too on a merged matter landed in %d", d2.MatterID)
		}
		// Merging a closed matter is refused.
		if err := e.svc.Merge(ctx, sec, c.MatterID, 0, b.MatterID, 0); keyOf(err) != "matter.error.transition" {
			t.Errorf("merging a merged matter: %v", err)
		}

		// Split b's report and d's me-too off again.
		ps, err := e.app.DB.FindProblems(ctx, ma.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range ps {
			if p.Code == b.Code || p.Code == d2.Code {
				ids = append(ids, p.ID)
			}
		}
		ma = e.matter(t, ma.ID)
		for _, tt := range []struct {
			name string
			ids  []int64
			key  string
		}{
			{"nothing", nil, "matter.error.split_none"},
			{"everything", e.problemIDs(t, ma.ID), "matter.error.split_all"},
			{"another matter's report", []int64{e.problemIDs(t, c.MatterID)[0]}, "matter.error.split_foreign"},
		} {
			if _, err := e.svc.Split(ctx, sec, ma.ID, ma.Version, tt.ids); fieldOf(err)["problem_ids"] != tt.key {
				t.Errorf("split %s: %v", tt.name, err)
			}
		}
		e.clock.Set(at("2026-03-13 21:00"))
		n, err := e.svc.Split(ctx, sec, ma.ID, ma.Version, ids)
		if err != nil {
			t.Fatal(err)
		}
		got, ma := e.matter(t, n.ID), e.matter(t, ma.ID)
		if got.People != 2 || ma.People != 2 || got.Status != masswork.StatusSubmitted || got.Code == ma.Code ||
			got.Title != "东大门那边停车太难了" || !got.ResponseDue.Equal(at("2026-03-17 00:00")) || got.Grams == 0 {
			t.Errorf("split off %+v; left %+v", got, ma)
		}
		if tr, err := e.svc.Track(ctx, b.Code, b.Key); err != nil || tr.Matter.ID != n.ID {
			t.Errorf("b's report after the split: %+v, %v", tr, err)
		}
		// The new matter is found by its text.
		sug, err := e.svc.Suggest(ctx, e.cats["parking"].ID, "东大门那边停车太难了", masswork.Place{}, 5)
		if err != nil || len(sug) == 0 || sug[0].MatterID != n.ID {
			t.Errorf("suggestions after the split: %+v, %v", sug, err)
		}
		if _, err := e.svc.Split(ctx, sec, ma.ID, ma.Version-1, e.problemIDs(t, ma.ID)[:1]); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("split with a stale version: %v", err)
		}
	})
}

// TestMergeRace: two staff members merge the same matters at once, each from the versions
// they saw: one wins, the other is told the matter changed; no report is lost.
func TestMergeRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec, admin := e.actors["secretary"], e.actors["admin"]
		for round := 0; round < 3; round++ {
			a := e.report(t, "parking", "东门停车难")
			b := e.report(t, "parking", "东门停车太难")
			c := e.report(t, "parking", "东门没有车位")
			ma, mb, mc := e.matter(t, a.MatterID), e.matter(t, b.MatterID), e.matter(t, c.MatterID)
			merges := [][2]*masswork.Matter{{ma, mb}, {mb, ma}} // opposite directions
			if round == 1 {
				merges = [][2]*masswork.Matter{{mb, ma}, {mc, ma}} // one matter into two others
			}
			if round == 2 {
				merges = [][2]*masswork.Matter{{ma, mb}, {ma, mb}} // the same merge twice
			}
			var wg sync.WaitGroup
			errs := make([]error, len(merges))
			for i, pair := range merges {
				actor := sec
				if i == 1 {
					actor = admin
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = e.svc.Merge(ctx, actor, pair[0].ID, pair[0].Version, pair[1].ID, pair[1].Version)
				}()
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, apperr.ErrStale):
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d merges won (%v)", round, won, errs)
			}
			total := 0
			for _, m := range []*masswork.Matter{ma, mb, mc} {
				got := e.matter(t, m.ID)
				n := len(e.problemIDs(t, m.ID))
				total += n
				if got.Status == masswork.StatusMerged && n != 0 {
					t.Errorf("round %d: merged matter keeps %d reports", round, n)
				}
				if got.People != n && got.Status != masswork.StatusMerged {
					t.Errorf("round %d: matter %d counts %d people for %d reports", round, m.ID, got.People, n)
				}
			}
			if total != 3 {
				t.Errorf("round %d: %d reports of 3 left", round, total)
			}
		}
	})
}
