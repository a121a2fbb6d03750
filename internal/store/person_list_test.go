package store_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// refPerson is what the reference filter needs of a person.
type refPerson struct {
	id                                  int64
	path, name, pinyin, initials, stage string
	status, tags, tail                  string
	created                             int64
}

func loadReference(t *testing.T, db *store.DB) []refPerson {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT p.id, o.path, p.name, p.name_pinyin, p.name_initials, p.stage, p.status, p.tags,
		p.phone_tail, p.created_at FROM people p JOIN organizations o ON o.id = p.org_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []refPerson
	for rows.Next() {
		var p refPerson
		if err := rows.Scan(&p.id, &p.path, &p.name, &p.pinyin, &p.initials, &p.stage, &p.status, &p.tags, &p.tail, &p.created); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

var stageRank = map[string]int{org.StageFull: 1, org.StageProbationary: 2, org.StageTarget: 3, org.StageActivist: 4, org.StageApplicant: 5}

// reference answers a filter the slow, obvious way.
func reference(all []refPerson, f org.PeopleFilter) ([]int64, int) {
	var match []refPerson
	for _, p := range all {
		in := false
		for _, r := range f.Roots {
			in = in || strings.HasPrefix(p.path, r)
		}
		if !in || !strings.HasPrefix(p.path, f.OrgPath) {
			continue
		}
		if q := f.Query; q != "" {
			lq := strings.ToLower(q)
			if !strings.Contains(p.name, q) && !strings.HasPrefix(p.initials, lq) && !strings.HasPrefix(p.pinyin, lq) &&
				!(len(q) == 4 && p.tail == q) {
				continue
			}
		}
		if (f.Stage != "" && p.stage != f.Stage) || (f.Status != "" && p.status != f.Status) ||
			(f.Members && !org.IsMember(p.stage)) || (f.Tag != "" && !strings.Contains(p.tags, ","+f.Tag+",")) {
			continue
		}
		match = append(match, p)
	}
	slices.SortFunc(match, func(a, b refPerson) int {
		switch f.Sort {
		case org.SortNewest:
			return cmp.Or(cmp.Compare(b.created, a.created), cmp.Compare(b.id, a.id))
		case org.SortStage:
			ra, rb := cmp.Or(stageRank[a.stage], 6), cmp.Or(stageRank[b.stage], 6)
			return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.pinyin, b.pinyin), cmp.Compare(a.id, b.id))
		}
		return cmp.Or(cmp.Compare(a.pinyin, b.pinyin), cmp.Compare(a.id, b.id))
	})
	var ids []int64
	for i := f.Offset; i < len(match) && i < f.Offset+f.Limit; i++ {
		ids = append(ids, match[i].id)
	}
	return ids, len(match)
}

// TestFindPeopleMatchesReference runs the people list over a generated register, large
// scopes and small, every filter and sort, and compares each page and total with the obvious
// answer. Large scopes are read by walking the name index, small ones by organization, and
// totals without a search come from the counters: all must give the same pages.
func TestFindPeopleMatchesReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		g, err := demo.Generate(ctx, db, demo.GenerateOptions{People: 1500, Orgs: 40, Seed: 7, Now: time.Now(), Batch: 400})
		if err != nil {
			t.Fatal(err)
		}
		all := loadReference(t, db)
		if len(all) != 1500 {
			t.Fatalf("generated %d people, want 1500", len(all))
		}
		var small, general *org.Organization
		for _, o := range g.Orgs {
			n := g.Subtree[o.ID]
			if o.Kind == org.KindBranch && n > 0 && n < 20 && small == nil {
				small = o
			}
			if o.Kind == org.KindGeneralBranch && n > 0 && general == nil {
				general = o
			}
		}
		if small == nil || general == nil {
			t.Fatal("no small branch or general branch with people")
		}
		big := g.Largest.Path
		var tail, initials string
		for _, p := range all {
			if strings.HasPrefix(p.path, big) && p.tail != "" && tail == "" {
				tail = p.tail
			}
			if strings.HasPrefix(p.path, big) && len(p.initials) >= 2 && initials == "" {
				initials = p.initials[:2]
			}
		}
		root := []string{"/"}
		cases := []org.PeopleFilter{
			{Roots: root, Limit: 20},
			{Roots: root, Limit: 20, Offset: 40},
			{Roots: root, Limit: 20, Offset: 1490},
			{Roots: root, Limit: 20, Offset: 1500},
			{Roots: root, Limit: 20, Offset: 5000},
			{Roots: []string{big}, Limit: 20},
			{Roots: []string{big}, Limit: 20, Offset: 20},
			{Roots: []string{big}, Limit: 20, Offset: 200},
			{Roots: []string{small.Path}, Limit: 20},
			{Roots: []string{general.Path, small.Path}, Limit: 20},
			{Roots: []string{general.Path, small.Path}, Limit: 20, Offset: 20},
			{Roots: root, OrgPath: big, Limit: 20, Offset: 60},
			{Roots: root, Stage: org.StageFull, Limit: 20},
			{Roots: root, Members: true, Limit: 20, Offset: 100},
			{Roots: []string{big}, Status: org.StatusNormal, Stage: org.StageMasses, Limit: 20, Offset: 20},
			{Roots: root, Status: org.StatusTransferred, Limit: 20},
			{Roots: root, Query: initials, Limit: 20},
			{Roots: []string{big}, Query: initials, Limit: 5, Offset: 1},
			{Roots: root, Query: tail, Limit: 20},
			{Roots: root, Query: "张", Limit: 20, Offset: 10},
			{Roots: root, Query: "zz-no-one", Limit: 20, Offset: 20},
			{Roots: root, Tag: "商户", Limit: 20, Offset: 20},
			{Roots: root, Sort: org.SortStage, Limit: 20, Offset: 500},
			{Roots: []string{big}, Sort: org.SortNewest, Limit: 20, Offset: 30},
			{Roots: root, Limit: 200, Offset: 100},
		}
		for _, f := range cases {
			t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
				list, total, err := db.FindPeople(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, p := range list {
					got = append(got, p.ID)
				}
				want, wantTotal := reference(all, f)
				if !slices.Equal(got, want) || total != wantTotal {
					t.Errorf("got %v (total %d), want %v (total %d)", got, total, want, wantTotal)
				}
				// The brief list is the same page with only the fields a list shows.
				f.Brief = true
				brief, briefTotal, err := db.FindPeople(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(brief) != len(list) || briefTotal != total {
					t.Fatalf("brief: %d people (total %d), want %d (total %d)", len(brief), briefTotal, len(list), total)
				}
				for i, b := range brief {
					p := list[i]
					shown := org.Person{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, OrgPath: p.OrgPath, Name: p.Name,
						IDNumberMask: p.IDNumberMask, PhoneMask: p.PhoneMask, HasIDNumber: p.HasIDNumber, HasPhone: p.HasPhone,
						Zone: p.Zone, Booth: p.Booth, Stage: p.Stage, Status: p.Status}
					if !reflect.DeepEqual(*b, shown) {
						t.Errorf("brief row %d:\n got %+v\nwant %+v", i, *b, shown)
					}
				}
			})
		}
	})
}
