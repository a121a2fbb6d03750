package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// checkingBulk checks every generated person on its way to the database.
type checkingBulk struct {
	demo.Bulk
	t       *testing.T
	batches int
	ids     map[string]bool
}

func (c *checkingBulk) BulkCreatePeople(ctx context.Context, people []*org.Person, rec *audit.Record) error {
	c.batches++
	for _, p := range people {
		if p.IDNumber != "" {
			id, err := pii.ParseIDNumber(p.IDNumber)
			gender := map[bool]string{true: "male", false: "female"}[id.Male]
			if err != nil || id.BirthDate.Format(time.DateOnly) != p.BirthDate || gender != p.Gender {
				c.t.Errorf("%s: ID number %s (%v) against birth %s, gender %s", p.Name, p.IDNumber, err, p.BirthDate, p.Gender)
			}
			if c.ids[p.IDNumber] {
				c.t.Errorf("ID number %s given twice", p.IDNumber)
			}
			c.ids[p.IDNumber] = true
		}
		if p.Phone != "" {
			if _, err := pii.ParsePhone(p.Phone); err != nil {
				c.t.Errorf("%s: phone %s: %v", p.Name, p.Phone, err)
			}
		}
		if full, initials := org.Pinyin(p.Name); full != p.NamePinyin || initials != p.NameInitials {
			c.t.Errorf("%s: pinyin %s %s, want %s %s", p.Name, p.NamePinyin, p.NameInitials, full, initials)
		}
	}
	return c.Bulk.BulkCreatePeople(ctx, people, rec)
}

// TestGenerate generates a small register on both databases and checks that the people list,
// the counts and the tree agree with what was generated, that the rows pass the service's own
// validation, and that each batch left one audit record.
func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		svc := org.NewService(db, db, time.Now)
		sys := auth.System("test")
		bulk := &checkingBulk{Bulk: db, t: t, ids: map[string]bool{}}
		g, err := demo.Generate(ctx, bulk, demo.GenerateOptions{People: 500, Orgs: 30, Seed: 3, Now: time.Now(), Batch: 200})
		if err != nil {
			t.Fatal(err)
		}
		if g.People != 500 || len(g.Orgs) != 30 || bulk.batches != 3 {
			t.Fatalf("generated %d people, %d organizations in %d batches; want 500, 30, 3", g.People, len(g.Orgs), bulk.batches)
		}
		kinds := map[string]int{}
		for _, o := range g.Orgs {
			kinds[o.Kind]++
		}
		if kinds[org.KindCommittee] != 1 || kinds[org.KindGeneralBranch] == 0 || kinds[org.KindBranch] == 0 || kinds[org.KindGroup] == 0 {
			t.Errorf("organization kinds = %v", kinds)
		}

		// The list counts right, for everyone and for the largest branch's administrator.
		_, total, err := svc.People(ctx, sys, org.PeopleFilter{})
		if err != nil || total != 500 {
			t.Fatalf("people total = %d, %v; want 500", total, err)
		}
		branch := &auth.Actor{UserID: 99, Username: "branch", AdminPaths: []string{g.Largest.Path}}
		list, total, err := svc.People(ctx, branch, org.PeopleFilter{})
		if err != nil || total != g.Subtree[g.Largest.ID] || len(list) != 20 {
			t.Fatalf("branch list = %d rows of %d, %v; want 20 of %d", len(list), total, err, g.Subtree[g.Largest.ID])
		}
		if share := float64(total) / 500; share < 0.08 {
			t.Errorf("largest branch holds %.0f%% of the register; want a large share", share*100)
		}
		for _, p := range list {
			if !strings.HasPrefix(p.OrgPath, g.Largest.Path) {
				t.Errorf("%s of %s listed for the administrator of %s", p.Name, p.OrgPath, g.Largest.Path)
			}
		}

		// Tree counts (people in normal status) agree with the list filtered the same way.
		tree, err := svc.Tree(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range tree[:5] {
			_, n, err := svc.People(ctx, sys, org.PeopleFilter{OrgPath: o.Path, Status: org.StatusNormal})
			if err != nil || n != o.PeopleCount {
				t.Errorf("%s: tree counts %d people, list %d (%v)", o.Name, o.PeopleCount, n, err)
			}
		}

		// Generated rows are rows the application accepts: saving them again through the
		// service, which validates everything, succeeds.
		for _, stage := range org.Stages {
			found, _, err := svc.People(ctx, sys, org.PeopleFilter{Stage: stage, Limit: 3})
			if err != nil || len(found) == 0 {
				t.Fatalf("no generated %s: %v", stage, err)
			}
			for _, p := range found {
				p.KeepIDNumber, p.KeepPhone = true, true
				if err := svc.UpdatePerson(ctx, sys, p); err != nil {
					t.Errorf("%s (%s): %v", p.Name, stage, err)
				}
			}
		}

		records, err := db.FindAudit(ctx, audit.Filter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		generated := 0
		for _, r := range records {
			if r.Action == "person.generate" {
				generated++
			}
		}
		if generated != 3 {
			t.Errorf("person.generate audit records = %d, want 3 (one per batch)", generated)
		}
		if p, _, err := db.VerifyAudit(ctx); err != nil || p != nil {
			t.Errorf("audit chain = %+v, %v", p, err)
		}
	})
}
