package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// BenchmarkFindPeople measures one page of the people list on a generated register of
// DANGJIAN_BENCH_PEOPLE people (100,000 when unset) on each database. Generating takes some
// twenty seconds per database, so it runs only with -bench (never in go test ./...) and not
// with -short:
//
//	go test ./internal/store -run '^$' -bench FindPeople -benchtime 3s
//
// docs/performance.md has the figures and the load test of the whole page.
func BenchmarkFindPeople(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a large register")
	}
	n := 100000
	if s := os.Getenv("DANGJIAN_BENCH_PEOPLE"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("DANGJIAN_BENCH_PEOPLE: %v", err)
		}
	}
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, d, nil)
			g, err := demo.Generate(ctx, db, demo.GenerateOptions{People: n, Seed: 1, Now: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			if d == store.Postgres {
				// What autovacuum does soon after a bulk load in production.
				if _, err := db.SQL().Exec("VACUUM ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			small := g.Largest
			for _, o := range g.Orgs {
				if o.Kind == org.KindBranch && g.Subtree[o.ID] > 0 && g.Subtree[o.ID] < g.Subtree[small.ID] {
					small = o
				}
			}
			branch := []string{g.Largest.Path}
			for _, c := range []struct {
				name string
				f    org.PeopleFilter
			}{
				{"branch", org.PeopleFilter{Roots: branch, Limit: 20}},
				{"branch-page50", org.PeopleFilter{Roots: branch, Limit: 20, Offset: 980}},
				{"branch-search", org.PeopleFilter{Roots: branch, Query: "ly", Limit: 20}},
				{"small-branch", org.PeopleFilter{Roots: []string{small.Path}, Limit: 20}},
				{"everyone", org.PeopleFilter{Roots: []string{"/"}, Limit: 20}},
				{"everyone-members", org.PeopleFilter{Roots: []string{"/"}, Members: true, Limit: 20}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						if _, _, err := db.FindPeople(ctx, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
