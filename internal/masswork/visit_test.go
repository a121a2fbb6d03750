package masswork_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// visitInput is a valid visit of the Second Branch's secretary to contact c.
func (e *env) visitInput(c *org.Person) masswork.VisitInput {
	return masswork.VisitInput{OrgID: e.demo.SecondBranch.ID, ContactID: c.ID, Summary: "聊了今年生意和市场管理的意见"}
}

// TestVisitLog is the cadre's minute: a visit to a merchant with two problems raised, each
// filed with its code, the merchant's reservation released.
func TestVisitLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		c := e.contact(t, 3)
		if n, _, err := e.svc.Reserve(ctx, sec, []int64{c.ID}); err != nil || n != 1 {
			t.Fatalf("reserve: %d, %v", n, err)
		}
		in := e.visitInput(c)
		in.Problems = []masswork.VisitProblem{
			{CategoryID: e.cats["parking"].ID, Description: "东门装卸货车太多，顾客停不了车"},
			{}, // left empty
			{CategoryID: e.cats["facilities"].ID, Description: "走廊四十二度，没有遮阳也没有降温"},
		}
		v, err := e.svc.LogVisit(ctx, sec, in)
		if err != nil {
			t.Fatal(err)
		}
		if v.ID == 0 || !v.VisitedAt.Equal(e.clock.Now()) || v.Zone != c.Zone || v.Booth != c.Booth ||
			v.VisitorID != e.demo.Secretary.ID || v.OrgID != e.demo.SecondBranch.ID || v.ContactID != c.ID {
			t.Errorf("visit = %+v", v)
		}
		if len(v.Problems) != 2 || v.Problems[0].Code == "" || v.Problems[0].MatterID == 0 {
			t.Fatalf("problems = %+v", v.Problems)
		}
		if got := e.count(t, "SELECT COUNT(*) FROM problems WHERE visit_id = ? AND channel = 'visit' AND person_id = ?", v.ID, c.ID); got != 2 {
			t.Errorf("problems of the visit in the database = %d, want 2", got)
		}
		view, err := e.svc.Visit(ctx, sec, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, p := range view.Visit.Problems {
			codes = append(codes, p.Code)
		}
		if want := []string{v.Problems[0].Code, v.Problems[1].Code}; strings.Join(codes, ",") != strings.Join(want, ",") {
			t.Errorf("visit's problems = %v, want %v", codes, want)
		}
		if view.Visit.Problems[0].CategoryName != e.cats["parking"].NameZh {
			t.Errorf("category = %q", view.Visit.Problems[0].CategoryName)
		}
		if view.Contact == nil || !strings.Contains(view.Contact.PhoneMask, "****") {
			t.Errorf("contact = %+v", view.Contact)
		}
		// The matter is there for the problem's code.
		m := e.matter(t, v.Problems[0].MatterID)
		if m.OrgID != e.demo.SecondBranch.ID || m.Zone != c.Zone {
			t.Errorf("matter = %+v", m)
		}
		// Logging the visit released the reservation.
		mine, err := e.svc.Coverage(ctx, sec, masswork.CoverageRequest{Mine: true})
		if err != nil || len(mine.Rows) != 0 {
			t.Errorf("reservations after the visit: %d, %v", len(mine.Rows), err)
		}
		if got := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'visit.create' AND object_id = ?", v.ID); got != 1 {
			t.Errorf("audit records = %d", got)
		}
	})
}

// TestVisitValidation checks every field and permission of the form; nothing is written when
// anything is wrong, not even the new contact.
func TestVisitValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		c := e.contact(t, 0)
		first, _, err := e.app.Org.People(ctx, e.actors["admin"], org.PeopleFilter{OrgPath: e.demo.FirstBranch.Path, Limit: 1})
		if err != nil || len(first) == 0 {
			t.Fatalf("first branch person: %v", err)
		}
		newOne := &masswork.NewContact{Name: "新来的商户", Zone: "C区", Booth: "C-301", Phone: "13905751234"}
		tests := []struct {
			name  string
			actor string
			edit  func(in *masswork.VisitInput)
			field string
			key   string
		}{
			{"no summary", "secretary", func(in *masswork.VisitInput) { in.Summary = "  \u200b " }, "summary", "error.required"},
			{"summary too long", "secretary", func(in *masswork.VisitInput) { in.Summary = strings.Repeat("谈", 2001) }, "summary", "error.too_long"},
			{"in the future", "secretary", func(in *masswork.VisitInput) { in.VisitedAt = "2026-03-10T10:00" }, "visited_at", "visit.error.future"},
			{"not a time", "secretary", func(in *masswork.VisitInput) { in.VisitedAt = "昨天下午" }, "visited_at", "error.datetime"},
			{"no contact", "secretary", func(in *masswork.VisitInput) { in.ContactID = 0 }, "contact_id", "visit.error.contact_required"},
			{"no such contact", "secretary", func(in *masswork.VisitInput) { in.ContactID = 9999999 }, "contact_id", "visit.error.contact"},
			{"another branch's contact", "secretary", func(in *masswork.VisitInput) { in.ContactID = first[0].ID }, "contact_id", "visit.error.contact"},
			{"another branch's visit", "firstsec", func(in *masswork.VisitInput) {}, "org_id", "error.org_out_of_scope"},
			{"own branch, other contact", "firstsec", func(in *masswork.VisitInput) { in.OrgID = e.demo.FirstBranch.ID }, "contact_id", "visit.error.contact"},
			{"zone too long", "secretary", func(in *masswork.VisitInput) { in.Zone = strings.Repeat("区", 51) }, "zone", "error.too_long"},
			{"new contact without a name", "secretary", func(in *masswork.VisitInput) {
				in.ContactID, in.NewContact = 0, &masswork.NewContact{Zone: "C区"}
			}, "new_name", "error.required"},
			{"new contact, bad phone", "secretary", func(in *masswork.VisitInput) {
				in.ContactID, in.NewContact = 0, &masswork.NewContact{Name: "新来的商户", Phone: "12345"}
			}, "new_phone", "error.phone"},
			{"new contact, bad problem", "secretary", func(in *masswork.VisitInput) {
				in.ContactID, in.NewContact = 0, newOne
				in.Problems = []masswork.VisitProblem{{}, {CategoryID: e.cats["parking"].ID}}
			}, "problems.1.description", "error.required"},
			{"problem without category", "secretary", func(in *masswork.VisitInput) {
				in.Problems = []masswork.VisitProblem{{Description: "宽带又断了"}}
			}, "problems.0.category_id", "matter.error.category"},
			{"four problems", "secretary", func(in *masswork.VisitInput) {
				p := masswork.VisitProblem{CategoryID: e.cats["network"].ID, Description: "宽带又断了"}
				in.Problems = []masswork.VisitProblem{p, p, p, p}
			}, "problems", "visit.error.too_many_problems"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := e.visitInput(c)
				tt.edit(&in)
				_, err := e.svc.LogVisit(ctx, e.actors[tt.actor], in)
				if got := fieldOf(err)[tt.field]; got != tt.key {
					t.Errorf("field %s = %q, want %q (err %v)", tt.field, got, tt.key, err)
				}
			})
		}
		for _, who := range []string{"member", "inspector"} {
			if _, err := e.svc.LogVisit(ctx, e.actors[who], e.visitInput(c)); !errors.Is(err, apperr.ErrDenied) {
				t.Errorf("%s logs a visit: err = %v, want denied", who, err)
			}
		}
		if got := e.count(t, "SELECT COUNT(*) FROM visits"); got != 0 {
			t.Errorf("visits written = %d", got)
		}
		if got := e.count(t, "SELECT COUNT(*) FROM people WHERE name = ?", newOne.Name); got != 0 {
			t.Errorf("new contacts written = %d", got)
		}
		if got := e.count(t, "SELECT COUNT(*) FROM problems"); got != 0 {
			t.Errorf("problems written = %d", got)
		}
		// A visit a minute ago, typed in the zone, is fine.
		in := e.visitInput(c)
		in.VisitedAt = "2026-03-10T08:59"
		v, err := e.svc.LogVisit(ctx, e.actors["secretary"], in)
		if err != nil || !v.VisitedAt.Equal(at("2026-03-10 08:59")) {
			t.Errorf("visit at 08:59: %v, %v", v, err)
		}
	})
}

// TestVisitNewContact: someone not on the register is added to it as one of the masses of
// the visit's organization, and the problem raised is filed for them.
func TestVisitNewContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		in := masswork.VisitInput{OrgID: e.demo.SecondBranch.ID, Summary: "新开的珍珠铺，了解经营情况",
			NewContact: &masswork.NewContact{Name: " 骆新华 ", Zone: "C区", Booth: "C-301", Phone: "139 0575 1234"},
			Problems:   []masswork.VisitProblem{{CategoryID: e.cats["market_order"].ID, Description: "外来摊贩在门口卖假珍珠"}}}
		v, err := e.svc.LogVisit(ctx, sec, in)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.app.Org.Person(ctx, sec, v.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "骆新华" || p.Stage != org.StageMasses || p.OrgID != e.demo.SecondBranch.ID || p.PhoneMask != "139****1234" ||
			p.Zone != "C区" || p.Booth != "C-301" {
			t.Errorf("new contact = %+v", p)
		}
		if v.Zone != "C区" || v.Booth != "C-301" || v.ContactName != "骆新华" {
			t.Errorf("visit = %+v", v)
		}
		if len(v.Problems) != 1 || v.Problems[0].PersonID != p.ID {
			t.Errorf("problems = %+v", v.Problems)
		}
	})
}

// TestVisitScope: visits and contacts of another organization are never reachable.
func TestVisitScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		v, err := e.svc.LogVisit(ctx, e.actors["secretary"], e.visitInput(e.contact(t, 1)))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			actor   string
			listed  int
			see     bool
			contact bool
			listErr error
		}{
			{"secretary", 1, true, true, nil},
			{"admin", 1, true, true, nil},
			{"inspector", 1, true, true, nil},
			{"firstsec", 0, false, false, nil},
			{"member", 0, false, false, apperr.ErrDenied},
		}
		for _, tt := range tests {
			t.Run(tt.actor, func(t *testing.T) {
				a := e.actors[tt.actor]
				list, total, err := e.svc.Visits(ctx, a, masswork.VisitFilter{})
				if !errors.Is(err, tt.listErr) {
					t.Errorf("list: err = %v, want %v", err, tt.listErr)
				}
				if len(list) != tt.listed || total != tt.listed {
					t.Errorf("listed %d (total %d), want %d", len(list), total, tt.listed)
				}
				view, err := e.svc.Visit(ctx, a, v.ID)
				switch {
				case tt.see && err != nil:
					t.Errorf("visit: %v", err)
				case !tt.see && !errors.Is(err, apperr.ErrNotFound):
					t.Errorf("visit: err = %v, want not found", err)
				case tt.see && (view.Contact != nil) != tt.contact:
					t.Errorf("contact shown = %v, want %v", view.Contact != nil, tt.contact)
				}
				if _, err := e.svc.Coverage(ctx, a, masswork.CoverageRequest{OrgID: e.demo.SecondBranch.ID, Zone: "A区"}); tt.see != (err == nil) {
					t.Errorf("coverage of the Second Branch: err = %v", err)
				}
			})
		}
		// Reserving another branch's contacts does nothing.
		n, taken, err := e.svc.Reserve(ctx, e.actors["firstsec"], []int64{e.contact(t, 1).ID, e.contact(t, 2).ID})
		if err != nil || n != 0 || taken != 2 {
			t.Errorf("firstsec reserves second's contacts: %d %d %v", n, taken, err)
		}
		if _, _, err := e.svc.Reserve(ctx, e.actors["inspector"], []int64{e.contact(t, 1).ID}); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("inspector reserves: %v", err)
		}
	})
}

// TestVisitCoverage counts the coverage of an area against a recount, and walks reservations
// through a conflict, expiry by the clock and release.
func TestVisitCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec, admin := e.actors["secretary"], e.actors["admin"]
		masses, _, err := e.app.Org.People(ctx, admin, org.PeopleFilter{OrgPath: e.demo.SecondBranch.Path, Stage: org.StageMasses, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var zoneA []*org.Person
		for _, p := range masses {
			if p.Zone == "A区" && len(zoneA) < 8 {
				zoneA = append(zoneA, p)
			}
		}
		// Visits two, five and eight months ago, and today.
		for i, when := range []string{"2026-01-10T10:00", "2025-10-10T10:00", "2025-07-10T10:00", "2026-03-10T08:00", "2026-01-11T10:00"} {
			in := e.visitInput(zoneA[i%4])
			in.VisitedAt = when
			if _, err := e.svc.LogVisit(ctx, sec, in); err != nil {
				t.Fatal(err)
			}
		}
		// Contacts 0 (Jan ×2 via i=0 and i=4), 1 (Oct), 3 (today) in the last six months;
		// 2 only eight months ago.
		c, err := e.svc.Coverage(ctx, sec, masswork.CoverageRequest{OrgID: e.demo.SecondBranch.ID, Zone: "A区"})
		if err != nil {
			t.Fatal(err)
		}
		since := at("2025-09-10 09:00")
		subtree := e.demo.SecondBranch.Path + "%"
		contacts := e.count(t, `SELECT COUNT(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE o.path LIKE ?
			AND p.stage = 'masses' AND p.status = 'normal' AND p.zone = 'A区'`, subtree)
		visited := e.count(t, `SELECT COUNT(DISTINCT v.contact_id) FROM visits v JOIN people p ON p.id = v.contact_id
			WHERE p.zone = 'A区' AND v.visited_at >= ?`, since.UnixMilli())
		ever := e.count(t, `SELECT COUNT(DISTINCT v.contact_id) FROM visits v JOIN people p ON p.id = v.contact_id WHERE p.zone = 'A区'`)
		if c.Contacts != contacts || c.Visited != visited || c.Never != contacts-ever || c.Lapsed != ever-visited {
			t.Errorf("coverage %d/%d/%d/%d, recount %d/%d/%d/%d", c.Contacts, c.Visited, c.Never, c.Lapsed,
				contacts, visited, contacts-ever, ever-visited)
		}
		if visited != 3 || ever != 4 {
			t.Errorf("recount visited %d ever %d, want 3 and 4", visited, ever)
		}
		for _, r := range c.Rows {
			if r.ContactID == zoneA[0].ID && (r.Visits != 2 || !r.LastVisitAt.Equal(at("2026-01-11 10:00"))) {
				t.Errorf("contact 0: %+v", r)
			}
		}
		// The summary of areas has the same figures for A区.
		all, err := e.svc.Coverage(ctx, sec, masswork.CoverageRequest{OrgID: e.demo.SecondBranch.ID, Months: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all.Areas {
			if a.Zone == "A区" && (a.Contacts != contacts || a.Visited != 2) {
				t.Errorf("area A区 in 3 months: %+v, want %d contacts, 2 visited", a, contacts)
			}
		}

		// Reservations: the secretary takes three; the administrator gets only the fourth.
		ids := []int64{zoneA[4].ID, zoneA[5].ID, zoneA[6].ID}
		if n, taken, err := e.svc.Reserve(ctx, sec, ids); n != 3 || taken != 0 || err != nil {
			t.Fatalf("secretary reserves: %d %d %v", n, taken, err)
		}
		if n, taken, err := e.svc.Reserve(ctx, admin, append(ids, zoneA[7].ID)); n != 1 || taken != 3 || err != nil {
			t.Fatalf("admin reserves: %d %d %v", n, taken, err)
		}
		c, err = e.svc.Coverage(ctx, admin, masswork.CoverageRequest{OrgID: e.demo.SecondBranch.ID, Zone: "A区"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Reserved != 4 {
			t.Errorf("reserved = %d, want 4", c.Reserved)
		}
		for _, r := range c.Rows {
			if r.ContactID == zoneA[4].ID && (r.ReservedByID != sec.UserID || !r.ReservedUntil.Equal(at("2026-03-17 09:00"))) {
				t.Errorf("reservation of 4: %+v", r)
			}
		}
		if err := e.svc.Release(ctx, sec, []int64{zoneA[5].ID}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Release(ctx, admin, []int64{zoneA[6].ID}); err != nil { // not the admin's: nothing happens
			t.Fatal(err)
		}
		mine, err := e.svc.Coverage(ctx, sec, masswork.CoverageRequest{Mine: true})
		if err != nil || len(mine.Rows) != 2 {
			t.Errorf("secretary's reservations = %d, %v; want 2", len(mine.Rows), err)
		}
		// A week and a day later all have expired: the job releases them.
		e.clock.Set(e.clock.Now().Add(8 * 24 * time.Hour))
		if n, err := e.svc.ReleaseReservations(ctx); n != 3 || err != nil {
			t.Errorf("ReleaseReservations = %d, %v; want 3", n, err)
		}
		if n, _, err := e.svc.Reserve(ctx, admin, ids); n != 3 || err != nil {
			t.Errorf("admin reserves after expiry: %d, %v", n, err)
		}
		if _, _, err := e.svc.Reserve(ctx, admin, nil); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("reserving nobody: %v", err)
		}
	})
}
