package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
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

// projectEnv is a database with a committee, two branches (the second with a group), a few
// people and contacts, and two categories.
type projectEnv struct {
	db                  *store.DB
	orgs                *org.Service
	committee, b1, b2   *org.Organization
	group               *org.Organization
	owner, other        *org.Person
	contacts            []*org.Person // the masses of the Second Branch
	outsider            *org.Person   // a contact of the First Branch
	parking, network    *masswork.Category
	zone                *time.Location
	matterSeq, probeSeq int
	lastProblem         *masswork.Problem // the first report of the matter created last
}

func newProjectEnv(t *testing.T, d store.Dialect) *projectEnv {
	t.Helper()
	ctx := context.Background()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2023, 9, 15, 10, 0, 0, 0, zone) }
	db := storetest.Open(t, d, now)
	e := &projectEnv{db: db, orgs: org.NewService(db, db, now), zone: zone}
	sys := auth.System("test")
	e.committee = mustOrg(t, e.orgs, sys, 0, org.KindCommittee, "华东国际珠宝城党委")
	e.b2 = mustOrg(t, e.orgs, sys, e.committee.ID, org.KindBranch, "第二支部")
	e.b1 = mustOrg(t, e.orgs, sys, e.committee.ID, org.KindBranch, "第一支部")
	e.group = mustOrg(t, e.orgs, sys, e.b2.ID, org.KindGroup, "第一党小组")
	person := func(o *org.Organization, name, stage, status string) *org.Person {
		p := &org.Person{OrgID: o.ID, Name: name, Stage: stage, Status: status}
		if err := e.orgs.CreatePerson(ctx, sys, p); err != nil {
			t.Fatalf("person %s: %v", name, err)
		}
		return p
	}
	e.owner = person(e.b2, "王书记", org.StageFull, org.StatusNormal)
	e.other = person(e.b1, "李书记", org.StageFull, org.StatusNormal)
	for i, name := range []string{"陈老板", "周老板", "吴老板", "郑老板"} {
		o := e.b2
		if i == 3 {
			o = e.group
		}
		e.contacts = append(e.contacts, person(o, name, org.StageMasses, org.StatusNormal))
	}
	person(e.b2, "已迁出的老板", org.StageMasses, org.StatusTransferred) // not counted: not on the register now
	e.outsider = person(e.b1, "外支部老板", org.StageMasses, org.StatusNormal)
	for _, c := range []**masswork.Category{&e.parking, &e.network} {
		code, name := "parking", "停车交通"
		if c == &e.network {
			code, name = "network", "网络通信"
		}
		*c = &masswork.Category{OrgID: e.committee.ID, Code: code, NameZh: name, NameEn: code, ResponseDays: 1, ResolveDays: 10, Active: true}
		if err := db.SaveCategory(ctx, *c, &audit.Record{Action: "category.create", ObjectType: "category"}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// matter creates a matter of the organization opened at the instant by a first report of the
// channel.
func (e *projectEnv) matter(t *testing.T, o *org.Organization, c *masswork.Category, title string, at time.Time, channel string) *masswork.Matter {
	t.Helper()
	e.matterSeq++
	m := &masswork.Matter{Code: fmt.Sprintf("M%05d", e.matterSeq), OrgID: o.ID, CategoryID: c.ID, Title: title,
		Status: masswork.StatusSubmitted, CreatedAt: at}
	m.Zone = "B区"
	p := &masswork.Problem{Code: fmt.Sprintf("P%05d", e.matterSeq*10), SecretHash: "x", Channel: channel, Description: title,
		ReporterName: "报告人甲", CreatedAt: at}
	ev := &masswork.Event{Kind: masswork.EventSubmitted, At: at, ToStatus: masswork.StatusSubmitted}
	if err := e.db.CreateMatter(context.Background(), m, p, nil, ev, nil); err != nil {
		t.Fatalf("create matter: %v", err)
	}
	e.lastProblem = p
	return m
}

// report adds a report to a matter.
func (e *projectEnv) report(t *testing.T, m *masswork.Matter, channel string, at time.Time) *masswork.Problem {
	t.Helper()
	e.probeSeq++
	p := &masswork.Problem{MatterID: m.ID, Code: fmt.Sprintf("Q%05d", e.probeSeq), SecretHash: "x", Channel: channel,
		Kind: masswork.KindMeToo, CreatedAt: at}
	if err := e.db.AddProblem(context.Background(), p, nil, nil, nil); err != nil {
		t.Fatalf("add problem: %v", err)
	}
	return p
}

// update writes a matter's columns with events.
func (e *projectEnv) update(t *testing.T, m *masswork.Matter, evs ...*masswork.Event) {
	t.Helper()
	if err := e.db.UpdateMatter(context.Background(), m, evs, nil); err != nil {
		t.Fatalf("update matter: %v", err)
	}
}

func (e *projectEnv) day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, e.zone)
	if err != nil {
		panic(err)
	}
	return t
}

func TestProjectsSaveFindScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newProjectEnv(t, d)
		parking := e.matter(t, e.b2, e.parking, "东门停车难", e.day("2023-07-03 09:00"), masswork.ChannelWeb)
		broadband := e.matter(t, e.group, e.network, "B区宽带经常断网", e.day("2023-07-04 09:00"), masswork.ChannelVisit)

		p := &masswork.Project{OrgID: e.b2.ID, Title: "东门停车改造", Description: "新增车位", OwnerID: e.owner.ID, OwnerName: e.owner.Name,
			Status: masswork.ProjectActive, Public: true, StartsOn: "2023-07-10", DueOn: "2023-10-01",
			Milestones: []*masswork.Milestone{
				{Title: "现场勘察", Weight: 1, Progress: 100, DoneOn: "2023-07-15"},
				{Title: "划线施工", Weight: 3, Progress: 50, DueOn: "2023-08-31"},
			},
			Matters: []*masswork.Matter{parking, broadband}}
		if err := e.db.SaveProject(ctx, p, &audit.Record{Action: "project.create", ObjectType: "project"}); err != nil {
			t.Fatal(err)
		}
		hidden := &masswork.Project{OrgID: e.b2.ID, Title: "内部整改", Status: masswork.ProjectActive, Public: false}
		other := &masswork.Project{OrgID: e.b1.ID, Title: "第一支部项目", Status: masswork.ProjectDone, Public: true}
		for _, x := range []*masswork.Project{hidden, other} {
			if err := e.db.SaveProject(ctx, x, &audit.Record{Action: "project.create", ObjectType: "project"}); err != nil {
				t.Fatal(err)
			}
		}

		got, err := e.db.FindProjectByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgName != e.b2.Name || got.OrgPath != e.b2.Path || got.OwnerID != e.owner.ID || got.OwnerName != "王书记" || !got.Public || got.Version != 1 {
			t.Errorf("project = %+v", got)
		}
		if len(got.Milestones) != 2 || got.Milestones[0].Title != "现场勘察" || got.Milestones[1].Weight != 3 || got.Milestones[1].DueOn != "2023-08-31" {
			t.Errorf("milestones = %+v", got.Milestones)
		}
		// (1×100 + 3×50) / 4
		if got, want := got.Progress(), 62.5; math.Abs(got-want) > 1e-9 {
			t.Errorf("progress = %v, want %v", got, want)
		}
		var codes []string
		for _, m := range got.Matters {
			codes = append(codes, m.Code)
		}
		if want := []string{parking.Code, broadband.Code}; !slices.Equal(codes, want) {
			t.Errorf("matters = %v, want %v", codes, want)
		}
		if m := got.Matters[1]; m.CategoryName != "网络通信" || m.People != 1 || m.OrgPath != e.group.Path || m.Status != masswork.StatusSubmitted {
			t.Errorf("linked matter = %+v", m)
		}

		// An update from the version read replaces milestones and matters; a second one from
		// the same version is stale and changes nothing.
		got.Milestones = []*masswork.Milestone{{Title: "全部完成", Weight: 1, Progress: 100}}
		got.Matters = got.Matters[:1]
		got.Title = "东门停车改造（二期）"
		stale := *got
		if err := e.db.SaveProject(ctx, got, &audit.Record{Action: "project.update", ObjectType: "project"}); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Errorf("version after update = %d, want 2", got.Version)
		}
		stale.Title = "旧表单"
		if err := e.db.SaveProject(ctx, &stale, &audit.Record{Action: "project.update", ObjectType: "project"}); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("stale update: err = %v, want stale", err)
		}
		again, err := e.db.FindProjectByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Title != "东门停车改造（二期）" || len(again.Milestones) != 1 || len(again.Matters) != 1 || again.Progress() != 100 {
			t.Errorf("after update: %+v milestones %d matters %d", again, len(again.Milestones), len(again.Matters))
		}

		titles := func(roots []string, publicOnly bool) []string {
			ps, err := e.db.FindProjects(ctx, roots, publicOnly)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				out = append(out, p.Title)
			}
			sort.Strings(out)
			return out
		}
		for _, tc := range []struct {
			name       string
			roots      []string
			publicOnly bool
			want       []string
		}{
			{"branch", []string{e.b2.Path}, false, []string{"东门停车改造（二期）", "内部整改"}},
			{"branch public", []string{e.b2.Path}, true, []string{"东门停车改造（二期）"}},
			{"other branch", []string{e.b1.Path}, false, []string{"第一支部项目"}},
			{"group: below the projects", []string{e.group.Path}, false, nil},
			{"committee", []string{e.committee.Path}, false, []string{"东门停车改造（二期）", "内部整改", "第一支部项目"}},
			{"none", nil, false, nil},
		} {
			if got := titles(tc.roots, tc.publicOnly); !slices.Equal(got, tc.want) {
				t.Errorf("%s: projects = %v, want %v", tc.name, got, tc.want)
			}
		}
		if _, err := e.db.FindProjectByID(ctx, 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing project: err = %v, want not found", err)
		}
	})
}
