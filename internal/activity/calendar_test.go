package activity_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// ids returns the activity IDs of a calendar, sorted.
func ids(cal *activity.Calendar) []int64 {
	var out []int64
	for _, a := range cal.Activities {
		out = append(out, a.ID)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sameIDs(got []int64, want ...int64) bool {
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// plan creates a simple activity of an organization on a day.
func (e *env) plan(t *testing.T, actor string, orgID int64, title, day, start, end string) *activity.Activity {
	t.Helper()
	act, err := e.svc.CreateActivity(context.Background(), e.actors[actor], activity.Plan{OrgID: orgID,
		Types: []string{"general_meeting"}, Title: title, StartDate: day, StartTime: start, EndTime: end, Place: "三楼会议室"})
	if err != nil {
		t.Fatalf("plan %s: %v", title, err)
	}
	return act
}

func TestCalendarFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec, member, firstsec := e.actors["secretary"], e.actors["member"], e.actors["firstsec"]
		second, first := e.demo.SecondBranch.ID, e.demo.FirstBranch.ID

		trip := e.trip(t)
		meeting := e.plan(t, "secretary", second, "支部党员大会：讨论发展对象", "2023-07-20", "14:00", "16:00")
		old := e.plan(t, "secretary", second, "去年春天的党课", "2022-03-01", "09:00", "10:00")  // more than a year back
		far := e.plan(t, "secretary", second, "两年后的主题党日", "2025-08-01", "09:00", "10:00") // more than two years ahead
		uninvited := e.plan(t, "secretary", second, "支委会", "2023-07-25", "19:00", "20:00")
		other := e.plan(t, "firstsec", first, "第一支部党员大会", "2023-07-22", "14:00", "16:00")
		for _, a := range []*activity.Activity{trip, meeting, old, far} {
			if _, err := e.svc.Invite(ctx, sec, a.ID, activity.Invitation{PersonID: e.demo.Member.ID}); err != nil {
				t.Fatal(err)
			}
		}

		// A person's feed: made by its owner only, shown once, kept as a hash.
		if _, err := e.svc.PersonFeed(ctx, member); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("feed before it was made: %v", err)
		}
		token, err := e.svc.ResetPersonFeed(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 22 { // 128 bits in base64
			t.Errorf("token %q is too short", token)
		}
		f, err := e.svc.PersonFeed(ctx, member)
		if err != nil || f.TokenHash != auth.HashToken(token) || strings.Contains(f.TokenHash, token) {
			t.Errorf("stored feed = %+v, %v; want only the token's hash", f, err)
		}
		if _, err := e.svc.ResetPersonFeed(ctx, e.actors["admin"]); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("feed of an account without a person: %v", err)
		}

		cal, feed, err := e.svc.PersonCalendar(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(cal); !sameIDs(got, trip.ID, meeting.ID) {
			t.Errorf("person feed has %v, want the invited activities in the window %v", got, []int64{trip.ID, meeting.ID})
		}
		if feed.OwnerName != e.demo.Member.Name || feed.PersonID != e.demo.Member.ID {
			t.Errorf("feed owner = %q #%d", feed.OwnerName, feed.PersonID)
		}
		for _, a := range cal.Activities {
			if a.ID == trip.ID && (len(a.Stops) != 3 || len(a.Types) != 2) {
				t.Errorf("trip in the feed without its itinerary or types: %d stops, %v", len(a.Stops), a.Types)
			}
		}
		if cal.UIDDomain == "" || cal.UIDDomain != mustCal(t, e, token).UIDDomain {
			t.Errorf("UID domain %q is not stable", cal.UIDDomain)
		}

		// An invitation to an activity the feed did not have changes Last-Modified although
		// the activity did not change.
		before := cal.Modified
		e.clock.Set(at("2023-07-11", "10:00"))
		if _, err := e.svc.Invite(ctx, sec, uninvited.ID, activity.Invitation{PersonID: e.demo.Member.ID}); err != nil {
			t.Fatal(err)
		}
		cal = mustCal(t, e, token)
		if !sameIDs(ids(cal), trip.ID, meeting.ID, uninvited.ID) || !cal.Modified.After(before) {
			t.Errorf("after an invitation: %v, modified %v (was %v)", ids(cal), cal.Modified, before)
		}

		// Updates and cancellations show with a higher SEQUENCE.
		if err := e.svc.CancelActivity(ctx, sec, meeting.ID, meeting.Version); err != nil {
			t.Fatal(err)
		}
		cal = mustCal(t, e, token)
		for _, a := range cal.Activities {
			if a.ID == meeting.ID && (a.Status != activity.StatusCancelled || a.Sequence != 1) {
				t.Errorf("cancelled meeting in the feed: status %s, sequence %d", a.Status, a.Sequence)
			}
		}
		cal.Labels = testLabels
		ics := string(cal.ICS())
		if !strings.Contains(ics, "STATUS:CANCELLED\r\n") || !strings.Contains(ics, "SEQUENCE:1\r\n") {
			t.Errorf("feed does not show the cancellation:\n%s", ics)
		}

		// The strict third-party parser reads the feed as written, Chinese text included.
		want := wantEvents(cal)
		checkICALJS(t, cal.ICS(), want)

		// Resetting replaces the URL: the old one is gone.
		token2, err := e.svc.ResetPersonFeed(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.PersonCalendar(ctx, token); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("old token after reset: %v", err)
		}
		if _, _, err := e.svc.PersonCalendar(ctx, token2); err != nil {
			t.Errorf("new token: %v", err)
		}
		if _, _, err := e.svc.PersonCalendar(ctx, "not-a-token"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}

		// Organization feeds: private by default; only its administrators change that.
		if _, err := e.svc.OrgCalendar(ctx, second, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("private organization feed served without token: %v", err)
		}
		if err := e.svc.SetOrgFeedPublic(ctx, member, second, true); err == nil {
			t.Error("a member made the branch's feed public")
		}
		if err := e.svc.SetOrgFeedPublic(ctx, firstsec, second, true); err == nil {
			t.Error("another branch's administrator made the feed public")
		}
		if _, err := e.svc.ResetOrgFeedToken(ctx, firstsec, second); err == nil {
			t.Error("another branch's administrator made a token")
		}
		if err := e.svc.SetOrgFeedPublic(ctx, sec, second, true); err != nil {
			t.Fatal(err)
		}
		cal, err = e.svc.OrgCalendar(ctx, second, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(cal); !sameIDs(got, trip.ID, meeting.ID, uninvited.ID) {
			t.Errorf("branch feed has %v, want its own activities in the window", got)
		}
		if cal.Name != e.demo.SecondBranch.Name {
			t.Errorf("branch feed name %q", cal.Name)
		}
		if _, err := e.svc.OrgCalendar(ctx, first, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("first branch's private feed: %v", err)
		}
		orgToken, err := e.svc.ResetOrgFeedToken(ctx, sec, second)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetOrgFeedPublic(ctx, sec, second, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OrgCalendar(ctx, second, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("feed made private still public: %v", err)
		}
		if cal, err := e.svc.OrgCalendar(ctx, second, orgToken); err != nil || !sameIDs(ids(cal), trip.ID, meeting.ID, uninvited.ID) {
			t.Errorf("private feed by token: %v", err)
		}
		if cal, err := e.svc.OrgCalendar(ctx, first, ""); err == nil {
			t.Errorf("first branch's feed served: %v", ids(cal))
		}
		if err := e.svc.SetOrgFeedPublic(ctx, firstsec, first, true); err != nil {
			t.Fatal(err)
		}
		if cal, err := e.svc.OrgCalendar(ctx, first, ""); err != nil || !sameIDs(ids(cal), other.ID) {
			t.Errorf("first branch's public feed: %v, %v", err, cal)
		}
		for name, probe := range map[string]func() error{
			"org token for another organization": func() error { _, err := e.svc.OrgCalendar(ctx, first, orgToken); return err },
			"person token as org token":          func() error { _, err := e.svc.OrgCalendar(ctx, second, token2); return err },
			"org token as person token":          func() error { _, _, err := e.svc.PersonCalendar(ctx, orgToken); return err },
		} {
			if err := probe(); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s: %v", name, err)
			}
		}
		orgToken2, err := e.svc.ResetOrgFeedToken(ctx, sec, second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OrgCalendar(ctx, second, orgToken); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("org token after reset: %v", err)
		}
		if _, err := e.svc.OrgCalendar(ctx, second, orgToken2); err != nil {
			t.Errorf("new org token: %v", err)
		}
		// Who sees the organization reads its settings; others do not.
		if f, err := e.svc.OrgFeed(ctx, sec, second); err != nil || f.Public || !f.HasToken() {
			t.Errorf("secretary reads the settings: %+v, %v", f, err)
		}
		if _, err := e.svc.OrgFeed(ctx, firstsec, second); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch's administrator reads the settings: %v", err)
		}

		// A disabled account's feed stops.
		admin := e.actors["admin"]
		if err := e.app.Auth.SetDisabled(ctx, admin, member.UserID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.PersonCalendar(ctx, token2); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("feed of a disabled account: %v", err)
		}
	})
}

func mustCal(t *testing.T, e *env, token string) *activity.Calendar {
	t.Helper()
	cal, _, err := e.svc.PersonCalendar(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestCalendarWindow checks the window's edges: an activity ending exactly a year before
// today's midnight is out, one overlapping it is in.
func TestCalendarWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		second := e.demo.SecondBranch.ID
		e.clock.Set(time.Date(2023, 7, 10, 1, 0, 0, 0, time.UTC)) // 09:00 in Shanghai
		out := e.plan(t, "secretary", second, "一年前结束", "2022-07-09", "23:00", "23:59")
		in := e.plan(t, "secretary", second, "跨过一年前的午夜", "2022-07-09", "23:00", "23:59")
		plan := activity.PlanOf(in, shanghai)
		plan.EndDate, plan.EndTime = "2022-07-10", "01:00"
		if _, err := e.svc.UpdateActivity(ctx, e.actors["secretary"], in.ID, plan); err != nil {
			t.Fatal(err)
		}
		last := e.plan(t, "secretary", second, "两年后前一天", "2025-07-09", "09:00", "10:00")
		beyond := e.plan(t, "secretary", second, "两年后当天", "2025-07-10", "00:00", "01:00")
		if err := e.svc.SetOrgFeedPublic(ctx, e.actors["secretary"], second, true); err != nil {
			t.Fatal(err)
		}
		cal, err := e.svc.OrgCalendar(ctx, second, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(cal); !sameIDs(got, in.ID, last.ID) {
			t.Errorf("window holds %v, want %v (not %d, %d)", got, []int64{in.ID, last.ID}, out.ID, beyond.ID)
		}
	})
}
