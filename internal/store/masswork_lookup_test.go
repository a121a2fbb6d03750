package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestIntakeOrgFollowsEveryChange: the intake copy of instance a answers what the database
// holds after every change made by instance b — a category added, edited, retired; an
// organization renamed, moved, dissolved — and what a caller changes in an answer does not
// change the copy.
func TestIntakeOrgFollowsEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, b := openShared(t, d)
		sys := auth.System("test")
		orgsB := org.NewService(b, b, nil)
		top := mustOrg(t, orgsB, sys, 0, org.KindCommittee, "党委")
		b1 := mustOrg(t, orgsB, sys, top.ID, org.KindBranch, "第一支部")
		b2 := mustOrg(t, orgsB, sys, top.ID, org.KindBranch, "第二支部")

		// check compares a's answer for an organization with b's fresh reads.
		check := func(step string, o *org.Organization) {
			t.Helper()
			got, cats, err := a.FindIntakeOrg(ctx, o.ID)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			want, err := b.FindOrganizationByID(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != want.Name || got.Path != want.Path || got.ParentID != want.ParentID {
				t.Fatalf("%s: organization %+v, want %+v", step, got, want)
			}
			all, err := b.FindCategories(ctx, []string{"/"}, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(cats) != len(all) {
				t.Fatalf("%s: %d categories, want %d", step, len(cats), len(all))
			}
			for i := range all {
				g, w := cats[i], all[i]
				if g.ID != w.ID || g.NameZh != w.NameZh || g.Active != w.Active || g.OrgPath != w.OrgPath || g.ResolveDays != w.ResolveDays {
					t.Fatalf("%s: category %d = %+v, want %+v", step, i, g, w)
				}
			}
			// Changing an answer changes nothing kept.
			got.Name = "改掉"
			for _, c := range cats {
				c.NameZh = "改掉"
			}
		}
		check("no categories", b1)
		cat := &masswork.Category{OrgID: top.ID, Code: "parking", NameZh: "停车", NameEn: "Parking", ResponseDays: 1, ResolveDays: 10, Active: true}
		if err := b.SaveCategory(ctx, cat, rec("category.create")); err != nil {
			t.Fatal(err)
		}
		check("a category added", b1)
		check("asked again", b1)
		cat.ResolveDays, cat.NameZh = 5, "停车难"
		if err := b.SaveCategory(ctx, cat, rec("category.update")); err != nil {
			t.Fatal(err)
		}
		check("a category edited", b1)
		cat.Active = false
		if err := b.SaveCategory(ctx, cat, rec("category.update")); err != nil {
			t.Fatal(err)
		}
		check("a category retired", b2)
		b1.Name = "第一支部（新）"
		if err := orgsB.UpdateOrganization(ctx, sys, b1); err != nil {
			t.Fatal(err)
		}
		check("renamed", b1)
		if err := orgsB.MoveOrganization(ctx, sys, b1.ID, b2.ID, b1.Version); err != nil {
			t.Fatal(err)
		}
		check("moved", b1)
		moved, err := b.FindOrganizationByID(ctx, b1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := orgsB.DissolveOrganization(ctx, sys, b1.ID, moved.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.FindIntakeOrg(ctx, b1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a dissolved organization: err = %v, want not found", err)
		}
		if _, _, err := a.FindIntakeOrg(ctx, 99999); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("an unknown organization: err = %v, want not found", err)
		}
		check("after the dissolution", b2)
	})
}
