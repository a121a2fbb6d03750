package activity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func ruleOf(rep *activity.Report, code string) *activity.RuleReport {
	for _, r := range rep.Rules {
		if r.Rule.Code == code {
			return r
		}
	}
	return nil
}

func states(rr *activity.RuleReport) []string {
	out := make([]string, len(rr.Periods))
	for i, p := range rr.Periods {
		out[i] = p.State
	}
	return out
}

func TestCompliance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		branch := e.demo.SecondBranch.ID
		plan := func(day, typ string) *activity.Activity {
			t.Helper()
			act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: branch, Types: []string{typ}, Title: typ + " " + day,
				StartDate: day, StartTime: "14:00", EndTime: "16:00"})
			if err != nil {
				t.Fatal(err)
			}
			return act
		}
		// Now is 2023-07-25: theme days held in May and July, none in June; a committee meeting
		// planned for 2023-07-28; the quarter's general meeting is due.
		e.clock.Set(at("2023-05-01", "09:00"))
		plan("2023-05-15", "theme_day")
		plan("2023-07-10", "theme_day")
		cancelled := plan("2023-06-20", "theme_day")
		if err := e.svc.CancelActivity(ctx, sec, cancelled.ID, cancelled.Version); err != nil {
			t.Fatal(err)
		}
		plan("2023-07-28", "committee_meeting")
		e.clock.Set(at("2023-07-25", "09:00"))

		rep, err := e.svc.Compliance(ctx, sec, branch, 2023)
		if err != nil {
			t.Fatal(err)
		}
		day := ruleOf(rep, "DAY")
		if day == nil {
			t.Fatal("no theme day rule")
		}
		got := states(day)
		want := []string{"overdue", "overdue", "overdue", "overdue", "held", "overdue", "held", "upcoming", "upcoming", "upcoming", "upcoming", "upcoming"}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("theme days by month = %v, want %v", got, want)
				break
			}
		}
		if may := day.Periods[4]; may.Held != 1 || len(may.Activities) != 1 || may.Activities[0].Title != "theme_day 2023-05-15" {
			t.Errorf("May = %+v", may)
		}
		// The Second Branch has a committee of five: committee meetings bind it.
		cmt := ruleOf(rep, "MTG-CMT")
		if cmt == nil || !cmt.Applies || cmt.Periods[6].State != activity.StatePlanned {
			t.Errorf("committee meeting in July: %+v", cmt)
		}
		if ga := ruleOf(rep, "MTG-GA"); ga == nil || ga.Periods[2].State != activity.StateDue {
			t.Errorf("general meeting this quarter: %+v", ga)
		}
		if lec := ruleOf(rep, "MTG-LEC"); lec != nil {
			t.Errorf("party lectures have no national count and should be off: %+v", lec.Rule)
		}
		// Six days before the month ends, an unmet monthly rule is flagged.
		e.clock.Set(at("2023-08-26", "09:00"))
		rep, _ = e.svc.Compliance(ctx, sec, branch, 2023)
		if s := ruleOf(rep, "DAY").Periods[7].State; s != activity.StateDueSoon {
			t.Errorf("theme day on 26 August: %s, want due_soon", s)
		}

		// A local rule: the committee asks for a party lecture every quarter; the branch then
		// owes one each quarter. Only administrators of the committee may set it.
		if err := e.svc.OverrideRule(ctx, sec, e.demo.Committee.ID, activity.RuleChange{Code: "MTG-LEC", Period: "quarter", MinCount: 1, Enabled: true}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("branch secretary overrides the committee's rule: %v", err)
		}
		if err := e.svc.OverrideRule(ctx, e.actors["admin"], e.demo.Committee.ID, activity.RuleChange{Code: "MTG-LEC", Period: "quarter", MinCount: 1, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		rep, _ = e.svc.Compliance(ctx, sec, branch, 2023)
		if lec := ruleOf(rep, "MTG-LEC"); lec == nil || lec.Rule.OrgID != e.demo.Committee.ID || lec.Overdue != 2 {
			t.Errorf("local lecture rule: %+v", lec)
		}
		// The branch may loosen it for itself: twice a year, i.e. off.
		if err := e.svc.OverrideRule(ctx, sec, branch, activity.RuleChange{Code: "MTG-LEC", Period: "year", MinCount: 2, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		rep, _ = e.svc.Compliance(ctx, sec, branch, 2023)
		if lec := ruleOf(rep, "MTG-LEC"); lec == nil || lec.Rule.OrgID != branch || len(lec.Periods) != 1 {
			t.Errorf("branch's own lecture rule: %+v", lec)
		}
		if err := e.svc.ResetRule(ctx, sec, branch, "MTG-LEC"); err != nil {
			t.Fatal(err)
		}
		rep, _ = e.svc.Compliance(ctx, sec, branch, 2023)
		if lec := ruleOf(rep, "MTG-LEC"); lec == nil || lec.Rule.OrgID != e.demo.Committee.ID {
			t.Errorf("after reset: %+v", lec)
		}
		if err := e.svc.OverrideRule(ctx, sec, branch, activity.RuleChange{Code: "DAY", Period: "week", MinCount: 1, Enabled: true}); fieldOf(err)["period"] != "error.choice" {
			t.Errorf("bad period: %v", err)
		}

		// The subtree: the committee's inspector sees every organization, the worst first.
		rows, err := e.svc.SubtreeCompliance(ctx, e.actors["inspector"], e.demo.Committee.ID, 2023)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 7 || rows[0].Overdue < rows[len(rows)-1].Overdue {
			t.Errorf("subtree rows: %d, first overdue %d", len(rows), rows[0].Overdue)
		}
		// The subtree's tallies, counted in the database, agree with the branch's own report.
		for _, row := range rows {
			if row.Org.ID != branch {
				continue
			}
			sub, own := ruleOf(row.Report, "DAY"), ruleOf(rep, "DAY")
			for i := range own.Periods {
				if sub.Periods[i].State != own.Periods[i].State || sub.Periods[i].Held != own.Periods[i].Held {
					t.Errorf("period %s: subtree %s/%d, own %s/%d", own.Periods[i].Key, sub.Periods[i].State, sub.Periods[i].Held,
						own.Periods[i].State, own.Periods[i].Held)
				}
			}
		}
		if _, err := e.svc.Compliance(ctx, e.actors["firstsec"], branch, 2023); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch reads the compliance: %v", err)
		}
		if _, err := e.svc.Compliance(ctx, e.actors["member"], e.demo.Groups[0].ID, 2023); err == nil {
			t.Error("a member reads the compliance page")
		}
	})
}

func TestInactiveMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"theme_day"},
			Title: "主题党日", StartDate: "2023-07-15", StartTime: "14:00", EndTime: "16:00"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2023-07-15", "14:05"))
		if err := e.svc.ManualCheckIn(ctx, sec, act.ID, e.demo.Member.ID, "2023-07-15", false); err != nil {
			t.Fatal(err)
		}
		inactive := func() map[int64]*activity.Inactive {
			t.Helper()
			list, err := e.svc.InactiveMembers(ctx, sec, e.demo.SecondBranch.ID)
			if err != nil {
				t.Fatal(err)
			}
			m := map[int64]*activity.Inactive{}
			for _, in := range list {
				m[in.PersonID] = in
			}
			return m
		}
		// Five months later the member is fine; seven months later flagged, with the date.
		e.clock.Set(at("2023-12-15", "09:00"))
		if got := inactive(); got[e.demo.Member.ID] != nil || got[e.demo.Secretary.ID] == nil {
			t.Errorf("after five months: member flagged %v, secretary flagged %v", got[e.demo.Member.ID] != nil, got[e.demo.Secretary.ID] != nil)
		}
		e.clock.Set(at("2024-02-16", "09:00"))
		got := inactive()
		if in := got[e.demo.Member.ID]; in == nil || in.LastAttended != "2023-07-15" {
			t.Errorf("after seven months: %+v", in)
		}
		if _, err := e.svc.InactiveMembers(ctx, e.actors["firstsec"], e.demo.SecondBranch.ID); err == nil {
			t.Error("another branch's secretary read the list")
		}
	})
}
