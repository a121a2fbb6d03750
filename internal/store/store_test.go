package store_test

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestMigrationParity keeps the two dialects' migration lists identical.
func TestMigrationParity(t *testing.T) {
	names := func(d store.Dialect) []string {
		db := &store.DB{Dialect: d}
		var out []string
		fs.WalkDir(db.MigrationsFS(), ".", func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	s, p := names(store.SQLite), names(store.Postgres)
	if len(s) == 0 || !slices.Equal(s, p) {
		t.Fatalf("migrations differ: sqlite %v, postgres %v", s, p)
	}
}

func mustOrg(t *testing.T, svc *org.Service, a *auth.Actor, parent int64, kind, name string) *org.Organization {
	t.Helper()
	o := &org.Organization{ParentID: parent, Kind: kind, Name: name}
	if err := svc.CreateOrganization(context.Background(), a, o); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return o
}

func TestOrganizationsAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		svc := org.NewService(db, db, time.Now)
		admin := auth.System("test")

		top := mustOrg(t, svc, admin, 0, org.KindCommittee, "华东国际珠宝城党委")
		b2 := mustOrg(t, svc, admin, top.ID, org.KindBranch, "第二支部")
		b1 := mustOrg(t, svc, admin, top.ID, org.KindBranch, "第一支部")
		g := mustOrg(t, svc, admin, b2.ID, org.KindGroup, "第一党小组")
		if want := b2.Path + "4/"; g.Path != want {
			t.Fatalf("group path = %q, want %q", g.Path, want)
		}
		// A group cannot hold a branch.
		err := svc.CreateOrganization(ctx, admin, &org.Organization{ParentID: g.ID, Kind: org.KindBranch, Name: "x"})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("branch under group: err = %v, want invalid", err)
		}

		p := &org.Person{OrgID: g.ID, Name: "张三", IDNumber: "11010519491231002X", Phone: "13812345678", Stage: org.StageFull}
		if err := svc.CreatePerson(ctx, admin, p); err != nil {
			t.Fatalf("create person: %v", err)
		}
		if p.IDNumberMask != "110105********002X" || p.PhoneMask != "138****5678" {
			t.Fatalf("masks = %q %q", p.IDNumberMask, p.PhoneMask)
		}
		got, err := db.FindPersonByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BirthDate != "1949-12-31" || got.Gender != "female" || got.NameInitials != "zs" {
			t.Fatalf("derived fields = %q %q %q", got.BirthDate, got.Gender, got.NameInitials)
		}
		dup := &org.Person{OrgID: b1.ID, Name: "李四", IDNumber: "11010519491231002X"}
		if err := svc.CreatePerson(ctx, admin, dup); apperr.As(err) == nil || apperr.As(err).Fields["id_number"] != "error.id_duplicate" {
			t.Fatalf("duplicate ID number: err = %v", err)
		}
		mustPerson(t, svc, admin, b1.ID, "李四", org.StageProbationary)
		mustPerson(t, svc, admin, b2.ID, "王五", org.StageMasses)

		// Search by pinyin initials, full pinyin and phone tail, scoped by subtree.
		for _, tt := range []struct {
			roots []string
			query string
			want  []string
		}{
			{[]string{"/"}, "zs", []string{"张三"}},
			{[]string{"/"}, "zhang", []string{"张三"}},
			{[]string{"/"}, "5678", []string{"张三"}},
			{[]string{"/"}, "", []string{"李四", "王五", "张三"}},
			{[]string{b2.Path}, "", []string{"王五", "张三"}},
			{[]string{b1.Path}, "张", nil},
			{[]string{"/"}, "%", nil},
		} {
			list, total, err := db.FindPeople(ctx, org.PeopleFilter{Roots: tt.roots, Query: tt.query, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range list {
				names = append(names, p.Name)
			}
			if !slices.Equal(names, tt.want) || total != len(tt.want) {
				t.Errorf("FindPeople(%v, %q) = %v (%d), want %v", tt.roots, tt.query, names, total, tt.want)
			}
		}

		// Two editors: the second save with the old version is refused.
		first, _ := db.FindPersonByID(ctx, p.ID)
		second := *first
		first.Notes, first.KeepIDNumber, first.KeepPhone = "first", true, true
		if err := svc.UpdatePerson(ctx, admin, first); err != nil {
			t.Fatalf("first update: %v", err)
		}
		second.Notes, second.KeepIDNumber, second.KeepPhone = "second", true, true
		if err := svc.UpdatePerson(ctx, admin, &second); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("second update: err = %v, want stale", err)
		}
		clear, err := svc.Reveal(ctx, admin, p.ID, "id_number")
		if err != nil || clear != "11010519491231002X" {
			t.Fatalf("reveal = %q, %v", clear, err)
		}

		counts, err := db.CountPeople(ctx, []string{top.Path})
		if err != nil || counts["total"] != 3 || counts[org.StageFull] != 1 {
			t.Fatalf("counts = %v, %v", counts, err)
		}
		tree, err := db.FindOrganizations(ctx, []string{"/"})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, o := range tree {
			order = append(order, o.Name)
		}
		if want := []string{"华东国际珠宝城党委", "第一支部", "第二支部", "第一党小组"}; !slices.Equal(order, want) {
			t.Fatalf("tree order = %v, want %v", order, want)
		}
		names, err := db.FindOrganizationNames(ctx, []string{b2.Path})
		if err != nil || len(names) != 2 || names[0].Name != "第二支部" || names[1].Name != "第一党小组" || names[1].Depth != 2 {
			t.Fatalf("FindOrganizationNames(second branch) = %v, %v", names, err)
		}
	})
}

func mustPerson(t *testing.T, svc *org.Service, a *auth.Actor, orgID int64, name, stage string) *org.Person {
	t.Helper()
	p := &org.Person{OrgID: orgID, Name: name, Stage: stage}
	if err := svc.CreatePerson(context.Background(), a, p); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return p
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		for i := 0; i < 5; i++ {
			if err := db.AppendAudit(ctx, &audit.Record{ActorName: "t", Action: "test.event", Before: `{"n":1}`}); err != nil {
				t.Fatal(err)
			}
		}
		if p, n, err := db.VerifyAudit(ctx); err != nil || p != nil || n != 5 {
			t.Fatalf("verify intact = %v, %d, %v", p, n, err)
		}
		// Appends from many connections at once wait for each other at the chain's tail: every
		// one is a link, none forks the chain.
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					errs <- db.AppendAudit(ctx, &audit.Record{ActorName: "t", Action: "test.concurrent"})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if p, n, err := db.VerifyAudit(ctx); err != nil || p != nil || n != 45 {
			t.Fatalf("verify after concurrent appends = %v, %d, %v", p, n, err)
		}
		var tailID int64
		if err := db.SQL().QueryRow("SELECT last_id FROM audit_tail").Scan(&tailID); err != nil || tailID != 45 {
			t.Fatalf("audit tail = %d, %v; want 45", tailID, err)
		}
		// The database refuses changes to the log.
		if _, err := db.SQL().Exec("UPDATE audit_log SET action = 'x' WHERE id = 2"); err == nil {
			t.Fatal("update of audit_log was allowed")
		}
		if _, err := db.SQL().Exec("DELETE FROM audit_log WHERE id = 2"); err == nil {
			t.Fatal("delete from audit_log was allowed")
		}
		// Someone with direct access removes the guard and alters a row: verify finds it.
		disable := map[store.Dialect]string{store.SQLite: "DROP TRIGGER audit_log_no_update",
			store.Postgres: "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"}[d]
		if _, err := db.SQL().Exec(disable); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec("UPDATE audit_log SET before_json = '{}' WHERE id = 3"); err != nil {
			t.Fatal(err)
		}
		if p, _, _ := db.VerifyAudit(ctx); p == nil || p.ID != 3 || p.Reason != "altered" {
			t.Fatalf("verify after alteration = %+v, want row 3 altered", p)
		}
	})
}
