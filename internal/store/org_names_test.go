package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// openShared opens two instances of the store on one database, as two application instances
// sharing a PostgreSQL database (or, on SQLite, two processes on one file) would.
func openShared(t *testing.T, d store.Dialect) (a, b *store.DB) {
	t.Helper()
	ctx := context.Background()
	opts := store.Options{Sealer: storetest.Sealer(t)}
	if d == store.Postgres {
		opts.URL = storetest.NewPostgresDB(t)
	} else {
		opts.Path = filepath.Join(t.TempDir(), "dangjian.db")
	}
	for _, db := range []**store.DB{&a, &b} {
		var err error
		if *db, err = store.Open(ctx, opts); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*db).Close() })
	}
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// orgKeys lists what a filter shows of organizations: id, path, name and depth, in order.
func orgKeys(list []*org.Organization) []string {
	var out []string
	for _, o := range list {
		out = append(out, o.Path+" "+o.Name+" "+string(rune('0'+o.Depth)))
	}
	return out
}

// TestOrganizationNamesAtFollowEveryChange: an instance that keeps the organization names of
// a tree version never answers with a tree older than the version it is asked for, whichever
// instance changed the tree and however (create, rename, move, dissolve, bulk create), and
// answers every set of roots as FindOrganizationNames does.
func TestOrganizationNamesAtFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, b := openShared(t, d)
		sys := auth.System("test")
		orgsA, orgsB := org.NewService(a, a, nil), org.NewService(b, b, nil)
		top := mustOrg(t, orgsA, sys, 0, org.KindCommittee, "党委")
		b1 := mustOrg(t, orgsA, sys, top.ID, org.KindBranch, "第一支部")
		b2 := mustOrg(t, orgsA, sys, top.ID, org.KindBranch, "第二支部")
		g1 := mustOrg(t, orgsA, sys, b2.ID, org.KindGroup, "第一党小组")
		mustOrg(t, orgsA, sys, b2.ID, org.KindGroup, "第二党小组")
		other := mustOrg(t, orgsA, sys, 0, org.KindCommittee, "另一党委")

		// check asks instance a for the names at the database's current version, and compares
		// them with a fresh read, for several sets of roots.
		check := func(step string) {
			t.Helper()
			v := treeVersion(t, a)
			for _, roots := range [][]string{{"/"}, {b2.Path}, {b1.Path, other.Path}, {other.Path, b1.Path},
				{b2.Path, g1.Path}, {"/9999/"}} {
				got, err := a.FindOrganizationNamesAt(ctx, roots, v)
				if err != nil {
					t.Fatal(err)
				}
				want, err := a.FindOrganizationNames(ctx, roots)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(orgKeys(got), orgKeys(want)) {
					t.Errorf("%s: names under %v at version %d:\n got %v\nwant %v", step, roots, v, orgKeys(got), orgKeys(want))
				}
			}
		}
		check("start")
		// Callers may change what they get: the kept copy stays as it was.
		v := treeVersion(t, a)
		list, _ := a.FindOrganizationNamesAt(ctx, []string{"/"}, v)
		list[0].Name = "changed by a caller"
		again, _ := a.FindOrganizationNamesAt(ctx, []string{"/"}, v)
		if again[0].Name == "changed by a caller" {
			t.Fatal("a caller changed the kept copy")
		}

		// Every change, made through the other instance, changes the version and is seen.
		steps := []struct {
			name   string
			change func() error
		}{
			{"create", func() error {
				return orgsB.CreateOrganization(ctx, sys, &org.Organization{ParentID: b1.ID, Kind: org.KindGroup, Name: "新党小组"})
			}},
			{"rename", func() error {
				upd := *b1
				upd.Name = "第一支部（更名）"
				return orgsB.UpdateOrganization(ctx, sys, &upd)
			}},
			{"move", func() error {
				cur, err := b.FindOrganizationByID(ctx, g1.ID)
				if err != nil {
					return err
				}
				return orgsB.MoveOrganization(ctx, sys, g1.ID, b1.ID, cur.Version)
			}},
			{"dissolve", func() error {
				cur, err := b.FindOrganizationByID(ctx, other.ID)
				if err != nil {
					return err
				}
				return orgsB.DissolveOrganization(ctx, sys, other.ID, cur.Version)
			}},
			{"bulk create", func() error {
				return b.BulkCreateOrganizations(ctx, []*org.Organization{{ParentID: top.ID, Path: top.Path, Kind: org.KindBranch, Name: "第三支部"}},
					&audit.Record{ActorName: "test", Action: "organization.generate", ObjectType: "organization"})
			}},
		}
		for _, s := range steps {
			before := treeVersion(t, a)
			// Instance a keeps the names of the version before the change.
			if _, err := a.FindOrganizationNamesAt(ctx, []string{"/"}, before); err != nil {
				t.Fatal(err)
			}
			if err := s.change(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if after := treeVersion(t, a); after <= before {
				t.Fatalf("%s: version %d after the change, %d before", s.name, after, before)
			}
			check(s.name)
			// A caller still at the old version (its snapshot predates the change) is answered
			// from the database, never with less than what it could see.
			old, err := a.FindOrganizationNamesAt(ctx, []string{"/"}, before)
			if err != nil {
				t.Fatal(err)
			}
			now, _ := a.FindOrganizationNames(ctx, []string{"/"})
			if !slices.Equal(orgKeys(old), orgKeys(now)) {
				t.Errorf("%s: at the old version got %v, want the current tree %v", s.name, orgKeys(old), orgKeys(now))
			}
		}
		// Version 0 (unknown) reads the database.
		got, err := a.FindOrganizationNamesAt(ctx, []string{b1.Path}, 0)
		if err != nil || len(got) == 0 || got[0].Name != "第一支部（更名）" {
			t.Fatalf("version 0: %v, %v", orgKeys(got), err)
		}
	})
}
