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

// sortedScope returns sc with its lists sorted, for comparison: neither statement orders them.
func sortedScope(sc auth.Scope) auth.Scope {
	sc.AdminPaths, sc.ViewPaths = slices.Sorted(slices.Values(sc.AdminPaths)), slices.Sorted(slices.Values(sc.ViewPaths))
	sc.TreeVersion = 0
	return sc
}

// treeVersion reads the tree's version straight from the database.
func treeVersion(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var v int64
	if err := db.SQL().QueryRow("SELECT v FROM tree_version WHERE id = 1").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFindSessionScopeMatchesResolveScope: the one statement of every request finds the same
// scope as ResolveScope, for grants of both roles, committee positions in and out of their
// terms, membership, and grants on a dissolved organization, with the current tree version.
func TestFindSessionScopeMatchesResolveScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}
		db := storetest.Open(t, d, clk.Now)
		orgs := org.NewService(db, db, clk.Now)
		svc := auth.NewService(db, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: 12 * time.Hour,
			LockoutAttempts: 5, LockoutFor: time.Minute}, clk.Now)
		sys := auth.System("test")
		top := mustOrg(t, orgs, sys, 0, org.KindCommittee, "党委")
		b1 := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第一支部")
		b2 := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第二支部")
		b3 := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "第三支部")
		gone := mustOrg(t, orgs, sys, top.ID, org.KindBranch, "已撤销支部")
		member := mustPerson(t, orgs, sys, b1.ID, "张三", org.StageFull)
		other := mustPerson(t, orgs, sys, b2.ID, "李四", org.StageFull)
		for _, p := range []*org.Position{
			{OrgID: b2.ID, PersonID: member.ID, Position: org.Positions[0], TermStart: "2025-01-01", TermEnd: "2027-12-31"},
			{OrgID: b3.ID, PersonID: member.ID, Position: org.Positions[0], TermStart: "2020-01-01", TermEnd: "2022-12-31"},
			{OrgID: b3.ID, PersonID: member.ID, Position: org.Positions[1]},
		} {
			if err := orgs.AddPosition(ctx, sys, p); err != nil {
				t.Fatal(err)
			}
		}
		password := "correct horse battery"
		users := map[string]*auth.User{}
		for _, n := range []auth.NewUser{
			{Username: "admin", SysAdmin: true},
			{Username: "member", PersonID: member.ID},
			{Username: "granted", PersonID: other.ID},
			{Username: "nobody"},
		} {
			n.Password = password
			u, err := svc.CreateUser(ctx, sys, n)
			if err != nil {
				t.Fatal(err)
			}
			users[n.Username] = u
		}
		for _, g := range []*auth.Grant{
			{UserID: users["granted"].ID, Role: auth.RoleOrgAdmin, OrgID: b1.ID},
			{UserID: users["granted"].ID, Role: auth.RoleViewer, OrgID: top.ID},
			{UserID: users["granted"].ID, Role: auth.RoleOrgAdmin, OrgID: gone.ID},
			{UserID: users["member"].ID, Role: auth.RoleViewer, OrgID: b3.ID},
		} {
			if err := svc.GrantRole(ctx, sys, g); err != nil {
				t.Fatal(err)
			}
		}
		if err := orgs.DissolveOrganization(ctx, sys, gone.ID, gone.Version); err != nil {
			t.Fatal(err)
		}
		today := "2026-11-25"
		for name, u := range users {
			token, _, err := svc.Login(ctx, name, password, "127.0.0.1", "test")
			if err != nil {
				t.Fatalf("%s: login: %v", name, err)
			}
			sess, got, sc, err := db.FindSessionScope(ctx, auth.HashToken(token), today)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if sess.UserID != u.ID || got.ID != u.ID || got.Username != name {
				t.Fatalf("%s: session of user %d, account %d %q", name, sess.UserID, got.ID, got.Username)
			}
			want, err := db.ResolveScope(ctx, u.ID, u.PersonID, today)
			if err != nil {
				t.Fatal(err)
			}
			if sc.TreeVersion != treeVersion(t, db) {
				t.Errorf("%s: tree version %d, want %d", name, sc.TreeVersion, treeVersion(t, db))
			}
			if g, w := sortedScope(sc), sortedScope(want); !slices.Equal(g.AdminPaths, w.AdminPaths) ||
				!slices.Equal(g.ViewPaths, w.ViewPaths) || g.MemberPath != w.MemberPath {
				t.Errorf("%s: scope %+v, want %+v", name, g, w)
			}
		}
		// The member administers the second branch (position in term) and the third (no
		// term), views the third, and belongs to the first; the granted user's grant on the
		// dissolved branch counts for nothing.
		_, _, sc, _ := db.FindSessionScope(ctx, "no such token", today)
		if len(sc.AdminPaths)+len(sc.ViewPaths) != 0 {
			t.Fatalf("unknown token: scope %+v", sc)
		}
		if _, _, _, err := db.FindSessionScope(ctx, "no such token", today); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("unknown token: err = %v, want not found", err)
		}
		member1, _, _ := svc.Login(ctx, "member", password, "", "")
		_, _, sc, err := db.FindSessionScope(ctx, auth.HashToken(member1), today)
		if err != nil {
			t.Fatal(err)
		}
		if g := sortedScope(sc); !slices.Equal(g.AdminPaths, []string{b2.Path, b3.Path}) ||
			!slices.Equal(g.ViewPaths, []string{b3.Path}) || g.MemberPath != b1.Path {
			t.Fatalf("member: scope %+v", g)
		}
	})
}
