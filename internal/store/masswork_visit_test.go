package store_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// visitWorld is a committee with two branches, the masses of each in zones, two cadres'
// accounts and a settable clock.
type visitWorld struct {
	db       *store.DB
	d        store.Dialect
	clk      *clock
	branch   *org.Organization // the Second Branch, whose visits are read
	other    *org.Organization // the First Branch
	contacts []*org.Person     // masses of branch, normal
	outside  []*org.Person     // masses of other
	moved    *org.Person       // masses of branch, transferred out
	member   *org.Person       // a party member of branch
	users    []*auth.User
}

func newVisitWorld(t *testing.T, d store.Dialect) *visitWorld {
	t.Helper()
	ctx := context.Background()
	w := &visitWorld{d: d, clk: &clock{t: time.Date(2023, 7, 10, 1, 0, 0, 0, time.UTC)}}
	w.db = storetest.Open(t, d, w.clk.Now)
	svc := org.NewService(w.db, w.db, w.clk.Now)
	sys := auth.System("test")
	top := mustOrg(t, svc, sys, 0, org.KindCommittee, "华东国际珠宝城党委")
	w.branch = mustOrg(t, svc, sys, top.ID, org.KindBranch, "第二支部")
	w.other = mustOrg(t, svc, sys, top.ID, org.KindBranch, "第一支部")
	person := func(o *org.Organization, name, zone, booth, stage, status string) *org.Person {
		p := &org.Person{OrgID: o.ID, Name: name, Zone: zone, Booth: booth, Stage: stage, Status: status}
		if err := svc.CreatePerson(ctx, sys, p); err != nil {
			t.Fatalf("person %s: %v", name, err)
		}
		return p
	}
	for i := 0; i < 12; i++ {
		zone := "A区"
		if i >= 8 {
			zone = "B区"
		}
		w.contacts = append(w.contacts, person(w.branch, fmt.Sprintf("商户%02d", i), zone, fmt.Sprintf("A-%03d", 101+i), org.StageMasses, org.StatusNormal))
	}
	w.outside = append(w.outside, person(w.other, "外支部商户", "A区", "A-900", org.StageMasses, org.StatusNormal))
	w.moved = person(w.branch, "已迁出商户", "A区", "A-950", org.StageMasses, org.StatusTransferred)
	w.member = person(w.branch, "党员甲", "A区", "A-960", org.StageFull, org.StatusNormal)
	users := auth.NewService(w.db, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour, LockoutAttempts: 5, LockoutFor: time.Minute}, w.clk.Now)
	for _, name := range []string{"cadre1", "cadre2"} {
		u, err := users.CreateUser(ctx, sys, auth.NewUser{Username: name, Password: "visit-test-password"})
		if err != nil {
			t.Fatal(err)
		}
		w.users = append(w.users, u)
	}
	return w
}

// visit records a visit of contact by user at t.
func (w *visitWorld) visit(t *testing.T, o *org.Organization, contact *org.Person, user *auth.User, visitor string, at time.Time) *masswork.Visit {
	t.Helper()
	v := &masswork.Visit{OrgID: o.ID, VisitorName: visitor, ContactID: contact.ID, Place: masswork.Place{Zone: contact.Zone, Booth: contact.Booth},
		VisitedAt: at, Summary: "聊了经营情况", CreatedBy: user.ID}
	if err := w.db.CreateVisit(context.Background(), v, &audit.Record{ActorID: user.ID, ActorName: user.Username, Action: "visit.create", ObjectType: "visit", OrgPath: o.Path}); err != nil {
		t.Fatalf("create visit: %v", err)
	}
	return v
}

func TestVisitStoreFindAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		w := newVisitWorld(t, d)
		u := w.users[0]
		day := func(n int) time.Time { return w.clk.Now().AddDate(0, 0, -n) }
		v1 := w.visit(t, w.branch, w.contacts[0], u, "王书记", day(30))
		v2 := w.visit(t, w.branch, w.contacts[1], u, "王书记", day(2))
		v3 := w.visit(t, w.branch, w.contacts[9], u, "李委员", day(10))
		vo := w.visit(t, w.other, w.outside[0], u, "赵书记", day(1))
		if v1.ID == 0 || v1.CreatedAt.IsZero() {
			t.Fatalf("created visit = %+v", v1)
		}
		ids := func(vs []*masswork.Visit) []int64 {
			var out []int64
			for _, v := range vs {
				out = append(out, v.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    masswork.VisitFilter
			want []int64
		}{
			{"branch", masswork.VisitFilter{Roots: []string{w.branch.Path}}, []int64{v2.ID, v3.ID, v1.ID}},
			{"everything", masswork.VisitFilter{Roots: []string{"/"}}, []int64{vo.ID, v2.ID, v3.ID, v1.ID}},
			{"two roots", masswork.VisitFilter{Roots: []string{w.other.Path, w.branch.Path}}, []int64{vo.ID, v2.ID, v3.ID, v1.ID}},
			{"other branch", masswork.VisitFilter{Roots: []string{w.other.Path}}, []int64{vo.ID}},
			{"no roots", masswork.VisitFilter{}, nil},
			{"zone", masswork.VisitFilter{Roots: []string{w.branch.Path}, Zone: "B区"}, []int64{v3.ID}},
			{"since", masswork.VisitFilter{Roots: []string{w.branch.Path}, Since: day(15)}, []int64{v2.ID, v3.ID}},
			{"contact", masswork.VisitFilter{Roots: []string{w.branch.Path}, ContactID: w.contacts[0].ID}, []int64{v1.ID}},
			{"contact elsewhere", masswork.VisitFilter{Roots: []string{w.branch.Path}, ContactID: w.outside[0].ID}, nil},
			{"page", masswork.VisitFilter{Roots: []string{w.branch.Path}, Limit: 1, Offset: 1}, []int64{v3.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.f.Limit == 0 {
					tt.f.Limit = 20
				}
				got, total, err := w.db.FindVisits(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				wantTotal := len(tt.want)
				if tt.name == "page" {
					wantTotal = 3
				}
				if !slices.Equal(ids(got), tt.want) || total != wantTotal {
					t.Errorf("got %v (total %d), want %v (total %d)", ids(got), total, tt.want, wantTotal)
				}
			})
		}

		got, err := w.db.FindVisitByID(ctx, v3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgPath != w.branch.Path || got.ContactName != w.contacts[9].Name || got.VisitorName != "李委员" ||
			!got.VisitedAt.Equal(v3.VisitedAt.Truncate(time.Millisecond)) || got.Zone != "B区" || got.CreatedBy != u.ID {
			t.Errorf("FindVisitByID = %+v", got)
		}
		if _, err := w.db.FindVisitByID(ctx, 99999); err == nil {
			t.Error("FindVisitByID of nothing: no error")
		}
		recs, err := w.db.FindAudit(ctx, audit.Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range recs {
			found = found || (r.Action == "visit.create" && r.ObjectID == v3.ID)
		}
		if !found {
			t.Error("no audit record of the visit")
		}
	})
}

// TestVisitStoreProblems checks that a visit carries the problems raised in it, with their
// matters' codes and categories, in lists and alone.
func TestVisitStoreProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		w := newVisitWorld(t, d)
		v := w.visit(t, w.branch, w.contacts[0], w.users[0], "王书记", w.clk.Now())
		bare := w.visit(t, w.branch, w.contacts[1], w.users[0], "王书记", w.clk.Now())
		now := w.clk.Now().UnixMilli()
		raw := w.db.SQL()
		pg := d == store.Postgres
		if err := storetest.BulkInsert(raw, pg, "INSERT INTO problem_categories (id, org_id, code, name_zh, name_en, created_at, updated_at) VALUES ",
			[][]any{{901, w.branch.ID, "parking", "停车难", "Parking", now, now}}); err != nil {
			t.Fatal(err)
		}
		if err := storetest.BulkInsert(raw, pg, "INSERT INTO matters (id, code, org_id, category_id, title, status, created_at, updated_at) VALUES ",
			[][]any{{801, "M8K2P", w.branch.ID, 901, "东门停车难", "submitted", now, now}}); err != nil {
			t.Fatal(err)
		}
		if err := storetest.BulkInsert(raw, pg, `INSERT INTO problems (id, matter_id, original_matter_id, code, secret_hash, channel, category_id,
			description, person_id, person_key, visit_id, created_at) VALUES `,
			[][]any{{701, 801, 801, "P7Q3R", "x", "visit", 901, "东门没地方停车", w.contacts[0].ID, "p:1", v.ID, now},
				{702, 801, 801, "P7Q3S", "x", "visit", 901, "装卸货车堵门", w.contacts[0].ID, "p:1", v.ID, now}}); err != nil {
			t.Fatal(err)
		}
		got, err := w.db.FindVisitByID(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, p := range got.Problems {
			codes = append(codes, p.Code+"/"+p.MatterCode+"/"+p.CategoryName+"/"+p.CategoryNameEn)
		}
		if want := []string{"P7Q3R/M8K2P/停车难/Parking", "P7Q3S/M8K2P/停车难/Parking"}; !slices.Equal(codes, want) {
			t.Errorf("problems = %v, want %v", codes, want)
		}
		list, _, err := w.db.FindVisits(ctx, masswork.VisitFilter{Roots: []string{"/"}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			want := 0
			if x.ID == v.ID {
				want = 2
			}
			if x.ID == bare.ID || x.ID == v.ID {
				if len(x.Problems) != want {
					t.Errorf("visit %d: %d problems, want %d", x.ID, len(x.Problems), want)
				}
			}
		}
	})
}

// TestVisitStoreCoverage checks coverage and the areas against a recount of random visits.
func TestVisitStoreCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		w := newVisitWorld(t, d)
		rng := rand.New(rand.NewPCG(4, 1))
		now := w.clk.Now()
		since := now.AddDate(0, -6, 0)
		type tally struct {
			n       int       // visits since
			last    time.Time // last ever
			visitor string    // of the last ever
		}
		want := map[int64]*tally{}
		// Contacts 0..9 get random visits over the last year; 10 and 11 none. The moved
		// person, the member and the other branch's contact are visited too and must not
		// count.
		for i := 0; i < 40; i++ {
			c := w.contacts[rng.IntN(10)]
			at := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour).Truncate(time.Millisecond)
			who := []string{"王书记", "李委员", "陈委员"}[rng.IntN(3)]
			w.visit(t, w.branch, c, w.users[rng.IntN(2)], who, at)
			tl := want[c.ID]
			if tl == nil {
				tl = &tally{}
				want[c.ID] = tl
			}
			if !at.Before(since) {
				tl.n++
			}
			if at.After(tl.last) {
				tl.last, tl.visitor = at, who
			}
		}
		for _, p := range []*org.Person{w.moved, w.member, w.outside[0]} {
			w.visit(t, w.branch, p, w.users[0], "王书记", now)
		}
		roots := []string{w.branch.Path}
		for _, zone := range []string{"A区", "B区", "C区"} {
			rows, err := w.db.Coverage(ctx, masswork.CoverageQuery{Roots: roots, Zone: zone, Since: since, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs, gotIDs []int64
			for _, c := range w.contacts {
				if c.Zone == zone {
					wantIDs = append(wantIDs, c.ID)
				}
			}
			for _, r := range rows {
				gotIDs = append(gotIDs, r.ContactID)
				tl := want[r.ContactID]
				if tl == nil {
					tl = &tally{}
				}
				if r.Visits != tl.n || !r.LastVisitAt.Equal(tl.last) || r.EverVisited != !tl.last.IsZero() || r.LastVisitorName != tl.visitor {
					t.Errorf("%s contact %d: got visits %d last %v by %q ever %v, want %d %v %q", zone, r.ContactID,
						r.Visits, r.LastVisitAt, r.LastVisitorName, r.EverVisited, tl.n, tl.last, tl.visitor)
				}
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("%s: contacts %v, want %v", zone, gotIDs, wantIDs)
			}
		}
		areas, err := w.db.Areas(ctx, masswork.CoverageQuery{Roots: roots, Since: since, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		recount := map[string][2]int{}
		for _, c := range w.contacts {
			x := recount[c.Zone]
			x[0]++
			if tl := want[c.ID]; tl != nil && tl.n > 0 {
				x[1]++
			}
			recount[c.Zone] = x
		}
		if len(areas) != len(recount) {
			t.Fatalf("areas = %d, want %d", len(areas), len(recount))
		}
		for _, a := range areas {
			if got := [2]int{a.Contacts, a.Visited}; got != recount[a.Zone] {
				t.Errorf("area %s: got %v, want %v", a.Zone, got, recount[a.Zone])
			}
		}
		// Another organization's subtree sees none of it.
		rows, err := w.db.Coverage(ctx, masswork.CoverageQuery{Roots: []string{w.other.Path}, Zone: "B区", Since: since, Now: now})
		if err != nil || len(rows) != 0 {
			t.Errorf("other branch B区: %d rows, %v", len(rows), err)
		}
	})
}

// TestVisitStoreReservations walks reservations through conflicts, renewal, expiry with the
// clock, release, and a visit that releases one.
func TestVisitStoreReservations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		w := newVisitWorld(t, d)
		u1, u2 := w.users[0], w.users[1]
		c := w.contacts
		roots := []string{w.branch.Path}
		reserve := func(u *auth.User, ids ...int64) int {
			t.Helper()
			now := w.clk.Now()
			n, err := w.db.Reserve(ctx, roots, ids, masswork.Reservation{UserID: u.ID, UserName: u.Username, ReservedAt: now,
				ExpiresAt: now.AddDate(0, 0, 7)}, now)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		holders := func() map[int64]string {
			t.Helper()
			rows, err := w.db.Coverage(ctx, masswork.CoverageQuery{Roots: roots, Zone: "A区", Since: w.clk.Now(), Now: w.clk.Now()})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]string{}
			for _, r := range rows {
				if r.ReservedByID != 0 {
					out[r.ContactID] = r.ReservedBy
				}
			}
			return out
		}
		steps := []struct {
			name string
			do   func() int
			want int
		}{
			{"u1 reserves 0,1", func() int { return reserve(u1, c[0].ID, c[1].ID) }, 2},
			{"u2 cannot take 1, gets 2", func() int { return reserve(u2, c[1].ID, c[2].ID) }, 1},
			{"u1 renews 0", func() int { return reserve(u1, c[0].ID) }, 1},
			{"outside the roots", func() int { return reserve(u1, w.outside[0].ID, 999999) }, 0},
		}
		for _, s := range steps {
			if got := s.do(); got != s.want {
				t.Errorf("%s: reserved %d, want %d", s.name, got, s.want)
			}
		}
		if got, want := holders(), map[int64]string{c[0].ID: "cadre1", c[1].ID: "cadre1", c[2].ID: "cadre2"}; !maps.Equal(got, want) {
			t.Errorf("holders = %v, want %v", got, want)
		}
		mine, err := w.db.Coverage(ctx, masswork.CoverageQuery{Roots: roots, ReservedBy: u1.ID, Since: w.clk.Now(), Now: w.clk.Now()})
		if err != nil || len(mine) != 2 {
			t.Errorf("u1's reservations: %d, %v", len(mine), err)
		}
		// Eight days on, every reservation has expired: coverage shows none, and anyone may
		// reserve again.
		w.clk.Add(8 * 24 * time.Hour)
		if got := holders(); len(got) != 0 {
			t.Errorf("after expiry: holders %v", got)
		}
		if got := reserve(u2, c[1].ID); got != 1 {
			t.Errorf("u2 takes the expired 1: %d", got)
		}
		n, err := w.db.ReleaseExpired(ctx, w.clk.Now())
		if err != nil || n != 2 {
			t.Errorf("ReleaseExpired = %d, %v; want 2", n, err)
		}
		// Release only touches one's own.
		if err := w.db.Release(ctx, []int64{c[1].ID}, u1.ID); err != nil {
			t.Fatal(err)
		}
		if got := holders(); got[c[1].ID] != "cadre2" {
			t.Errorf("u1 released u2's reservation: %v", got)
		}
		reserve(u1, c[3].ID, c[4].ID)
		if err := w.db.Release(ctx, nil, u1.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := holders(), map[int64]string{c[1].ID: "cadre2"}; !maps.Equal(got, want) {
			t.Errorf("after releasing all of u1: %v, want %v", got, want)
		}
		// A visit releases the contact's reservation, whoever held it.
		w.visit(t, w.branch, c[1], u1, "王书记", w.clk.Now())
		if got := holders(); len(got) != 0 {
			t.Errorf("after the visit: %v", got)
		}
	})
}

// BenchmarkVisitCoverage reads the coverage of an area of 3,000 contacts, with 12,000 visits,
// among 20,000 other people of the register: one query each for the area and the summary.
func BenchmarkVisitCoverage(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			clk := &clock{t: time.Date(2023, 7, 10, 1, 0, 0, 0, time.UTC)}
			db := storetest.Open(b, d, clk.Now)
			svc := org.NewService(db, db, clk.Now)
			sys := auth.System("bench")
			top := &org.Organization{Kind: org.KindCommittee, Name: "党委"}
			if err := svc.CreateOrganization(ctx, sys, top); err != nil {
				b.Fatal(err)
			}
			branch := &org.Organization{ParentID: top.ID, Kind: org.KindBranch, Name: "第二支部"}
			if err := svc.CreateOrganization(ctx, sys, branch); err != nil {
				b.Fatal(err)
			}
			now := clk.Now().UnixMilli()
			var people [][]any
			for i := 0; i < 23000; i++ {
				zone := "A区"
				if i >= 3000 {
					zone = []string{"B区", "C区", "D区", "E区"}[i%4]
				}
				people = append(people, []any{branch.ID, fmt.Sprintf("商户%05d", i), zone, fmt.Sprintf("%s-%04d", zone, i), "masses", now, now})
			}
			pg := d == store.Postgres
			if err := storetest.BulkInsert(db.SQL(), pg, "INSERT INTO people (org_id, name, zone, booth, stage, created_at, updated_at) VALUES ", people); err != nil {
				b.Fatal(err)
			}
			var first int64
			if err := db.SQL().QueryRow("SELECT MIN(id) FROM people").Scan(&first); err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			var visits [][]any
			for i := 0; i < 12000; i++ {
				at := now - int64(rng.IntN(400*24))*3600_000
				visits = append(visits, []any{branch.ID, "王书记", first + int64(rng.IntN(23000)), at, "聊了经营", at})
			}
			if err := storetest.BulkInsert(db.SQL(), pg, "INSERT INTO visits (org_id, visitor_name, contact_id, visited_at, summary, created_at) VALUES ", visits); err != nil {
				b.Fatal(err)
			}
			if pg {
				if _, err := db.SQL().Exec("ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			q := masswork.CoverageQuery{Roots: []string{branch.Path}, Zone: "A区", Since: clk.Now().AddDate(0, -6, 0), Now: clk.Now()}
			b.Run("area", func(b *testing.B) {
				for b.Loop() {
					rows, err := db.Coverage(ctx, q)
					if err != nil || len(rows) != 3000 {
						b.Fatalf("coverage: %d rows, %v", len(rows), err)
					}
				}
			})
			b.Run("summary", func(b *testing.B) {
				for b.Loop() {
					areas, err := db.Areas(ctx, q)
					if err != nil || len(areas) != 5 {
						b.Fatalf("areas: %d, %v", len(areas), err)
					}
				}
			})
		})
	}
}
