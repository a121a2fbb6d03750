package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/internal/web/api"
	"github.com/getkin/kin-openapi/openapi3"
)

// massworkTags are the tags of mass work's operations in the OpenAPI document.
var massworkTags = []string{"matters", "categories", "visits", "projects", "insight"}

// isMasswork reports whether an operation is one of mass work's.
func isMasswork(op *openapi3.Operation) bool {
	return slices.ContainsFunc(op.Tags, func(t string) bool { return slices.Contains(massworkTags, t) })
}

func notMasswork(op *openapi3.Operation) bool { return !isMasswork(op) }

// massFixture is the fixture with the mass-work data the scenarios build through the API.
type massFixture struct {
	*fixture
	second, first string // the branches' IDs
	parking       api.Category
	facilities    api.Category
	heat          api.Category // a category with an extra field, of the Second Branch
	firstParking  api.Category // the First Branch's own
}

// TestMassworkAPI runs mass work's scenarios on both databases: categories, matters and
// their handling, visits and coverage, projects and the monthly figures; each role within
// its scope, other subtrees answering 404 to guessed IDs, stale versions 409, malformed
// requests 400 and broken rules 422; phones masked and anonymous reports anonymous; every
// response matching the OpenAPI document, and every documented mass-work operation called.
func TestMassworkAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := &massFixture{fixture: newFixture(t, d)}
		f.second, f.first = id(f.demo.SecondBranch.ID), id(f.demo.FirstBranch.ID)
		t.Run("categories", f.testMatterCategories)
		t.Run("intake", f.testMatterIntake)
		t.Run("handling", f.testMatterHandling)
		t.Run("assignee", f.testMatterAssignee)
		t.Run("merge", f.testMatterMerge)
		t.Run("input", f.testMatterInput)
		t.Run("visits", f.testVisits)
		t.Run("projects", f.testProjects)
		t.Run("stats", f.testMassworkStats)
		if missing := f.spec.uncalled(isMasswork); len(missing) > 0 {
			t.Errorf("documented mass-work operations never called: %v", missing)
		}
	})
}

// category returns the category of the list with the code.
func category(t *testing.T, list api.CategoryList, code string) api.Category {
	t.Helper()
	for _, c := range list.Items {
		if c.Code == code {
			return c
		}
	}
	t.Fatalf("no category %s in %+v", code, list.Items)
	return api.Category{}
}

func (f *massFixture) testMatterCategories(t *testing.T) {
	cats := "/api/v1/organizations/" + f.second + "/categories"
	list := mustDecode[api.CategoryList](t, f.call(t, "secretary", "POST", cats+"/defaults", "", nil), http.StatusCreated)
	f.parking, f.facilities = category(t, list, "parking"), category(t, list, "facilities")
	if f.parking.Name != "停车交通" || f.parking.ResponseDays != 1 || f.parking.ResolveDays != 10 || f.parking.Inherited || !f.parking.Active {
		t.Errorf("parking = %+v", f.parking)
	}
	firstList := mustDecode[api.CategoryList](t, f.call(t, "firstsec", "POST", "/api/v1/organizations/"+f.first+"/categories/defaults", "", nil), http.StatusCreated)
	f.firstParking = category(t, firstList, "parking_"+f.first)

	heat := mustDecode[api.Category](t, f.call(t, "secretary", "POST", cats, `{"code": "api_heat", "name_zh": "高温", "name_en": "Heat",
		"resolve_days": 5, "fields": [{"code": "floor", "datatype": "singlevaluelist", "required": true, "description": "几楼？",
		"values": [{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}]}]}`, nil), http.StatusCreated)
	if heat.ResponseDays != 1 || heat.ResolveDays != 5 || len(heat.Fields) != 1 || heat.Fields[0].Order != 1 || heat.Version != 1 {
		t.Errorf("heat = %+v", heat)
	}
	heatPath := cats + "/" + id(heat.ID)
	heat = mustDecode[api.Category](t, f.call(t, "secretary", "PUT", heatPath, `{"version": 1, "code": "api_heat", "name_zh": "高温酷暑",
		"name_en": "Heat", "resolve_days": 5, "fields": [{"code": "floor", "datatype": "singlevaluelist", "required": true,
		"description": "几楼？", "values": [{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}]}]}`, nil), http.StatusOK)
	if heat.NameZh != "高温酷暑" || heat.Version != 2 {
		t.Errorf("heat updated = %+v", heat)
	}
	f.heat = heat

	en := map[string]string{"Accept-Language": "en"}
	for _, sc := range []scenario{
		{name: "secretary lists its categories", user: "secretary", path: cats, status: 200,
			want: []string{`"code":"parking"`, `"name":"停车交通"`, `"code":"api_heat"`}, notWant: []string{"parking_" + f.first}},
		{name: "categories in English", user: "secretary", path: cats, header: en, status: 200, want: []string{`"name":"Parking and traffic"`}},
		{name: "inspector reads them", user: "inspector", path: cats, status: 200, want: []string{`"code":"api_heat"`}},
		{name: "first secretary guesses them", user: "firstsec", path: cats, status: 404, code: "not_found"},
		{name: "member may not read them", user: "member", path: cats, status: 404, code: "not_found"},
		{name: "inspector adds one", user: "inspector", method: "POST", path: cats, body: `{"code": "api_x", "name_zh": "X"}`, status: 403, code: "forbidden"},
		{name: "first secretary adds one to the second branch", user: "firstsec", method: "POST", path: cats,
			body: `{"code": "api_x", "name_zh": "X"}`, status: 404, code: "not_found"},
		{name: "first secretary changes one of the second branch", user: "firstsec", method: "PUT", path: heatPath,
			body: `{"version": 2, "code": "api_heat", "name_zh": "改"}`, status: 404, code: "not_found"},
		{name: "stale category version", user: "secretary", method: "PUT", path: heatPath,
			body: `{"version": 1, "code": "api_heat", "name_zh": "改"}`, status: 409, code: "conflict"},
		{name: "category update without version", user: "secretary", method: "PUT", path: heatPath,
			body: `{"code": "api_heat", "name_zh": "改"}`, status: 422, fields: []string{"version"}},
		{name: "taken code and bad fields", user: "secretary", method: "POST", path: cats, status: 422, code: "invalid",
			body:   `{"code": "parking", "name_zh": "", "resolve_days": 999, "fields": [{"code": "X", "datatype": "color", "description": ""}]}`,
			fields: []string{"code", "name_zh", "resolve_days", "fields.0.code", "fields.0.datatype", "fields.0.description"}},
		{name: "category with org_id", user: "secretary", method: "POST", path: cats, body: `{"org_id": 1, "code": "api_y", "name_zh": "Y"}`,
			status: 400, fields: []string{"org_id"}},
		{name: "defaults twice", user: "secretary", method: "POST", path: cats + "/defaults", status: 422, code: "invalid"},
		{name: "inherited category of the committee is not the branch's to change", user: "secretary", method: "PUT",
			path: "/api/v1/organizations/" + f.second + "/categories/999999", body: `{"version": 1, "code": "api_z", "name_zh": "Z"}`, status: 404},
	} {
		f.run(t, sc)
	}
}

// file files a problem through the API as the secretary and returns the receipt.
func (f *massFixture) file(t *testing.T, body string) api.MatterReceipt {
	t.Helper()
	return mustDecode[api.MatterReceipt](t, f.call(t, "secretary", "POST", "/api/v1/matters", body, nil), http.StatusCreated)
}

// matter reads a matter as the secretary.
func (f *massFixture) matter(t *testing.T, matterID int64) api.Matter {
	t.Helper()
	return mustDecode[api.Matter](t, f.call(t, "secretary", "GET", "/api/v1/matters/"+id(matterID), "", nil), http.StatusOK)
}

func (f *massFixture) testMatterIntake(t *testing.T) {
	cat := id(f.parking.ID)
	call := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "channel": "phone", "description": "东门停车难，车位太少，早上进货的车堵到马路上",
		"zone": "A区", "booth": "A-108", "name": "王丽", "phone": "13812345678"}`)
	if call.MeToo || call.ReportCode == "" || call.MatterCode == "" || call.ReportCode == call.MatterCode {
		t.Errorf("receipt = %+v", call)
	}
	anon := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "me_too": `+id(call.MatterID)+`, "anonymous": true,
		"name": "不留名的人", "phone": "13900001111", "description": "东大门那边停车太难了"}`)
	if !anon.MeToo || anon.MatterID != call.MatterID || anon.MatterCode != call.MatterCode {
		t.Errorf("me too receipt = %+v", anon)
	}
	staff := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "person_id": `+id(f.fixture.second.ID)+`, "me_too": `+id(call.MatterID)+`}`)
	if !staff.MeToo {
		t.Errorf("staff me too = %+v", staff)
	}

	m := f.matter(t, call.MatterID)
	if m.Status != "submitted" || m.People != 3 || len(m.Reports) != 3 || m.Version != 1 || m.ResponseDue == nil || m.ResolveDue == nil ||
		m.CategoryName != "停车交通" || !slices.Contains(m.Actions, "accept") || !m.CanHandle {
		t.Errorf("matter = %+v", m.MatterSummary)
	}
	for _, r := range m.Reports {
		switch r.Code {
		case call.ReportCode:
			if r.PhoneMasked != "138****5678" || !r.HasPhone || r.ReporterName != "王丽" || r.Channel != "phone" || r.Kind != "report" {
				t.Errorf("phone report = %+v", r)
			}
		case anon.ReportCode:
			if !r.Anonymous || r.ReporterName != "" || r.PhoneMasked != "" || r.HasPhone || r.PersonID != nil || r.Kind != "metoo" {
				t.Errorf("anonymous report = %+v", r)
			}
		case staff.ReportCode:
			if r.PersonID == nil || *r.PersonID != f.fixture.second.ID || r.ReporterName != f.fixture.second.Name || r.Channel != "staff" {
				t.Errorf("staff report = %+v", r)
			}
		}
	}
	path := "/api/v1/matters/" + id(call.MatterID)
	for _, sc := range []scenario{
		{name: "phones masked, anonymous stays anonymous", user: "secretary", path: path, status: 200,
			want: []string{"138****5678", call.ReportCode}, notWant: []string{"13812345678", "13900001111", "不留名的人", "1390000"}},
		{name: "inspector reads the matter", user: "inspector", path: path, status: 200, want: []string{`"can_handle":false`, `"actions":[]`},
			notWant: []string{"13812345678", "不留名的人"}},
		{name: "first secretary guesses the matter", user: "firstsec", path: path, status: 404, code: "not_found", notWant: []string{"东门"}},
		{name: "member guesses the matter", user: "member", path: path, status: 404, code: "not_found"},
		{name: "absent matter", user: "secretary", path: "/api/v1/matters/999999", status: 404},
		{name: "matter without a token", path: path, status: 401, code: "unauthorized"},

		{name: "secretary lists its matters", user: "secretary", path: "/api/v1/matters?status=submitted,accepted&sort=prominence&channel=phone",
			status: 200, want: []string{call.MatterCode, `"people":3`, `"limit":50`}, notWant: []string{"13812345678"}},
		{name: "search by code", user: "secretary", path: "/api/v1/matters?q=" + call.MatterCode, status: 200, want: []string{`"total":1`}},
		{name: "overdue ones", user: "secretary", path: "/api/v1/matters?overdue=true&sort=due", status: 200, notWant: []string{call.MatterCode}},
		{name: "by category of the second branch", user: "secretary", path: "/api/v1/matters?org_id=" + f.second + "&category_id=" + cat, status: 200,
			want: []string{call.MatterCode}},
		{name: "first secretary's list", user: "firstsec", path: "/api/v1/matters", status: 200, notWant: []string{call.MatterCode}},
		{name: "first secretary filters the second branch", user: "firstsec", path: "/api/v1/matters?org_id=" + f.second, status: 404, code: "not_found"},
		{name: "member's list: none of its own", user: "member", path: "/api/v1/matters", status: 200, want: []string{`"total":0`}},
		{name: "bad list query", user: "secretary", path: "/api/v1/matters?status=open&sort=age&channel=fax&overdue=maybe&org_id=x&limit=0", status: 400,
			code: "bad_request", fields: []string{"status", "sort", "channel", "overdue", "org_id", "limit"}},

		{name: "prominent problems", user: "secretary", path: "/api/v1/matters/prominent?org_id=" + f.second, status: 200,
			want: []string{call.MatterCode, `"booth":"A-108"`, `"growth":3`}},
		{name: "prominent problems of the member's own organization", user: "member", path: "/api/v1/matters/prominent?org_id=" + id(f.memberOrg(t)),
			status: 200, notWant: []string{"A-108"}},
		{name: "first secretary's guess at the second branch's board", user: "firstsec", path: "/api/v1/matters/prominent?org_id=" + f.second, status: 404},
		{name: "prominent without an organization", user: "secretary", path: "/api/v1/matters/prominent", status: 400, fields: []string{"org_id"}},

		{name: "similar problems while typing", user: "secretary", path: "/api/v1/matters/similar?category_id=" + cat + "&text=" + url.QueryEscape("东门停车太难") + "&zone=" + url.QueryEscape("A区"),
			status: 200, want: []string{call.MatterCode, `"place":"A区"`}, notWant: []string{"王丽", "13812345678", "138****5678", "A-108"}},
		{name: "nothing similar in another category", user: "secretary", path: "/api/v1/matters/similar?category_id=" + id(f.heat.ID) + "&text=" + url.QueryEscape("东门停车难"),
			status: 200, want: []string{`"items":[]`}},
		{name: "similar without a category", user: "secretary", path: "/api/v1/matters/similar?text=" + url.QueryEscape("停车"), status: 400, fields: []string{"category_id"}},
	} {
		f.run(t, sc)
	}
}

func (f *massFixture) testMatterHandling(t *testing.T) {
	cat := id(f.parking.ID)
	rc := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "西门停车场的栏杆坏了，车进不去", "name": "李强", "phone": "13700002222"}`)
	f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "me_too": `+id(rc.MatterID)+`, "anonymous": true}`)
	path := "/api/v1/matters/" + id(rc.MatterID)
	act := func(user, action, body string, want int) api.Matter {
		t.Helper()
		r := f.call(t, user, "POST", path+"/"+action, body, nil)
		if want != http.StatusOK {
			if r.status != want {
				t.Fatalf("%s as %s: %d, want %d\n%s", action, user, r.status, want, r)
			}
			return api.Matter{}
		}
		return mustDecode[api.Matter](t, r, http.StatusOK)
	}
	for _, sc := range []scenario{
		{name: "inspector accepts", user: "inspector", method: "POST", path: path + "/accept", body: `{"version": 1}`, status: 403, code: "forbidden"},
		{name: "first secretary accepts", user: "firstsec", method: "POST", path: path + "/accept", body: `{"version": 1}`, status: 404, code: "not_found"},
		{name: "member accepts", user: "member", method: "POST", path: path + "/accept", body: `{"version": 1}`, status: 404, code: "not_found"},
		{name: "accept without version", user: "secretary", method: "POST", path: path + "/accept", body: `{}`, status: 422, fields: []string{"version"}},
		{name: "accept a stale version", user: "secretary", method: "POST", path: path + "/accept", body: `{"version": 7}`, status: 409, code: "conflict",
			want: []string{"error"}},
		{name: "start before accepting", user: "secretary", method: "POST", path: path + "/start", body: `{"version": 1}`, status: 409, code: "conflict"},
		{name: "resolve without a body", user: "secretary", method: "POST", path: path + "/resolve", body: `{"version": 1}`, status: 422, fields: []string{"body"}},
	} {
		f.run(t, sc)
	}
	m := act("secretary", "accept", `{"version": 1, "note": "已受理，马上联系市场方"}`, http.StatusOK)
	if m.Status != "accepted" || m.Version != 2 || m.AcceptedAt == nil || m.RespondedAt == nil || slices.Contains(m.Actions, "accept") {
		t.Errorf("accepted = %+v", m.MatterSummary)
	}
	act("secretary", "accept", `{"version": 2}`, http.StatusConflict) // a status that does not allow it
	f.run(t, scenario{name: "assign to another branch", user: "secretary", method: "POST", path: path + "/assign",
		body: `{"version": 2, "org_id": ` + f.first + `}`, status: 422, fields: []string{"org_id"}})
	f.run(t, scenario{name: "assign to someone of another branch", user: "secretary", method: "POST", path: path + "/assign",
		body: `{"version": 2, "org_id": ` + f.second + `, "person_id": ` + id(f.fixture.first.ID) + `}`, status: 422, fields: []string{"person_id"}})
	m = act("secretary", "assign", `{"version": 2, "org_id": `+f.second+`, "person_id": `+id(f.fixture.second.ID)+`}`, http.StatusOK)
	if m.AssigneeID == nil || *m.AssigneeID != f.fixture.second.ID || m.AssigneeName != f.fixture.second.Name {
		t.Errorf("assigned = %+v", m.MatterSummary)
	}
	m = act("secretary", "start", fmt.Sprintf(`{"version": %d}`, m.Version), http.StatusOK)
	if m.Status != "in_progress" {
		t.Errorf("started = %+v", m.MatterSummary)
	}
	act("secretary", "reply", `{"version": 1, "body": "过时的版本"}`, http.StatusConflict)
	act("secretary", "reply", `{"public": true}`, http.StatusUnprocessableEntity)
	m = act("secretary", "reply", `{"body": "内部：栏杆厂家明天来修", "public": false}`, http.StatusOK)
	m = act("secretary", "reply", fmt.Sprintf(`{"version": %d, "body": "厂家明天上午来修栏杆"}`, m.Version), http.StatusOK)
	var note, reply bool
	for _, e := range m.Events {
		note = note || (e.Kind == "note" && !e.Public && e.Body == "内部：栏杆厂家明天来修")
		reply = reply || (e.Kind == "reply" && e.Public)
	}
	if !note || !reply {
		t.Errorf("events = %+v", m.Events)
	}
	m = act("secretary", "resolve", fmt.Sprintf(`{"version": %d, "body": "栏杆已修好"}`, m.Version), http.StatusOK)
	if m.Status != "resolved" || m.Round != 1 || len(m.Feedback) != 2 || m.ResolvedAt == nil {
		t.Fatalf("resolved = %+v %+v", m.MatterSummary, m.Feedback)
	}
	var named, anonymous api.MatterFeedback
	for _, fb := range m.Feedback {
		if fb.PhoneMasked != "" {
			named = fb
		} else {
			anonymous = fb
		}
		if fb.AnsweredAt != nil || fb.Solved != nil || fb.Rating != "" {
			t.Errorf("unanswered feedback = %+v", fb)
		}
	}
	if named.PhoneMasked != "137****2222" || named.ReporterName != "李强" || anonymous.ReporterName != "" || anonymous.ID == 0 {
		t.Errorf("feedback = %+v", m.Feedback)
	}
	fb := path + "/feedback/"
	for _, sc := range []scenario{
		{name: "feedback of another matter", user: "secretary", method: "POST", path: fb + "999999", body: `{"solved": true, "rating": "satisfied"}`, status: 404},
		{name: "feedback with a bad rating", user: "secretary", method: "POST", path: fb + id(named.ID), body: `{"solved": true, "rating": "great"}`,
			status: 422, fields: []string{"rating"}},
		{name: "feedback without solved", user: "secretary", method: "POST", path: fb + id(named.ID), body: `{"rating": "satisfied"}`,
			status: 422, fields: []string{"solved"}},
		{name: "inspector records feedback", user: "inspector", method: "POST", path: fb + id(named.ID), body: `{"solved": true, "rating": "satisfied"}`,
			status: 403},
		{name: "first secretary records feedback", user: "firstsec", method: "POST", path: fb + id(named.ID), body: `{"solved": true, "rating": "satisfied"}`,
			status: 404},
	} {
		f.run(t, sc)
	}
	// A dissatisfied answer reopens the matter.
	r := f.call(t, "secretary", "POST", fb+id(named.ID), `{"solved": false, "rating": "dissatisfied", "comment": "修了又坏"}`, nil)
	m = mustDecode[api.Matter](t, r, http.StatusOK)
	if m.Status != "in_progress" || m.ResolvedAt != nil {
		t.Errorf("reopened = %+v", m.MatterSummary)
	}
	f.run(t, scenario{name: "feedback of a past round", user: "secretary", method: "POST", path: fb + id(anonymous.ID),
		body: `{"solved": true, "rating": "satisfied"}`, status: 422, code: "invalid"})
	m = act("secretary", "resolve", fmt.Sprintf(`{"version": %d, "body": "换了新栏杆"}`, m.Version), http.StatusOK)
	if m.Round != 2 || len(m.Feedback) != 2 {
		t.Fatalf("resolved again = %+v", m.Feedback)
	}
	for i, x := range m.Feedback {
		r := f.call(t, "secretary", "POST", fb+id(x.ID), `{"solved": true, "rating": "basic"}`, nil)
		m = mustDecode[api.Matter](t, r, http.StatusOK)
		if i == 0 && m.Status != "resolved" {
			t.Errorf("after one answer = %s", m.Status)
		}
	}
	if m.Status != "closed" || m.CloseReason != "answered" || m.ClosedAt == nil {
		t.Errorf("closed = %+v", m.MatterSummary)
	}
	f.run(t, scenario{name: "feedback answered twice", user: "secretary", method: "POST", path: fb + id(m.Feedback[0].ID),
		body: `{"solved": true, "rating": "satisfied"}`, status: 422})

	// Reject, and the public face.
	other := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "想在市场里开一个停车场，手机13811112222"}`)
	opath := "/api/v1/matters/" + id(other.MatterID)
	f.run(t, scenario{name: "numbers in titles are masked", user: "secretary", path: "/api/v1/matters?q=" + other.MatterCode, status: 200,
		want: []string{"138****2222"}, notWant: []string{"13811112222"}})
	f.run(t, scenario{name: "reject without a reason", user: "secretary", method: "POST", path: opath + "/reject", body: `{"version": 1}`,
		status: 422, fields: []string{"reason"}})
	f.run(t, scenario{name: "title too long", user: "secretary", method: "POST", path: opath + "/public",
		body: `{"version": 1, "title": "` + strings.Repeat("长", 61) + `"}`, status: 422, fields: []string{"title"}})
	om := mustDecode[api.Matter](t, f.call(t, "secretary", "POST", opath+"/public", `{"version": 1, "title": "市场内新建停车场的建议",
		"summary": "已转市场管理方", "withheld": true}`, nil), http.StatusOK)
	if om.Title != "市场内新建停车场的建议" || !om.Withheld || om.Version != 2 {
		t.Errorf("public = %+v", om.MatterSummary)
	}
	f.run(t, scenario{name: "numbers in a reporter's words are masked", user: "secretary", path: opath, status: 200,
		want: []string{"138****2222"}, notWant: []string{"13811112222"}})
	om = mustDecode[api.Matter](t, f.call(t, "secretary", "POST", opath+"/reject", `{"version": 2, "reason": "不属于支部职责，已转市场管理方"}`, nil), http.StatusOK)
	if om.Status != "rejected" || om.RejectReason != "不属于支部职责，已转市场管理方" || om.CloseReason != "rejected" {
		t.Errorf("rejected = %+v", om.MatterSummary)
	}
}

// testMatterAssignee gives a matter of a party group to the member: the responsible person
// reads and handles it without any other right, and the group's board shows its public face.
func (f *massFixture) testMatterAssignee(t *testing.T) {
	group := id(f.memberOrg(t))
	rc := f.file(t, `{"org_id": `+group+`, "category_id": `+id(f.parking.ID)+`, "description": "二楼卫生间门锁坏了",
		"zone": "B区", "booth": "B-201", "name": "孙红", "phone": "13788889999"}`)
	path := "/api/v1/matters/" + id(rc.MatterID)
	board := "/api/v1/matters/prominent?org_id=" + group
	for _, sc := range []scenario{
		{name: "the group's board: the public face", user: "member", path: board, status: 200,
			want: []string{rc.MatterCode, `"title":"二楼卫生间门锁坏了"`, `"zone":"B区"`, `"booth":""`, `"version":0`}, notWant: []string{"B-201", "孙红", "13788889999", "137****9999"}},
		{name: "the matter is not the member's yet", user: "member", path: path, status: 404},
		{name: "accept", user: "secretary", method: "POST", path: path + "/accept", body: `{"version": 1}`, status: 200},
		{name: "assign it to the member", user: "secretary", method: "POST", path: path + "/assign",
			body: `{"version": 2, "org_id": ` + group + `, "person_id": ` + id(f.demo.Member.ID) + `}`, status: 200, want: []string{f.demo.Member.Name}},
		{name: "the member lists it", user: "member", path: "/api/v1/matters", status: 200, want: []string{`"total":1`, rc.MatterCode}},
		{name: "the member reads it", user: "member", path: path, status: 200, want: []string{`"can_handle":false`, `"actions":["start","reply","resolve"]`, "137****9999"},
			notWant: []string{"13788889999"}},
		{name: "the member may not reject it", user: "member", method: "POST", path: path + "/reject", body: `{"version": 3, "reason": "不管"}`,
			status: 403, code: "forbidden"},
		{name: "the member may not make it public", user: "member", method: "POST", path: path + "/public", body: `{"version": 3, "title": "x"}`,
			status: 403},
		{name: "the member starts it", user: "member", method: "POST", path: path + "/start", body: `{"version": 3}`, status: 200,
			want: []string{`"status":"in_progress"`}},
		{name: "withheld from the board", user: "secretary", method: "POST", path: path + "/public", body: `{"version": 4, "title": "卫生间门锁", "withheld": true}`,
			status: 200},
		{name: "the board withholds the title", user: "member", path: board, status: 200, want: []string{`"title":""`, `"withheld":true`},
			notWant: []string{"卫生间门锁"}},
	} {
		f.run(t, sc)
	}
}

func (f *massFixture) testMatterMerge(t *testing.T) {
	cat := id(f.parking.ID)
	a := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "B区宽带又断网了，一上午没法直播"}`)
	b := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "B区网络断了，刷不了卡", "name": "赵敏", "phone": "13600003333"}`)
	apath, bpath := "/api/v1/matters/"+id(a.MatterID), "/api/v1/matters/"+id(b.MatterID)
	for _, sc := range []scenario{
		{name: "merge into itself", user: "secretary", method: "POST", path: apath + "/merge", body: `{"version": 1, "from_id": ` + id(a.MatterID) + `, "from_version": 1}`,
			status: 422},
		{name: "merge a stale version", user: "secretary", method: "POST", path: apath + "/merge", body: `{"version": 1, "from_id": ` + id(b.MatterID) + `, "from_version": 5}`,
			status: 409, code: "conflict"},
		{name: "merge without from", user: "secretary", method: "POST", path: apath + "/merge", body: `{"version": 1}`, status: 422,
			fields: []string{"from_id", "from_version"}},
		{name: "inspector merges", user: "inspector", method: "POST", path: apath + "/merge", body: `{"version": 1, "from_id": ` + id(b.MatterID) + `, "from_version": 1}`,
			status: 403},
	} {
		f.run(t, sc)
	}
	m := mustDecode[api.Matter](t, f.call(t, "secretary", "POST", apath+"/merge", `{"version": 1, "from_id": `+id(b.MatterID)+`, "from_version": 1}`, nil), http.StatusOK)
	if len(m.Reports) != 2 || m.People != 2 {
		t.Errorf("merged = %+v", m)
	}
	gone := f.matter(t, b.MatterID)
	if gone.Status != "merged" || gone.MergedIntoID == nil || *gone.MergedIntoID != a.MatterID || gone.MergedIntoCode != a.MatterCode {
		t.Errorf("merged away = %+v", gone.MatterSummary)
	}
	f.run(t, scenario{name: "merge a merged matter again", user: "secretary", method: "POST", path: apath + "/merge",
		body: fmt.Sprintf(`{"version": %d, "from_id": %d, "from_version": %d}`, m.Version, b.MatterID, gone.Version), status: 409})
	_ = bpath

	// Split the second report off again.
	var moved int64
	for _, r := range m.Reports {
		if r.Code == b.ReportCode {
			moved = r.ID
		}
	}
	for _, sc := range []scenario{
		{name: "split every report", user: "secretary", method: "POST", path: apath + "/split",
			body: fmt.Sprintf(`{"version": %d, "report_ids": [%d, %d]}`, m.Version, m.Reports[0].ID, m.Reports[1].ID), status: 422, fields: []string{"report_ids"}},
		{name: "split a foreign report", user: "secretary", method: "POST", path: apath + "/split",
			body: fmt.Sprintf(`{"version": %d, "report_ids": [999999]}`, m.Version), status: 422, fields: []string{"report_ids"}},
		{name: "split a stale version", user: "secretary", method: "POST", path: apath + "/split",
			body: fmt.Sprintf(`{"version": %d, "report_ids": [%d]}`, m.Version+5, moved), status: 409},
		{name: "first secretary splits", user: "firstsec", method: "POST", path: apath + "/split",
			body: fmt.Sprintf(`{"version": %d, "report_ids": [%d]}`, m.Version, moved), status: 404},
	} {
		f.run(t, sc)
	}
	r := f.call(t, "secretary", "POST", apath+"/split", fmt.Sprintf(`{"version": %d, "report_ids": [%d]}`, m.Version, moved), nil)
	n := mustDecode[api.Matter](t, r, http.StatusCreated)
	if n.ID == a.MatterID || len(n.Reports) != 1 || n.Reports[0].ID != moved || n.Status != "submitted" || n.Reports[0].PhoneMasked != "136****3333" ||
		r.header.Get("Location") != "/api/v1/matters/"+id(n.ID) {
		t.Errorf("split off = %+v, Location %q", n, r.header.Get("Location"))
	}
	if left := f.matter(t, a.MatterID); len(left.Reports) != 1 {
		t.Errorf("left = %+v", left.Reports)
	}
}

func (f *massFixture) testMatterInput(t *testing.T) {
	cat := id(f.parking.ID)
	en := map[string]string{"Accept-Language": "en"}
	m := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "南门的路灯不亮"}`)
	path := "/api/v1/matters/" + id(m.MatterID)
	for _, sc := range []scenario{
		{name: "file without an organization", user: "secretary", method: "POST", path: "/api/v1/matters", body: `{"category_id": ` + cat + `}`,
			status: 422, fields: []string{"org_id"}},
		{name: "member files", user: "member", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `, "description": "x"}`, status: 422, fields: []string{"org_id"}},
		{name: "first secretary files for the second branch", user: "firstsec", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `, "description": "x"}`, status: 422, fields: []string{"org_id"}},
		{name: "another branch's category", user: "firstsec", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.first + `, "category_id": ` + cat + `, "description": "x"}`, status: 422, fields: []string{"category_id"}},
		{name: "bad fields of a report", user: "secretary", method: "POST", path: "/api/v1/matters", status: 422, code: "invalid",
			body:   `{"org_id": ` + f.second + `, "category_id": ` + id(f.heat.ID) + `, "phone": "12", "email": "x@", "latitude": 95, "person_id": ` + id(f.fixture.first.ID) + `}`,
			fields: []string{"description", "phone", "email", "longitude", "person_id", "attribute.floor"}},
		{name: "bad fields in English", user: "secretary", method: "POST", path: "/api/v1/matters", status: 422, header: en,
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `}`, fields: []string{"description"}, want: []string{"Required"}},
		{name: "visit channel", user: "secretary", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `, "channel": "visit", "description": "x"}`, status: 422, fields: []string{"channel"}},
		{name: "me too on a matter of another branch", user: "secretary", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `, "me_too": 999999}`, status: 422, fields: []string{"me_too"}},
		{name: "code set by the caller", user: "secretary", method: "POST", path: "/api/v1/matters",
			body: `{"id": 5, "code": "X", "org_id": ` + f.second + `, "category_id": ` + cat + `}`, status: 400, fields: []string{"id", "code"}},
		{name: "unknown field", user: "secretary", method: "POST", path: "/api/v1/matters",
			body: `{"org_id": ` + f.second + `, "category_id": ` + cat + `, "colour": "red"}`, status: 400, fields: []string{"colour"}},
		{name: "wrong type", user: "secretary", method: "POST", path: path + "/accept", body: `{"version": "1"}`, status: 400, fields: []string{"version"}},
		{name: "not JSON", user: "secretary", method: "POST", path: path + "/accept", body: `version=1`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415},
		{name: "bad JSON", user: "secretary", method: "POST", path: path + "/start", body: `{"version": `, status: 400, code: "bad_request"},
		{name: "action on a non-numeric matter", user: "secretary", method: "POST", path: "/api/v1/matters/abc/accept", body: `{"version": 1}`, status: 404},
		{name: "unsupported method on a matter", user: "secretary", method: "DELETE", path: path, status: 405, code: "method_not_allowed"},
	} {
		f.run(t, sc)
	}
}

func (f *massFixture) testVisits(t *testing.T) {
	visits := "/api/v1/visits"
	now := time.Now().In(f.app.Masswork.Zone())
	when := now.Add(-2 * time.Hour).UTC().Format(time.RFC3339)
	r := f.call(t, "secretary", "POST", visits, `{"org_id": `+f.second+`, "new_contact": {"name": "陈老板", "zone": "C区", "booth": "C-12", "phone": "13512345678"},
		"visited_at": "`+when+`", "summary": "走访C区商户，了解高温天气经营情况",
		"problems": [{"category_id": `+id(f.facilities.ID)+`, "description": "C区走廊没有遮阳和降温设施"}, {"category_id": 0, "description": ""}]}`, nil)
	v := mustDecode[api.VisitDetail](t, r, http.StatusCreated)
	if v.Contact == nil || v.Contact.Name != "陈老板" || v.Contact.PhoneMasked != "135****5678" || v.Zone != "C区" || v.Booth != "C-12" ||
		len(v.Problems) != 1 || v.Problems[0].CategoryName != "设施维修（防暑降温）" || v.Problems[0].MatterCode == "" ||
		v.VisitedAt.Format(time.RFC3339) != now.Add(-2*time.Hour).Truncate(time.Minute).Format(time.RFC3339) {
		t.Errorf("visit = %+v, contact %+v", v, v.Contact)
	}
	if !strings.HasPrefix(r.header.Get("Location"), "/api/v1/visits/") {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	if strings.Contains(r.String(), "13512345678") {
		t.Errorf("clear phone in %s", r)
	}
	// The problem raised became a matter of channel visit for the contact.
	pm := f.matter(t, v.Problems[0].MatterID)
	if len(pm.Reports) != 1 || pm.Reports[0].Channel != "visit" || pm.Reports[0].VisitID == nil || *pm.Reports[0].VisitID != v.ID ||
		pm.Reports[0].PersonID == nil || *pm.Reports[0].PersonID != v.ContactID {
		t.Errorf("visit matter = %+v", pm.Reports)
	}
	vpath := visits + "/" + id(v.ID)
	again := mustDecode[api.VisitDetail](t, f.call(t, "secretary", "POST", visits, `{"contact_id": `+id(v.ContactID)+`, "summary": "回访", "visited_at": "`+
		now.Add(-time.Hour).Format("2006-01-02T15:04")+`"}`, nil), http.StatusCreated)
	if again.OrgID != f.demo.SecondBranch.ID || again.Zone != "C区" {
		t.Errorf("second visit = %+v", again)
	}
	contact := id(v.ContactID)
	future := now.Add(24 * time.Hour).Format(time.RFC3339)
	for _, sc := range []scenario{
		{name: "secretary reads the visit", user: "secretary", path: vpath, status: 200, want: []string{"陈老板", "135****5678"}, notWant: []string{"13512345678"}},
		{name: "inspector reads the visit", user: "inspector", path: vpath, status: 200},
		{name: "first secretary guesses the visit", user: "firstsec", path: vpath, status: 404, code: "not_found", notWant: []string{"陈老板"}},
		{name: "member guesses the visit", user: "member", path: vpath, status: 404},
		{name: "secretary lists visits", user: "secretary", path: visits + "?contact_id=" + contact + "&zone=" + url.QueryEscape("C区") + "&since=" + now.AddDate(0, 0, -1).Format(time.DateOnly),
			status: 200, want: []string{`"total":2`, "回访"}},
		{name: "first secretary lists visits", user: "firstsec", path: visits, status: 200, notWant: []string{"陈老板"}},
		{name: "member lists visits", user: "member", path: visits, status: 403, code: "forbidden"},
		{name: "bad visit query", user: "secretary", path: visits + "?since=yesterday&contact_id=x&offset=-1", status: 400,
			fields: []string{"since", "contact_id", "offset"}},
		{name: "member logs a visit", user: "member", method: "POST", path: visits, body: `{"contact_id": ` + contact + `, "summary": "x"}`, status: 403},
		{name: "first secretary visits a second branch contact", user: "firstsec", method: "POST", path: visits,
			body: `{"contact_id": ` + contact + `, "summary": "x"}`, status: 422, fields: []string{"contact_id"}},
		{name: "visit in the future without a summary", user: "secretary", method: "POST", path: visits,
			body: `{"contact_id": ` + contact + `, "visited_at": "` + future + `"}`, status: 422, fields: []string{"visited_at", "summary"}},
		{name: "contact and new contact", user: "secretary", method: "POST", path: visits,
			body: `{"contact_id": ` + contact + `, "new_contact": {"name": "x"}, "summary": "x"}`, status: 422, fields: []string{"contact_id"}},
		{name: "bad problem raised", user: "secretary", method: "POST", path: visits, status: 422,
			body:   `{"contact_id": ` + contact + `, "summary": "x", "visited_at": "tomorrow", "problems": [{"category_id": 999999, "description": "x"}]}`,
			fields: []string{"visited_at", "problems.0.category_id"}},
		{name: "new contact without a name", user: "secretary", method: "POST", path: visits, body: `{"new_contact": {"phone": "1"}, "summary": "x"}`,
			status: 422, fields: []string{"new_name", "new_phone"}},

		{name: "coverage of the areas", user: "secretary", path: visits + "/coverage?org_id=" + f.second, status: 200, want: []string{`"zone":"C区"`}},
		{name: "coverage of an area", user: "secretary", path: visits + "/coverage?org_id=" + f.second + "&zone=" + url.QueryEscape("C区") + "&months=3", status: 200,
			want: []string{`"contact_name":"陈老板"`, `"visits":2`, `"months":3`, `"ever_visited":true`}},
		{name: "inspector's coverage", user: "inspector", path: visits + "/coverage?zone=" + url.QueryEscape("C区"), status: 200, want: []string{"陈老板"}},
		{name: "first secretary's coverage of the second branch", user: "firstsec", path: visits + "/coverage?org_id=" + f.second, status: 404},
		{name: "member's coverage", user: "member", path: visits + "/coverage", status: 403},
		{name: "bad coverage query", user: "secretary", path: visits + "/coverage?months=100&mine=perhaps", status: 400, fields: []string{"months", "mine"}},

		{name: "reserve nobody", user: "secretary", method: "POST", path: visits + "/reserve", body: `{"contact_ids": []}`, status: 422},
		{name: "reserve without a list", user: "secretary", method: "POST", path: visits + "/reserve", body: `{}`, status: 422, fields: []string{"contact_ids"}},
		{name: "member reserves", user: "member", method: "POST", path: visits + "/reserve", body: `{"contact_ids": [` + contact + `]}`, status: 403},
		{name: "secretary reserves", user: "secretary", method: "POST", path: visits + "/reserve", body: `{"contact_ids": [` + contact + `, 999999]}`,
			status: 200, want: []string{`"reserved":1`, `"taken":1`, "陈老板"}},
		{name: "first secretary reserves a second branch contact", user: "firstsec", method: "POST", path: visits + "/reserve",
			body: `{"contact_ids": [` + contact + `]}`, status: 200, want: []string{`"reserved":0`, `"taken":1`, `"mine":[]`}},
		{name: "the reservation shows", user: "secretary", path: visits + "/coverage?mine=true", status: 200, want: []string{`"reserved_by_id":`, "陈老板"}},
		{name: "first secretary's release leaves it", user: "firstsec", method: "POST", path: visits + "/release", body: `{}`, status: 200},
		{name: "still reserved", user: "secretary", path: visits + "/coverage?org_id=" + f.second + "&zone=" + url.QueryEscape("C区"), status: 200, want: []string{`"reserved":1`}},
		{name: "secretary releases it", user: "secretary", method: "POST", path: visits + "/release", body: `{"contact_ids": [` + contact + `]}`, status: 200,
			want: []string{`"mine":[]`}},
		{name: "release all", user: "secretary", method: "POST", path: visits + "/release", body: `{}`, status: 200},
	} {
		f.run(t, sc)
	}
}

func (f *massFixture) testProjects(t *testing.T) {
	cat := id(f.parking.ID)
	m := f.file(t, `{"org_id": `+f.second+`, "category_id": `+cat+`, "description": "东门卸货区太小，货车排队"}`)
	firstM := mustDecode[api.MatterReceipt](t, f.call(t, "firstsec", "POST", "/api/v1/matters",
		`{"org_id": `+f.first+`, "category_id": `+id(f.firstParking.ID)+`, "description": "第一支部门口停车难"}`, nil), http.StatusCreated)
	r := f.call(t, "secretary", "POST", "/api/v1/projects", `{"org_id": `+f.second+`, "title": "东门停车改造", "owner_id": `+id(f.fixture.second.ID)+`,
		"due_on": "2030-10-31", "matter_ids": [`+id(m.MatterID)+`],
		"milestones": [{"title": "与市场方协商", "progress": 100, "done_on": "2030-08-05"}, {"title": "划线扩容车位", "weight": 3, "progress": 40}]}`, nil)
	p := mustDecode[api.Project](t, r, http.StatusCreated)
	if p.Progress != 55 || len(p.Milestones) != 2 || len(p.Matters) != 1 || p.Matters[0].Code != m.MatterCode || !p.Public || p.Status != "active" ||
		p.OwnerName != f.fixture.second.Name || !p.CanEdit || p.Version != 1 {
		t.Errorf("project = %+v", p)
	}
	path := "/api/v1/projects/" + id(p.ID)
	p = mustDecode[api.Project](t, f.call(t, "secretary", "PUT", path, `{"version": 1, "title": "东门停车改造", "status": "done",
		"milestones": [{"title": "全部完成", "progress": 100}]}`, nil), http.StatusOK)
	if p.Progress != 100 || p.Status != "done" || p.Version != 2 || len(p.Matters) != 0 || p.OrgID != f.demo.SecondBranch.ID || p.OwnerID != nil {
		t.Errorf("project updated = %+v", p)
	}
	for _, sc := range []scenario{
		{name: "secretary lists projects", user: "secretary", path: "/api/v1/projects", status: 200, want: []string{"东门停车改造", `"progress":100`}},
		{name: "inspector reads the project", user: "inspector", path: path, status: 200, want: []string{`"can_edit":false`}},
		{name: "first secretary guesses the project", user: "firstsec", path: path, status: 404, code: "not_found"},
		{name: "first secretary's projects", user: "firstsec", path: "/api/v1/projects", status: 200, notWant: []string{"东门停车改造"}},
		{name: "stale project version", user: "secretary", method: "PUT", path: path, body: `{"version": 1, "title": "x"}`, status: 409, code: "conflict"},
		{name: "project update without version", user: "secretary", method: "PUT", path: path, body: `{"title": "x"}`, status: 422, fields: []string{"version"}},
		{name: "inspector changes the project", user: "inspector", method: "PUT", path: path, body: `{"version": 2, "title": "x"}`, status: 403},
		{name: "first secretary changes the project", user: "firstsec", method: "PUT", path: path, body: `{"version": 2, "title": "x"}`, status: 404},
		{name: "member starts a project", user: "member", method: "POST", path: "/api/v1/projects", body: `{"org_id": ` + f.second + `, "title": "x"}`, status: 403},
		{name: "bad project", user: "secretary", method: "POST", path: "/api/v1/projects", status: 422, code: "invalid",
			body: `{"org_id": ` + f.second + `, "title": "", "status": "paused", "starts_on": "2030-02-30", "owner_id": ` + id(f.fixture.first.ID) + `,
				"milestones": [{"title": "x", "progress": 150}, {"title": "y", "weight": -1, "done_on": "2030-01-01"}]}`,
			fields: []string{"title", "status", "starts_on", "owner_id", "milestones.0.progress", "milestones.1.weight", "milestones.1.progress"}},
		{name: "another branch's matter", user: "secretary", method: "POST", path: "/api/v1/projects", status: 422,
			body: `{"org_id": ` + f.second + `, "title": "x", "matter_ids": [` + id(firstM.MatterID) + `]}`, fields: []string{"matter_ids"}},
		{name: "project with progress", user: "secretary", method: "POST", path: "/api/v1/projects", status: 400,
			body: `{"org_id": ` + f.second + `, "title": "x", "progress": 50}`, fields: []string{"progress"}},
	} {
		f.run(t, sc)
	}
}

func (f *massFixture) testMassworkStats(t *testing.T) {
	month := time.Now().In(f.app.Masswork.Zone()).Format("2006-01")
	path := "/api/v1/organizations/" + f.second + "/masswork-stats"
	s := mustDecode[api.MassworkStats](t, f.call(t, "secretary", "GET", path+"?from="+month+"&to="+month, "", nil), http.StatusOK)
	if len(s.Months) != 1 || s.From != month || s.To != month {
		t.Fatalf("stats = %+v", s)
	}
	m := s.Months[0]
	if m.Problems < 10 || m.Matters < 5 || m.ByChannel["phone"] < 1 || m.ByChannel["visit"] != 1 || m.ByCategory["parking"] < 10 ||
		m.Accepted < 1 || m.Rejected < 1 || m.Resolved < 1 || m.Answers != 3 || m.Satisfied != 2 || m.SatisfactionRate == nil ||
		*m.SatisfactionRate < 0.66 || *m.SatisfactionRate > 0.67 || m.MedianResolveSeconds == nil || m.Visits != 2 || m.ContactsVisited != 1 {
		t.Errorf("month = %+v", m)
	}
	if !slices.ContainsFunc(s.Categories, func(c api.StatsCategory) bool { return c.Code == "parking" && c.Name == "停车交通" }) {
		t.Errorf("categories = %+v", s.Categories)
	}
	for _, sc := range []scenario{
		{name: "the last twelve months", user: "inspector", path: path, status: 200, want: []string{`"month":"` + month + `"`}},
		{name: "in English", user: "secretary", path: path + "?from=" + month, header: map[string]string{"Accept-Language": "en"}, status: 200,
			want: []string{`"name":"Parking and traffic"`}},
		{name: "first secretary guesses the stats", user: "firstsec", path: path, status: 404, code: "not_found"},
		{name: "member's own organization", user: "member", path: "/api/v1/organizations/" + id(f.memberOrg(t)) + "/masswork-stats", status: 200,
			want: []string{`"satisfaction_rate":null`}},
		{name: "bad months", user: "secretary", path: path + "?from=2024-13&to=24-01", status: 400, fields: []string{"from", "to"}},
		{name: "months in the wrong order", user: "secretary", path: path + "?from=2024-05&to=2024-01", status: 400, fields: []string{"to"}},
		{name: "too many months", user: "secretary", path: path + "?from=2020-01&to=2024-01", status: 400, fields: []string{"from"}},
	} {
		f.run(t, sc)
	}
}
