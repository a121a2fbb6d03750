package activity_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// keyOf returns an error's message key, the key of its first field error when it has fields,
// "" for nil and the text of other errors.
func keyOf(err error) string {
	if err == nil {
		return ""
	}
	if e := apperr.As(err); e != nil {
		for _, k := range e.Fields {
			return k
		}
		return e.Key
	}
	return err.Error()
}

// recordTrip is the seed's trip with the member as its recorder.
func (e *env) recordTrip(t *testing.T) *activity.Activity {
	t.Helper()
	ctx := context.Background()
	act := e.trip(t)
	p := activity.PlanOf(act, shanghai)
	p.RecorderID = e.demo.Member.ID
	act, err := e.svc.UpdateActivity(ctx, e.actors["secretary"], act.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// committeeAdmin adds an administrator of the whole committee (the branches' upper
// organization).
func (e *env) committeeAdmin(t *testing.T) *auth.Actor {
	t.Helper()
	ctx := context.Background()
	sys := auth.System("test")
	u, err := e.app.Auth.CreateUser(ctx, sys, auth.NewUser{Username: "committee", Password: "test-pass-2023"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Auth.GrantRole(ctx, sys, &auth.Grant{UserID: u.ID, Role: auth.RoleOrgAdmin, OrgID: e.demo.Committee.ID}); err != nil {
		t.Fatal(err)
	}
	a, err := e.app.Auth.ActorFor(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// participant returns an actor for an invited person of the branch without an account.
func (e *env) participant(t *testing.T, act *activity.Activity) *auth.Actor {
	t.Helper()
	ctx := context.Background()
	g := e.demo.Groups[1]
	p := e.person(t, g, org.StageFull)
	if _, err := e.svc.Invite(ctx, e.actors["secretary"], act.ID, activity.Invitation{PersonID: p.ID}); err != nil {
		t.Fatal(err)
	}
	return &auth.Actor{UserID: 0, Username: "participant", Name: p.Name, PersonID: p.ID, MemberPath: g.Path}
}

func TestRecordApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		act := e.recordTrip(t)
		sec, member, inspector, firstsec := e.actors["secretary"], e.actors["member"], e.actors["inspector"], e.actors["firstsec"]
		guest := e.participant(t, act)
		text := activity.RecordText{Minutes: "## 第一天\n参观王村，面对面座谈。", Summary: "传播党的声音，密切党群关系。"}

		// Who may do what with a draft.
		version := 0
		steps := []struct {
			name  string
			do    func() error
			want  string
			after func()
		}{
			{"outsider reads", func() error { _, err := e.svc.Record(ctx, firstsec, act.ID); return err }, "error.not_found", nil},
			{"outsider writes", func() error { _, err := e.svc.SaveRecord(ctx, firstsec, act.ID, text); return err }, "error.not_found", nil},
			{"viewer writes", func() error { _, err := e.svc.SaveRecord(ctx, inspector, act.ID, text); return err }, "error.forbidden", nil},
			{"participant writes", func() error { _, err := e.svc.SaveRecord(ctx, guest, act.ID, text); return err }, "error.forbidden", nil},
			{"empty record submitted", func() error { return e.svc.SubmitRecord(ctx, member, act.ID, 0) }, "error.record_empty", nil},
			{"recorder writes", func() error {
				r, err := e.svc.SaveRecord(ctx, member, act.ID, text)
				if err == nil {
					version = r.Version
				}
				return err
			}, "", nil},
			{"stale form", func() error { _, err := e.svc.SaveRecord(ctx, sec, act.ID, text); return err }, "error.stale", nil},
			{"recorder approves a draft", func() error { return e.svc.ApproveRecord(ctx, member, act.ID, version) }, "error.forbidden", nil},
			{"secretary approves a draft", func() error { return e.svc.ApproveRecord(ctx, sec, act.ID, version) }, "error.record_not_submitted", nil},
			{"recorder submits", func() error { return e.svc.SubmitRecord(ctx, member, act.ID, version) }, "", func() { version++ }},
			{"recorder writes while submitted", func() error {
				t := text
				t.Version = version
				_, err := e.svc.SaveRecord(ctx, member, act.ID, t)
				return err
			}, "error.record_submitted", nil},
			{"viewer approves", func() error { return e.svc.ApproveRecord(ctx, inspector, act.ID, version) }, "error.forbidden", nil},
			{"return without reason", func() error { return e.svc.ReturnRecord(ctx, sec, act.ID, version, " ") }, "error.required", nil},
			{"secretary returns", func() error { return e.svc.ReturnRecord(ctx, sec, act.ID, version, "请补充决议事项") }, "", func() { version++ }},
			{"recorder completes", func() error {
				t := text
				t.Resolutions, t.Version = "1. 开展“我为群众办实事”走访。", version
				_, err := e.svc.SaveRecord(ctx, member, act.ID, t)
				return err
			}, "", func() { version++ }},
			{"recorder resubmits", func() error { return e.svc.SubmitRecord(ctx, member, act.ID, version) }, "", func() { version++ }},
			{"secretary approves an old version", func() error { return e.svc.ApproveRecord(ctx, sec, act.ID, version-1) }, "error.stale", nil},
			{"secretary approves", func() error { return e.svc.ApproveRecord(ctx, sec, act.ID, version) }, "", func() { version++ }},
			{"edit after approval", func() error {
				t := text
				t.Version = version
				_, err := e.svc.SaveRecord(ctx, sec, act.ID, t)
				return err
			}, "error.record_locked", nil},
			{"submit after approval", func() error { return e.svc.SubmitRecord(ctx, member, act.ID, version) }, "error.record_locked", nil},
			{"recorder amends", func() error {
				_, err := e.svc.AmendRecord(ctx, member, act.ID, activity.RecordText{Minutes: "改", Version: version}, "笔误")
				return err
			}, "error.forbidden", nil},
		}
		for _, st := range steps {
			err := st.do()
			if got := keyOf(err); got != st.want {
				t.Fatalf("%s: %q (%v), want %q", st.name, got, err, st.want)
			}
			if st.after != nil {
				st.after()
			}
		}

		// Before approval the participant saw only the status; now the record.
		v, err := e.svc.Record(ctx, guest, act.ID)
		if err != nil || v.Record == nil || v.Status != activity.RecordApproved || v.CanEdit || v.CanAmend {
			t.Fatalf("participant's view of the approved record: %+v, %v", v, err)
		}
		if !strings.Contains(v.Record.Resolutions, "办实事") || v.Record.ApprovedByName == "" || v.Record.ApprovedAt.IsZero() {
			t.Errorf("approved record = %+v", v.Record)
		}

		// Amendments: a reason, a change, then one row per field changed with before and after.
		v, _ = e.svc.Record(ctx, sec, act.ID)
		amend := activity.RecordText{Minutes: v.Record.Minutes, Resolutions: v.Record.Resolutions, Summary: v.Record.Summary, Version: v.Record.Version}
		if _, err := e.svc.AmendRecord(ctx, sec, act.ID, amend, ""); keyOf(err) != "error.required" {
			t.Errorf("amendment without reason: %v", err)
		}
		if _, err := e.svc.AmendRecord(ctx, sec, act.ID, amend, "核对"); keyOf(err) != "error.record_no_change" {
			t.Errorf("amendment without change: %v", err)
		}
		amend.Summary = "传播党的声音，密切党群关系，推动党的工作。"
		ams, err := e.svc.AmendRecord(ctx, sec, act.ID, amend, "补全总结原文")
		if err != nil || len(ams) != 1 {
			t.Fatalf("amend: %v %v", ams, err)
		}
		v, _ = e.svc.Record(ctx, inspector, act.ID)
		if len(v.Amendments) != 1 || v.Amendments[0].Field != "summary" || v.Amendments[0].Before != text.Summary ||
			v.Amendments[0].After != amend.Summary || v.Amendments[0].Reason != "补全总结原文" || v.Amendments[0].ByName == "" {
			t.Errorf("amendments = %+v", v.Amendments)
		}
		if v.Record.Summary != amend.Summary || v.Record.Status != activity.RecordApproved {
			t.Errorf("amended record = %+v", v.Record)
		}
		trail, err := e.app.Org.AuditTrail(ctx, e.actors["admin"], audit.Filter{OrgPath: e.demo.SecondBranch.Path, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]*audit.Record{}
		for _, r := range trail {
			if actions[r.Action] == nil {
				actions[r.Action] = r
			}
		}
		for _, want := range []string{"record.save", "record.submit", "record.return", "record.approve", "record.amend"} {
			if actions[want] == nil {
				t.Errorf("audit trail has no %s", want)
			}
		}
		if a := actions["record.amend"]; a == nil || !strings.Contains(a.Before, "密切党群关系") || !strings.Contains(a.After, "推动党的工作") || !strings.Contains(a.After, "补全总结原文") {
			t.Errorf("amendment audit = %+v", a)
		}
	})
}

func TestRecordVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		act := e.recordTrip(t)
		guest := e.participant(t, act)
		if _, err := e.svc.SaveRecord(ctx, e.actors["member"], act.ID, activity.RecordText{Minutes: "草稿"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			who      string
			actor    *auth.Actor
			err      error
			readable bool
			edit     bool
		}{
			{"recorder", e.actors["member"], nil, true, true},
			{"secretary", e.actors["secretary"], nil, true, true},
			{"viewer", e.actors["inspector"], nil, true, false},
			{"participant", guest, nil, false, false},
			{"other branch", e.actors["firstsec"], apperr.ErrNotFound, false, false},
			{"anonymous", nil, apperr.New(apperr.Unauthorized, "error.login_required"), false, false},
		}
		for _, tt := range tests {
			v, err := e.svc.Record(ctx, tt.actor, act.ID)
			if !errors.Is(err, tt.err) && !(err == nil && tt.err == nil) {
				t.Errorf("%s: %v, want %v", tt.who, err, tt.err)
				continue
			}
			if err != nil {
				continue
			}
			if (v.Record != nil) != tt.readable || v.CanEdit != tt.edit || v.Status != activity.RecordDraft {
				t.Errorf("%s: readable %v edit %v status %q, want %v %v draft", tt.who, v.Record != nil, v.CanEdit, v.Status, tt.readable, tt.edit)
			}
		}
		if s, err := e.svc.RecordStatus(ctx, guest, act.ID); err != nil || s != activity.RecordDraft {
			t.Errorf("participant's status = %q, %v", s, err)
		}
	})
}

func TestRecordApprovedByParent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		act := e.recordTrip(t)
		sec, member, admin := e.actors["secretary"], e.actors["member"], e.actors["admin"]
		committee := e.committeeAdmin(t)
		branch := e.demo.SecondBranch.ID

		// The branch cannot choose its own approver; its committee can, and a root
		// organization has nobody above it.
		parent := activity.OrgSettings{OrgID: branch, RecordApprover: activity.ApproverParent}
		if err := e.svc.SetOrgSettings(ctx, sec, parent); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("branch sets its own approver: %v", err)
		}
		if err := e.svc.SetOrgSettings(ctx, committee, activity.OrgSettings{OrgID: branch, RecordApprover: "anyone"}); keyOf(err) != "error.choice" {
			t.Errorf("unknown approver: %v", err)
		}
		if err := e.svc.SetOrgSettings(ctx, admin, activity.OrgSettings{OrgID: e.demo.Committee.ID, RecordApprover: activity.ApproverParent}); keyOf(err) != "error.no_parent_org" {
			t.Errorf("root approved by its parent: %v", err)
		}
		if err := e.svc.SetOrgSettings(ctx, committee, parent); err != nil {
			t.Fatal(err)
		}
		set, _, err := e.svc.OrgSettings(ctx, sec, branch)
		if err != nil || set.RecordApprover != activity.ApproverParent {
			t.Fatalf("settings = %+v, %v", set, err)
		}

		r, err := e.svc.SaveRecord(ctx, member, act.ID, activity.RecordText{Minutes: "纪要"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SubmitRecord(ctx, member, act.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		v, _ := e.svc.Record(ctx, sec, act.ID)
		if v.CanApprove {
			t.Error("the branch secretary may approve under the committee's approval")
		}
		if err := e.svc.ApproveRecord(ctx, sec, act.ID, r.Version+1); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("secretary approves: %v", err)
		}
		if v, _ := e.svc.Record(ctx, committee, act.ID); !v.CanApprove {
			t.Error("the committee may not approve")
		}
		if err := e.svc.ApproveRecord(ctx, committee, act.ID, r.Version+1); err != nil {
			t.Fatalf("committee approves: %v", err)
		}
		// The branch still corrects its own approved record, by amendment.
		if _, err := e.svc.AmendRecord(ctx, sec, act.ID, activity.RecordText{Minutes: "纪要（更正）", Version: r.Version + 2}, "更正"); err != nil {
			t.Errorf("secretary amends: %v", err)
		}
	})
}

// TestRecordRequiresPhotosOnlyWhenTheRulesSay: nothing is forced unless the organization's
// settings ask for photos.
func TestRecordRequiresPhotosOnlyWhenTheRulesSay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		plain, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"committee_meeting"},
			Title: "七月支委会", StartDate: "2023-07-05", StartTime: "09:00", EndTime: "10:30"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.SaveRecord(ctx, sec, plain.ID, activity.RecordText{Minutes: "研究七月工作。"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SubmitRecord(ctx, sec, plain.ID, r.Version); err != nil {
			t.Fatalf("submit without photos by default: %v", err)
		}

		act := e.recordTrip(t)
		if err := e.svc.SetOrgSettings(ctx, e.actors["admin"], activity.OrgSettings{OrgID: e.demo.SecondBranch.ID,
			RecordApprover: activity.ApproverSelf, RequirePhotos: true}); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.SaveRecord(ctx, sec, act.ID, activity.RecordText{Minutes: "研学纪要"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SubmitRecord(ctx, sec, act.ID, r.Version); keyOf(err) != "error.record_needs_photo" {
			t.Fatalf("submit without the photo the rules ask for: %v", err)
		}
		if _, err := e.svc.AddFiles(ctx, sec, act.ID, []activity.Upload{{Name: "合影.png", Data: pngBytes(t, 64, 48)}}, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SubmitRecord(ctx, sec, act.ID, r.Version); err != nil {
			t.Errorf("submit with a photo: %v", err)
		}
	})
}
