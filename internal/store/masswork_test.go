package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// matterEnv is a database with a committee, two branches (the second with a group) and a
// category of the committee.
type matterEnv struct {
	t            *testing.T
	ctx          context.Context
	d            store.Dialect
	db           *store.DB
	clk          *clock
	svc          *org.Service
	top, b1, b2  *org.Organization
	g            *org.Organization
	cat, cat2    *masswork.Category
	seq          int
	registeredID int64 // a person on the register with phone 13900001111
}

func newMatterEnv(t *testing.T, d store.Dialect) *matterEnv {
	t.Helper()
	e := &matterEnv{t: t, ctx: context.Background(), d: d, clk: &clock{t: time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)}}
	e.db = storetest.Open(t, d, e.clk.Now)
	e.setUp()
	return e
}

// setUp writes the organizations, the person and the categories through e.db.
func (e *matterEnv) setUp() {
	t := e.t
	t.Helper()
	e.svc = org.NewService(e.db, e.db, e.clk.Now)
	admin := auth.System("test")
	e.top = mustOrg(t, e.svc, admin, 0, org.KindCommittee, "华东国际珠宝城党委")
	e.b1 = mustOrg(t, e.svc, admin, e.top.ID, org.KindBranch, "第一支部")
	e.b2 = mustOrg(t, e.svc, admin, e.top.ID, org.KindBranch, "第二支部")
	e.g = mustOrg(t, e.svc, admin, e.b2.ID, org.KindGroup, "第一党小组")
	p := &org.Person{OrgID: e.b2.ID, Name: "陈商户", Phone: "13900001111", Stage: org.StageMasses}
	if err := e.svc.CreatePerson(e.ctx, admin, p); err != nil {
		t.Fatal(err)
	}
	e.registeredID = p.ID
	e.cat = &masswork.Category{OrgID: e.top.ID, Code: "parking", NameZh: "停车", NameEn: "Parking", ResponseDays: 1, ResolveDays: 10, Active: true,
		Fields: []masswork.Field{{Code: "gate", Datatype: "singlevaluelist", Values: []masswork.FieldValue{{Key: "east", Name: "东门"}}}}}
	e.cat2 = &masswork.Category{OrgID: e.b1.ID, Code: "broadband", NameZh: "宽带", NameEn: "Broadband", ResponseDays: 1, ResolveDays: 5, Active: true}
	for _, c := range []*masswork.Category{e.cat, e.cat2} {
		if err := e.db.SaveCategory(e.ctx, c, rec("category.create")); err != nil {
			t.Fatal(err)
		}
	}
}

func rec(action string) *audit.Record {
	return &audit.Record{ActorName: "test", Action: action, ObjectType: "matter"}
}

// newMatter files a matter of the category in the organization with one report.
func (e *matterEnv) newMatter(orgID int64, cat *masswork.Category, title string, p *masswork.Problem, grams ...int32) (*masswork.Matter, *masswork.Problem) {
	e.t.Helper()
	e.seq++
	m := &masswork.Matter{Code: fmt.Sprintf("M%04d", e.seq), OrgID: orgID, CategoryID: cat.ID, Title: title,
		Status: masswork.StatusSubmitted, ResponseDue: e.clk.Now().Add(24 * time.Hour), ResolveDue: e.clk.Now().Add(10 * 24 * time.Hour)}
	if p == nil {
		p = &masswork.Problem{}
	}
	p.Code, p.SecretHash, p.Channel, p.Description = fmt.Sprintf("P%04d", e.seq), "secret", masswork.ChannelWeb, title
	ev := &masswork.Event{Kind: masswork.EventSubmitted, Public: true, ToStatus: masswork.StatusSubmitted}
	if err := e.db.CreateMatter(e.ctx, m, p, grams, ev, rec("matter.create")); err != nil {
		e.t.Fatalf("create matter %s: %v", title, err)
	}
	return m, p
}

// addProblem adds a me-too report to a matter.
func (e *matterEnv) addProblem(matterID int64, p *masswork.Problem, grams ...int32) (*masswork.Problem, error) {
	e.seq++
	if p == nil {
		p = &masswork.Problem{}
	}
	p.MatterID, p.Code, p.SecretHash = matterID, fmt.Sprintf("P%04d", e.seq), "secret"
	if p.Channel == "" {
		p.Channel = masswork.ChannelWeb
	}
	if p.Kind == "" {
		p.Kind = masswork.KindMeToo
	}
	return p, e.db.AddProblem(e.ctx, p, grams, &masswork.Event{Kind: masswork.EventMeToo}, rec("matter.metoo"))
}

func (e *matterEnv) matter(id int64) *masswork.Matter {
	e.t.Helper()
	m, err := e.db.FindMatterByID(e.ctx, id)
	if err != nil {
		e.t.Fatalf("find matter %d: %v", id, err)
	}
	return m
}

// checkRecount compares a matter's people and rank key with a count from its reports.
func (e *matterEnv) checkRecount(id int64) {
	e.t.Helper()
	rows, err := e.db.SQL().Query(placeholders(e.d, "SELECT person_key, created_at FROM problems WHERE matter_id = ?"), id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	latest := map[string]int64{}
	for rows.Next() {
		var k string
		var at int64
		if err := rows.Scan(&k, &at); err != nil {
			e.t.Fatal(err)
		}
		latest[k] = max(latest[k], at)
	}
	var times []time.Time
	for _, at := range latest {
		times = append(times, time.UnixMilli(at))
	}
	m := e.matter(id)
	if want := masswork.RankKey(times); m.People != len(latest) || math.Abs(m.RankKey-want) > 1e-9 {
		e.t.Errorf("matter %s: people %d rank %v, recount %d %v", m.Code, m.People, m.RankKey, len(latest), want)
	}
}

func (e *matterEnv) grams(id int64) []int32 {
	e.t.Helper()
	var set []byte
	if err := e.db.SQL().QueryRow(placeholders(e.d, "SELECT gram_set FROM matters WHERE id = ?"), id).Scan(&set); err != nil {
		e.t.Fatal(err)
	}
	return store.UnpackGrams(set)
}

func codes(ms []*masswork.Matter) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Code)
	}
	return out
}

func TestMatterIntake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		lat, lng := 29.3, 120.07
		m, p := e.newMatter(e.g.ID, e.cat, "东门停车难", &masswork.Problem{ReporterName: "王老板", Phone: "138 1234 5678",
			Attributes: map[string][]string{"gate": {"east"}}, Place: masswork.Place{Zone: "B", Booth: "B-12", Latitude: &lat, Longitude: &lng}},
			-5, 7, 7, 1<<30)
		if m.ID == 0 || p.ID == 0 || p.MatterID != m.ID || p.OriginalMatterID != m.ID {
			t.Fatalf("ids: matter %d, problem %d in %d (original %d)", m.ID, p.ID, p.MatterID, p.OriginalMatterID)
		}
		if p.Phone != "" || p.PhoneMask != "138****5678" || !p.HasPhone || p.PersonKey[:2] != "h:" {
			t.Fatalf("problem after create: phone %q mask %q has %v key %q", p.Phone, p.PhoneMask, p.HasPhone, p.PersonKey)
		}
		got := e.matter(m.ID)
		if got.OrgName != "第一党小组" || got.OrgPath != e.g.Path || got.CategoryCode != "parking" || got.CategoryName != "停车" ||
			got.CategoryNameEn != "Parking" || got.People != 1 || got.Grams != 3 || got.Version != 1 || !got.CreatedAt.Equal(e.clk.Now()) ||
			!got.ResponseDue.Equal(e.clk.Now().Add(24*time.Hour)) || got.Status != masswork.StatusSubmitted {
			t.Fatalf("matter = %+v", got)
		}
		if want := masswork.RankKey([]time.Time{e.clk.Now()}); got.RankKey != want {
			t.Fatalf("rank key = %v, want %v", got.RankKey, want)
		}
		if g := e.grams(m.ID); !slices.Equal(g, []int32{-5, 7, 1 << 30}) {
			t.Fatalf("grams = %v", g)
		}
		byCode, err := e.db.FindMatterByCode(ctx, m.Code)
		if err != nil || byCode.ID != m.ID {
			t.Fatalf("by code = %v, %v", byCode, err)
		}
		if _, err := e.db.FindMatterByCode(ctx, "NOPE"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown code: err = %v", err)
		}

		// The phone is sealed at rest: the column holds neither the number nor its tail.
		var sealed []byte
		if err := e.db.SQL().QueryRow(placeholders(d, "SELECT phone_enc FROM problems WHERE id = ?"), p.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || bytes.Contains(sealed, []byte("13812345678")) || bytes.Contains(sealed, []byte("5678")) {
			t.Fatalf("phone at rest = %q", sealed)
		}
		clear, err := e.db.RevealProblemPhone(ctx, p.ID, rec("matter.reveal_phone"))
		if err != nil || clear != "13812345678" {
			t.Fatalf("reveal = %q, %v", clear, err)
		}

		// Me too: the same phone is the same person; a phone typed that the register knows is
		// counted with that person but never linked to them (anyone may type it); an anonymous
		// report is a person of its own; a contact is counted by their phone on the register.
		e.clk.Add(time.Hour)
		same, err := e.addProblem(m.ID, &masswork.Problem{Phone: "13812345678"})
		if err != nil || same.PersonKey != p.PersonKey {
			t.Fatalf("same phone: key %q (first %q), %v", same.PersonKey, p.PersonKey, err)
		}
		if e.matter(m.ID).People != 1 {
			t.Fatalf("same person counted twice")
		}
		e.clk.Add(time.Hour)
		reg, err := e.addProblem(m.ID, &masswork.Problem{Phone: "+86 13900001111", ReporterName: "陈"})
		if err != nil || !strings.HasPrefix(reg.PersonKey, "h:") || reg.PersonID != 0 {
			t.Fatalf("registered phone: key %q person %d, %v; want a phone key and no person", reg.PersonKey, reg.PersonID, err)
		}
		contact, err := e.addProblem(m.ID, &masswork.Problem{PersonID: e.registeredID, Channel: masswork.ChannelVisit})
		if err != nil || contact.PersonKey != reg.PersonKey {
			t.Fatalf("contact: key %q, %v", contact.PersonKey, err)
		}
		anon, err := e.addProblem(m.ID, &masswork.Problem{Anonymous: true, Description: "同感"}, 7, 8)
		if err != nil || anon.PersonKey != "r:"+anon.Code || anon.PersonID != 0 || anon.HasPhone {
			t.Fatalf("anonymous: %+v, %v", anon, err)
		}
		own, err := e.addProblem(m.ID, &masswork.Problem{PersonKey: "x:caller"})
		if err != nil || own.PersonKey != "x:caller" {
			t.Fatalf("caller's key: %q, %v", own.PersonKey, err)
		}
		got = e.matter(m.ID)
		if got.People != 4 || got.Grams != 4 || got.Version != 1 {
			t.Fatalf("after me-toos: people %d grams %d version %d", got.People, got.Grams, got.Version)
		}
		e.checkRecount(m.ID)
		if _, err := e.db.RevealProblemPhone(ctx, anon.ID, rec("matter.reveal_phone")); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("reveal without phone: err = %v", err)
		}
		if _, err := e.db.RevealProblemPhone(ctx, 99999, rec("matter.reveal_phone")); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("reveal of unknown report: err = %v", err)
		}

		list, err := e.db.FindProblems(ctx, m.ID)
		if err != nil || len(list) != 6 {
			t.Fatalf("problems = %d, %v", len(list), err)
		}
		first := list[0]
		if first.ID != p.ID || first.MatterCode != m.Code || first.Phone != "" || first.PhoneMask != "138****5678" || !first.HasPhone ||
			first.Zone != "B" || first.Latitude == nil || *first.Latitude != lat || first.Attributes["gate"][0] != "east" ||
			first.Kind != masswork.KindReport || first.ReporterName != "王老板" || first.CategoryID != e.cat.ID || first.CategoryName != "停车" {
			t.Fatalf("first problem = %+v", first)
		}
		if list[4].ID != anon.ID || list[4].Kind != masswork.KindMeToo || !list[4].Anonymous || list[4].ReporterName != "" {
			t.Fatalf("anonymous problem = %+v", list[4])
		}
		byCode2, err := e.db.FindProblemByCode(ctx, reg.Code)
		if err != nil || byCode2.ID != reg.ID || byCode2.MatterCode != m.Code || byCode2.PhoneMask != "139****1111" {
			t.Fatalf("problem by code = %+v, %v", byCode2, err)
		}
		evs, err := e.db.FindEvents(ctx, m.ID, false)
		if err != nil || len(evs) != 6 || evs[0].Kind != masswork.EventSubmitted || evs[1].Kind != masswork.EventMeToo {
			t.Fatalf("events = %d, %v", len(evs), err)
		}
		pub, err := e.db.FindEvents(ctx, m.ID, true)
		if err != nil || len(pub) != 1 || !pub[0].Public {
			t.Fatalf("public events = %d, %v", len(pub), err)
		}

		// A closed matter takes no more reports.
		closed := e.matter(m.ID)
		closed.Status, closed.ClosedAt, closed.CloseReason = masswork.StatusClosed, e.clk.Now(), masswork.CloseAnswered
		if err := e.db.UpdateMatter(ctx, closed, nil, rec("matter.close")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.addProblem(m.ID, nil); apperr.KindOf(err) != apperr.Conflict || apperr.As(err).Key != "matter.error.not_open" {
			t.Fatalf("report on a closed matter: err = %v", err)
		}
		if _, err := e.addProblem(99999, nil); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("report on an unknown matter: err = %v", err)
		}
		if p, _, err := e.db.VerifyAudit(ctx); err != nil || p != nil {
			t.Fatalf("audit chain: %v %v", p, err)
		}
	})
}

func TestMatterCategoriesAndHolidays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		// A retired category of the second branch.
		old := &masswork.Category{OrgID: e.b2.ID, Code: "old", NameZh: "旧", ResponseDays: 1, ResolveDays: 10}
		if err := e.db.SaveCategory(ctx, old, rec("category.create")); err != nil {
			t.Fatal(err)
		}
		names := func(cs []*masswork.Category) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Code)
			}
			return out
		}
		for _, tt := range []struct {
			roots  []string
			active bool
			want   []string
		}{
			{[]string{"/"}, false, []string{"parking", "broadband", "old"}},
			{[]string{"/"}, true, []string{"parking", "broadband"}},
			{[]string{e.b1.Path}, false, []string{"parking", "broadband"}},
			{[]string{e.g.Path}, false, []string{"parking", "old"}},
			{[]string{e.top.Path}, true, []string{"parking", "broadband"}},
			{nil, false, nil},
		} {
			got, err := e.db.FindCategories(ctx, tt.roots, tt.active)
			if err != nil || !slices.Equal(names(got), tt.want) {
				t.Errorf("FindCategories(%v, %v) = %v, %v; want %v", tt.roots, tt.active, names(got), err, tt.want)
			}
		}
		c, err := e.db.FindCategoryByCode(ctx, "parking")
		if err != nil || c.ID != e.cat.ID || c.OrgPath != e.top.Path || len(c.Fields) != 1 || c.Fields[0].Values[0].Name != "东门" || c.Version != 1 {
			t.Fatalf("by code = %+v, %v", c, err)
		}
		// Two editors: the second save with the old version is refused.
		second := *c
		c.NameZh = "停车难"
		if err := e.db.SaveCategory(ctx, c, rec("category.update")); err != nil || c.Version != 2 {
			t.Fatalf("update: %v, version %d", err, c.Version)
		}
		if err := e.db.SaveCategory(ctx, &second, rec("category.update")); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("stale update: err = %v", err)
		}
		byID, err := e.db.FindCategoryByID(ctx, c.ID)
		if err != nil || byID.NameZh != "停车难" {
			t.Fatalf("by id = %+v, %v", byID, err)
		}
		dup := &masswork.Category{OrgID: e.b1.ID, Code: "parking", NameZh: "x"}
		if err := e.db.SaveCategory(ctx, dup, rec("category.create")); apperr.KindOf(err) != apperr.Conflict || apperr.As(err).Fields["code"] == "" {
			t.Fatalf("duplicate code: err = %v", err)
		}
		if _, err := e.db.FindCategoryByID(ctx, 9999); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown category: err = %v", err)
		}

		// The seeded official arrangements.
		days, err := e.db.FindHolidays(ctx, "2025-01-01", "2026-12-31")
		if err != nil || len(days) != 72 {
			t.Fatalf("seeded holidays = %d, %v", len(days), err)
		}
		oct, err := e.db.FindHolidays(ctx, "2025-09-28", "2025-10-11")
		if err != nil || len(oct) != 10 || oct[0] != (masswork.Holiday{Day: "2025-09-28", Kind: "work", Name: "国庆节、中秋节调休上班"}) ||
			oct[1].Kind != "off" || oct[9].Day != "2025-10-11" {
			t.Fatalf("October 2025 = %v, %v", oct, err)
		}
		spring, _ := e.db.FindHolidays(ctx, "2026-02-01", "2026-02-28")
		if len(spring) != 11 || spring[0].Day != "2026-02-14" || spring[0].Kind != "work" || spring[1].Name != "春节" {
			t.Fatalf("Spring Festival 2026 = %v", spring)
		}
		// Saving a range replaces every day in it, and only those.
		if err := e.db.SaveHolidays(ctx, []masswork.Holiday{{Day: "2026-10-02", Kind: "off", Name: "国庆节"}}, "2026-10-01", "2026-10-31", rec("holiday.save")); err != nil {
			t.Fatal(err)
		}
		after, _ := e.db.FindHolidays(ctx, "2026-09-01", "2026-12-31")
		if len(after) != 5 || after[3].Day != "2026-09-27" || after[4].Day != "2026-10-02" {
			t.Fatalf("after save = %v", after)
		}
	})
}

func TestMatterFind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		start := e.clk.Now()
		a, _ := e.newMatter(e.b1.ID, e.cat, "东门停车难", nil) // M0001
		e.clk.Add(time.Hour)
		b, _ := e.newMatter(e.g.ID, e.cat2, "B区宽带断网", &masswork.Problem{Anonymous: true}) // M0002
		e.clk.Add(time.Hour)
		c, _ := e.newMatter(e.b2.ID, e.cat, "消防通道堵塞", &masswork.Problem{PersonID: e.registeredID}) // M0003
		e.clk.Add(time.Hour)
		// b grows: two more people now, one more 40 days later.
		e.addProblem(b.ID, &masswork.Problem{Phone: "13700000001"})
		e.addProblem(b.ID, &masswork.Problem{Phone: "13700000002", Channel: masswork.ChannelOpen311})
		e.clk.Add(40 * 24 * time.Hour)
		e.addProblem(b.ID, &masswork.Problem{Phone: "13700000003"})
		e.addProblem(b.ID, &masswork.Problem{Phone: "13700000001"}) // someone again: not growth
		// a in the first branch, escalated to the second branch (the scope follows both).
		am := e.matter(a.ID)
		am.EscalatedOrgID, am.Escalations, am.AssigneeID, am.AssigneeName = e.b2.ID, 1, e.registeredID, "陈商户"
		am.Status, am.RespondedAt = masswork.StatusAccepted, start.Add(time.Minute)
		if err := e.db.UpdateMatter(ctx, am, nil, rec("matter.escalate")); err != nil {
			t.Fatal(err)
		}
		cm := e.matter(c.ID)
		cm.Status, cm.ClosedAt = masswork.StatusClosed, e.clk.Now()
		if err := e.db.UpdateMatter(ctx, cm, nil, rec("matter.close")); err != nil {
			t.Fatal(err)
		}
		now := e.clk.Now()

		for _, tt := range []struct {
			name string
			f    masswork.MatterFilter
			want []string
		}{
			{"all newest", masswork.MatterFilter{Roots: []string{"/"}}, []string{"M0003", "M0002", "M0001"}},
			{"no roots", masswork.MatterFilter{}, nil},
			{"first branch", masswork.MatterFilter{Roots: []string{e.b1.Path}}, []string{"M0001"}},
			{"second branch and escalated to it", masswork.MatterFilter{Roots: []string{e.b2.Path}}, []string{"M0003", "M0002", "M0001"}},
			{"group", masswork.MatterFilter{Roots: []string{e.g.Path}}, []string{"M0002"}},
			{"two roots", masswork.MatterFilter{Roots: []string{e.g.Path, e.b1.Path}}, []string{"M0002", "M0001"}},
			{"org subtree", masswork.MatterFilter{Roots: []string{"/"}, OrgID: e.b2.ID}, []string{"M0003", "M0002"}},
			{"org within roots", masswork.MatterFilter{Roots: []string{e.b1.Path}, OrgID: e.b2.ID}, nil},
			{"status any of", masswork.MatterFilter{Roots: []string{"/"}, Status: []string{masswork.StatusAccepted, masswork.StatusClosed}}, []string{"M0003", "M0001"}},
			{"category", masswork.MatterFilter{Roots: []string{"/"}, CategoryID: e.cat2.ID}, []string{"M0002"}},
			{"channel", masswork.MatterFilter{Roots: []string{"/"}, Channel: masswork.ChannelOpen311}, []string{"M0002"}},
			{"query title", masswork.MatterFilter{Roots: []string{"/"}, Query: "宽带"}, []string{"M0002"}},
			{"query code", masswork.MatterFilter{Roots: []string{"/"}, Query: "m0003"}, []string{"M0003"}},
			{"query wildcard", masswork.MatterFilter{Roots: []string{"/"}, Query: "%"}, nil},
			{"assignee", masswork.MatterFilter{Roots: []string{"/"}, AssigneeID: e.registeredID}, []string{"M0001"}},
			{"overdue", masswork.MatterFilter{Roots: []string{"/"}, Overdue: true, Now: now}, []string{"M0002", "M0001"}},
			{"overdue before any deadline", masswork.MatterFilter{Roots: []string{"/"}, Overdue: true, Now: start.Add(time.Hour)}, nil},
			{"since", masswork.MatterFilter{Roots: []string{"/"}, Since: start.Add(time.Hour)}, []string{"M0003", "M0002"}},
			{"until", masswork.MatterFilter{Roots: []string{"/"}, Until: start.Add(time.Hour)}, []string{"M0001"}},
			{"prominence", masswork.MatterFilter{Roots: []string{"/"}, Sort: "prominence"}, []string{"M0002", "M0003", "M0001"}},
			{"due", masswork.MatterFilter{Roots: []string{"/"}, Sort: "due"}, []string{"M0002", "M0003", "M0001"}},
			{"page", masswork.MatterFilter{Roots: []string{"/"}, Limit: 1, Offset: 1}, []string{"M0002"}},
		} {
			got, total, err := e.db.FindMatters(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			wantTotal := len(tt.want)
			if tt.name == "page" {
				wantTotal = 3
			}
			if !slices.Equal(codes(got), tt.want) || total != wantTotal {
				t.Errorf("%s: got %v (%d), want %v (%d)", tt.name, codes(got), total, tt.want, wantTotal)
			}
		}
		// Past the last page, the total is still counted.
		if got, total, err := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}, Limit: 10, Offset: 10}); err != nil || len(got) != 0 || total != 3 {
			t.Fatalf("past the end: %d matters, total %d, %v", len(got), total, err)
		}

		// Joined names and growth.
		got, _, err := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}, Now: now, Sort: "prominence"})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Code != "M0002" || got[0].People != 4 || got[0].Growth != 1 || got[0].CategoryNameEn != "Broadband" {
			t.Fatalf("b on the board = %+v", got[0])
		}
		if got[2].Code != "M0001" || got[2].EscalatedOrg != "第二支部" || got[2].OrgName != "第一支部" || got[2].Growth != 0 || got[2].AssigneeName != "陈商户" {
			t.Fatalf("a on the board = %+v", got[2])
		}
		early, _, _ := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}, Now: start.Add(4 * time.Hour)})
		if len(early) != 3 || early[1].Code != "M0002" || early[1].Growth != 3 || early[2].Growth != 1 {
			t.Fatalf("growth at the start = %d %d", early[1].Growth, early[2].Growth)
		}
		noNow, _, _ := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}})
		for _, m := range noNow {
			if m.Growth != 0 {
				t.Fatalf("growth without Now: %s %d", m.Code, m.Growth)
			}
		}
	})
}

func TestMatterUpdateAndSimilar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		a, _ := e.newMatter(e.b1.ID, e.cat, "东门停车难", nil, 1, 2, 3, 4)
		b, _ := e.newMatter(e.b1.ID, e.cat, "东门堵车", nil, 3, 4, 5)
		c, _ := e.newMatter(e.b1.ID, e.cat2, "宽带", nil, 1, 2, 3, 4)
		matches := func(cat int64, grams ...int32) string {
			got, err := e.db.Similar(ctx, cat, grams, 10)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, m := range got {
				s += fmt.Sprintf("%d:%d/%d ", m.MatterID, m.Shared, m.Grams)
			}
			return s
		}
		if got, want := matches(e.cat.ID, 3, 4, 5, 5, 9), fmt.Sprintf("%d:3/3 %d:2/4 ", b.ID, a.ID); got != want {
			t.Fatalf("similar = %q, want %q", got, want)
		}
		if got := matches(e.cat.ID); got != "" {
			t.Fatalf("similar to nothing = %q", got)
		}
		if got, want := matches(e.cat2.ID, 1), fmt.Sprintf("%d:1/4 ", c.ID); got != want {
			t.Fatalf("similar in the other category = %q, want %q", got, want)
		}

		// Two handlers: the second save with the old version is refused.
		first, second := e.matter(a.ID), e.matter(a.ID)
		first.Status, first.AcceptedAt, first.RespondedAt = masswork.StatusAccepted, e.clk.Now(), e.clk.Now()
		first.Summary, first.Withheld = "东门口停车问题", true
		lat := 29.5
		first.Latitude = &lat
		evs := []*masswork.Event{{Kind: masswork.EventAccepted, Public: true, FromStatus: masswork.StatusSubmitted, ToStatus: masswork.StatusAccepted, ByName: "书记"}}
		if err := e.db.UpdateMatter(ctx, first, evs, rec("matter.accept")); err != nil || first.Version != 2 || evs[0].ID == 0 || evs[0].MatterID != a.ID {
			t.Fatalf("update: %v, version %d, event %+v", err, first.Version, evs[0])
		}
		second.Status = masswork.StatusRejected
		if err := e.db.UpdateMatter(ctx, second, nil, rec("matter.reject")); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("stale update: err = %v", err)
		}
		got := e.matter(a.ID)
		if got.Status != masswork.StatusAccepted || !got.Withheld || got.Summary != "东门口停车问题" || got.Latitude == nil || *got.Latitude != 29.5 ||
			got.Version != 2 || !got.AcceptedAt.Equal(e.clk.Now()) || got.People != 1 || got.Grams != 4 {
			t.Fatalf("after update = %+v", got)
		}
		// Moved to the other category: its grams follow.
		got.CategoryID = e.cat2.ID
		if err := e.db.UpdateMatter(ctx, got, nil, rec("matter.update")); err != nil {
			t.Fatal(err)
		}
		if s, want := matches(e.cat2.ID, 1), fmt.Sprintf("%d:1/4 %d:1/4 ", c.ID, a.ID); s != want {
			t.Fatalf("after the move = %q, want %q", s, want)
		}
		// Rejected: out of the index.
		got.Status, got.RejectReason = masswork.StatusRejected, "不属于本单位"
		if err := e.db.UpdateMatter(ctx, got, nil, rec("matter.reject")); err != nil {
			t.Fatal(err)
		}
		// Its grams stay with it (a matter that opens again is found again); the status keeps it
		// out of the index.
		if g := e.grams(a.ID); len(g) != 4 || e.matter(a.ID).Grams != 4 {
			t.Fatalf("grams of a rejected matter = %v", g)
		}
		if s, want := matches(e.cat2.ID, 1), fmt.Sprintf("%d:1/4 ", c.ID); s != want {
			t.Fatalf("after rejection = %q, want %q", s, want)
		}
	})
}

func TestMatterMergeAndSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		a, pa := e.newMatter(e.b1.ID, e.cat, "东门停车难", &masswork.Problem{Phone: "13700000001"}, 1, 2, 3)
		e.clk.Add(time.Hour)
		b, pb := e.newMatter(e.b1.ID, e.cat, "东门没地方停车", &masswork.Problem{Phone: "13700000002"}, 3, 4)
		e.clk.Add(time.Hour)
		pb2, _ := e.addProblem(b.ID, &masswork.Problem{Phone: "13700000001"}) // a's reporter again
		pb3, _ := e.addProblem(b.ID, &masswork.Problem{Anonymous: true})

		into, from := e.matter(a.ID), e.matter(b.ID)
		evs := []*masswork.Event{{MatterID: a.ID, Kind: masswork.EventMerged, Body: b.Code}, {MatterID: b.ID, Kind: masswork.EventMerged, Body: a.Code}}
		if err := e.db.Merge(ctx, into, from, evs, rec("matter.merge")); err != nil {
			t.Fatal(err)
		}
		if into.Version != 2 || from.Version != 2 || into.People != 3 || into.Grams != 4 || from.People != 0 || from.MergedIntoCode != a.Code {
			t.Fatalf("after merge: into %+v, from %+v", into, from)
		}
		gotFrom := e.matter(b.ID)
		if gotFrom.Status != masswork.StatusMerged || gotFrom.MergedInto != a.ID || gotFrom.MergedIntoCode != a.Code ||
			gotFrom.CloseReason != masswork.CloseMerged || gotFrom.ClosedAt.IsZero() {
			t.Fatalf("merged matter = %+v", gotFrom)
		}
		if g := e.grams(a.ID); !slices.Equal(g, []int32{1, 2, 3, 4}) {
			t.Fatalf("grams after merge = %v", g)
		}
		if found, err := e.db.Similar(ctx, e.cat.ID, []int32{1, 2, 3, 4}, 10); err != nil || len(found) != 1 || found[0].MatterID != a.ID || found[0].Shared != 4 {
			t.Fatalf("similar after merge = %v (%v), want only the matter merged into", found, err)
		}
		list, _ := e.db.FindProblems(ctx, a.ID)
		var ids []int64
		for _, p := range list {
			ids = append(ids, p.ID)
			if p.ID == pb.ID && p.OriginalMatterID != b.ID {
				t.Fatalf("original matter lost: %+v", p)
			}
		}
		if !slices.Equal(ids, []int64{pa.ID, pb.ID, pb2.ID, pb3.ID}) {
			t.Fatalf("problems after merge = %v", ids)
		}
		if evA, _ := e.db.FindEvents(ctx, a.ID, false); len(evA) != 2 || evA[1].Kind != masswork.EventMerged {
			t.Fatalf("events of into = %v", evA)
		}
		e.checkRecount(a.ID)
		e.checkRecount(b.ID)
		// The merged matter takes no reports, and a stale merge changes nothing.
		if _, err := e.addProblem(b.ID, nil); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("report on a merged matter: err = %v", err)
		}
		stale := e.matter(a.ID)
		stale.Version--
		other, po := e.newMatter(e.b1.ID, e.cat, "别的", nil, 9)
		if err := e.db.Merge(ctx, stale, e.matter(other.ID), nil, rec("matter.merge")); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("stale merge: err = %v", err)
		}
		if o := e.matter(other.ID); o.Status != masswork.StatusSubmitted || o.People != 1 || len(e.grams(other.ID)) != 1 {
			t.Fatalf("after a stale merge: %+v", o)
		}
		if err := e.db.Merge(ctx, stale, stale, nil, rec("matter.merge")); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("merge into itself: err = %v", err)
		}

		// Split b's reports out again.
		e.clk.Add(time.Hour)
		src := e.matter(a.ID)
		nm := &masswork.Matter{Code: "S0001", Title: "东门没地方停车", Status: masswork.StatusAccepted}
		sevs := []*masswork.Event{{MatterID: a.ID, Kind: masswork.EventSplit, Body: "S0001"}, {Kind: masswork.EventSplit, Body: a.Code}}
		for _, bad := range [][]int64{{pb.ID, po.ID}, {}, {pa.ID, pb.ID, pb2.ID, pb3.ID}} {
			if err := e.db.Split(ctx, e.matter(a.ID), bad, &masswork.Matter{Code: "S0000", Title: "x"}, nil, nil, rec("matter.split")); apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("split of %v: err = %v", bad, err)
			}
		}
		if err := e.db.Split(ctx, src, []int64{pb.ID, pb2.ID, pb.ID}, nm, []int32{3, 4}, sevs, rec("matter.split")); err != nil {
			t.Fatal(err)
		}
		if nm.ID == 0 || nm.OrgID != e.b1.ID || nm.CategoryID != e.cat.ID || nm.People != 2 || nm.Grams != 2 || src.People != 2 || src.Version != 3 ||
			sevs[1].MatterID != nm.ID {
			t.Fatalf("after split: new %+v, from %+v", nm, src)
		}
		moved, _ := e.db.FindProblems(ctx, nm.ID)
		if len(moved) != 2 || moved[0].ID != pb.ID || moved[0].OriginalMatterID != b.ID || moved[1].ID != pb2.ID {
			t.Fatalf("moved problems = %+v", moved)
		}
		for _, id := range []int64{a.ID, b.ID, nm.ID, other.ID} {
			e.checkRecount(id)
		}
		// What stays in a is indexed by its own reports' text only.
		left, _ := e.db.FindProblems(ctx, a.ID)
		want := map[int32]bool{}
		for _, p := range left {
			for _, g := range masswork.Grams(p.Description) {
				want[g] = true
			}
		}
		if got := e.grams(a.ID); len(got) != len(want) || e.matter(a.ID).Grams != len(want) {
			t.Fatalf("grams left in a: %d (counted %d), want %d", len(got), e.matter(a.ID).Grams, len(want))
		} else {
			for _, g := range got {
				if !want[g] {
					t.Fatalf("gram %d of a split-off report left in a", g)
				}
			}
		}
		if got := e.matter(nm.ID); got.Status != masswork.StatusAccepted || got.CategoryName != "停车" {
			t.Fatalf("new matter = %+v", got)
		}
		// A stale split changes nothing.
		src.Version--
		if err := e.db.Split(ctx, src, []int64{pa.ID}, &masswork.Matter{Code: "S0002", Title: "x"}, nil, nil, rec("matter.split")); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("stale split: err = %v", err)
		}
		if _, err := e.db.FindMatterByCode(ctx, "S0002"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("stale split left a matter: %v", err)
		}
	})
}

// TestMatterMergeRace: two staff merging the same matters at once: one wins, the other is
// told the matter changed, and no report is lost.
func TestMatterMergeRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		for _, crossed := range []bool{true, false} {
			for round := 0; round < 5; round++ {
				a, _ := e.newMatter(e.b1.ID, e.cat, "甲", nil, 1, 2)
				b, _ := e.newMatter(e.b1.ID, e.cat, "乙", nil, 2, 3)
				e.addProblem(a.ID, &masswork.Problem{Phone: "13700000001"})
				e.addProblem(b.ID, &masswork.Problem{Phone: "13700000002"})
				merges := [2][2]*masswork.Matter{{e.matter(b.ID), e.matter(a.ID)}, {e.matter(b.ID), e.matter(a.ID)}}
				if crossed {
					merges[1] = [2]*masswork.Matter{e.matter(a.ID), e.matter(b.ID)}
				}
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i := range merges {
					wg.Add(1)
					go func() {
						defer wg.Done()
						into, from := merges[i][0], merges[i][1]
						errs[i] = e.db.Merge(ctx, into, from, []*masswork.Event{{MatterID: into.ID, Kind: masswork.EventMerged}}, rec("matter.merge"))
					}()
				}
				// A me-too arrives at the same time: it lands before the merge (and moves with
				// the others) or after it (refused when its matter was merged away).
				var metooErr error
				metoo := &masswork.Problem{MatterID: a.ID, Code: fmt.Sprintf("R%d%v", round, crossed), SecretHash: "s",
					Channel: masswork.ChannelWeb, Kind: masswork.KindMeToo, Phone: "13700000009"}
				wg.Add(1)
				go func() {
					defer wg.Done()
					metooErr = e.db.AddProblem(ctx, metoo, nil, &masswork.Event{Kind: masswork.EventMeToo}, rec("matter.metoo"))
				}()
				wg.Wait()
				reports, people := 4, 4
				switch {
				case metooErr == nil:
					reports, people = 5, 5
				case apperr.KindOf(metooErr) != apperr.Conflict:
					t.Fatalf("me-too during the merge: err = %v", metooErr)
				}
				won := 0
				for _, err := range errs {
					switch {
					case err == nil:
						won++
					case !errors.Is(err, apperr.ErrStale):
						t.Fatalf("crossed %v: the loser's error = %v, want stale", crossed, err)
					}
				}
				if won != 1 {
					t.Fatalf("crossed %v: %d merges won (%v)", crossed, won, errs)
				}
				ma, mb := e.matter(a.ID), e.matter(b.ID)
				live := ma
				if ma.Status == masswork.StatusMerged {
					live = mb
				}
				if live.Status == masswork.StatusMerged {
					t.Fatalf("both merged: %+v %+v", ma, mb)
				}
				list, _ := e.db.FindProblems(ctx, live.ID)
				if len(list) != reports || live.People != people {
					t.Fatalf("crossed %v: the winner has %d reports and %d people, want %d and %d", crossed, len(list), live.People, reports, people)
				}
				e.checkRecount(a.ID)
				e.checkRecount(b.ID)
			}
		}
		if p, _, err := e.db.VerifyAudit(ctx); err != nil || p != nil {
			t.Fatalf("audit chain: %v %v", p, err)
		}
	})
}

func TestMatterDueAndStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		t0 := e.clk.Now()
		a, _ := e.newMatter(e.b1.ID, e.cat, "未回应", nil) // response due t0+1d, resolve t0+10d
		b, _ := e.newMatter(e.b1.ID, e.cat, "已回应", nil)
		bm := e.matter(b.ID)
		bm.Status, bm.RespondedAt, bm.AcceptedAt = masswork.StatusAccepted, t0, t0
		if err := e.db.UpdateMatter(ctx, bm, nil, rec("matter.accept")); err != nil {
			t.Fatal(err)
		}
		c, _ := e.newMatter(e.b1.ID, e.cat, "已办结", nil)
		cm := e.matter(c.ID)
		cm.Status, cm.RespondedAt, cm.ResolvedAt, cm.Round = masswork.StatusResolved, t0, t0.Add(time.Hour), 1
		if err := e.db.UpdateMatter(ctx, cm, nil, rec("matter.resolve")); err != nil {
			t.Fatal(err)
		}
		due := func(at time.Time) []string {
			list, err := e.db.DueMatters(ctx, at, 10)
			if err != nil {
				t.Fatal(err)
			}
			return codes(list)
		}
		if got := due(t0.Add(23 * time.Hour)); len(got) != 0 {
			t.Fatalf("due before any deadline = %v", got)
		}
		if got := due(t0.Add(25 * time.Hour)); !slices.Equal(got, []string{a.Code}) {
			t.Fatalf("due after the response deadline = %v", got)
		}
		am := e.matter(a.ID)
		am.Escalations = 1
		if err := e.db.UpdateMatter(ctx, am, nil, rec("matter.escalate")); err != nil {
			t.Fatal(err)
		}
		if got := due(t0.Add(25 * time.Hour)); len(got) != 0 {
			t.Fatalf("due after escalation = %v", got)
		}
		if got := due(t0.Add(11 * 24 * time.Hour)); !slices.Equal(got, []string{a.Code, b.Code}) {
			t.Fatalf("due after the resolve deadline = %v", got)
		}
		stale, err := e.db.StaleResolved(ctx, t0.Add(2*time.Hour), 10)
		if err != nil || !slices.Equal(codes(stale), []string{c.Code}) {
			t.Fatalf("stale resolved = %v, %v", codes(stale), err)
		}
		if stale, _ := e.db.StaleResolved(ctx, t0.Add(time.Hour), 10); len(stale) != 0 {
			t.Fatalf("stale resolved at the instant = %v", codes(stale))
		}
	})
}

func TestMatterFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		m, p1 := e.newMatter(e.b1.ID, e.cat, "东门停车难", &masswork.Problem{ReporterName: "王老板", Phone: "13812345678"})
		p2, _ := e.addProblem(m.ID, &masswork.Problem{Anonymous: true})
		mm := e.matter(m.ID)
		mm.Status, mm.ResolvedAt, mm.Round = masswork.StatusResolved, e.clk.Now(), 1
		if err := e.db.UpdateMatter(ctx, mm, nil, rec("matter.resolve")); err != nil {
			t.Fatal(err)
		}
		ask := []*masswork.Feedback{{MatterID: m.ID, ProblemID: p1.ID, Round: 1}, {MatterID: m.ID, ProblemID: p2.ID, Round: 1}}
		if err := e.db.AskFeedback(ctx, ask); err != nil || ask[0].ID == 0 || ask[1].ID == 0 {
			t.Fatalf("ask: %v %+v", err, ask[0])
		}
		again := []*masswork.Feedback{{MatterID: m.ID, ProblemID: p1.ID, Round: 1}}
		if err := e.db.AskFeedback(ctx, again); err != nil || again[0].ID != 0 {
			t.Fatalf("ask again: %v, id %d", err, again[0].ID)
		}
		list, _, _ := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}})
		if len(list) != 1 || list[0].PendingFeedback != 2 {
			t.Fatalf("pending feedback = %+v", list)
		}
		fb, err := e.db.FindFeedback(ctx, m.ID, 1)
		if err != nil || len(fb) != 2 || fb[0].ProblemCode != p1.Code || fb[0].ReporterName != "王老板" || fb[0].PhoneMask != "138****5678" ||
			fb[1].ReporterName != "" || fb[1].PhoneMask != "" || !fb[0].AnsweredAt.IsZero() || fb[0].AskedAt.IsZero() {
			t.Fatalf("feedback = %+v, %v", fb, err)
		}
		// A dissatisfied answer reopens the matter in the same transaction.
		mm = e.matter(m.ID)
		mm.Status, mm.ResolvedAt = masswork.StatusInProgress, time.Time{}
		ans := fb[0]
		ans.Solved, ans.Rating, ans.Comment, ans.Via = false, masswork.RatingDissatisfied, "还是停不了", "link"
		evs := []*masswork.Event{{Kind: masswork.EventReopened, Public: true}}
		if err := e.db.AnswerFeedback(ctx, ans, mm, evs, rec("matter.feedback")); err != nil {
			t.Fatal(err)
		}
		if got := e.matter(m.ID); got.Status != masswork.StatusInProgress || got.Version != 3 || evs[0].MatterID != m.ID {
			t.Fatalf("after the answer: %+v", got)
		}
		if err := e.db.AnswerFeedback(ctx, ans, nil, nil, rec("matter.feedback")); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second answer: err = %v", err)
		}
		// An answer with a stale matter writes nothing.
		stale := fb[1]
		stale.Rating = masswork.RatingSatisfied
		old := *mm
		old.Version--
		if err := e.db.AnswerFeedback(ctx, stale, &old, nil, rec("matter.feedback")); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("answer with a stale matter: err = %v", err)
		}
		fb, _ = e.db.FindFeedback(ctx, m.ID, 1)
		if fb[0].Rating != masswork.RatingDissatisfied || fb[0].Comment != "还是停不了" || fb[0].AnsweredAt.IsZero() || fb[1].Rating != "" {
			t.Fatalf("feedback after answers = %+v %+v", fb[0], fb[1])
		}
		if list, _, _ := e.db.FindMatters(ctx, masswork.MatterFilter{Roots: []string{"/"}}); list[0].PendingFeedback != 1 {
			t.Fatalf("pending feedback after an answer = %d", list[0].PendingFeedback)
		}
	})
}

func TestMatterAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		k := &masswork.APIKey{OrgID: e.b1.ID, Name: "城市平台", KeyHash: "abc"}
		if err := e.db.CreateAPIKey(ctx, k, rec("open311.key_create")); err != nil || k.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		if err := e.db.CreateAPIKey(ctx, &masswork.APIKey{OrgID: e.b1.ID, Name: "x", KeyHash: "abc"}, rec("open311.key_create")); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("duplicate hash: err = %v", err)
		}
		got, err := e.db.FindAPIKeyByHash(ctx, "abc")
		if err != nil || got.ID != k.ID || got.OrgPath != e.b1.Path || got.Name != "城市平台" {
			t.Fatalf("by hash = %+v, %v", got, err)
		}
		if err := e.db.RevokeAPIKey(ctx, k.ID, e.clk.Now(), rec("open311.key_revoke")); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RevokeAPIKey(ctx, k.ID, e.clk.Now(), rec("open311.key_revoke")); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("revoke twice: err = %v", err)
		}
		if _, err := e.db.FindAPIKeyByHash(ctx, "abc"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("revoked key found: %v", err)
		}
		keys, err := e.db.FindAPIKeys(ctx, e.b1.ID)
		if err != nil || len(keys) != 1 || keys[0].RevokedAt.IsZero() {
			t.Fatalf("keys = %+v, %v", keys, err)
		}
		if keys, _ := e.db.FindAPIKeys(ctx, e.b2.ID); len(keys) != 0 {
			t.Fatalf("another organization's keys = %v", keys)
		}
	})
}

// TestMatterGroupCommit files many new matters at once, as the public form does under load:
// they are written together, each gets its own IDs, report, event, grams and audit record; one
// whose code is taken fails alone with a conflict (the service draws a new code) and leaves
// nothing behind, and the audit chain stays whole.
func TestMatterGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		taken, _ := e.newMatter(e.b1.ID, e.cat, "已有的事", nil, 1)
		const n = 60
		type filed struct {
			m   *masswork.Matter
			p   *masswork.Problem
			ev  *masswork.Event
			rec *audit.Record
			err error
		}
		all := make([]filed, n)
		var wg sync.WaitGroup
		for i := range all {
			f := &all[i]
			f.m = &masswork.Matter{Code: fmt.Sprintf("G%04d", i), OrgID: e.b2.ID, CategoryID: e.cat.ID, Title: fmt.Sprintf("事%d", i),
				Status: masswork.StatusSubmitted, ResponseDue: e.clk.Now().Add(24 * time.Hour), ResolveDue: e.clk.Now().Add(240 * time.Hour)}
			if i == 17 {
				f.m.Code = taken.Code // a code drawn twice
			}
			f.p = &masswork.Problem{Code: fmt.Sprintf("Q%04d", i), SecretHash: "s", Channel: masswork.ChannelWeb,
				Description: f.m.Title, Phone: fmt.Sprintf("1370000%04d", i)}
			if i%3 == 0 {
				f.p.PersonID = e.registeredID // made for someone on the register
			}
			f.ev = &masswork.Event{Kind: masswork.EventSubmitted, Public: true, ToStatus: masswork.StatusSubmitted}
			f.rec = rec("problem.create")
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.err = e.db.CreateMatter(ctx, f.m, f.p, []int32{int32(i), int32(i), 1000}, f.ev, f.rec)
			}()
		}
		wg.Wait()
		matterIDs, auditIDs := map[int64]bool{}, map[int64]bool{}
		for i, f := range all {
			if i == 17 {
				if !errors.Is(f.err, apperr.ErrConflict) {
					t.Fatalf("a taken code: err = %v, want conflict", f.err)
				}
				if _, err := e.db.FindProblemByCode(ctx, f.p.Code); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("the refused report was written: %v", err)
				}
				continue
			}
			if f.err != nil {
				t.Fatalf("matter %d: %v", i, f.err)
			}
			got := e.matter(f.m.ID)
			if got.Code != f.m.Code || got.Title != f.m.Title || got.People != 1 || got.Grams != 2 || matterIDs[f.m.ID] {
				t.Fatalf("matter %d = %+v", i, got)
			}
			matterIDs[f.m.ID] = true
			list, err := e.db.FindProblems(ctx, f.m.ID)
			if err != nil || len(list) != 1 || list[0].ID != f.p.ID || list[0].Code != f.p.Code || list[0].Description != f.m.Title {
				t.Fatalf("matter %d reports = %+v, %v", i, list, err)
			}
			if f.p.Phone != "" || !f.p.HasPhone || (i%3 != 0 && f.p.PersonKey != list[0].PersonKey) {
				t.Fatalf("report %d after create: %+v", i, f.p)
			}
			if i%3 == 0 && !strings.HasPrefix(list[0].PersonKey, "h:") {
				t.Fatalf("report %d for a registered person: key %q", i, list[0].PersonKey)
			}
			evs, err := e.db.FindEvents(ctx, f.m.ID, false)
			if err != nil || len(evs) != 1 || evs[0].ID != f.ev.ID || f.ev.MatterID != f.m.ID {
				t.Fatalf("matter %d events = %+v, %v (filed %+v)", i, evs, err, f.ev)
			}
			if g := e.grams(f.m.ID); !slices.Equal(g, []int32{int32(i), 1000}) {
				t.Fatalf("matter %d grams = %v", i, g)
			}
			if f.rec.ObjectID != f.m.ID || f.rec.ID == 0 || auditIDs[f.rec.ID] {
				t.Fatalf("matter %d audit record = %+v", i, f.rec)
			}
			auditIDs[f.rec.ID] = true
		}
		if p, _, err := e.db.VerifyAudit(ctx); err != nil || p != nil {
			t.Fatalf("audit chain: %v %v", p, err)
		}
	})
}
