package masswork_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestIntakeThreeWays: the public form, a cadre on someone's behalf and the Open311 API each
// open a matter with its own code and a report with another; the tracking page accepts
// either; the audit trail of public intake has no address.
func TestIntakeThreeWays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sec := e.actors["secretary"]

		web := e.report(t, "parking", "东门停车难，车位太少，进货的车没地方停", func(r *masswork.Report) {
			r.Name, r.Phone, r.Zone, r.Booth = "王老板", "138 0013 8000", "A区", "A-101"
		})
		contact := e.contact(t, 0)
		staff, err := e.svc.Submit(ctx, sec, &masswork.Report{OrgID: e.demo.SecondBranch.ID, CategoryID: e.cats["network"].ID,
			Description: "B区宽带又断网了", PersonID: contact.ID, Channel: masswork.ChannelPhone, Place: masswork.Place{Zone: "B区"}})
		if err != nil {
			t.Fatal(err)
		}
		key, err := e.svc.CreateAPIKey(ctx, sec, e.demo.SecondBranch.ID, "市民热线对接")
		if err != nil {
			t.Fatal(err)
		}
		k, err := e.svc.APIKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		lat, long := 29.7, 120.2
		o311, err := e.svc.Submit(ctx, nil, &masswork.Report{Key: k, OrgID: e.demo.FirstBranch.ID, CategoryCode: "fire_safety",
			Description: "消防通道被货物堵住了", Place: masswork.Place{Address: "一号门", Latitude: &lat, Longitude: &long}})
		if err != nil {
			t.Fatal(err)
		}

		codes := map[string]bool{}
		for _, tt := range []struct {
			rc      *masswork.Receipt
			channel string
			orgID   int64
			name    string
		}{
			{web, masswork.ChannelWeb, e.demo.SecondBranch.ID, "王老板"},
			{staff, masswork.ChannelPhone, e.demo.SecondBranch.ID, contact.Name},
			{o311, masswork.ChannelOpen311, e.demo.SecondBranch.ID, ""}, // the key's organization, not the one asked
		} {
			for _, c := range []string{tt.rc.Code, tt.rc.MatterCode} {
				if _, ok := masswork.ParseCode(c); !ok || codes[c] {
					t.Errorf("code %q: malformed or given twice", c)
				}
				codes[c] = true
				tr, err := e.svc.Track(ctx, masswork.FormatCode(c), "")
				if err != nil || tr.Matter.ID != tt.rc.MatterID || tr.Owner {
					t.Errorf("track %s: %+v, %v", c, tr, err)
				}
			}
			v := e.view(t, tt.rc.MatterID)
			if v.Matter.OrgID != tt.orgID || v.Matter.Status != masswork.StatusSubmitted || len(v.Problems) != 1 {
				t.Fatalf("matter %+v with %d reports", v.Matter, len(v.Problems))
			}
			p := v.Problems[0]
			if p.Channel != tt.channel || p.Code != tt.rc.Code || p.ReporterName != tt.name || p.Phone != "" || p.SecretHash != "" {
				t.Errorf("%s report: %+v", tt.channel, p)
			}
			if len(v.Events) != 1 || v.Events[0].Kind != masswork.EventSubmitted || !v.Events[0].Public || v.Events[0].Body != "" {
				t.Errorf("%s events: %+v", tt.channel, v.Events)
			}
		}
		// The first 30 characters are the title; deadlines are working days in the zone.
		m := e.matter(t, web.MatterID)
		if m.Title != "东门停车难，车位太少，进货的车没地方停" || m.People != 1 || m.Zone != "A区" {
			t.Errorf("matter %+v", m)
		}
		if !m.ResponseDue.Equal(at("2026-03-12 00:00")) || !m.ResolveDue.Equal(at("2026-03-25 00:00")) {
			t.Errorf("deadlines %v, %v", m.ResponseDue.In(shanghai), m.ResolveDue.In(shanghai))
		}
		if v := e.view(t, web.MatterID); v.Problems[0].PhoneMask != "138****8000" {
			t.Errorf("phone shown as %q", v.Problems[0].PhoneMask)
		}
		// Audit: public intake has no address and is by "public" or "open311"; staff's is theirs.
		for _, tt := range []struct {
			actor string
			ip    string
			n     int
		}{{masswork.ActorPublic, "", 1}, {masswork.ActorOpen311, "", 1}, {"secretary", "10.1.2.3", 1}} {
			if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'problem.create' AND actor_name = ? AND ip = ?", tt.actor, tt.ip); n != tt.n {
				t.Errorf("%d audit records by %s from %q, want %d", n, tt.actor, tt.ip, tt.n)
			}
		}
		if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE ? OR after_json LIKE ?", "%王老板%", "%13800138000%"); n != 0 {
			t.Errorf("%d audit records with the reporter's name or phone", n)
		}
		// A revoked key files nothing.
		if err := e.svc.RevokeAPIKey(ctx, sec, e.demo.SecondBranch.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.APIKey(ctx, key); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("revoked key: %v", err)
		}
	})
}

// TestReportValidation: every field's error, by channel.
func TestReportValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		withField := &masswork.Category{OrgID: e.demo.SecondBranch.ID, Code: "stall", NameZh: "摊位问题", ResponseDays: 1, ResolveDays: 5,
			Active: true, Fields: []masswork.Field{
				{Code: "floor", Datatype: masswork.DatatypeSingleValueList, Required: true, Description: "几楼？",
					Values: []masswork.FieldValue{{Key: "1", Name: "一楼"}, {Key: "2", Name: "二楼"}}},
				{Code: "count", Datatype: masswork.DatatypeNumber, Description: "几个摊位？"},
				{Code: "since", Datatype: masswork.DatatypeDatetime, Description: "从什么时候起？"},
			}}
		if err := e.svc.SaveCategory(ctx, e.actors["secretary"], withField); err != nil {
			t.Fatal(err)
		}
		retired := &masswork.Category{OrgID: e.demo.Committee.ID, Code: "retired", NameZh: "旧类别", Active: false}
		if err := e.svc.SaveCategory(ctx, e.actors["admin"], retired); err != nil {
			t.Fatal(err)
		}
		firstOnly := &masswork.Category{OrgID: e.demo.FirstBranch.ID, Code: "first_only", NameZh: "一支部类别", Active: true}
		if err := e.svc.SaveCategory(ctx, e.actors["admin"], firstOnly); err != nil {
			t.Fatal(err)
		}
		closed := e.report(t, "parking", "东门停车难")
		if err := e.svc.Reject(ctx, e.actors["secretary"], closed.MatterID, 0, "重复反映"); err != nil {
			t.Fatal(err)
		}
		open := e.report(t, "sanitation", "公厕没人打扫")
		f := func(x float64) *float64 { return &x }
		ok := masswork.Report{OrgID: e.demo.SecondBranch.ID, CategoryID: withField.ID, Description: "二楼摊位被占",
			Attributes: map[string][]string{"floor": {"2"}}}
		tests := []struct {
			name  string
			actor string
			edit  func(r *masswork.Report)
			field string
			key   string
		}{
			{"no organization", "", func(r *masswork.Report) { r.OrgID = 0 }, "org_id", "error.required"},
			{"unknown organization", "", func(r *masswork.Report) { r.OrgID = 999999 }, "org_id", "error.choice"},
			{"no category", "", func(r *masswork.Report) { r.CategoryID = 0 }, "category_id", "matter.error.category"},
			{"unknown category", "", func(r *masswork.Report) { r.CategoryID = 999999 }, "category_id", "matter.error.category"},
			{"unknown category code", "", func(r *masswork.Report) { r.CategoryID, r.CategoryCode = 0, "nope" }, "category_id", "matter.error.category"},
			{"another branch's category", "", func(r *masswork.Report) { r.CategoryID = firstOnly.ID }, "category_id", "matter.error.category"},
			{"retired category", "", func(r *masswork.Report) { r.CategoryID = retired.ID }, "category_id", "matter.error.category_inactive"},
			{"no description", "", func(r *masswork.Report) { r.Description = " \n " }, "description", "error.required"},
			{"description too long", "", func(r *masswork.Report) { r.Description = strings.Repeat("停", 4001) }, "description", "error.too_long"},
			{"name too long", "", func(r *masswork.Report) { r.Name = strings.Repeat("王", 51) }, "name", "error.too_long"},
			{"bad phone", "", func(r *masswork.Report) { r.Phone = "1380013800" }, "phone", "error.phone"},
			{"phone with letters", "", func(r *masswork.Report) { r.Phone = "138001380xx" }, "phone", "error.phone"},
			{"bad email", "", func(r *masswork.Report) { r.Email = "wang@localhost" }, "email", "matter.error.email"},
			{"email with spaces", "", func(r *masswork.Report) { r.Email = "wang laoban@example.com" }, "email", "matter.error.email"},
			{"zone too long", "", func(r *masswork.Report) { r.Zone = strings.Repeat("区", 51) }, "zone", "error.too_long"},
			{"booth too long", "", func(r *masswork.Report) { r.Booth = strings.Repeat("1", 51) }, "booth", "error.too_long"},
			{"address too long", "", func(r *masswork.Report) { r.Address = strings.Repeat("路", 201) }, "address", "error.too_long"},
			{"latitude alone", "", func(r *masswork.Report) { r.Latitude = f(29.7) }, "longitude", "error.coordinates"},
			{"longitude alone", "", func(r *masswork.Report) { r.Longitude = f(120.2) }, "latitude", "error.coordinates"},
			{"latitude out of range", "", func(r *masswork.Report) { r.Latitude, r.Longitude = f(91), f(120) }, "latitude", "error.coordinates"},
			{"longitude out of range", "", func(r *masswork.Report) { r.Latitude, r.Longitude = f(29), f(-181) }, "longitude", "error.coordinates"},
			{"required field missing", "", func(r *masswork.Report) { r.Attributes = nil }, "attribute.floor", "matter.error.field_required"},
			{"value not in the list", "", func(r *masswork.Report) { r.Attributes["floor"] = []string{"9"} }, "attribute.floor", "error.choice"},
			{"not a number", "", func(r *masswork.Report) { r.Attributes["count"] = []string{"三个"} }, "attribute.count", "error.number"},
			{"not a date", "", func(r *masswork.Report) { r.Attributes["since"] = []string{"上周"} }, "attribute.since", "error.datetime"},
			{"me too on a closed matter", "", func(r *masswork.Report) { r.MeToo, r.CategoryID = closed.MatterID, 0 }, "me_too", "matter.error.not_open"},
			{"me too of another category", "", func(r *masswork.Report) { r.MeToo = open.MatterID }, "me_too", "matter.error.other_category"},
			{"me too on nothing", "", func(r *masswork.Report) { r.MeToo = 999999 }, "me_too", "error.choice"},
			{"staff: organization out of scope", "firstsec", func(r *masswork.Report) {}, "org_id", "error.org_out_of_scope"},
			{"staff: no organization", "secretary", func(r *masswork.Report) { r.OrgID = 0 }, "org_id", "error.required"},
			{"staff: bad channel", "secretary", func(r *masswork.Report) { r.Channel = masswork.ChannelWeb }, "channel", "matter.error.channel"},
			{"staff: contact out of scope", "secretary", func(r *masswork.Report) { r.PersonID = 999999 }, "person_id", "error.person_out_of_scope"},
			{"member is no staff", "member", func(r *masswork.Report) {}, "org_id", "error.org_out_of_scope"},
		}
		for _, tt := range tests {
			r := ok
			r.Attributes = map[string][]string{"floor": {"2"}}
			tt.edit(&r)
			_, err := e.svc.Submit(ctx, e.actors[tt.actor], &r)
			if got := fieldOf(err)[tt.field]; got != tt.key {
				t.Errorf("%s: field %s = %q (err %v), want %q", tt.name, tt.field, got, err, tt.key)
			}
			// ValidateReport says the same without writing.
			r = ok
			r.Attributes = map[string][]string{"floor": {"2"}}
			tt.edit(&r)
			if got := fieldOf(e.svc.ValidateReport(ctx, e.actors[tt.actor], &r))[tt.field]; got != tt.key {
				t.Errorf("%s: ValidateReport field %s = %q, want %q", tt.name, tt.field, got, tt.key)
			}
		}
		if n := e.count(t, "SELECT COUNT(*) FROM problems"); n != 2 {
			t.Errorf("%d reports written by bad input", n)
		}
		// The good report passes; text is kept as typed (HTML is text), without control characters.
		r := ok
		r.Description = "二楼<script>alert(1)</script>摊位被占\x00\u202e"
		r.Attributes = map[string][]string{"floor": {"2"}, "count": {"3"}, "since": {"2026-03-01"}, "unknown": {"x"}}
		rc, err := e.svc.Submit(ctx, nil, &r)
		if err != nil {
			t.Fatal(err)
		}
		p := e.view(t, rc.MatterID).Problems[0]
		if p.Description != "二楼<script>alert(1)</script>摊位被占" || len(p.Attributes) != 3 || p.Attributes["count"][0] != "3" {
			t.Errorf("stored %q %v", p.Description, p.Attributes)
		}
		// A me-too on it need not answer the required questions again; what it answers is checked.
		if _, err := e.svc.Submit(ctx, nil, &masswork.Report{OrgID: e.demo.SecondBranch.ID, MeToo: rc.MatterID}); err != nil {
			t.Errorf("me too without the required field: %v", err)
		}
		_, err = e.svc.Submit(ctx, nil, &masswork.Report{OrgID: e.demo.SecondBranch.ID, MeToo: rc.MatterID,
			Attributes: map[string][]string{"floor": {"9"}}})
		if got := fieldOf(err)["attribute.floor"]; got != "error.choice" {
			t.Errorf("me too with a bad answer: field = %q (err %v)", got, err)
		}
	})
}

// TestAnonymity: an anonymous report keeps no name, phone, email or contact, and staff see
// none; nothing of the reporter's address is stored.
func TestAnonymity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		rc := e.report(t, "market_order", "有外地商贩在卖假珍珠，说是淡水珍珠其实是塑料的", func(r *masswork.Report) {
			r.Anonymous, r.Name, r.Phone, r.Email = true, "李四", "13900139000", "li@example.com"
		})
		if n := e.count(t, `SELECT COUNT(*) FROM problems WHERE id = ? AND reporter_name = '' AND phone_enc IS NULL
			AND phone_mask = '' AND email = '' AND person_id IS NULL AND anonymous = ?`, rc.ProblemID, true); n != 1 {
			t.Error("the anonymous report keeps something of the reporter")
		}
		if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE ip <> '' AND actor_name IN ('public', 'open311')"); n != 0 {
			t.Errorf("%d public audit records with an address", n)
		}
		for _, a := range []string{"admin", "secretary"} {
			v, err := e.svc.Matter(ctx, e.actors[a], rc.MatterID)
			if err != nil {
				t.Fatal(err)
			}
			p := v.Problems[0]
			if p.ReporterName != "" || p.PhoneMask != "" || p.HasPhone || p.Email != "" || !p.Anonymous {
				t.Errorf("%s sees %+v", a, p)
			}
		}
		if _, err := e.svc.RevealPhone(ctx, e.actors["secretary"], rc.ProblemID); err == nil {
			t.Error("revealed the phone of an anonymous report")
		}
		// Staff recording an anonymous call keep no contact either.
		contact := e.contact(t, 1)
		staff, err := e.svc.Submit(ctx, e.actors["secretary"], &masswork.Report{OrgID: e.demo.SecondBranch.ID, CategoryID: e.cats["other"].ID,
			Description: "匿名电话反映", Anonymous: true, PersonID: contact.ID, Name: contact.Name, Channel: masswork.ChannelPhone})
		if err != nil {
			t.Fatal(err)
		}
		if p := e.view(t, staff.MatterID).Problems[0]; p.PersonID != 0 || p.ReporterName != "" {
			t.Errorf("anonymous call: %+v", p)
		}
	})
}

// TestMeToo: "me too" adds people to a matter, once per person whatever the channel; the
// board's prominence counts them.
func TestMeToo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		first := e.report(t, "facilities", "走廊太热了，42度没有遮阳也没有降温", func(r *masswork.Report) { r.Phone = "13800000001" })
		e.metoo(t, first.MatterID, func(r *masswork.Report) { r.Phone = "13800000002" })
		e.metoo(t, first.MatterID, func(r *masswork.Report) { r.Anonymous = true })
		// The first reporter again, with a comment: still one person.
		again := e.metoo(t, first.MatterID, func(r *masswork.Report) { r.Phone = "138 0000 0001"; r.Description = "今天更热了" })
		contact := e.contact(t, 2)
		if _, err := e.svc.Submit(ctx, e.actors["secretary"], &masswork.Report{OrgID: e.demo.SecondBranch.ID, MeToo: first.MatterID,
			PersonID: contact.ID, Channel: masswork.ChannelVisit}); err != nil {
			t.Fatal(err)
		}
		m := e.matter(t, first.MatterID)
		if m.People != 4 {
			t.Errorf("people %d, want 4 (two phones, one anonymous, one contact)", m.People)
		}
		if again.MatterID != first.MatterID || again.MatterCode != first.MatterCode || again.Code == first.Code {
			t.Errorf("me too receipt %+v", again)
		}
		v := e.view(t, first.MatterID)
		metoos := 0
		for _, ev := range v.Events {
			if ev.Kind == masswork.EventMeToo {
				metoos++
			}
		}
		if len(v.Problems) != 5 || metoos != 4 {
			t.Errorf("%d reports, %d me-too events", len(v.Problems), metoos)
		}
		other := e.report(t, "network", "B区宽带又断网了")
		top, err := e.svc.Prominent(ctx, nil, e.demo.SecondBranch.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 2 || top[0].ID != first.MatterID || top[1].ID != other.MatterID || top[0].People != 4 || top[0].Growth != 4 {
			t.Errorf("prominent: %+v", top)
		}
		if top[0].AssigneeName != "" || top[0].OrgPath != "" {
			t.Errorf("the public board shows %+v", top[0])
		}
	})
}

// TestSuggest: similar open matters of the category are suggested while typing: the same
// problem in other words, not another problem; the same zone first.
func TestSuggest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		parking := e.report(t, "parking", "东门停车难，车位太少", func(r *masswork.Report) { r.Zone = "东门" })
		farther := e.report(t, "parking", "西门停车难，车位太少", func(r *masswork.Report) { r.Zone = "西门" })
		e.report(t, "parking", "消防车道上总有人乱停车")
		net := e.report(t, "network", "B区宽带又断网了", func(r *masswork.Report) { r.Zone = "B区" })
		cat := e.cats["parking"].ID

		got, err := e.svc.Suggest(ctx, cat, "东大门那边停车太难了", masswork.Place{Zone: "东门"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].MatterID != parking.MatterID || got[0].Code != parking.MatterCode || got[0].People != 1 ||
			got[0].Place != "东门" || got[0].Title != "东门停车难，车位太少" {
			t.Fatalf("suggested %+v", got)
		}
		if len(got) > 1 && got[1].MatterID == farther.MatterID && got[1].Score >= got[0].Score {
			t.Errorf("the other gate scores as high: %+v", got)
		}
		for _, s := range got {
			if s.MatterID == net.MatterID {
				t.Errorf("another category suggested: %+v", s)
			}
		}
		if got, err := e.svc.Suggest(ctx, e.cats["network"].ID, "东门停车难", masswork.Place{}, 5); err != nil || len(got) != 0 {
			t.Errorf("parking text suggests network matters: %+v, %v", got, err)
		}
		if got, err := e.svc.Suggest(ctx, e.cats["network"].ID, "B区网络又断了，宽带老是掉线", masswork.Place{Zone: "B区"}, 5); err != nil ||
			len(got) != 1 || got[0].MatterID != net.MatterID {
			t.Errorf("network: %+v, %v", got, err)
		}
		if got, err := e.svc.Suggest(ctx, cat, "，。！", masswork.Place{}, 5); err != nil || got == nil || len(got) != 0 {
			t.Errorf("no text: %+v, %v", got, err)
		}
		// A closed matter is not suggested.
		if err := e.svc.Reject(ctx, e.actors["secretary"], parking.MatterID, 0, "已由交警处理"); err != nil {
			t.Fatal(err)
		}
		got, err = e.svc.Suggest(ctx, cat, "东门停车难，车位太少", masswork.Place{}, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			if s.MatterID == parking.MatterID {
				t.Errorf("rejected matter suggested: %+v", s)
			}
		}
	})
}

// TestMeTooStaysInItsOrganization: the form (or a cadre) of one branch neither sees nor joins
// another branch's matters, even of a category both share.
func TestMeTooStaysInItsOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		second := e.report(t, "parking", "东门停车难，车位太少")
		first := e.demo.FirstBranch.ID
		sugg, err := e.svc.SuggestIn(ctx, first, e.cats["parking"].ID, "东门停车太难了", masswork.Place{}, 5)
		if err != nil || len(sugg) != 0 {
			t.Errorf("the first branch's form suggests %+v, %v", sugg, err)
		}
		if sugg, _ := e.svc.SuggestIn(ctx, e.demo.SecondBranch.ID, e.cats["parking"].ID, "东门停车太难了", masswork.Place{}, 5); len(sugg) != 1 {
			t.Errorf("the second branch's form suggests %d matters, want its own", len(sugg))
		}
		for name, a := range map[string]*auth.Actor{"public form": nil, "cadre": e.actors["firstsec"]} {
			r := &masswork.Report{OrgID: first, MeToo: second.MatterID, Channel: masswork.ChannelPhone, Name: "王"}
			if a == nil {
				r.Channel = ""
			}
			_, err := e.svc.Submit(ctx, a, r)
			if got := fieldOf(err)["me_too"]; got != "error.choice" {
				t.Errorf("%s of the first branch joins the second's matter: me_too = %q (err %v)", name, got, err)
			}
		}
		if m := e.matter(t, second.MatterID); m.People != 1 {
			t.Errorf("people = %d after refused joins", m.People)
		}
	})
}

// TestIntakeOfADissolvedOrganization: once an organization is dissolved, its public form
// files nothing and its Open311 key is refused; nothing is written.
func TestIntakeOfADissolvedOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		sys := auth.System("test")
		gone := &org.Organization{Kind: org.KindBranch, Name: "待撤销支部", ParentID: e.demo.Committee.ID}
		if err := e.app.Org.CreateOrganization(ctx, sys, gone); err != nil {
			t.Fatal(err)
		}
		key, err := e.svc.CreateAPIKey(ctx, sys, gone.ID, "热线")
		if err != nil {
			t.Fatal(err)
		}
		k, err := e.svc.APIKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, nil, &masswork.Report{OrgID: gone.ID, CategoryID: e.cats["parking"].ID, Description: "撤销前"}); err != nil {
			t.Fatalf("before the dissolution: %v", err)
		}
		if err := e.app.Org.DissolveOrganization(ctx, sys, gone.ID, gone.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.IntakeForm(ctx, gone.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("the form of a dissolved organization: err = %v, want not found", err)
		}
		_, err = e.svc.Submit(ctx, nil, &masswork.Report{OrgID: gone.ID, CategoryID: e.cats["parking"].ID, Description: "撤销后"})
		if got := fieldOf(err)["org_id"]; got != "error.choice" {
			t.Errorf("public form: org_id = %q (err %v)", got, err)
		}
		_, err = e.svc.Submit(ctx, nil, &masswork.Report{Key: k, CategoryCode: "parking", Description: "撤销后"})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("Open311 with the dissolved organization's key: err = %v, want forbidden", err)
		}
		var n int
		if err := e.app.DB.SQL().QueryRow("SELECT COUNT(*) FROM problems WHERE description = '撤销后'").Scan(&n); err != nil || n != 0 {
			t.Errorf("reports written after the dissolution: %d, %v", n, err)
		}
	})
}
