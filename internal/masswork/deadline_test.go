package masswork_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestDeadlinesAcrossHolidays: a report's deadlines count working days with the holiday list,
// from the moment of the report, on the injected clock.
func TestDeadlinesAcrossHolidays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		for _, tt := range []struct {
			name             string
			now              string
			respond, resolve string
		}{
			{"Friday evening", "2026-03-13 21:00", "2026-03-17 00:00", "2026-03-28 00:00"},
			{"before the Spring Festival", "2026-02-13 18:00", "2026-02-15 00:00", "2026-03-06 00:00"},
			{"during the Spring Festival", "2026-02-18 10:00", "2026-02-25 00:00", "2026-03-07 00:00"},
			{"before National Day", "2026-09-30 15:00", "2026-10-09 00:00", "2026-10-21 00:00"},
			{"new year's eve", "2025-12-31 23:30", "2026-01-05 00:00", "2026-01-16 00:00"},
			{"month end", "2026-04-30 17:00", "2026-05-07 00:00", "2026-05-19 00:00"},
		} {
			e.clock.Set(at(tt.now))
			m := e.matter(t, e.report(t, "parking", "东门停车难").MatterID)
			if !m.ResponseDue.Equal(at(tt.respond)) || !m.ResolveDue.Equal(at(tt.resolve)) {
				t.Errorf("%s: due %s / %s, want %s / %s", tt.name, m.ResponseDue.In(shanghai).Format("2006-01-02 15:04"),
					m.ResolveDue.In(shanghai).Format("2006-01-02 15:04"), tt.respond, tt.resolve)
			}
		}
	})
}

// TestEscalation: a matter not answered by its response deadline goes to the committee above
// the branch, once; not resolved by its resolution deadline, once more, recorded at the top
// of the tree; a matter handled in time is left alone. Escalation is internal, and the
// committee's administrators may then handle it.
func TestEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.clock.Set(at("2026-09-30 15:00"))
		late := e.report(t, "parking", "东门停车难")
		onTime := e.report(t, "network", "B区宽带又断网了")
		rejected := e.report(t, "other", "隔壁太吵")
		sec := e.actors["secretary"]
		if err := e.svc.Accept(ctx, sec, onTime.MatterID, 0, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reject(ctx, sec, rejected.MatterID, 0, "不受理"); err != nil {
			t.Fatal(err)
		}
		escalate := func(when string, want int) {
			t.Helper()
			e.clock.Set(at(when))
			n, err := e.svc.Escalate(ctx)
			if err != nil || n != want {
				t.Fatalf("at %s: escalated %d, %v; want %d", when, n, err, want)
			}
		}
		escalate("2026-10-08 23:59", 0) // the holiday does not count
		escalate("2026-10-09 00:01", 1)
		escalate("2026-10-09 00:06", 0) // once per missed deadline
		m := e.matter(t, late.MatterID)
		if m.EscalatedOrgID != e.demo.Committee.ID || m.Escalations != masswork.EscalatedResponse || m.EscalatedOrg != e.demo.Committee.Name {
			t.Fatalf("escalated to %d (%s), level %d", m.EscalatedOrgID, m.EscalatedOrg, m.Escalations)
		}
		if m := e.matter(t, onTime.MatterID); m.Escalations != 0 || m.EscalatedOrgID != 0 {
			t.Errorf("a matter accepted in time escalated: %+v", m)
		}
		// The reporter does not see it; staff do.
		tr, err := e.svc.Track(ctx, late.Code, late.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range tr.Events {
			if ev.Kind == masswork.EventEscalated {
				t.Error("the reporter sees the escalation")
			}
		}
		v := e.view(t, late.MatterID)
		last := v.Events[len(v.Events)-1]
		if last.Kind != masswork.EventEscalated || last.Public || last.Body != e.demo.Committee.Name {
			t.Errorf("event %+v", last)
		}
		// Accepted late: the response stays missed; the resolution deadline is the next one.
		if err := e.svc.Accept(ctx, sec, late.MatterID, 0, ""); err != nil {
			t.Fatal(err)
		}
		escalate("2026-10-20 23:59", 0)
		escalate("2026-10-21 00:01", 2) // the late one and the one accepted in time
		escalate("2026-10-21 00:10", 0)
		m = e.matter(t, late.MatterID)
		if m.Escalations != masswork.EscalatedResolve || m.EscalatedOrgID != e.demo.Committee.ID {
			t.Errorf("at the top: escalated to %d, level %d", m.EscalatedOrgID, m.Escalations)
		}
		m = e.matter(t, onTime.MatterID)
		if m.Escalations != masswork.EscalatedResolve || m.EscalatedOrgID != e.demo.Committee.ID {
			t.Errorf("missed resolution: escalated to %d, level %d", m.EscalatedOrgID, m.Escalations)
		}
		if m := e.matter(t, rejected.MatterID); m.Escalations != 0 {
			t.Error("a rejected matter escalated")
		}
		// Resolved matters are not escalated; nor are they when reopened until the new deadline.
		if err := e.svc.Start(ctx, sec, m.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Resolve(ctx, sec, m.ID, 0, "已修复"); err != nil {
			t.Fatal(err)
		}
		escalate("2026-12-01 00:00", 0)
		// A dissatisfied answer reopens it with a new deadline, which is escalated in its turn.
		fb := e.view(t, m.ID).Feedback
		if len(fb) == 0 {
			t.Fatal("nobody asked")
		}
		if err := e.svc.RecordFeedback(ctx, sec, fb[0].ID, false, masswork.RatingDissatisfied, "还是断网"); err != nil {
			t.Fatal(err)
		}
		if m := e.matter(t, m.ID); m.Status != masswork.StatusInProgress || m.Escalations != masswork.EscalatedResponse {
			t.Fatalf("reopened: status %s, level %d", m.Status, m.Escalations)
		}
		escalate("2026-12-14 00:00", 0)
		escalate("2026-12-16 00:01", 1)
	})
}

// TestSatisfaction: closure only with the people's say. Two reporters answer content: closed
// as answered. One dissatisfied answer reopens it with a new deadline. Seven days without an
// answer close it with no reply recorded.
func TestSatisfaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]

		// Content answers close it.
		m, rcs := e.inStatus(t, masswork.StatusResolved)
		tr, err := e.svc.Track(ctx, rcs[0].Code, rcs[0].Key)
		if err != nil || !tr.Owner || tr.Feedback == nil || tr.Problem == nil || tr.Problem.Description == "" {
			t.Fatalf("the owner's tracking: %+v, %v", tr, err)
		}
		if tr, err := e.svc.Track(ctx, rcs[0].Code, rcs[1].Key); err != nil || tr.Owner || tr.Feedback != nil || tr.Problem.Description != "" {
			t.Fatalf("someone else's key: %+v, %v", tr, err)
		}
		for _, tt := range []struct {
			name, code, key, rating string
			want                    error
		}{
			{"wrong key", rcs[0].Code, rcs[1].Key, masswork.RatingSatisfied, apperr.ErrNotFound},
			{"no key", rcs[0].Code, "", masswork.RatingSatisfied, apperr.ErrNotFound},
			{"the matter's code", m.Code, rcs[0].Key, masswork.RatingSatisfied, apperr.ErrNotFound},
			{"bad code", "1234", rcs[0].Key, masswork.RatingSatisfied, apperr.ErrNotFound},
		} {
			if err := e.svc.Answer(ctx, tt.code, tt.key, true, tt.rating, ""); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		if err := e.svc.Answer(ctx, rcs[0].Code, rcs[0].Key, true, "great", ""); fieldOf(err)["rating"] != "matter.error.rating" {
			t.Errorf("bad rating: %v", err)
		}
		if err := e.svc.Answer(ctx, rcs[0].Code, rcs[0].Key, true, masswork.RatingSatisfied, "很快就解决了"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Answer(ctx, rcs[0].Code, rcs[0].Key, true, masswork.RatingSatisfied, ""); keyOf(err) != "matter.error.answered" {
			t.Errorf("answering twice: %v", err)
		}
		if got := e.matter(t, m.ID); got.Status != masswork.StatusResolved {
			t.Fatalf("closed with an answer missing: %s", got.Status)
		}
		// The second reporter is called back by staff.
		v := e.view(t, m.ID)
		var pending int64
		for _, f := range v.Feedback {
			if f.AnsweredAt.IsZero() {
				pending = f.ID
			}
		}
		if err := e.svc.RecordFeedback(ctx, e.actors["firstsec"], pending, true, masswork.RatingBasic, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch records feedback: %v", err)
		}
		if err := e.svc.RecordFeedback(ctx, sec, pending, true, masswork.RatingBasic, "电话回访"); err != nil {
			t.Fatal(err)
		}
		got := e.matter(t, m.ID)
		if got.Status != masswork.StatusClosed || got.CloseReason != masswork.CloseAnswered {
			t.Errorf("after every answer: %s (%s)", got.Status, got.CloseReason)
		}
		v = e.view(t, m.ID)
		vias := map[string]bool{}
		for _, f := range v.Feedback {
			vias[f.Via] = true
		}
		if !vias[masswork.ViaLink] || !vias[masswork.ViaCall] {
			t.Errorf("feedback %+v", v.Feedback)
		}
		if err := e.svc.Answer(ctx, rcs[1].Code, rcs[1].Key, false, masswork.RatingDissatisfied, ""); keyOf(err) != "matter.error.not_asked" {
			t.Errorf("answer after closing: %v", err)
		}

		// A dissatisfied answer reopens it.
		e.clock.Set(at("2026-03-12 10:00"))
		m, rcs = e.inStatus(t, masswork.StatusResolved)
		e.clock.Set(at("2026-03-13 16:00")) // a Friday
		if err := e.svc.Answer(ctx, rcs[1].Code, rcs[1].Key, false, masswork.RatingDissatisfied, "还是很脏"); err != nil {
			t.Fatal(err)
		}
		got = e.matter(t, m.ID)
		if got.Status != masswork.StatusInProgress || !got.ResolvedAt.IsZero() || !got.ResolveDue.Equal(at("2026-03-28 00:00")) {
			t.Errorf("reopened: %s, resolved %v, due %v", got.Status, got.ResolvedAt, got.ResolveDue.In(shanghai))
		}
		v = e.view(t, m.ID)
		if last := v.Events[len(v.Events)-1]; last.Kind != masswork.EventReopened || !last.Public || last.ToStatus != masswork.StatusInProgress {
			t.Errorf("last event %+v", last)
		}
		// The other reporter's question of that round is gone from their page.
		if tr, err := e.svc.Track(ctx, rcs[0].Code, rcs[0].Key); err != nil || tr.Feedback != nil {
			t.Errorf("pending question after reopening: %+v, %v", tr, err)
		}
		// Resolved again: a second round; nobody answers within seven days.
		if err := e.svc.Resolve(ctx, sec, m.ID, 0, "已更换保洁公司"); err != nil {
			t.Fatal(err)
		}
		if got := e.matter(t, m.ID); got.Round != 2 {
			t.Errorf("round %d", got.Round)
		}
		e.clock.Set(at("2026-03-20 15:59"))
		if n, err := e.svc.CloseUnanswered(ctx); err != nil || n != 0 {
			t.Fatalf("closed %d early: %v", n, err)
		}
		e.clock.Set(at("2026-03-20 16:01"))
		if n, err := e.svc.CloseUnanswered(ctx); err != nil || n != 1 {
			t.Fatalf("closed %d: %v", n, err)
		}
		got = e.matter(t, m.ID)
		if got.Status != masswork.StatusClosed || got.CloseReason != masswork.CloseNoReply {
			t.Errorf("after seven days: %s (%s)", got.Status, got.CloseReason)
		}
		v = e.view(t, m.ID)
		if last := v.Events[len(v.Events)-1]; last.Kind != masswork.EventClosed || last.Body != masswork.CloseNoReply {
			t.Errorf("last event %+v", last)
		}

		// Some answered content, the rest silent: closed as answered after seven days.
		m, rcs = e.inStatus(t, masswork.StatusResolved)
		if err := e.svc.Answer(ctx, rcs[0].Code, rcs[0].Key, true, masswork.RatingBasic, ""); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2026-03-28 16:02"))
		if n, err := e.svc.CloseUnanswered(ctx); err != nil || n != 1 {
			t.Fatalf("closed %d: %v", n, err)
		}
		if got := e.matter(t, m.ID); got.CloseReason != masswork.CloseAnswered {
			t.Errorf("close reason %s", got.CloseReason)
		}
	})
}
