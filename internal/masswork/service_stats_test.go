package masswork_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// insightStory walks three matters of the Second Branch through February and March 2026 with
// the clock: one answered in time and satisfied, one rejected late, one reopened by a
// dissatisfied answer and resolved again.
func insightStory(t *testing.T, e *env) (ok, late, reopened *masswork.Receipt) {
	t.Helper()
	ctx := context.Background()
	sec := e.actors["secretary"]
	step := func(when string, do func() error) {
		t.Helper()
		e.clock.Set(at(when))
		if err := do(); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
	version := func(id int64) int { return e.matter(t, id).Version }

	e.clock.Set(at("2026-02-27 10:00")) // a Friday
	ok = e.report(t, "parking", "东门停车难", func(r *masswork.Report) { r.Name, r.Phone = "陈老板", "13812345678" })
	step("2026-02-27 15:00", func() error { return e.svc.Accept(ctx, sec, ok.MatterID, version(ok.MatterID), "") })
	step("2026-03-02 10:00", func() error {
		return e.svc.Resolve(ctx, sec, ok.MatterID, version(ok.MatterID), "新划了20个车位")
	})
	step("2026-03-03 08:00", func() error { return e.svc.Answer(ctx, ok.Code, ok.Key, true, masswork.RatingSatisfied, "") })

	e.clock.Set(at("2026-03-05 09:00")) // a Thursday: the response is due by the end of Friday
	late = e.report(t, "network", "B区宽带断网", func(r *masswork.Report) { r.Anonymous = true })
	step("2026-03-09 09:00", func() error {
		return e.svc.Reject(ctx, sec, late.MatterID, version(late.MatterID), "属运营商责任，已转告")
	})

	e.clock.Set(at("2026-03-10 09:00"))
	reopened = e.report(t, "facilities", "走廊高温没有遮阳", func(r *masswork.Report) { r.Phone = "13900000001" })
	other := e.metoo(t, reopened.MatterID, func(r *masswork.Report) { r.Phone = "13900000002" })
	step("2026-03-10 10:00", func() error { return e.svc.Accept(ctx, sec, reopened.MatterID, version(reopened.MatterID), "") })
	step("2026-03-10 11:00", func() error {
		return e.svc.Resolve(ctx, sec, reopened.MatterID, version(reopened.MatterID), "装了遮阳网")
	})
	step("2026-03-10 18:00", func() error {
		return e.svc.Answer(ctx, reopened.Code, reopened.Key, false, masswork.RatingDissatisfied, "还是很热")
	})
	step("2026-03-12 10:00", func() error {
		return e.svc.Resolve(ctx, sec, reopened.MatterID, version(reopened.MatterID), "加装了喷雾降温")
	})
	step("2026-03-12 12:00", func() error { return e.svc.Answer(ctx, reopened.Code, reopened.Key, true, masswork.RatingBasic, "") })
	step("2026-03-12 13:00", func() error { return e.svc.Answer(ctx, other.Code, other.Key, true, masswork.RatingSatisfied, "") })

	// Visits of the branch: two merchants in March, one of them twice.
	c0, c1 := e.contact(t, 0), e.contact(t, 1)
	for _, v := range []struct {
		contact int64
		when    string
	}{{c0.ID, "2026-03-03 10:00"}, {c0.ID, "2026-03-04 10:00"}, {c1.ID, "2026-03-05 10:00"}, {c1.ID, "2026-02-28 23:59"}} {
		if err := e.app.DB.CreateVisit(ctx, &masswork.Visit{OrgID: e.demo.SecondBranch.ID, ContactID: v.contact, VisitedAt: at(v.when)},
			&audit.Record{Action: "visit.create", ObjectType: "visit"}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(at("2026-03-20 09:00"))
	return ok, late, reopened
}

func TestInsightFromTheHandling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		ok, late, reopened := insightStory(t, e)
		in, err := e.svc.Insight(ctx, e.actors["secretary"], e.demo.SecondBranch.ID, "2026-02", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if in.From != "2026-02" || in.To != "2026-03" || len(in.Months) != 2 {
			t.Fatalf("insight %s–%s with %d months", in.From, in.To, len(in.Months))
		}
		feb, mar := in.Months[0], in.Months[1]
		contacts := e.count(t, "SELECT COUNT(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE o.path LIKE ? AND p.stage = 'masses' AND p.status = 'normal'",
			e.demo.SecondBranch.Path+"%")
		for _, tt := range []struct {
			name      string
			got, want any
		}{
			{"Feb reports", feb.Problems, 1}, {"Feb matters", feb.Matters, 1}, {"Feb accepted", feb.Accepted, 1},
			{"Feb responded", [2]int{feb.Responded, feb.RespondedOnTime}, [2]int{1, 1}},
			{"Feb median response", feb.MedianResponse, 5 * time.Hour},
			{"Feb resolved", feb.Resolved, 0}, {"Feb visits", [2]int{feb.Visits, feb.ContactsVisited}, [2]int{1, 1}},
			{"Mar reports", mar.Problems, 3}, {"Mar matters", mar.Matters, 2},
			{"Mar by category", mar.ByCategory, map[string]int{"network": 1, "facilities": 2}},
			{"Mar by channel", mar.ByChannel, map[string]int{masswork.ChannelWeb: 3}},
			{"Mar decided", [2]int{mar.Accepted, mar.Rejected}, [2]int{1, 1}},
			{"Mar responded", [2]int{mar.Responded, mar.RespondedOnTime}, [2]int{2, 1}},
			// The late one in four days, the other in an hour: the median is their mean.
			{"Mar median response", mar.MedianResponse, (96*time.Hour + time.Hour) / 2},
			// Resolved: the parking matter (Mar 2) and the reopened one, once, at its last resolution.
			{"Mar resolved", [2]int{mar.Resolved, mar.ResolvedOnTime}, [2]int{2, 2}},
			{"Mar median resolve", mar.MedianResolve, (72*time.Hour + 49*time.Hour) / 2},
			{"Mar answers", [2]int{mar.Answers, mar.Satisfied}, [2]int{4, 3}},
			{"Mar visits", [3]int{mar.Visits, mar.ContactsVisited, mar.Contacts}, [3]int{3, 2, contacts}},
		} {
			if !equalJSON(tt.got, tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		}
		if len(in.Categories) != 3 || in.Categories[0].Code == "" {
			t.Errorf("categories = %+v", in.Categories)
		}
		if r, ok := mar.SatisfactionRate(); !ok || r != 0.75 {
			t.Errorf("satisfaction = %v %v", r, ok)
		}

		_, rows, err := e.svc.Ledger(ctx, e.actors["inspector"], e.demo.SecondBranch.ID, "2026-02", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{ok.MatterID: masswork.DeadlineMet, late.MatterID: masswork.DeadlineMissed, reopened.MatterID: masswork.DeadlineMet}
		if len(rows) != 3 {
			t.Fatalf("ledger rows = %d", len(rows))
		}
		for _, row := range rows {
			if got := row.OnTime(e.clock.Now()); got != want[row.ID] {
				t.Errorf("%s (%s): on time %s, want %s", row.Code, row.Status, got, want[row.ID])
			}
		}
		if last := rows[2]; last.Round != 2 || last.Ratings[masswork.RatingBasic] != 1 || last.Ratings[masswork.RatingSatisfied] != 1 || last.Status != masswork.StatusClosed {
			t.Errorf("reopened matter's row: %+v", last)
		}
		raw, _ := json.Marshal(rows)
		for _, secret := range []string{"陈老板", "13812345678", "138****5678", "13900000001"} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the ledger holds %q", secret)
			}
		}
	})
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestInsightScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		e.report(t, "parking", "东门停车难")
		memberOrg := e.actors["member"].MemberPath
		group := e.demo.SecondBranch.ID
		for _, g := range e.demo.Groups {
			if g.Path == memberOrg {
				group = g.ID
			}
		}
		for _, tt := range []struct {
			user          string
			orgID         int64
			insight, book error
		}{
			{"secretary", e.demo.SecondBranch.ID, nil, nil},
			{"admin", e.demo.FirstBranch.ID, nil, nil},
			{"inspector", e.demo.SecondBranch.ID, nil, nil},
			{"firstsec", e.demo.SecondBranch.ID, apperr.ErrNotFound, apperr.ErrNotFound},
			{"firstsec", e.demo.Committee.ID, apperr.ErrNotFound, apperr.ErrNotFound},
			{"member", e.demo.SecondBranch.ID, apperr.ErrNotFound, apperr.ErrNotFound},
			{"member", group, nil, apperr.ErrDenied},
			{"secretary", 999999, apperr.ErrNotFound, apperr.ErrNotFound},
		} {
			a := e.actors[tt.user]
			if _, err := e.svc.Insight(ctx, a, tt.orgID, "", ""); !errors.Is(err, tt.insight) {
				t.Errorf("%s insight of %d: err = %v, want %v", tt.user, tt.orgID, err, tt.insight)
			}
			if _, _, err := e.svc.Ledger(ctx, a, tt.orgID, "", ""); !errors.Is(err, tt.book) {
				t.Errorf("%s ledger of %d: err = %v, want %v", tt.user, tt.orgID, err, tt.book)
			}
		}
		if _, err := e.svc.Insight(ctx, nil, e.demo.SecondBranch.ID, "", ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("no actor: %v", err)
		}
		// The default period: the twelve months up to this one.
		in, err := e.svc.Insight(ctx, e.actors["secretary"], e.demo.SecondBranch.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if in.From != "2025-04" || in.To != "2026-03" || len(in.Months) != 12 || in.Months[11].Problems != 1 {
			t.Errorf("default period %s–%s, %d months", in.From, in.To, len(in.Months))
		}
		for _, tt := range []struct {
			from, to, field, key string
		}{
			{"2026-13", "", "from", "error.insight_month"},
			{"", "March", "to", "error.insight_month"},
			{"1999-12", "2000-01", "from", "error.insight_month"},
			{"2026-03", "2026-01", "to", "error.date_order"},
			{"2023-01", "2026-01", "from", "error.insight_span"},
		} {
			_, err := e.svc.Insight(ctx, e.actors["secretary"], e.demo.SecondBranch.ID, tt.from, tt.to)
			if got := fieldOf(err)[tt.field]; got != tt.key {
				t.Errorf("%q–%q: %s = %q (%v), want %q", tt.from, tt.to, tt.field, got, err, tt.key)
			}
		}
		if in, err := e.svc.Insight(ctx, e.actors["secretary"], e.demo.SecondBranch.ID, "2023-02", "2026-01"); err != nil || len(in.Months) != 36 {
			t.Errorf("36 months: %v", err)
		}
	})
}

// TestPastMonthsKept: the figures of past months are kept for a few minutes, the current
// month's are counted on every request.
func TestPastMonthsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		sec := e.actors["secretary"]
		e.clock.Set(at("2026-02-10 09:00"))
		e.report(t, "parking", "东门停车难")
		e.clock.Set(at("2026-03-10 09:00"))
		figures := func() (feb, mar int) {
			t.Helper()
			in, err := e.svc.Insight(ctx, sec, e.demo.SecondBranch.ID, "2026-02", "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.svc.PublicBoard(ctx, e.demo.SecondBranch.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if bf, bm := b.Months[10].Matters, b.Months[11].Matters; bf != in.Months[0].Matters || bm != in.Months[1].Matters {
				t.Errorf("board %d %d, insight %d %d", bf, bm, in.Months[0].Matters, in.Months[1].Matters)
			}
			return in.Months[0].Matters, in.Months[1].Matters
		}
		if feb, mar := figures(); feb != 1 || mar != 0 {
			t.Fatalf("feb %d, mar %d", feb, mar)
		}
		// A matter of this month counts at once.
		e.report(t, "network", "B区宽带断网")
		if feb, mar := figures(); feb != 1 || mar != 1 {
			t.Errorf("after a new matter: feb %d, mar %d", feb, mar)
		}
		// One written into February now (as a merge or a move could change February) shows
		// when the kept figures are ten minutes old.
		e.clock.Set(at("2026-02-11 09:00"))
		e.report(t, "fire_safety", "消防通道堵塞")
		e.clock.Set(at("2026-03-10 09:05"))
		if feb, _ := figures(); feb != 1 {
			t.Errorf("kept February: %d matters", feb)
		}
		e.clock.Set(at("2026-03-10 09:11"))
		if feb, mar := figures(); feb != 2 || mar != 1 {
			t.Errorf("recounted: feb %d, mar %d", feb, mar)
		}
	})
}

// TestInsightResolutionByItsRoundsDeadline: a dissatisfied answer reopens a matter with a
// new resolution deadline; the figures judge each resolution by the deadline of its own
// round, which the resolved event keeps, not by the matter's latest.
func TestInsightResolutionByItsRoundsDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		sec := e.actors["secretary"]
		do := func(when time.Time, f func() error) {
			t.Helper()
			e.clock.Set(when)
			if err := f(); err != nil {
				t.Fatalf("%s: %v", when.In(shanghai).Format("2006-01-02 15:04"), err)
			}
		}
		version := func(id int64) int { return e.matter(t, id).Version }
		// resolveTwice reports, accepts and resolves a matter at first (a time of the round's
		// deadline), has its reporter reopen it an hour later and resolves it again at second,
		// and returns both rounds' deadlines.
		resolveTwice := func(text string, first, second func(due time.Time) time.Time) (due1, due2 time.Time, rc *masswork.Receipt) {
			t.Helper()
			e.clock.Set(at("2026-04-01 09:00"))
			rc = e.report(t, "parking", text, func(r *masswork.Report) { r.Phone = "13900000011" })
			id := rc.MatterID
			do(at("2026-04-01 10:00"), func() error { return e.svc.Accept(ctx, sec, id, version(id), "") })
			due1 = e.matter(t, id).ResolveDue
			resolved := first(due1)
			do(resolved, func() error { return e.svc.Resolve(ctx, sec, id, version(id), "处理了") })
			do(resolved.Add(time.Hour), func() error {
				return e.svc.Answer(ctx, rc.Code, rc.Key, false, masswork.RatingDissatisfied, "没解决")
			})
			due2 = e.matter(t, id).ResolveDue
			do(second(due2), func() error { return e.svc.Resolve(ctx, sec, id, version(id), "又处理了") })
			if !due2.After(due1) {
				t.Fatalf("%s: reopened with the deadline %v, not after %v", text, due2, due1)
			}
			return due1, due2, rc
		}
		month := func(t time.Time) string { return t.In(shanghai).Format("2006-01") }
		// On time in April; reopened, and late in May (the new deadline falls in April).
		aDue1, aDue2, a := resolveTwice("东门停车难", func(time.Time) time.Time { return at("2026-04-02 10:00") },
			func(time.Time) time.Time { return at("2026-05-20 10:00") })
		// Late in April, yet before the deadline the reopening set; on time in May.
		_, _, b := resolveTwice("西门堵车", func(due time.Time) time.Time { return due.Add(26 * time.Hour) },
			func(due time.Time) time.Time { return due.Add(-2 * time.Hour) })
		var resolvedAt []string
		for _, rc := range []*masswork.Receipt{a, b} {
			evs, err := e.app.DB.FindEvents(ctx, rc.MatterID, false)
			if err != nil {
				t.Fatal(err)
			}
			var dues []time.Time
			for _, ev := range evs {
				if ev.Kind == masswork.EventResolved {
					dues, resolvedAt = append(dues, ev.Due), append(resolvedAt, month(ev.At))
				}
			}
			if rc == a && (len(dues) != 2 || !dues[0].Equal(aDue1) || !dues[1].Equal(aDue2)) {
				t.Errorf("resolved events keep the deadlines %v, want %v and %v", dues, aDue1, aDue2)
			}
		}
		if want := []string{"2026-04", "2026-05", "2026-04", "2026-05"}; !equalJSON(resolvedAt, want) {
			t.Fatalf("resolutions in the months %v, want %v: the story needs other dates", resolvedAt, want)
		}

		in, err := e.svc.Insight(ctx, sec, e.demo.SecondBranch.ID, "2026-04", "2026-05")
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Months) != 2 {
			t.Fatalf("%d months", len(in.Months))
		}
		for i, name := range []string{"April", "May"} {
			m := in.Months[i]
			if got := [2]int{m.Resolved, m.ResolvedOnTime}; got != [2]int{2, 1} {
				t.Errorf("%s resolved, on time = %v, want [2 1]", name, got)
			}
		}
	})
}
