package masswork_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// inStatus returns a fresh matter of two reports (a report and a "me too") brought to the
// status by the service, with the reports' receipts.
func (e *env) inStatus(t *testing.T, status string) (*masswork.Matter, []*masswork.Receipt) {
	t.Helper()
	ctx := context.Background()
	sec := e.actors["secretary"]
	first := e.report(t, "sanitation", "公共厕所没人打扫，味道很大", func(r *masswork.Report) { r.Phone = "13800000009" })
	second := e.metoo(t, first.MatterID)
	id := first.MatterID
	step := func(f func(m *masswork.Matter) error) {
		t.Helper()
		if err := f(e.matter(t, id)); err != nil {
			t.Fatalf("bringing a matter to %s: %v", status, err)
		}
	}
	accept := func(m *masswork.Matter) error { return e.svc.Accept(ctx, sec, m.ID, m.Version, "") }
	start := func(m *masswork.Matter) error { return e.svc.Start(ctx, sec, m.ID, m.Version) }
	resolve := func(m *masswork.Matter) error {
		return e.svc.Resolve(ctx, sec, m.ID, m.Version, "已安排保洁每日两次")
	}
	switch status {
	case masswork.StatusAccepted:
		step(accept)
	case masswork.StatusInProgress:
		step(accept)
		step(start)
	case masswork.StatusResolved, masswork.StatusClosed:
		step(accept)
		step(start)
		step(resolve)
		if status == masswork.StatusClosed {
			for _, rc := range []*masswork.Receipt{first, second} {
				if err := e.svc.Answer(ctx, rc.Code, rc.Key, true, masswork.RatingSatisfied, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	case masswork.StatusRejected:
		step(func(m *masswork.Matter) error {
			return e.svc.Reject(ctx, sec, m.ID, m.Version, "不在本市场范围")
		})
	case masswork.StatusMerged:
		into := e.report(t, "sanitation", "厕所太脏")
		step(func(m *masswork.Matter) error {
			in := e.matter(t, into.MatterID)
			return e.svc.Merge(ctx, sec, in.ID, in.Version, m.ID, m.Version)
		})
	}
	m := e.matter(t, id)
	if m.Status != status {
		t.Fatalf("matter in %s, want %s", m.Status, status)
	}
	return m, []*masswork.Receipt{first, second}
}

// problemIDs returns the IDs of a matter's reports.
func (e *env) problemIDs(t *testing.T, matterID int64) []int64 {
	t.Helper()
	ps, err := e.app.DB.FindProblems(context.Background(), matterID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestTransitions tries every action in every status: what the workflow allows succeeds and
// leads to the status it should; the rest is refused without a change.
func TestTransitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		actions := map[string]func(m *masswork.Matter) error{
			masswork.ActAccept: func(m *masswork.Matter) error {
				return e.svc.Accept(ctx, sec, m.ID, m.Version, "已收到，马上处理")
			},
			masswork.ActReject: func(m *masswork.Matter) error { return e.svc.Reject(ctx, sec, m.ID, m.Version, "不属于本市场") },
			masswork.ActAssign: func(m *masswork.Matter) error {
				return e.svc.Assign(ctx, sec, m.ID, m.Version, e.demo.SecondBranch.ID, e.demo.Member.ID)
			},
			masswork.ActStart: func(m *masswork.Matter) error { return e.svc.Start(ctx, sec, m.ID, m.Version) },
			masswork.ActReply: func(m *masswork.Matter) error { return e.svc.Reply(ctx, sec, m.ID, "已联系保洁公司", true) },
			masswork.ActResolve: func(m *masswork.Matter) error {
				return e.svc.Resolve(ctx, sec, m.ID, m.Version, "已增加保洁频次")
			},
			masswork.ActMerge: func(m *masswork.Matter) error {
				into := e.matter(t, e.report(t, "sanitation", "厕所没人管").MatterID)
				return e.svc.Merge(ctx, sec, into.ID, into.Version, m.ID, m.Version)
			},
			masswork.ActSplit: func(m *masswork.Matter) error {
				ids := e.problemIDs(t, m.ID) // none left in a merged matter
				if len(ids) > 1 {
					ids = ids[1:]
				}
				_, err := e.svc.Split(ctx, sec, m.ID, m.Version, ids)
				return err
			},
			masswork.ActPublic: func(m *masswork.Matter) error {
				return e.svc.SetPublic(ctx, sec, m.ID, m.Version, "公厕保洁问题", "", false)
			},
		}
		// want: the status after the action, or "" when it is refused.
		S, A, I, R, C, J, M := masswork.StatusSubmitted, masswork.StatusAccepted, masswork.StatusInProgress, masswork.StatusResolved,
			masswork.StatusClosed, masswork.StatusRejected, masswork.StatusMerged
		table := map[string]map[string]string{
			S: {"accept": A, "reject": J, "assign": S, "start": "", "reply": S, "resolve": "", "merge": M, "split": S, "public": S},
			A: {"accept": "", "reject": J, "assign": A, "start": I, "reply": A, "resolve": R, "merge": M, "split": A, "public": A},
			I: {"accept": "", "reject": "", "assign": I, "start": "", "reply": I, "resolve": R, "merge": M, "split": I, "public": I},
			R: {"accept": "", "reject": "", "assign": "", "start": "", "reply": R, "resolve": "", "merge": "", "split": "", "public": R},
			C: {"accept": "", "reject": "", "assign": "", "start": "", "reply": C, "resolve": "", "merge": "", "split": "", "public": C},
			J: {"accept": "", "reject": "", "assign": "", "start": "", "reply": J, "resolve": "", "merge": "", "split": "", "public": J},
			M: {"accept": "", "reject": "", "assign": "", "start": "", "reply": "", "resolve": "", "merge": "", "split": "", "public": M},
		}
		for _, from := range masswork.Statuses {
			for act, want := range table[from] {
				m, _ := e.inStatus(t, from)
				err := actions[act](m)
				got := e.matter(t, m.ID)
				if want == "" {
					if !errors.Is(err, apperr.New(apperr.Conflict, "matter.error.transition")) {
						t.Errorf("%s in %s: %v, want refused", act, from, err)
					}
					if got.Version != m.Version {
						t.Errorf("%s in %s: refused but the matter changed", act, from)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s in %s: %v", act, from, err)
					continue
				}
				if got.Status != want {
					t.Errorf("%s in %s: status %s, want %s", act, from, got.Status, want)
				}
				if masswork.CanTake(act, from) != (want != "") {
					t.Errorf("CanTake(%s, %s) disagrees", act, from)
				}
			}
		}
	})
}

// TestHandlingEffects: what each step records: first response, acceptance, the reason, the
// assignee and the organization, the rounds, and public and internal events.
func TestHandlingEffects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		rc := e.report(t, "parking", "东门停车难")
		id := rc.MatterID

		// An internal note is no response; a public reply is.
		e.clock.Set(at("2026-03-10 10:00"))
		if err := e.svc.Reply(ctx, sec, id, "先了解一下情况", false); err != nil {
			t.Fatal(err)
		}
		if m := e.matter(t, id); !m.RespondedAt.IsZero() {
			t.Error("an internal note counted as the first response")
		}
		e.clock.Set(at("2026-03-10 11:00"))
		if err := e.svc.Reply(ctx, sec, id, "已收到，正在联系交警", true); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2026-03-10 14:00"))
		m := e.matter(t, id)
		if err := e.svc.Accept(ctx, sec, id, m.Version, ""); err != nil {
			t.Fatal(err)
		}
		m = e.matter(t, id)
		if !m.RespondedAt.Equal(at("2026-03-10 11:00")) || !m.AcceptedAt.Equal(at("2026-03-10 14:00")) {
			t.Errorf("responded %v, accepted %v", m.RespondedAt.In(shanghai), m.AcceptedAt.In(shanghai))
		}
		// A stale version is refused.
		if err := e.svc.Start(ctx, sec, id, m.Version-1); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("stale start: %v", err)
		}
		// Assigning moves the matter to the organization given, with the responsible person.
		group := e.demo.Groups[0]
		if err := e.svc.Assign(ctx, sec, id, m.Version, group.ID, 0); err != nil {
			t.Fatal(err)
		}
		m = e.matter(t, id)
		if m.OrgID != group.ID || m.AssigneeID != 0 {
			t.Errorf("assigned to %d / %d", m.OrgID, m.AssigneeID)
		}
		for _, tt := range []struct {
			name          string
			actor         *auth.Actor
			orgID, person int64
			field, key    string
		}{
			{"organization out of scope", sec, e.demo.FirstBranch.ID, 0, "org_id", "error.org_out_of_scope"},
			{"person outside the organization", sec, e.demo.SecondBranch.ID, e.person(t, e.demo.FirstBranch.Path), "person_id", "error.person_out_of_scope"},
			{"unknown person", sec, e.demo.SecondBranch.ID, 999999, "person_id", "error.person_out_of_scope"},
		} {
			err := e.svc.Assign(ctx, tt.actor, id, m.Version, tt.orgID, tt.person)
			if got := fieldOf(err)[tt.field]; got != tt.key {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		if err := e.svc.Assign(ctx, sec, id, m.Version, e.demo.SecondBranch.ID, e.demo.Member.ID); err != nil {
			t.Fatal(err)
		}
		m = e.matter(t, id)
		if m.OrgID != e.demo.SecondBranch.ID || m.AssigneeID != e.demo.Member.ID || m.AssigneeName != e.demo.Member.Name {
			t.Errorf("assigned %+v", m)
		}
		// Required texts.
		for _, tt := range []struct {
			name string
			err  error
			fld  string
		}{
			{"reject without a reason", e.svc.Reject(ctx, sec, id, 0, "  "), "reason"},
			{"resolve without an account", e.svc.Resolve(ctx, sec, id, 0, ""), "body"},
			{"empty reply", e.svc.Reply(ctx, sec, id, "\n", true), "body"},
			{"public title missing", e.svc.SetPublic(ctx, sec, id, 0, "", "", false), "title"},
		} {
			if got := fieldOf(tt.err)[tt.fld]; got != "error.required" {
				t.Errorf("%s: %v", tt.name, tt.err)
			}
		}
		// Resolving counts a round; the timeline says who did what, publicly or not.
		if err := e.svc.Start(ctx, sec, id, m.Version); err != nil {
			t.Fatal(err)
		}
		m = e.matter(t, id)
		e.clock.Set(at("2026-03-12 16:00"))
		if err := e.svc.Resolve(ctx, sec, id, m.Version, "已在东门增设临时车位30个"); err != nil {
			t.Fatal(err)
		}
		m = e.matter(t, id)
		if m.Round != 1 || !m.ResolvedAt.Equal(at("2026-03-12 16:00")) {
			t.Errorf("round %d, resolved %v", m.Round, m.ResolvedAt)
		}
		v := e.view(t, id)
		var kinds []string
		for _, ev := range v.Events {
			kind := ev.Kind
			if !ev.Public {
				kind += "(internal)"
			}
			kinds = append(kinds, kind)
		}
		want := []string{"submitted", "note(internal)", "reply", "accepted", "assigned", "assigned", "started", "resolved"}
		if len(kinds) != len(want) {
			t.Fatalf("events %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Fatalf("events %v, want %v", kinds, want)
			}
		}
		if v.Events[4].Body != group.Name || v.Events[6].FromStatus != masswork.StatusAccepted || v.Events[6].ToStatus != masswork.StatusInProgress {
			t.Errorf("events %+v %+v", v.Events[4], v.Events[6])
		}
		if len(v.Feedback) != 1 || v.Feedback[0].Round != 1 {
			t.Errorf("feedback asked %+v", v.Feedback)
		}
		// A reject closes with its reason; public title and summary.
		other := e.report(t, "other", "隔壁装修太吵")
		if err := e.svc.Reject(ctx, sec, other.MatterID, 0, "属于物业管理，已告知联系方式"); err != nil {
			t.Fatal(err)
		}
		if m := e.matter(t, other.MatterID); m.CloseReason != masswork.CloseRejected || m.RejectReason != "属于物业管理，已告知联系方式" ||
			m.ClosedAt.IsZero() || m.RespondedAt.IsZero() {
			t.Errorf("rejected %+v", m)
		}
		tr, err := e.svc.Track(ctx, other.Code, "")
		if err != nil || tr.Matter.RejectReason != "属于物业管理，已告知联系方式" {
			t.Errorf("the reporter sees %+v, %v", tr, err)
		}
		if err := e.svc.SetPublic(ctx, sec, other.MatterID, 0, "装修噪音", "已转物业", true); err != nil {
			t.Fatal(err)
		}
		if m := e.matter(t, other.MatterID); m.Title != "装修噪音" || m.Summary != "已转物业" || !m.Withheld {
			t.Errorf("public %+v", m)
		}
	})
}

// person returns someone on an organization's register.
func (e *env) person(t *testing.T, path string) int64 {
	t.Helper()
	people, _, err := e.app.Org.People(context.Background(), auth.System("test"), orgFilter(path))
	if err != nil || len(people) == 0 {
		t.Fatalf("nobody in %s: %v", path, err)
	}
	return people[0].ID
}

// TestPermissions: who may do what with a matter of the Second Branch: its secretary and the
// system administrator everything; the committee's inspector reads but does not handle; the
// First Branch's administrator and a member see nothing; the responsible person starts,
// replies and resolves, nothing else.
func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		notFound, denied, ok := apperr.ErrNotFound, apperr.ErrDenied, error(nil)
		type call func(a *auth.Actor, m *masswork.Matter) error
		calls := map[string]call{
			"read":   func(a *auth.Actor, m *masswork.Matter) error { _, err := e.svc.Matter(ctx, a, m.ID); return err },
			"accept": func(a *auth.Actor, m *masswork.Matter) error { return e.svc.Accept(ctx, a, m.ID, m.Version, "") },
			"reject": func(a *auth.Actor, m *masswork.Matter) error {
				return e.svc.Reject(ctx, a, m.ID, m.Version, "不受理")
			},
			"start":   func(a *auth.Actor, m *masswork.Matter) error { return e.svc.Start(ctx, a, m.ID, m.Version) },
			"reply":   func(a *auth.Actor, m *masswork.Matter) error { return e.svc.Reply(ctx, a, m.ID, "在办", true) },
			"note":    func(a *auth.Actor, m *masswork.Matter) error { return e.svc.Reply(ctx, a, m.ID, "内部", false) },
			"resolve": func(a *auth.Actor, m *masswork.Matter) error { return e.svc.Resolve(ctx, a, m.ID, m.Version, "已办") },
			"public": func(a *auth.Actor, m *masswork.Matter) error {
				return e.svc.SetPublic(ctx, a, m.ID, m.Version, "标题", "", false)
			},
			"assign": func(a *auth.Actor, m *masswork.Matter) error {
				return e.svc.Assign(ctx, a, m.ID, m.Version, e.demo.SecondBranch.ID, 0)
			},
			"split": func(a *auth.Actor, m *masswork.Matter) error {
				_, err := e.svc.Split(ctx, a, m.ID, m.Version, e.problemIDs(t, m.ID)[1:])
				return err
			},
			"reveal": func(a *auth.Actor, m *masswork.Matter) error {
				_, err := e.svc.RevealPhone(ctx, a, e.problemIDs(t, m.ID)[0])
				return err
			},
		}
		tests := []struct {
			actor    string
			assignee bool // the member is the matter's responsible person
			want     map[string]error
		}{
			{"secretary", false, map[string]error{"read": ok, "accept": ok, "reject": ok, "start": ok, "reply": ok, "note": ok,
				"resolve": ok, "public": ok, "assign": ok, "split": ok, "reveal": ok}},
			{"admin", false, map[string]error{"read": ok, "accept": ok, "reject": ok, "start": ok, "reply": ok, "resolve": ok,
				"public": ok, "assign": ok, "split": ok, "reveal": ok}},
			{"inspector", false, map[string]error{"read": ok, "accept": denied, "reject": denied, "start": denied, "reply": denied,
				"resolve": denied, "public": denied, "assign": denied, "split": denied, "reveal": denied}},
			{"firstsec", false, map[string]error{"read": notFound, "accept": notFound, "reject": notFound, "start": notFound,
				"reply": notFound, "resolve": notFound, "public": notFound, "assign": notFound, "split": notFound, "reveal": notFound}},
			{"member", false, map[string]error{"read": notFound, "accept": notFound, "start": notFound, "reply": notFound,
				"resolve": notFound, "split": notFound}},
			{"member", true, map[string]error{"read": ok, "accept": denied, "reject": denied, "start": ok, "reply": ok, "note": ok,
				"resolve": ok, "public": denied, "assign": denied, "split": denied}},
		}
		for _, tt := range tests {
			for name, want := range tt.want {
				status := masswork.StatusAccepted
				if name == "accept" {
					status = masswork.StatusSubmitted
				}
				m, _ := e.inStatus(t, status)
				if name == "resolve" {
					if err := e.svc.Start(ctx, e.actors["secretary"], m.ID, m.Version); err != nil {
						t.Fatal(err)
					}
				}
				if tt.assignee {
					m = e.matter(t, m.ID)
					if err := e.svc.Assign(ctx, e.actors["secretary"], m.ID, m.Version, e.demo.SecondBranch.ID, e.demo.Member.ID); err != nil {
						t.Fatal(err)
					}
				}
				m = e.matter(t, m.ID)
				err := calls[name](e.actors[tt.actor], m)
				if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
					t.Errorf("%s (assignee %v) %s: %v, want %v", tt.actor, tt.assignee, name, err, want)
				}
			}
		}
		// Listing is scoped: the First Branch's administrator lists none of the Second's.
		e.report(t, "parking", "东门停车难")
		list, total, err := e.svc.Matters(ctx, e.actors["firstsec"], masswork.MatterFilter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("firstsec lists %d: %v", total, err)
		}
		if _, _, err := e.svc.Matters(ctx, e.actors["firstsec"], masswork.MatterFilter{OrgID: e.demo.SecondBranch.ID}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("firstsec lists the Second Branch: %v", err)
		}
		list, total, err = e.svc.Matters(ctx, e.actors["secretary"], masswork.MatterFilter{Status: []string{masswork.StatusSubmitted}})
		if err != nil || total == 0 || len(list) != total {
			t.Errorf("secretary lists %d of %d: %v", len(list), total, err)
		}
		// The responsible person lists what they are responsible for.
		list, _, err = e.svc.Matters(ctx, e.actors["member"], masswork.MatterFilter{})
		if err != nil || len(list) == 0 {
			t.Fatalf("member lists %d: %v", len(list), err)
		}
		for _, m := range list {
			if m.AssigneeID != e.demo.Member.ID {
				t.Errorf("member lists matter %d of %d", m.ID, m.AssigneeID)
			}
		}
	})
}

func orgFilter(path string) org.PeopleFilter { return org.PeopleFilter{OrgPath: path, Limit: 5} }
