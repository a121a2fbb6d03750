package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestCheckInCopyFollowsEveryChange: instance a answers check-in lookups from its copy of an
// activity's check-in facts, and after every change made through instance b (or by any
// writer of the tables) — a person invited, a walk-in added, a participant removed, the
// window, title, status and walk-in setting changed, the organization renamed and moved, the
// activity deleted — a's answer is what the database holds. Within one request's context the
// versions are read once, and read again after the request writes.
func TestCheckInCopyFollowsEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, b := openShared(t, d)
		sys := auth.System("test")
		orgs := org.NewService(b, b, nil)
		top := mustOrg(t, orgs, sys, 0, org.KindCommittee, "党委")
		branch := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第二支部")
		other := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第一支部")
		p1 := mustPerson(t, orgs, sys, branch.ID, "张三", org.StageFull)
		p2 := mustPerson(t, orgs, sys, branch.ID, "李四", org.StageFull)
		start := time.Date(2023, 7, 15, 1, 0, 0, 0, time.UTC)
		act := &activity.Activity{OrgID: branch.ID, Title: "主题党日", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			CheckinOpens: start.Add(-30 * time.Minute), CheckinCloses: start.Add(2 * time.Hour), Status: activity.StatusPlanned,
			Types: []string{"theme_day"}}
		if err := b.CreateActivity(ctx, act, &audit.Record{ActorName: "test", Action: "activity.create"}); err != nil {
			t.Fatal(err)
		}
		rec := func(int) *audit.Record { return &audit.Record{ActorName: "test", Action: "activity.invite"} }
		check := func(step string, person int64, want *activity.Activity, wantPart int) {
			t.Helper()
			for i := 0; i < 2; i++ { // the second answer comes from a's copy
				got, part, err := a.FindCheckIn(ctx, act.ID, person)
				if want == nil {
					if err == nil {
						t.Errorf("%s: found a deleted activity", step)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if g, w := fmt.Sprint(got.OrgID, got.OrgPath, got.Title, got.Status, got.WalkIns, got.StartsAt.Unix(),
					got.CheckinOpens.Unix(), got.CheckinCloses.Unix()), fmt.Sprint(want.OrgID, want.OrgPath, want.Title,
					want.Status, want.WalkIns, want.StartsAt.Unix(), want.CheckinOpens.Unix(), want.CheckinCloses.Unix()); g != w || part != wantPart {
					t.Errorf("%s (answer %d): %s participation %d, want %s participation %d", step, i+1, g, part, w, wantPart)
				}
			}
		}
		want := *act
		want.OrgPath = branch.Path
		check("before any invitation", p1.ID, &want, activity.ParticipantNone)

		if _, err := b.Invite(ctx, &activity.Invitation{ActivityID: act.ID, PersonID: p1.ID}, nil, rec); err != nil {
			t.Fatal(err)
		}
		check("invited", p1.ID, &want, activity.ParticipantInvited)
		check("another person", p2.ID, &want, activity.ParticipantNone)

		att := &activity.Attendance{ActivityID: act.ID, PersonID: p2.ID, Day: "2023-07-15", Method: activity.MethodQR, At: start}
		if _, err := b.CheckIn(ctx, att, true, false, &audit.Record{ActorName: "test", Action: "activity.check_in"}); err != nil {
			t.Fatal(err)
		}
		check("walked in", p2.ID, &want, activity.ParticipantWalkIn)

		if _, err := b.SQL().Exec(placeholders(d, "DELETE FROM participants WHERE activity_id = ? AND person_id = ?"), act.ID, p1.ID); err != nil {
			t.Fatal(err)
		}
		check("participant removed by another writer", p1.ID, &want, activity.ParticipantNone)

		for _, change := range []func(x *activity.Activity){
			func(x *activity.Activity) { x.Title = "主题党日（改期）" },
			func(x *activity.Activity) { x.CheckinOpens = x.CheckinOpens.Add(-time.Hour) },
			func(x *activity.Activity) { x.CheckinCloses = x.CheckinCloses.Add(time.Hour) },
			func(x *activity.Activity) { x.StartsAt = x.StartsAt.Add(24 * time.Hour) },
			func(x *activity.Activity) { x.WalkIns = true },
			func(x *activity.Activity) { x.Status = activity.StatusCancelled },
		} {
			change(act)
			if err := b.UpdateActivity(ctx, act, &audit.Record{ActorName: "test", Action: "activity.update"}); err != nil {
				t.Fatal(err)
			}
			want = *act
			want.OrgPath = branch.Path
			check("activity changed", p2.ID, &want, activity.ParticipantWalkIn)
		}

		branch.Name = "第二支部（新）"
		if err := orgs.UpdateOrganization(ctx, sys, branch); err != nil {
			t.Fatal(err)
		}
		check("organization renamed", p2.ID, &want, activity.ParticipantWalkIn)
		if err := orgs.MoveOrganization(ctx, sys, branch.ID, other.ID, branch.Version); err != nil {
			t.Fatal(err)
		}
		moved, err := orgs.Organization(ctx, sys, branch.ID)
		if err != nil {
			t.Fatal(err)
		}
		want.OrgPath = moved.Path
		check("organization moved", p2.ID, &want, activity.ParticipantWalkIn)

		// One request reads the versions once; its own write makes it read them again.
		rctx := a.RequestContext(ctx)
		if _, _, err := a.FindCheckIn(rctx, act.ID, p1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Invite(rctx, &activity.Invitation{ActivityID: act.ID, PersonID: p1.ID}, nil, rec); err != nil {
			t.Fatal(err)
		}
		if _, part, err := a.FindCheckIn(rctx, act.ID, p1.ID); err != nil || part != activity.ParticipantInvited {
			t.Errorf("after the request's own invitation: participation %d, %v", part, err)
		}

		if _, err := b.SQL().Exec(placeholders(d, "DELETE FROM activities WHERE id = ?"), act.ID); err != nil {
			t.Fatal(err)
		}
		check("activity deleted", p1.ID, nil, 0)
	})
}
