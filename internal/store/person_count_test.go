package store_test

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

type countKey struct {
	org           int64
	stage, status string
}

// recount returns the counters and a recount of the people table, both without zeros.
func recount(t *testing.T, db *store.DB) (counters, people map[countKey]int) {
	t.Helper()
	read := func(q string) map[countKey]int {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[countKey]int{}
		for rows.Next() {
			var k countKey
			var n int
			if err := rows.Scan(&k.org, &k.stage, &k.status, &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[k] = n
			}
		}
		return out
	}
	return read("SELECT org_id, stage, status, n FROM org_people_counts"),
		read("SELECT org_id, stage, status, COUNT(*) FROM people GROUP BY org_id, stage, status")
}

// TestPeopleCountsMatchRecount changes people in every way the application does and checks
// after each change that the counters the lists and the tree read agree with a recount.
func TestPeopleCountsMatchRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		svc := org.NewService(db, db, time.Now)
		sys := auth.System("test")
		top := mustOrg(t, svc, sys, 0, org.KindCommittee, "党委")
		b1 := mustOrg(t, svc, sys, top.ID, org.KindBranch, "第一支部")
		b2 := mustOrg(t, svc, sys, top.ID, org.KindBranch, "第二支部")
		check := func(step string) {
			t.Helper()
			counters, people := recount(t, db)
			if !maps.Equal(counters, people) {
				t.Fatalf("%s: counters %v, recount %v", step, counters, people)
			}
		}
		check("empty")
		a := mustPerson(t, svc, sys, b1.ID, "张三", org.StageFull)
		mustPerson(t, svc, sys, b1.ID, "李四", org.StageMasses)
		mustPerson(t, svc, sys, b2.ID, "王五", org.StageActivist)
		check("create")

		cur, err := db.FindPersonByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Status, cur.KeepIDNumber, cur.KeepPhone = org.StatusTransferred, true, true
		if err := svc.UpdatePerson(ctx, sys, cur); err != nil {
			t.Fatal(err)
		}
		check("status")
		cur.OrgID, cur.Stage = b2.ID, org.StageProbationary
		if err := svc.UpdatePerson(ctx, sys, cur); err != nil {
			t.Fatal(err)
		}
		check("organization and stage")
		cur.Notes = "no change to the counted columns"
		if err := svc.UpdatePerson(ctx, sys, cur); err != nil {
			t.Fatal(err)
		}
		check("notes")

		bulk := []*org.Person{{OrgID: b1.ID, Name: "赵六", Stage: org.StageMasses, Status: org.StatusNormal},
			{OrgID: b2.ID, Name: "钱七", Stage: org.StageFull, Status: org.StatusLost}}
		if err := db.BulkCreatePeople(ctx, bulk, &audit.Record{ActorName: "test", Action: "person.generate"}); err != nil {
			t.Fatal(err)
		}
		check("bulk")
		if _, err := db.SQL().Exec(placeholders(d, "UPDATE people SET org_id = ? WHERE org_id = ?"), b1.ID, b2.ID); err != nil {
			t.Fatal(err)
		}
		check("move everyone")

		// The tree's and the home page's counts come from the counters.
		counts, err := db.CountPeople(ctx, []string{top.Path})
		if err != nil {
			t.Fatal(err)
		}
		if counts["total"] != 3 || counts[org.StageMasses] != 2 || counts[org.StageActivist] != 1 {
			t.Errorf("CountPeople = %v, want 3 normal: 2 masses, 1 activist", counts)
		}
		tree, err := db.FindOrganizations(ctx, []string{top.Path})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][2]int{top.ID: {3, 0}, b1.ID: {3, 0}, b2.ID: {0, 0}}
		for _, o := range tree {
			if got := [2]int{o.PeopleCount, o.MemberCount}; got != want[o.ID] {
				t.Errorf("%s: people, members = %v, want %v", o.Name, got, want[o.ID])
			}
		}
	})
}

// placeholders writes the ? placeholders of a raw statement in the dialect's syntax.
func placeholders(d store.Dialect, q string) string {
	if d != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
