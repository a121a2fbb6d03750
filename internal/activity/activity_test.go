package activity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }
func at(day, hm string) time.Time { // a wall-clock time in Shanghai
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type env struct {
	app    *app.App
	svc    *activity.Service
	demo   *demo.Data
	clock  *clock
	actors map[string]*auth.Actor
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	c := &clock{}
	c.Set(at("2023-07-10", "09:00"))
	a := apptest.Open(t, d, apptest.Options{Now: c.Now})
	e := &env{app: a, svc: a.Activity, demo: apptest.Demo(t, a, "test-pass-2023"), clock: c, actors: map[string]*auth.Actor{}}
	users, err := a.Auth.Users(context.Background(), auth.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if e.actors[u.Username], err = a.Auth.ActorFor(context.Background(), u, ""); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// person returns the first person of an organization's own register in a stage.
func (e *env) person(t *testing.T, o *org.Organization, stage string) *org.Person {
	t.Helper()
	people, _, err := e.app.Org.People(context.Background(), auth.System("test"), org.PeopleFilter{OrgPath: o.Path, Stage: stage, Limit: 5})
	if err != nil || len(people) == 0 {
		t.Fatalf("no %s person in %s: %v", stage, o.Name, err)
	}
	for _, p := range people {
		if p.ID != e.demo.Member.ID && p.ID != e.demo.Secretary.ID {
			return p
		}
	}
	return people[0]
}

// trip is the seed's two-day study trip of the Second Branch.
func (e *env) trip(t *testing.T) *activity.Activity {
	t.Helper()
	ctx := context.Background()
	sec := e.actors["secretary"]
	base := &activity.Site{OrgID: e.demo.SecondBranch.ID, Name: "粟裕刘英革命根据地纪念馆", Kind: "red_base", Address: "浙江省丽水市遂昌县"}
	peak := &activity.Site{OrgID: e.demo.SecondBranch.ID, Name: "南尖岩景区", Kind: "scenic_area", Level: "AAAA", AltitudeM: 1626, AreaKm2: 6, Spots: 30}
	for _, s := range []*activity.Site{base, peak} {
		if err := e.svc.SaveSite(ctx, sec, s); err != nil {
			t.Fatal(err)
		}
	}
	act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{
		OrgID: e.demo.SecondBranch.ID, Types: []string{"red_trip", "team_building"}, Title: "两天党建研学团建",
		StartDate: "2023-07-15", EndDate: "2023-07-16", AllDay: true, HostID: e.demo.Secretary.ID,
		SafetyNotes: "高温42℃，注意防暑", WalkIns: false,
		Stops: []activity.StopPlan{
			{Day: "2023-07-15", StartTime: "09:00", Place: "王村", What: "参观学习"},
			{Day: "2023-07-16", StartTime: "08:30", SiteID: base.ID, What: "重温入党誓词"},
			{Day: "2023-07-16", StartTime: "13:30", SiteID: peak.ID, What: "团建登山"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return act
}

func fieldOf(err error) map[string]string {
	if e := apperr.As(err); e != nil {
		return e.Fields
	}
	return nil
}

func TestPlanValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		ok := activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"general_meeting"}, Title: "支部党员大会",
			StartDate: "2023-07-20", StartTime: "14:00", EndTime: "16:00"}
		tests := []struct {
			name  string
			edit  func(p *activity.Plan)
			actor string
			field string
			key   string
		}{
			{"end before start", func(p *activity.Plan) { p.EndTime = "13:00" }, "secretary", "end_date", "error.end_before_start"},
			{"no title", func(p *activity.Plan) { p.Title = " " }, "secretary", "title", "error.required"},
			{"no type", func(p *activity.Plan) { p.Types = nil }, "secretary", "types", "error.required"},
			{"unknown type", func(p *activity.Plan) { p.Types = []string{"party_dance"} }, "secretary", "types", "error.choice"},
			{"bad date", func(p *activity.Plan) { p.StartDate = "2023-02-30" }, "secretary", "start_date", "error.date"},
			{"bad time", func(p *activity.Plan) { p.StartTime = "25:00" }, "secretary", "start_time", "error.time"},
			{"stop outside dates", func(p *activity.Plan) {
				p.Stops = []activity.StopPlan{{Day: "2023-07-21", Place: "会议室"}}
			}, "secretary", "stops.0.day", "error.stop_outside_dates"},
			{"stop without place", func(p *activity.Plan) {
				p.Stops = []activity.StopPlan{{Day: "2023-07-20", What: "学习"}}
			}, "secretary", "stops.0.place", "error.required"},
			{"unknown site", func(p *activity.Plan) { p.SiteID = 999999 }, "secretary", "site_id", "error.choice"},
			{"organization out of scope", func(p *activity.Plan) {}, "firstsec", "org_id", "error.org_out_of_scope"},
			{"host out of scope", func(p *activity.Plan) {
				p.OrgID, p.HostID = e.demo.FirstBranch.ID, e.demo.Secretary.ID
			}, "firstsec", "host_id", "error.person_out_of_scope"},
			{"check-in closes before it opens", func(p *activity.Plan) {
				p.CheckinOpens, p.CheckinCloses = "2023-07-20T15:00", "2023-07-20T14:00"
			}, "secretary", "checkin_closes", "error.end_before_start"},
		}
		for _, tt := range tests {
			p := ok
			tt.edit(&p)
			_, err := e.svc.CreateActivity(ctx, e.actors[tt.actor], p)
			if got := fieldOf(err)[tt.field]; got != tt.key {
				t.Errorf("%s: field %s = %q (err %v), want %q", tt.name, tt.field, got, err, tt.key)
			}
		}
		act, err := e.svc.CreateActivity(ctx, sec, ok)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := act.CheckinOpens, at("2023-07-20", "13:30"); !got.Equal(want) {
			t.Errorf("check-in opens %v, want %v", got, want)
		}
		if _, err := e.svc.CreateActivity(ctx, e.actors["member"], ok); err == nil {
			t.Error("a member planned an activity")
		}
	})
}

func TestTripPlanInviteAttend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec, member := e.actors["secretary"], e.actors["member"]
		act := e.trip(t)

		got, err := e.svc.Activity(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if days := got.Days(shanghai); len(days) != 2 || days[0] != "2023-07-15" || days[1] != "2023-07-16" {
			t.Errorf("days = %v", days)
		}
		if len(got.Stops) != 3 || got.Stops[1].SiteName != "粟裕刘英革命根据地纪念馆" || !got.HasType("red_trip") || !got.HasType("team_building") {
			t.Errorf("trip read back wrong: stops %d, types %v", len(got.Stops), got.Types)
		}
		// Members see the trip only once invited (it belongs to the branch; the member is in a group).
		if _, err := e.svc.Activity(ctx, member, act.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("uninvited member reads the trip: %v", err)
		}
		n, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true})
		if err != nil {
			t.Fatal(err)
		}
		if n < 10 {
			t.Errorf("invited %d members, want the branch's members", n)
		}
		var after string
		if err := e.app.DB.SQL().QueryRow("SELECT after_json FROM audit_log WHERE action = 'activity.invite' ORDER BY id DESC LIMIT 1").Scan(&after); err != nil {
			t.Fatal(err)
		}
		var logged map[string]any
		if err := json.Unmarshal([]byte(after), &logged); err != nil || logged["added"] != float64(n) || logged["subtree"] != true {
			t.Errorf("invitation's audit record = %s (%v)", after, err)
		}
		if _, err := e.svc.Activity(ctx, member, act.ID); err != nil {
			t.Errorf("invited member cannot read the trip: %v", err)
		}
		// Scope and stage rules of invitations.
		if _, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.FirstBranch.ID}); fieldOf(err)["org_id"] != "error.org_out_of_scope" {
			t.Errorf("invite another branch: %v", err)
		}
		if _, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Stages: []string{org.StageMasses}}); fieldOf(err)["stages"] != "error.stage_not_open" {
			t.Errorf("invite the masses to a trip: %v", err)
		}
		upcoming, err := e.svc.Upcoming(ctx, member, 5)
		if err != nil || len(upcoming) != 1 || upcoming[0].ID != act.ID {
			t.Errorf("member's upcoming = %v, %v", upcoming, err)
		}

		// Leave: a member asks, the secretary approves.
		other := e.person(t, e.demo.Groups[1], org.StageFull)
		if err := e.svc.AskLeave(ctx, member, act.ID, ""); fieldOf(err)["reason"] != "error.required" {
			t.Errorf("leave without reason: %v", err)
		}
		if err := e.svc.AskLeave(ctx, member, act.ID, "家中有事"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideLeave(ctx, sec, act.ID, e.demo.Member.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideLeave(ctx, sec, act.ID, other.ID, true); err == nil {
			t.Error("approved leave nobody asked for")
		}

		// Day one: the secretary checks in by QR, another member by hand, late.
		e.clock.Set(at("2023-07-15", "08:50"))
		token, _, err := e.svc.QRToken(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.QRToken(ctx, member, act.ID); err == nil {
			t.Error("a member got the check-in code")
		}
		if _, added, err := e.svc.CheckIn(ctx, sec, token); err != nil || !added {
			t.Fatalf("check in: %v %v", added, err)
		}
		if _, added, err := e.svc.CheckIn(ctx, sec, token); err != nil || added {
			t.Errorf("second check-in: added %v, %v", added, err)
		}
		if err := e.svc.ManualCheckIn(ctx, sec, act.ID, other.ID, "2023-07-15", true); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ManualCheckIn(ctx, sec, act.ID, other.ID, "2023-07-17", false); fieldOf(err)["day"] == "" {
			t.Errorf("manual check-in outside the days: %v", err)
		}
		// Day two: the secretary again.
		e.clock.Set(at("2023-07-16", "08:00"))
		token, _, _ = e.svc.QRToken(ctx, sec, act.ID)
		if _, added, err := e.svc.CheckIn(ctx, sec, token); err != nil || !added {
			t.Fatalf("day two check in: %v %v", added, err)
		}
		_, ps, sum, err := e.svc.Attendance(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Expected != n || sum.Present != 2 || sum.Leave != 1 || sum.Late != 1 || sum.Absent != n-3 {
			t.Errorf("summary = %+v (invited %d)", sum, n)
		}
		if len(sum.Days) != 2 || sum.Days[0].Present != 2 || sum.Days[1].Present != 1 {
			t.Errorf("days = %+v", sum.Days)
		}
		var mine *activity.Participant
		for _, p := range ps {
			if p.PersonID == e.demo.Secretary.ID {
				mine = p
			}
		}
		if mine == nil || len(mine.Days) != 2 || mine.Days["2023-07-15"].Method != activity.MethodQR {
			t.Errorf("secretary's attendance = %+v", mine)
		}
		if _, _, _, err := e.svc.Attendance(ctx, member, act.ID); err == nil {
			t.Error("a member read the attendance sheet")
		}
		if _, _, _, err := e.svc.Attendance(ctx, e.actors["inspector"], act.ID); err != nil {
			t.Errorf("the inspector cannot read the attendance sheet: %v", err)
		}
	})
}

func TestCheckInRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec, member := e.actors["secretary"], e.actors["member"]
		act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"party_lecture"},
			Title: "党课：学习二十大精神", StartDate: "2023-07-20", StartTime: "14:00", EndTime: "16:00"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at("2023-07-20", "13:29"))
		token, _, err := e.svc.QRToken(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		check := func(who *auth.Actor, token, want string) {
			t.Helper()
			_, _, err := e.svc.CheckIn(ctx, who, token)
			got := ""
			if ae := apperr.As(err); ae != nil {
				got = ae.Key
			} else if err != nil {
				got = err.Error()
			}
			if got != want {
				t.Errorf("check-in at %s: %q, want %q", e.clock.Now().In(shanghai).Format("15:04:05"), got, want)
			}
		}
		check(sec, token, "error.checkin_not_open") // one minute before the window
		e.clock.Set(at("2023-07-20", "13:30"))
		token, _, _ = e.svc.QRToken(ctx, sec, act.ID)
		check(member, token, "error.checkin_not_invited")
		forged := []byte(token)
		forged[10] ^= 1
		check(sec, string(forged), "error.checkin_token_invalid")
		check(sec, "not-a-token", "error.checkin_token_invalid")
		e.clock.Set(e.clock.Now().Add(activity.QRTokenTTL + time.Second))
		check(sec, token, "error.checkin_token_expired")

		// A pass issued from a fresh scan outlives the QR token while the member logs in.
		token, _, _ = e.svc.QRToken(ctx, sec, act.ID)
		pass, err := e.svc.Pass(token)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(e.clock.Now().Add(5 * time.Minute))
		check(sec, token, "error.checkin_token_expired")
		if _, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true}); err != nil {
			t.Fatal(err)
		}
		check(member, pass, "")

		// Late after ten minutes past the start; closed at the end.
		e.clock.Set(at("2023-07-20", "14:11"))
		token, _, _ = e.svc.QRToken(ctx, sec, act.ID)
		check(sec, token, "")
		me, err := e.svc.Me(ctx, sec, act.ID)
		if err != nil || !me.Days["2023-07-20"].Late {
			t.Errorf("late mark: %+v %v", me, err)
		}
		e.clock.Set(at("2023-07-20", "16:00"))
		token, _, _ = e.svc.QRToken(ctx, sec, act.ID)
		check(e.actors["member"], token, "error.checkin_closed")
	})
}

// TestCheckInTwiceAtOnce is the double tap from two phones: exactly one attendance row.
func TestCheckInTwiceAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"theme_day"},
			Title: "主题党日", StartDate: "2023-07-10", StartTime: "09:00", EndTime: "11:00", WalkIns: true})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := e.svc.QRToken(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var added atomic.Int32
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ok, err := e.svc.CheckIn(ctx, e.actors["member"], token)
				if err != nil {
					errs <- err
				}
				if ok {
					added.Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if added.Load() != 1 {
			t.Errorf("%d check-ins added, want 1", added.Load())
		}
		_, ps, sum, err := e.svc.Attendance(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 || ps[0].Invited || sum.WalkIns != 1 || sum.Expected != 0 {
			t.Errorf("walk-in: participants %d, summary %+v", len(ps), sum)
		}
	})
}

// TestCheckInsWrittenTogether checks the group commit: many members checking in at once all
// get their row and audit record, the audit chain stays intact, and one bad check-in in a
// batch fails alone.
func TestCheckInsWrittenTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"theme_day"},
			Title: "主题党日", StartDate: "2023-07-10", StartTime: "09:00", EndTime: "11:00"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true})
		if err != nil {
			t.Fatal(err)
		}
		_, ps, _, err := e.svc.Attendance(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(ps)+1)
		for i, p := range ps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				att := &activity.Attendance{ActivityID: act.ID, PersonID: p.PersonID, Day: "2023-07-10", Method: activity.MethodManual, At: e.clock.Now()}
				rec := &audit.Record{ActorName: "test", Action: "activity.check_in", ObjectType: "activity", ObjectID: act.ID, PersonID: p.PersonID}
				if added, err := e.app.DB.CheckIn(ctx, att, false, false, rec); err != nil || !added {
					errs <- fmt.Errorf("check-in %d: %v %v", i, added, err)
				}
			}()
		}
		// A check-in of nobody on the register: its batch is written again one by one.
		wg.Add(1)
		go func() {
			defer wg.Done()
			att := &activity.Attendance{ActivityID: act.ID, PersonID: 999999, Day: "2023-07-10", Method: activity.MethodManual, At: e.clock.Now()}
			if _, err := e.app.DB.CheckIn(ctx, att, true, false, &audit.Record{ActorName: "test", Action: "activity.check_in"}); err == nil {
				errs <- errors.New("a check-in of nobody was written")
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		_, _, sum, err := e.svc.Attendance(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Present != n {
			t.Errorf("present %d, want %d", sum.Present, n)
		}
		if problem, _, err := e.app.DB.VerifyAudit(ctx); err != nil || problem != nil {
			t.Errorf("audit chain after concurrent check-ins: %+v %v", problem, err)
		}
	})
}

// TestCheckInsMixedAtOnce: check-ins by hand (which replace a row of the day) and scanned
// walk-ins arriving together share batches that take the activity version's lock (walk-ins)
// and the audit chain's (every record): all are written, the chain stays intact, and the
// instance's check-in copy sees every walk-in as a participant afterwards.
func TestCheckInsMixedAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"theme_day"},
			Title: "主题党日", StartDate: "2023-07-10", StartTime: "09:00", EndTime: "11:00", WalkIns: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.app.DB.FindCheckIn(ctx, act.ID, e.demo.Member.ID); err != nil { // a copy to follow
			t.Fatal(err)
		}
		people, _, err := e.app.Org.People(ctx, auth.System("test"), org.PeopleFilter{OrgPath: e.demo.SecondBranch.Path, Limit: 40})
		if err != nil || len(people) < 4 {
			t.Fatalf("people %d, %v", len(people), err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(people))
		for i, p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				method, replace := activity.MethodQR, false
				if i%2 == 0 {
					method, replace = activity.MethodManual, true
				}
				att := &activity.Attendance{ActivityID: act.ID, PersonID: p.ID, Day: "2023-07-10", Method: method, At: e.clock.Now()}
				rec := &audit.Record{ActorName: "test", Action: "activity.check_in", ObjectType: "activity", ObjectID: act.ID, PersonID: p.ID}
				if added, err := e.app.DB.CheckIn(ctx, att, true, replace, rec); err != nil || !added {
					errs <- fmt.Errorf("check-in %d (replace %v): %v %v", i, replace, added, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		_, ps, sum, err := e.svc.Attendance(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		present := 0
		for _, p := range ps {
			if p.Days["2023-07-10"] != nil {
				present++
			}
		}
		if present != len(people) || sum.WalkIns != len(people) {
			t.Errorf("checked in %d, walk-ins %d; want %d each", present, sum.WalkIns, len(people))
		}
		if problem, n, err := e.app.DB.VerifyAudit(ctx); err != nil || problem != nil || n < len(people) {
			t.Errorf("audit chain after mixed check-ins: %+v %d %v", problem, n, err)
		}
		for _, p := range people {
			if _, part, err := e.app.DB.FindCheckIn(ctx, act.ID, p.ID); err != nil || part != activity.ParticipantWalkIn {
				t.Errorf("person %d after walking in: participation %d, %v", p.ID, part, err)
			}
		}
	})
}

// TestCheckInLookupsReadTogether: check-in lookups that arrive together are answered by one
// statement, each with its own activity and participation; an unknown activity is not found
// for its caller alone.
func TestCheckInLookupsReadTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		var acts []*activity.Activity
		for i, title := range []string{"主题党日", "党课"} {
			act, err := e.svc.CreateActivity(ctx, sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"theme_day"},
				Title: title, StartDate: fmt.Sprintf("2023-07-1%d", i), StartTime: "09:00", EndTime: "11:00"})
			if err != nil {
				t.Fatal(err)
			}
			acts = append(acts, act)
		}
		// The branch is invited to the first activity only.
		if _, err := e.svc.Invite(ctx, sec, acts[0].ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true}); err != nil {
			t.Fatal(err)
		}
		_, ps, _, err := e.svc.Attendance(ctx, sec, acts[0].ID)
		if err != nil || len(ps) < 3 {
			t.Fatalf("participants %d, %v", len(ps), err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 3*len(ps))
		for _, p := range ps {
			for k, act := range acts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, part, err := e.app.DB.FindCheckIn(ctx, act.ID, p.PersonID)
					want := []int{activity.ParticipantInvited, activity.ParticipantNone}[k]
					if err != nil || got.ID != act.ID || got.Title != act.Title || part != want {
						errs <- fmt.Errorf("activity %d person %d: %+v %d %v, want participation %d", act.ID, p.PersonID, got, part, err, want)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := e.app.DB.FindCheckIn(ctx, 999999, p.PersonID); !errors.Is(err, apperr.ErrNotFound) {
					errs <- fmt.Errorf("unknown activity: err = %v, want not found", err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
