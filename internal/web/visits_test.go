package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// visitFixture is the web fixture with the committee's default categories and the Second
// Branch's merchants of zone A.
func visitFixture(t *testing.T, d store.Dialect) (*fixture, map[string]*masswork.Category, []*org.Person) {
	t.Helper()
	f := newFixture(t, d)
	ctx := context.Background()
	cats, err := f.app.Masswork.UseDefaultCategories(ctx, sysActor(), f.demo.Committee.ID)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*masswork.Category{}
	for _, c := range cats {
		byCode[c.Code] = c
	}
	people, _, err := f.app.Org.People(ctx, sysActor(), org.PeopleFilter{OrgPath: f.demo.SecondBranch.Path, Stage: org.StageMasses, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var zoneA []*org.Person
	for _, p := range people {
		if p.Zone == "A区" {
			zoneA = append(zoneA, p)
		}
	}
	return f, byCode, zoneA
}

// TestVisitPages walks the visit pages as the secretary logs visits from the phone, and
// probes them across organizations and roles.
func TestVisitPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f, cats, zoneA := visitFixture(t, d)
		ctx := context.Background()
		dd := f.demo
		c0, c1 := zoneA[0], zoneA[1]
		branch := id(dd.SecondBranch.ID)
		today := time.Now().In(f.app.Zone).Format(time.DateOnly)

		// A form with a missing summary and a problem without its category comes back
		// with everything typed.
		bad := url.Values{"org_id": {branch}, "contact_id": {id(c0.ID)}, "zone": {"A区东门"}, "summary": {""},
			"problems.0.description": {"东门装卸货车太多，顾客停不了车"}, "problems.1.category_id": {id(cats["network"].ID)},
			"problems.1.description": {"B区宽带经常断"}}
		good := url.Values{"org_id": {branch}, "contact_id": {id(c0.ID)}, "summary": {"聊了旺季生意，顾客反映停车难"},
			"problems.0.category_id": {id(cats["parking"].ID)}, "problems.0.description": {"东门装卸货车太多，顾客停不了车"}}
		// A contact found by the search and chosen fills the place from the register,
		// address included.
		c1full, err := f.app.Org.Person(ctx, sysActor(), c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		c1full.Address = "珠宝城A区北门12号"
		if err := f.app.Org.UpdatePerson(ctx, sysActor(), c1full); err != nil {
			t.Fatal(err)
		}
		scenarios := []scenario{
			{user: "secretary", path: "/visits/new?q=" + url.QueryEscape(c1.Name) + "&contact_id=" + id(c1.ID), status: http.StatusOK,
				want: []string{`value="` + id(c1.ID) + `" checked`, `value="` + c1.Booth + `"`, `value="珠宝城A区北门12号"`}},
			{user: "secretary", path: "/visits", status: http.StatusOK, want: []string{"走访记录", `href="/visits/new"`, `href="/visits/coverage"`, "还没有走访记录"}},
			{user: "secretary", path: "/visits/new", status: http.StatusOK,
				want: []string{"记录走访", "交谈内容", "停车交通", `name="visited_at"`, `value="` + today + `T`, `hx-get="/visits/contacts"`}},
			{user: "secretary", path: "/visits/new?q=" + url.QueryEscape(c0.Name) + "&summary=" + url.QueryEscape("还没写完"), status: http.StatusOK,
				want: []string{c0.Name, `value="` + id(c0.ID) + `"`, "还没写完"}},
			{user: "secretary", path: "/visits/new?contact_id=" + id(c1.ID), status: http.StatusOK,
				want: []string{`value="` + id(c1.ID) + `" checked`, `value="` + c1.Booth + `"`}},
			{user: "secretary", path: "/visits/contacts?q=" + url.QueryEscape(c0.Name), status: http.StatusOK,
				want: []string{c0.Name, `name="contact_id"`}, notWant: []string{"<html", "<nav"}},
			{user: "secretary", path: "/visits/contacts?q=" + url.QueryEscape(f.first.Name), status: http.StatusOK,
				notWant: []string{`value="` + id(f.first.ID) + `"`}},
			{user: "secretary", method: "POST", path: "/visits", form: bad, status: http.StatusUnprocessableEntity,
				want: []string{"请修改标出的内容", `value="A区东门"`, "东门装卸货车太多", "B区宽带经常断", "必填", "请选择问题类别",
					`value="` + id(c0.ID) + `" checked`}},
			{user: "secretary", method: "POST", path: "/visits", form: url.Values{"org_id": {branch}, "contact_id": {id(f.first.ID)}, "summary": {"x"}},
				status: http.StatusUnprocessableEntity, want: []string{"找不到这个走访对象"}, notWant: []string{f.first.Name}},
			{user: "secretary", method: "POST", path: "/visits", form: url.Values{"org_id": {branch}, "contact_id": {id(c0.ID)},
				"new_name": {"另一个人"}, "summary": {"x"}}, status: http.StatusUnprocessableEntity, want: []string{"新增联系人", `value="另一个人"`}},
			{user: "member", path: "/visits/new", status: http.StatusForbidden},
			{user: "inspector", path: "/visits/new", status: http.StatusForbidden},
			{user: "member", method: "POST", path: "/visits", form: good, status: http.StatusForbidden},
			{user: "member", path: "/visits", status: http.StatusForbidden},
			{user: "anonymous", path: "/visits", status: http.StatusSeeOther},
			{user: "anonymous", method: "POST", path: "/visits", form: good, status: http.StatusUnauthorized},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}

		// The visit is logged and its problem filed.
		status, loc := f.post(t, "secretary", "/visits", good)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/visits/") {
			t.Fatalf("log visit: %d %s", status, loc)
		}
		visitPath := strings.SplitN(loc, "?", 2)[0]
		visits, _, err := f.app.Masswork.Visits(ctx, f.actor(t, "secretary"), masswork.VisitFilter{})
		if err != nil || len(visits) != 1 || len(visits[0].Problems) != 1 {
			t.Fatalf("visits = %v, %v", visits, err)
		}
		v := visits[0]
		code := v.Problems[0].Code
		// A new contact, with the problem-free form.
		status, _ = f.post(t, "secretary", "/visits", url.Values{"org_id": {branch}, "contact_id": {"new"}, "new_name": {"骆新华"},
			"new_zone": {"C区"}, "new_booth": {"C-301"}, "new_phone": {"13905751234"}, "summary": {"新开的珍珠铺"}})
		if status != http.StatusSeeOther {
			t.Fatalf("visit a new contact: %d", status)
		}
		// Markup typed into the form is shown as text.
		status, xssLoc := f.post(t, "secretary", "/visits", url.Values{"org_id": {branch}, "contact_id": {"new"},
			"new_name": {`"><img src=x onerror=alert(1)>`}, "summary": {"<script>alert(1)</script>"}})
		if status != http.StatusSeeOther {
			t.Fatalf("visit with markup: %d", status)
		}
		f.run(t, scenario{user: "secretary", path: xssLoc, status: http.StatusOK, want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x"},
			notWant: []string{"<script>alert(1)", "<img src=x"}})
		scenarios = []scenario{
			{user: "secretary", path: loc, status: http.StatusOK, want: []string{"走访已记录", c0.Name, "****", code,
				`href="/matters/` + id(v.Problems[0].MatterID) + `"`, "停车交通", "聊了旺季生意"}},
			{user: "secretary", path: "/visits", status: http.StatusOK, want: []string{c0.Name, "骆新华", code, dd.Secretary.Name}},
			{user: "secretary", path: "/visits?zone=" + url.QueryEscape("C区"), status: http.StatusOK, want: []string{"骆新华"}, notWant: []string{c0.Name}},
			{user: "secretary", path: "/visits?contact=" + id(c0.ID), status: http.StatusOK, want: []string{c0.Name, "走访对象：" + c0.Name}, notWant: []string{"骆新华"}},
			{user: "secretary", path: "/visits?visitor=" + id(dd.Secretary.ID) + "&since=" + today, status: http.StatusOK, want: []string{c0.Name, "骆新华"}},
			{user: "secretary", path: "/visits?since=2099-01-01", status: http.StatusOK, want: []string{"还没有走访记录"}},
			{user: "inspector", path: visitPath, status: http.StatusOK, want: []string{c0.Name, code}},
			{user: "admin", path: visitPath, status: http.StatusOK, want: []string{c0.Name}},
			// Another organization's visit is not there, whichever way it is asked for.
			{user: "firstsec", path: visitPath, status: http.StatusNotFound, notWant: []string{c0.Name, code}},
			{user: "firstsec", path: "/visits", status: http.StatusOK, notWant: []string{c0.Name, "骆新华"}},
			{user: "firstsec", path: "/visits?contact=" + id(c0.ID), status: http.StatusOK, notWant: []string{c0.Name}},
			{user: "firstsec", path: "/visits/new?contact_id=" + id(c0.ID), status: http.StatusOK, notWant: []string{c0.Name}},
			{user: "member", path: visitPath, status: http.StatusNotFound},
			{user: "secretary", path: "/visits/999999", status: http.StatusNotFound},
			{user: "secretary", path: "/visits/abc", status: http.StatusNotFound},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}
	})
}

// TestVisitCoveragePages: the secretary reads the coverage of zone A, reserves a batch of
// merchants, sees who holds whom, and releases them.
func TestVisitCoveragePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f, _, zoneA := visitFixture(t, d)
		dd := f.demo
		c0, c1, c2 := zoneA[0], zoneA[1], zoneA[2]
		branch := id(dd.SecondBranch.ID)
		if status, _ := f.post(t, "secretary", "/visits", url.Values{"org_id": {branch}, "contact_id": {id(c0.ID)}, "summary": {"走访"}}); status != http.StatusSeeOther {
			t.Fatalf("log visit: %d", status)
		}
		area := "/visits/coverage?org=" + branch + "&zone=" + url.QueryEscape("A区")
		reserve := url.Values{"contact_id": {id(c1.ID), id(c2.ID)}, "back": {area}}
		scenarios := []scenario{
			{user: "secretary", path: "/visits/coverage", status: http.StatusOK, want: []string{"走访覆盖", "覆盖率", "A区", "E区", "zone=A%E5%8C%BA"}},
			{user: "secretary", path: area, status: http.StatusOK, want: []string{c0.Name, c1.Name, "从未走访", "走访 1 次", "覆盖率", "预约走访"}},
			{user: "secretary", path: area + "&todo=1", status: http.StatusOK, want: []string{c1.Name}, notWant: []string{c0.Name}},
			{user: "inspector", path: area, status: http.StatusOK, want: []string{c0.Name}, notWant: []string{"预约走访"}},
			{user: "firstsec", path: area, status: http.StatusNotFound, notWant: []string{c0.Name}},
			{user: "firstsec", path: "/visits/coverage?zone=" + url.QueryEscape("A区"), status: http.StatusOK, notWant: []string{c0.Name}},
			{user: "member", path: "/visits/coverage", status: http.StatusForbidden},
			{user: "secretary", path: "/visits/coverage?org=abc", status: http.StatusNotFound},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}

		status, loc := f.post(t, "secretary", "/visits/reserve", reserve)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/visits/coverage?") || !strings.Contains(loc, "flash=flash.visit_reserved") {
			t.Fatalf("reserve: %d %s", status, loc)
		}
		f.run(t, scenario{user: "secretary", path: loc, status: http.StatusOK, want: []string{"已预约，7 天内有效", "我已预约"}})
		f.run(t, scenario{user: "admin", path: area, status: http.StatusOK, want: []string{dd.Secretary.Name + " 已预约", "disabled"}})
		// The administrator cannot take them; the first branch's secretary cannot reach them.
		if _, loc := f.post(t, "admin", "/visits/reserve", reserve); !strings.Contains(loc, "flash=flash.visit_reserve_none") {
			t.Errorf("admin reserves the same: %s", loc)
		}
		if _, loc := f.post(t, "firstsec", "/visits/reserve", url.Values{"contact_id": {id(zoneA[3].ID)}}); !strings.Contains(loc, "flash=flash.visit_reserve_none") {
			t.Errorf("firstsec reserves a second-branch contact: %s", loc)
		}
		if _, loc := f.post(t, "secretary", "/visits/reserve", url.Values{"back": {"https://evil.example/"}}); loc != "/visits/coverage?flash=flash.visit_none_chosen" {
			t.Errorf("reserve nothing with a foreign back address: %s", loc)
		}
		f.run(t, scenario{user: "member", method: "POST", path: "/visits/reserve", form: reserve, status: http.StatusForbidden})
		f.run(t, scenario{user: "secretary", path: "/visits/coverage?mine=1", status: http.StatusOK, want: []string{c1.Name, c2.Name, "全部取消"}, notWant: []string{c0.Name}})
		f.run(t, scenario{user: "secretary", path: "/visits/new", status: http.StatusOK, want: []string{"我预约的走访对象", c1.Name}})

		// Releasing one, then logging a visit to the other, leaves none.
		if _, loc := f.post(t, "secretary", "/visits/release", url.Values{"contact_id": {id(c1.ID)}, "back": {area}}); !strings.Contains(loc, "flash=flash.visit_released") {
			t.Errorf("release: %s", loc)
		}
		if status, _ := f.post(t, "secretary", "/visits", url.Values{"org_id": {branch}, "contact_id": {id(c2.ID)}, "summary": {"走访"}}); status != http.StatusSeeOther {
			t.Fatalf("log visit: %d", status)
		}
		f.run(t, scenario{user: "secretary", path: "/visits/coverage?mine=1", status: http.StatusOK, want: []string{"您目前没有预约走访对象"}})
	})
}
