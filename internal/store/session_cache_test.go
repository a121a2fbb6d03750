package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestSessionCopyFollowsEveryChange: instance a answers sessions from its copy, and after
// every change made through instance b — a grant given and revoked, a committee position
// added and ended, the member moved to another branch, the account renamed and made an
// administrator, the organization tree changed, the day changed, a logout, an account
// disabled — a's answer is what the database holds: never a scope, account or session older
// than the change.
func TestSessionCopyFollowsEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, b := openShared(t, d)
		sys := auth.System("test")
		orgs := org.NewService(b, b, nil)
		users := auth.NewService(b, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: 12 * time.Hour,
			LockoutAttempts: 5, LockoutFor: time.Minute}, time.Now)
		top := mustOrg(t, orgs, sys, 0, org.KindCommittee, "党委")
		b1 := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第一支部")
		b2 := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第二支部")
		member := mustPerson(t, orgs, sys, b1.ID, "张三", org.StageFull)
		password := "correct horse battery"
		u, err := users.CreateUser(ctx, sys, auth.NewUser{Username: "member", Password: password, PersonID: member.ID})
		if err != nil {
			t.Fatal(err)
		}
		var raw string // the cookie's token of the last login
		login := func() string {
			t.Helper()
			var err error
			if raw, _, err = users.Login(ctx, "member", password, "127.0.0.1", "test"); err != nil {
				t.Fatal(err)
			}
			return auth.HashToken(raw)
		}
		token := login()
		today := time.Now().Format(time.DateOnly)

		// check asks a twice (the second answer comes from its copy) and compares both with
		// what b reads from the database.
		check := func(step, day string) {
			t.Helper()
			want, err := b.ResolveScope(ctx, u.ID, member.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			account, err := b.FindUserByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				sess, got, sc, err := a.FindSessionScope(ctx, token, day)
				if err != nil {
					t.Fatalf("%s (%d): %v", step, i, err)
				}
				if sess.TokenHash != token || got.DisplayName != account.DisplayName || got.SysAdmin != account.SysAdmin ||
					got.PersonID != account.PersonID {
					t.Fatalf("%s (%d): session %+v, account %+v, want %+v", step, i, sess, got, account)
				}
				if g, w := sortedScope(sc), sortedScope(want); !slices.Equal(g.AdminPaths, w.AdminPaths) ||
					!slices.Equal(g.ViewPaths, w.ViewPaths) || g.MemberPath != w.MemberPath {
					t.Fatalf("%s (%d): scope %+v, want %+v", step, i, g, w)
				}
				if sc.TreeVersion != treeVersion(t, b) {
					t.Fatalf("%s (%d): tree version %d, want %d", step, i, sc.TreeVersion, treeVersion(t, b))
				}
				// Changing an answer changes nothing kept.
				sc.AdminPaths = append(sc.AdminPaths[:0:0], "/999/")
				got.DisplayName = "改掉"
			}
		}
		check("logged in", today)

		grant := &auth.Grant{UserID: u.ID, Role: auth.RoleViewer, OrgID: top.ID}
		if err := users.GrantRole(ctx, sys, grant); err != nil {
			t.Fatal(err)
		}
		check("a grant given", today)
		grants, err := users.Grants(ctx, sys, u.ID)
		if err != nil || len(grants) != 1 {
			t.Fatalf("grants = %v, %v", grants, err)
		}
		if err := users.RevokeGrant(ctx, sys, u.ID, grants[0].ID); err != nil {
			t.Fatal(err)
		}
		check("the grant revoked", today)

		pos := &org.Position{OrgID: b2.ID, PersonID: member.ID, Position: org.Positions[0], TermStart: "2020-01-01", TermEnd: "2099-12-31"}
		if err := orgs.AddPosition(ctx, sys, pos); err != nil {
			t.Fatal(err)
		}
		check("a position added", today)
		check("another day, before the term", "2019-06-01")
		if err := orgs.EndPosition(ctx, sys, b2.ID, pos.ID, time.Now().AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
		check("the position ended", today)

		p, err := orgs.Person(ctx, sys, member.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.OrgID = b2.ID
		if err := orgs.UpdatePerson(ctx, sys, p); err != nil {
			t.Fatal(err)
		}
		check("the member moved", today)

		moving, err := b.FindOrganizationByID(ctx, b2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := orgs.MoveOrganization(ctx, sys, b2.ID, b1.ID, moving.Version); err != nil {
			t.Fatal(err)
		}
		check("the member's branch moved", today)

		if _, err := b.SQL().ExecContext(ctx, placeholders(d, "UPDATE users SET display_name = ?, is_sysadmin = ? WHERE id = ?"), "张书记", true, u.ID); err != nil {
			t.Fatal(err)
		}
		check("the account renamed and made an administrator", today)

		if err := users.Logout(ctx, raw); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.FindSessionScope(ctx, token, today); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("after logout: err = %v, want not found", err)
		}

		token = login()
		check("logged in again", today)
		if err := users.SetDisabled(ctx, sys, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.FindSessionScope(ctx, token, today); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("after the account was disabled: err = %v, want not found", err)
		}
	})
}
