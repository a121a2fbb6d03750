package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// BenchmarkCompliancePage measures the subtree compliance page of a committee with 1,000
// branches and five years of activities (about 29 a branch a year: monthly theme party days
// and committee meetings, quarterly general meetings, a yearly life meeting, with gaps),
// through the whole handler chain. `go test -bench CompliancePage -run '^$' ./internal/web`.
func BenchmarkCompliancePage(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, d)
			committee := f.demo.Committee
			seedBranches(b, f, committee, 1000, 5)
			base, _ := url.Parse(f.srv.URL)
			for _, path := range []string{"/orgs/" + id(committee.ID) + "/compliance?scope=subtree", "/orgs/" + id(committee.ID) + "/compliance"} {
				name := "subtree"
				if !strings.Contains(path, "scope") {
					name = "committee"
				}
				b.Run(name, func(b *testing.B) {
					req := httptest.NewRequest("GET", path, nil)
					for _, c := range f.clients["admin"].Jar.Cookies(base) {
						req.AddCookie(c)
					}
					for b.Loop() {
						w := httptest.NewRecorder()
						f.app.Web.ServeHTTP(w, req)
						if w.Code != http.StatusOK {
							b.Fatalf("status %d", w.Code)
						}
					}
				})
			}
		})
	}
}

// seedBranches adds n branches under parent and years of activities of each, written in bulk.
func seedBranches(b *testing.B, f *fixture, parent *org.Organization, n, years int) {
	b.Helper()
	ctx := context.Background()
	list := make([]*org.Organization, n)
	for i := range list {
		list[i] = &org.Organization{ParentID: parent.ID, Path: parent.Path, Kind: org.KindBranch, Name: fmt.Sprintf("压测第%d支部", i+1)}
	}
	if err := f.app.DB.BulkCreateOrganizations(ctx, list, &audit.Record{ActorName: "bench", Action: "organization.generate"}); err != nil {
		b.Fatal(err)
	}
	db := f.app.DB.SQL()
	pg := f.app.DB.Dialect == store.Postgres
	now := time.Now().In(f.app.Zone)
	var acts, links [][]any
	next := int64(1_000_000)
	for _, o := range list {
		for y := now.Year() - years + 1; y <= now.Year(); y++ {
			for m := 1; m <= 12; m++ {
				add := func(day int, typ string) {
					start := time.Date(y, time.Month(m), day, 14, 0, 0, 0, f.app.Zone)
					if start.After(now) || (int(o.ID)+m+y)%7 == 0 {
						return // not yet, or a gap
					}
					next++
					s := start.UnixMilli()
					acts = append(acts, []any{next, o.ID, typ, s, s + 7_200_000, s - 1_800_000, s + 7_200_000, s, s})
					links = append(links, []any{next, typ})
				}
				add(5, "committee_meeting")
				add(15, "theme_day")
				if m%3 == 0 {
					add(20, "general_meeting")
				}
				if m == 12 {
					add(22, "life_meeting")
				}
			}
		}
	}
	if err := storetest.BulkInsert(db, pg, "INSERT INTO activities (id, org_id, title, starts_at, ends_at, checkin_opens_at, checkin_closes_at, created_at, updated_at) VALUES ", acts); err != nil {
		b.Fatal(err)
	}
	if err := storetest.BulkInsert(db, pg, "INSERT INTO activity_type_links (activity_id, type_code) VALUES ", links); err != nil {
		b.Fatal(err)
	}
	if pg {
		if _, err := db.Exec("ANALYZE"); err != nil {
			b.Fatal(err)
		}
	} else if _, err := db.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d branches and %d activities", n, len(acts))
}
