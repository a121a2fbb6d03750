package activity_test

import (
	"context"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestStudyHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		branch := e.demo.SecondBranch.ID
		me := e.demo.Member.ID
		mk := func(p activity.Plan) *activity.Activity {
			t.Helper()
			p.OrgID = branch
			act, err := e.svc.CreateActivity(ctx, sec, p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: branch, Subtree: true}); err != nil {
				t.Fatal(err)
			}
			return act
		}
		// A two-and-a-half-hour lecture, a two-day trip attended one day, a study session with a
		// set value, and a committee meeting (not a study type).
		lecture := mk(activity.Plan{Types: []string{"party_lecture"}, Title: "党课", StartDate: "2023-03-10", StartTime: "14:00", EndTime: "16:30"})
		trip := mk(activity.Plan{Types: []string{"red_trip", "team_building"}, Title: "研学", StartDate: "2023-07-15", EndDate: "2023-07-16", AllDay: true})
		session := mk(activity.Plan{Types: []string{"study_session"}, Title: "学习会", StartDate: "2023-09-01", StartTime: "09:00", EndTime: "10:00", StudyHours: "3"})
		meeting := mk(activity.Plan{Types: []string{"general_meeting"}, Title: "党员大会", StartDate: "2023-09-02", StartTime: "09:00", EndTime: "11:00"})
		for _, c := range []struct {
			act *activity.Activity
			day string
		}{{lecture, "2023-03-10"}, {trip, "2023-07-16"}, {session, "2023-09-01"}, {meeting, "2023-09-02"}} {
			if err := e.svc.ManualCheckIn(ctx, sec, c.act.ID, me, c.day, false); err != nil {
				t.Fatal(err)
			}
		}
		total, entries, err := e.svc.StudyHours(ctx, e.actors["member"], me, 2023)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{"党课": 2.5, "研学": 8, "学习会": 3}
		if total != 13.5 || len(entries) != 3 {
			t.Errorf("total %v from %d entries, want 13.5 from 3", total, len(entries))
		}
		for _, en := range entries {
			if want[en.Title] != en.Hours {
				t.Errorf("%s: %v hours, want %v", en.Title, en.Hours, want[en.Title])
			}
		}
		if total, _, _ := e.svc.StudyHours(ctx, sec, me, 2022); total != 0 {
			t.Errorf("2022: %v", total)
		}
		if _, _, err := e.svc.StudyHours(ctx, e.actors["firstsec"], me, 2023); err == nil {
			t.Error("another branch read the member's study hours")
		}
		if _, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: branch, Types: []string{"party_lecture"}, Title: "x",
			StartDate: "2023-03-10", StartTime: "14:00", EndTime: "16:30", StudyHours: "-1"}); fieldOf(err)["study_hours"] != "error.study_hours" {
			t.Errorf("negative hours: %v", err)
		}
	})
}
