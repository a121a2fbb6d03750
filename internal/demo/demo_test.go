package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestLoad loads the demo set on both databases and checks what the story needs: the
// accounts log in with the right scope, the counts match a recount, and the Second Branch's
// committee term warning shows.
func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		orgs := org.NewService(db, db, time.Now)
		users := auth.NewService(db, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour, LockoutAttempts: 5, LockoutFor: time.Minute}, time.Now)
		data, err := demo.Load(ctx, orgs, users, time.Now(), "demo-pass-2023")
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]*auth.Actor{}
		for _, acc := range data.Accounts {
			token, _, err := users.Login(ctx, acc.Username, "demo-pass-2023", "", "")
			if err != nil {
				t.Fatalf("login %s: %v", acc.Username, err)
			}
			if actors[acc.Username], err = users.Authenticate(ctx, token, ""); err != nil {
				t.Fatal(err)
			}
		}
		if a := actors["secretary"]; !a.CanAdmin(data.SecondBranch.Path) || a.CanAdmin(data.FirstBranch.Path) {
			t.Errorf("secretary scope = %+v", a)
		}
		if a := actors["inspector"]; !a.CanView(data.FirstBranch.Path) || a.CanAdmin(data.FirstBranch.Path) {
			t.Errorf("inspector scope = %+v", a)
		}
		if a := actors["member"]; a.IsStaff() || a.MemberPath == "" {
			t.Errorf("member scope = %+v", a)
		}
		counts, err := orgs.HomeCounts(ctx, actors["admin"])
		if err != nil {
			t.Fatal(err)
		}
		_, total, err := orgs.People(ctx, actors["admin"], org.PeopleFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if counts["total"] != total || total < 188 || counts[org.StageMasses] != 150 {
			t.Errorf("counts = %v, recount = %d", counts, total)
		}
		if w := org.TermWarning(data.SecondBranch, time.Now()); w != "6m" {
			t.Errorf("Second Branch term warning = %q, want 6m", w)
		}
	})
}
