package masswork_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestCategories: categories apply to the organization's subtree; the public form of a branch
// offers its own and its ancestors'; saving checks the fields and the administrator.
func TestCategories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		if len(e.cats) != len(masswork.DefaultCategories()) || e.cats["parking"].ResponseDays != 1 || e.cats["parking"].ResolveDays != 10 {
			t.Fatalf("default categories %+v", e.cats)
		}
		// The committee has categories: its branches need none of their own.
		if _, err := e.svc.UseDefaultCategories(ctx, sec, e.demo.SecondBranch.ID); keyOf(err) != "matter.error.has_categories" {
			t.Errorf("defaults twice: %v", err)
		}
		if _, err := e.svc.UseDefaultCategories(ctx, e.actors["firstsec"], e.demo.SecondBranch.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("defaults for another branch: %v", err)
		}
		own := &masswork.Category{OrgID: e.demo.SecondBranch.ID, Code: "pearl_quality", NameZh: "珍珠质量", NameEn: "Pearl quality",
			ResponseDays: 2, ResolveDays: 15, Active: true, SortOrder: 5, Fields: []masswork.Field{
				{Code: "kind", Datatype: masswork.DatatypeMultiValueList, Description: "哪种珍珠？", Values: []masswork.FieldValue{{Key: "fresh"}, {Key: "sea", Name: "海水珠"}}},
			}}
		if err := e.svc.SaveCategory(ctx, sec, own); err != nil {
			t.Fatal(err)
		}
		if own.ID == 0 || own.Fields[0].Order != 1 || own.Fields[0].Values[0].Name != "fresh" {
			t.Errorf("saved %+v", own)
		}
		second, err := e.svc.Categories(ctx, e.demo.SecondBranch.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, err := e.svc.Categories(ctx, e.demo.FirstBranch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(second) != len(e.cats)+1 || len(first) != len(e.cats) || second[0].Code != "pearl_quality" {
			t.Errorf("the Second Branch's form offers %d, the First's %d", len(second), len(first))
		}
		if c, err := e.svc.Category(ctx, "pearl_quality"); err != nil || c.ID != own.ID {
			t.Errorf("by code: %+v, %v", c, err)
		}
		// A deadline of its own applies to its matters.
		e.cats["pearl_quality"] = own
		rc := e.report(t, "pearl_quality", "买到的珍珠是假的")
		delete(e.cats, "pearl_quality")
		if m := e.matter(t, rc.MatterID); !m.ResponseDue.Equal(at("2026-03-13 00:00")) {
			t.Errorf("response due %v", m.ResponseDue.In(shanghai))
		}
		for _, tt := range []struct {
			name  string
			actor string
			edit  func(c *masswork.Category)
			field string
			key   string
		}{
			{"code taken", "secretary", func(c *masswork.Category) { c.Code = "parking" }, "code", "error.taken"},
			{"bad code", "secretary", func(c *masswork.Category) { c.Code = "停车" }, "code", "error.code"},
			{"no name", "secretary", func(c *masswork.Category) { c.NameZh = " " }, "name_zh", "error.required"},
			{"name too long", "secretary", func(c *masswork.Category) { c.NameZh = strings.Repeat("停", 41) }, "name_zh", "error.too_long"},
			{"days", "secretary", func(c *masswork.Category) { c.ResolveDays = 400 }, "resolve_days", "matter.error.days"},
			{"negative days", "secretary", func(c *masswork.Category) { c.ResponseDays = -1 }, "response_days", "matter.error.days"},
			{"other branch", "firstsec", func(c *masswork.Category) {}, "org_id", "error.org_out_of_scope"},
			{"field datatype", "secretary", func(c *masswork.Category) {
				c.Fields = []masswork.Field{{Code: "x", Datatype: "blob", Description: "?"}}
			}, "fields.0.datatype", "error.choice"},
			{"field code twice", "secretary", func(c *masswork.Category) {
				c.Fields = []masswork.Field{{Code: "xx", Datatype: "string", Description: "?"}, {Code: "xx", Datatype: "string", Description: "?"}}
			}, "fields.1.code", "error.taken"},
			{"list without values", "secretary", func(c *masswork.Category) {
				c.Fields = []masswork.Field{{Code: "xx", Datatype: masswork.DatatypeSingleValueList, Description: "?"}}
			}, "fields.0.values", "error.required"},
		} {
			c := &masswork.Category{OrgID: e.demo.SecondBranch.ID, Code: "new_one", NameZh: "新类别", ResponseDays: 1, ResolveDays: 10, Active: true}
			tt.edit(c)
			if got := fieldOf(e.svc.SaveCategory(ctx, e.actors[tt.actor], c))[tt.field]; got != tt.key {
				t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, tt.key)
			}
		}
		// Updating under a stale version, and by someone else's administrator.
		own.NameZh = "珍珠真假"
		stale := *own
		if err := e.svc.SaveCategory(ctx, sec, own); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SaveCategory(ctx, sec, &stale); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("stale save: %v", err)
		}
		if err := e.svc.SaveCategory(ctx, e.actors["firstsec"], own); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch saves: %v", err)
		}
		// Retired, it leaves the form and the Open311 list.
		own.Active = false
		if err := e.svc.SaveCategory(ctx, sec, own); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Category(ctx, "pearl_quality"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("retired by code: %v", err)
		}
		all, err := e.svc.AllCategories(ctx)
		if err != nil || len(all) != len(e.cats) {
			t.Errorf("all: %d, %v", len(all), err)
		}
	})
}

// TestHolidays: the holiday list of a year is the national default until a system
// administrator saves one; the new list counts at once.
func TestHolidays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		days, err := e.svc.Holidays(ctx, 2026)
		if err != nil || len(days) != len(masswork.DefaultHolidays(2026)) {
			t.Fatalf("2026: %d days, %v", len(days), err)
		}
		due, err := e.svc.Deadline(ctx, at("2027-02-05 10:00"), 1) // a Friday, no list for 2027
		if err != nil || !due.Equal(at("2027-02-09 00:00")) {
			t.Fatalf("2027 without a list: %v, %v", due, err)
		}
		list := []masswork.Holiday{{Day: "2027-02-08", Kind: masswork.HolidayOff, Name: "春节"}, {Day: "2027-02-06", Kind: masswork.HolidayWork, Name: "春节调休"}}
		if err := e.svc.SaveHolidays(ctx, e.actors["secretary"], 2027, list); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("a secretary saves holidays: %v", err)
		}
		for _, tt := range []struct {
			name  string
			days  []masswork.Holiday
			field string
			key   string
		}{
			{"another year", []masswork.Holiday{{Day: "2026-02-08", Kind: masswork.HolidayOff}}, "days.0.day", "matter.error.holiday_year"},
			{"bad date", []masswork.Holiday{{Day: "2027-02-30", Kind: masswork.HolidayOff}}, "days.0.day", "error.date"},
			{"bad kind", []masswork.Holiday{{Day: "2027-02-08", Kind: "half"}}, "days.0.kind", "error.choice"},
			{"twice", []masswork.Holiday{{Day: "2027-02-08", Kind: masswork.HolidayOff}, {Day: "2027-02-08", Kind: masswork.HolidayWork}}, "days.1.day", "matter.error.holiday_twice"},
		} {
			if got := fieldOf(e.svc.SaveHolidays(ctx, e.actors["admin"], 2027, tt.days))[tt.field]; got != tt.key {
				t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, tt.key)
			}
		}
		if err := e.svc.SaveHolidays(ctx, e.actors["admin"], 2027, list); err != nil {
			t.Fatal(err)
		}
		// Friday 5 February: Saturday the 6th is worked.
		due, err = e.svc.Deadline(ctx, at("2027-02-05 10:00"), 1)
		if err != nil || !due.Equal(at("2027-02-07 00:00")) {
			t.Errorf("with the list: %v, %v", due.In(shanghai), err)
		}
		due, err = e.svc.Deadline(ctx, at("2027-02-06 10:00"), 1) // Monday the 8th is off
		if err != nil || !due.Equal(at("2027-02-10 00:00")) {
			t.Errorf("over the day off: %v, %v", due.In(shanghai), err)
		}
		if days, err := e.svc.Holidays(ctx, 2027); err != nil || len(days) != 2 {
			t.Errorf("2027: %+v, %v", days, err)
		}
	})
}

// TestAPIKeysAndReveal: Open311 keys are an organization administrator's; a phone is
// revealed to someone with the right who sees the organization, audited.
func TestAPIKeysAndReveal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]
		if _, err := e.svc.CreateAPIKey(ctx, e.actors["firstsec"], e.demo.SecondBranch.ID, "x"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch's key: %v", err)
		}
		if _, err := e.svc.CreateAPIKey(ctx, sec, e.demo.SecondBranch.ID, " "); fieldOf(err)["name"] != "error.required" {
			t.Errorf("unnamed key: %v", err)
		}
		key, err := e.svc.CreateAPIKey(ctx, sec, e.demo.SecondBranch.ID, "诸暨市民热线")
		if err != nil {
			t.Fatal(err)
		}
		keys, err := e.svc.APIKeys(ctx, sec, e.demo.SecondBranch.ID)
		if err != nil || len(keys) != 1 || keys[0].KeyHash != masswork.HashKey(key) || keys[0].Name != "诸暨市民热线" {
			t.Fatalf("keys %+v, %v", keys, err)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE ?", "%"+key+"%"); n != 0 {
			t.Error("the clear key is in the audit trail")
		}
		for _, k := range []string{"", "nope", key + "x", strings.Repeat("k", 1000)} {
			if _, err := e.svc.APIKey(ctx, k); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("key %q: %v", k, err)
			}
		}
		if err := e.svc.RevokeAPIKey(ctx, e.actors["firstsec"], e.demo.SecondBranch.ID, keys[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another branch revokes: %v", err)
		}
		if err := e.svc.RevokeAPIKey(ctx, sec, e.demo.FirstBranch.ID, keys[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("revoked under another organization: %v", err)
		}

		rc := e.report(t, "parking", "东门停车难", func(r *masswork.Report) { r.Phone = "+86 139-0013-9000" })
		before := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'problem.reveal_phone'")
		phone, err := e.svc.RevealPhone(ctx, sec, rc.ProblemID)
		if err != nil || phone != "13900139000" {
			t.Fatalf("revealed %q, %v", phone, err)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'problem.reveal_phone'"); n != before+1 {
			t.Errorf("%d reveal records", n-before)
		}
		for _, tt := range []struct {
			actor string
			want  error
		}{{"member", apperr.ErrNotFound}, {"firstsec", apperr.ErrNotFound}, {"inspector", apperr.ErrDenied}} {
			if _, err := e.svc.RevealPhone(ctx, e.actors[tt.actor], rc.ProblemID); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v", tt.actor, err)
			}
		}
		if _, err := e.svc.RevealPhone(ctx, sec, 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown report: %v", err)
		}
	})
}
