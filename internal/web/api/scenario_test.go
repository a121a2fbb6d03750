package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// scenario is one API call and what its answer must and must not contain.
type scenario struct {
	name    string
	user    string // "" sends no token
	method  string
	path    string
	body    string
	header  map[string]string
	status  int
	code    string   // error code, for errors
	fields  []string // fields the error names
	want    []string
	notWant []string
}

func (f *fixture) run(t *testing.T, sc scenario) response {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	r := f.call(t, sc.user, method, sc.path, sc.body, sc.header)
	if r.status != sc.status {
		t.Errorf("%s: %s %s as %q: status %d, want %d\n%s", sc.name, method, sc.path, sc.user, r.status, sc.status, excerpt(r.body))
	}
	got := string(r.body)
	for _, w := range sc.want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: missing %q\n%s", sc.name, w, excerpt(r.body))
		}
	}
	for _, w := range sc.notWant {
		if strings.Contains(got, w) {
			t.Errorf("%s: must not contain %q", sc.name, w)
		}
	}
	if sc.code != "" || len(sc.fields) > 0 {
		e := r.errorBody(t)
		if sc.code != "" && e.Code != sc.code {
			t.Errorf("%s: code %q, want %q", sc.name, e.Code, sc.code)
		}
		for _, field := range sc.fields {
			if e.Fields[field] == "" {
				t.Errorf("%s: no message for field %q in %v", sc.name, field, e.Fields)
			}
		}
	}
	return r
}

func id(n int64) string { return fmt.Sprint(n) }

// TestAPI runs the API's scenarios on both databases: each role reads, creates and updates
// within its scope; other subtrees answer 404 to guessed IDs; malformed requests answer 400
// and broken rules 422, in Chinese and in English; and every response matches the OpenAPI
// document, every documented operation being called at least once.
func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		t.Run("access", f.testAccess)
		t.Run("input", f.testInput)
		t.Run("tokens", f.testTokens)
		t.Run("person", f.testPersonLifecycle)
		t.Run("organization", f.testOrganizationLifecycle)
		t.Run("activities", f.testActivities)
		t.Run("sites", f.testSites)
		t.Run("attendance", f.testAttendance)
		t.Run("records", f.testRecords)
		t.Run("compliance", f.testCompliance)
		// Mass work's operations are called by TestMassworkAPI.
		if missing := f.spec.uncalled(notMasswork); len(missing) > 0 {
			t.Errorf("documented operations never called: %v", missing)
		}
	})
}

func (f *fixture) testAccess(t *testing.T) {
	d := f.demo
	first, second := id(d.FirstBranch.ID), id(d.SecondBranch.ID)
	en := map[string]string{"Accept-Language": "en-US,en;q=0.9"}
	for _, sc := range []scenario{
		{name: "openapi document needs no token", path: "/api/v1/openapi.json", status: 200, want: []string{`"openapi": "3.1.0"`}},

		// The tree of each role.
		{name: "admin tree", user: "admin", path: "/api/v1/organizations", status: 200,
			want: []string{d.Committee.Name, d.FirstBranch.Name, d.SecondBranch.Name, `"people_count"`}},
		{name: "secretary tree", user: "secretary", path: "/api/v1/organizations", status: 200,
			want: []string{d.SecondBranch.Name}, notWant: []string{d.FirstBranch.Name, d.Committee.Name}},
		{name: "first secretary tree", user: "firstsec", path: "/api/v1/organizations", status: 200,
			want: []string{d.FirstBranch.Name}, notWant: []string{d.SecondBranch.Name}},
		{name: "inspector tree", user: "inspector", path: "/api/v1/organizations", status: 200,
			want: []string{d.Committee.Name, d.FirstBranch.Name, d.SecondBranch.Name}},
		{name: "member sees only its own organization", user: "member", path: "/api/v1/organizations", status: 200,
			notWant: []string{d.FirstBranch.Name, d.Committee.Name}},

		// Organizations by ID.
		{name: "secretary reads its branch", user: "secretary", path: "/api/v1/organizations/" + second, status: 200,
			want: []string{d.SecondBranch.Name, `"version":`}},
		{name: "secretary guesses the first branch", user: "secretary", path: "/api/v1/organizations/" + first, status: 404,
			code: "not_found", want: []string{"找不到该对象"}, notWant: []string{d.FirstBranch.Name}},
		{name: "first secretary guesses the second branch", user: "firstsec", path: "/api/v1/organizations/" + second, status: 404, code: "not_found"},
		{name: "member guesses another branch", user: "member", path: "/api/v1/organizations/" + first, status: 404, code: "not_found"},
		{name: "not found in English", user: "secretary", path: "/api/v1/organizations/" + first, header: en, status: 404,
			want: []string{"No such object"}},
		{name: "non-numeric ID", user: "admin", path: "/api/v1/organizations/abc", status: 404, code: "not_found"},
		{name: "absent ID", user: "admin", path: "/api/v1/organizations/999999", status: 404, code: "not_found"},

		// People lists.
		{name: "secretary lists its people", user: "secretary", path: "/api/v1/people?per_page=200", status: 200,
			want: []string{d.Secretary.Name, `"total":`, `"per_page":200`, `"page":1`}, notWant: []string{f.first.Name}},
		{name: "first secretary lists its people", user: "firstsec", path: "/api/v1/people?per_page=200", status: 200,
			want: []string{f.first.Name}, notWant: []string{d.Secretary.Name}},
		{name: "inspector filters the first branch", user: "inspector", path: "/api/v1/people?org=" + first + "&per_page=200", status: 200,
			want: []string{f.first.Name}, notWant: []string{d.Secretary.Name}},
		{name: "secretary filters the first branch", user: "secretary", path: "/api/v1/people?org=" + first, status: 404, code: "not_found"},
		{name: "member may not list", user: "member", path: "/api/v1/people", status: 403, code: "forbidden", want: []string{"没有权限"}},
		{name: "member may not list, in English", user: "member", path: "/api/v1/people", header: en, status: 403,
			want: []string{"not allowed"}},
		{name: "search by pinyin initials", user: "secretary", path: "/api/v1/people?q=zjh&sort=stage", status: 200,
			want: []string{d.Secretary.Name}},
		{name: "filter by stage", user: "admin", path: "/api/v1/people?stage=masses&status=normal&per_page=5&page=2", status: 200,
			want: []string{`"stage":"masses"`, `"page":2`}, notWant: []string{`"stage":"full"`}},

		// People by ID.
		{name: "secretary reads its secretary", user: "secretary", path: "/api/v1/people/" + id(f.second.ID), status: 200,
			want: []string{d.Secretary.Name, `"id_number_masked"`, "********"}},
		{name: "secretary guesses a first branch person", user: "secretary", path: "/api/v1/people/" + id(f.first.ID), status: 404,
			code: "not_found", notWant: []string{f.first.Name}},
		{name: "first secretary guesses a second branch person", user: "firstsec", path: "/api/v1/people/" + id(f.second.ID), status: 404, code: "not_found"},
		{name: "member reads itself", user: "member", path: "/api/v1/people/" + id(d.Member.ID), status: 200, want: []string{d.Member.Name}},
		{name: "member reads another", user: "member", path: "/api/v1/people/" + id(f.second.ID), status: 404, code: "not_found"},
		{name: "inspector reads anyone", user: "inspector", path: "/api/v1/people/" + id(f.first.ID), status: 200},

		// Writes across subtrees and above one's rights.
		{name: "secretary adds a group", user: "secretary", method: "POST", path: "/api/v1/organizations", status: 201,
			body: `{"parent_id": ` + second + `, "kind": "group", "name": "API 测试党小组"}`, want: []string{"API 测试党小组", `"depth":2`}},
		{name: "secretary adds under the first branch", user: "secretary", method: "POST", path: "/api/v1/organizations", status: 422,
			body: `{"parent_id": ` + first + `, "kind": "group", "name": "越权小组"}`, code: "invalid", fields: []string{"parent_id"}},
		{name: "secretary adds a top-level organization", user: "secretary", method: "POST", path: "/api/v1/organizations", status: 403,
			body: `{"kind": "committee", "name": "越权党委"}`, code: "forbidden"},
		{name: "inspector adds a group", user: "inspector", method: "POST", path: "/api/v1/organizations", status: 403,
			body: `{"parent_id": ` + second + `, "kind": "group", "name": "巡查小组"}`, code: "forbidden"},
		{name: "admin adds a committee", user: "admin", method: "POST", path: "/api/v1/organizations", status: 201,
			body: `{"kind": "committee", "name": "API 测试党委", "unit_name": "测试单位"}`, want: []string{`"parent_id":null`, `"depth":0`}},
		{name: "secretary renames the first branch", user: "secretary", method: "PATCH", path: "/api/v1/organizations/" + first, status: 404,
			body: `{"version": 1, "name": "改名"}`, code: "not_found"},
		{name: "member renames its organization", user: "member", method: "PATCH", path: "/api/v1/organizations/" + id(f.memberOrg(t)), status: 403,
			body: `{"version": 1, "name": "改名"}`, code: "forbidden"},
		{name: "secretary edits a first branch person", user: "secretary", method: "PATCH", path: "/api/v1/people/" + id(f.first.ID), status: 404,
			body: `{"version": 1, "name": "改名"}`, code: "not_found"},
		{name: "inspector edits a person", user: "inspector", method: "PATCH", path: "/api/v1/people/" + id(f.second.ID), status: 403,
			body: `{"version": 1, "notes": "巡查"}`, code: "forbidden"},
		{name: "member edits itself", user: "member", method: "PATCH", path: "/api/v1/people/" + id(d.Member.ID), status: 403,
			body: `{"version": 1, "notes": "我"}`, code: "forbidden"},
		{name: "secretary adds a person to the first branch", user: "secretary", method: "POST", path: "/api/v1/people", status: 422,
			body: `{"org_id": ` + first + `, "name": "越权"}`, code: "invalid", fields: []string{"org_id"}, want: []string{"请选择您管理的党组织"}},
		{name: "member adds a person", user: "member", method: "POST", path: "/api/v1/people", status: 422,
			body: `{"org_id": ` + second + `, "name": "越权"}`, code: "invalid", fields: []string{"org_id"}},
		{name: "first secretary adds a person", user: "firstsec", method: "POST", path: "/api/v1/people", status: 201,
			body: `{"org_id": ` + first + `, "name": "孙立新", "stage": "activist", "tags": ["商户"]}`,
			want: []string{"孙立新", `"tags":["商户"]`, `"status":"normal"`, `"id_number_masked":""`}},

		// Imports: the uploader and the organization's administrators follow an import.
		{name: "import status", user: "secretary", path: "/api/v1/imports/" + id(f.importID(t)), status: 200,
			want: []string{`"status":"preview"`, `"total_rows":2`, `"error_rows":1`, `"field":"id_number"`, "身份证号校验位不对"}},
		{name: "import status of another subtree", user: "firstsec", path: "/api/v1/imports/" + id(f.importID(t)), status: 404, code: "not_found"},
		{name: "import status that does not exist", user: "secretary", path: "/api/v1/imports/999999", status: 404, code: "not_found"},
		{name: "import status without a token", path: "/api/v1/imports/1", status: 401, code: "unauthorized"},

		// Unknown paths and methods answer JSON.
		{name: "unknown path", user: "admin", path: "/api/v1/nothing", status: 404, code: "not_found"},
		{name: "unknown path without a token", path: "/api/v1/people/1/nothing", status: 404, code: "not_found"},
		{name: "unsupported method", user: "admin", method: "DELETE", path: "/api/v1/people/" + id(f.first.ID), status: 405,
			code: "method_not_allowed", want: []string{"不支持"}},
	} {
		r := f.run(t, sc)
		if sc.status == 405 && r.header.Get("Allow") != "GET, PATCH" {
			t.Errorf("%s: Allow = %q, want GET, PATCH", sc.name, r.header.Get("Allow"))
		}
		if sc.status == 201 && !strings.HasPrefix(r.header.Get("Location"), "/api/v1/") {
			t.Errorf("%s: Location = %q", sc.name, r.header.Get("Location"))
		}
	}
}

// memberOrg returns the ID of the member's own organization.
func (f *fixture) memberOrg(t *testing.T) int64 {
	t.Helper()
	return f.demo.Member.OrgID
}

func (f *fixture) testInput(t *testing.T) {
	second := id(f.demo.SecondBranch.ID)
	en := map[string]string{"Accept-Language": "en"}
	person := "/api/v1/people/" + id(f.second.ID)
	huge := `{"org_id": ` + second + `, "name": "大", "notes": "` + strings.Repeat("长", 1<<19) + `"}`
	for _, sc := range []scenario{
		{name: "bad JSON", user: "secretary", method: "POST", path: "/api/v1/people", body: `{"org_id": `, status: 400,
			code: "bad_request", want: []string{"不是有效的 JSON"}},
		{name: "bad JSON in English", user: "secretary", method: "POST", path: "/api/v1/people", body: `[1, 2]`, header: en, status: 400,
			code: "bad_request", want: []string{"not a valid JSON object"}},
		{name: "trailing data", user: "secretary", method: "POST", path: "/api/v1/people", body: `{"name": "a"} {}`, status: 400, code: "bad_request"},
		{name: "unknown field", user: "secretary", method: "POST", path: "/api/v1/people", status: 400,
			body: `{"org_id": ` + second + `, "name": "王五", "nickname": "小王"}`, code: "bad_request", fields: []string{"nickname"},
			want: []string{"没有这个字段"}},
		{name: "unknown field in English", user: "secretary", method: "POST", path: "/api/v1/people", status: 400, header: en,
			body: `{"org_id": ` + second + `, "name": "王五", "nickname": "小王"}`, fields: []string{"nickname"}, want: []string{"No such field"}},
		{name: "mass assignment of id", user: "secretary", method: "POST", path: "/api/v1/people", status: 400,
			body: `{"id": 1, "org_id": ` + second + `, "name": "王五"}`, code: "bad_request", fields: []string{"id"}, want: []string{"由系统设置"}},
		{name: "mass assignment of created_by and sysadmin", user: "secretary", method: "POST", path: "/api/v1/organizations", status: 400,
			body: `{"parent_id": ` + second + `, "kind": "group", "name": "x", "created_by": 1, "sysadmin": true}`, header: en,
			code: "bad_request", fields: []string{"created_by", "sysadmin"}, want: []string{"The system sets this field"}},
		{name: "version on create", user: "secretary", method: "POST", path: "/api/v1/people", status: 400,
			body: `{"version": 3, "org_id": ` + second + `, "name": "王五"}`, fields: []string{"version"}},
		{name: "kind on update", user: "secretary", method: "PATCH", path: "/api/v1/organizations/" + second, status: 400,
			body: `{"version": 1, "kind": "committee"}`, fields: []string{"kind"}},
		{name: "wrong type", user: "secretary", method: "POST", path: "/api/v1/people", status: 400,
			body: `{"org_id": "second", "name": "王五"}`, code: "bad_request", fields: []string{"org_id"}, want: []string{"类型不对"}},
		{name: "wrong type in English", user: "secretary", method: "PATCH", path: person, status: 400, header: en,
			body: `{"version": "1"}`, fields: []string{"version"}, want: []string{"wrong type"}},
		{name: "wrong type of tags", user: "secretary", method: "POST", path: "/api/v1/people", status: 400,
			body: `{"org_id": ` + second + `, "name": "王五", "tags": "a,b"}`, fields: []string{"tags"}},
		{name: "not JSON", user: "secretary", method: "POST", path: "/api/v1/people", status: 415,
			body: `name=x`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, code: "unsupported_media_type"},
		{name: "too large", user: "secretary", method: "POST", path: "/api/v1/people", status: 413, body: huge, code: "too_large",
			want: []string{"太大"}},
		{name: "invalid ID number", user: "secretary", method: "POST", path: "/api/v1/people", status: 422,
			body: `{"org_id": ` + second + `, "name": "王五", "id_number": "330681199001011235"}`, code: "invalid",
			fields: []string{"id_number"}, want: []string{"身份证号校验位不对", "请修改标出的内容"}},
		{name: "invalid ID number in English", user: "secretary", method: "POST", path: "/api/v1/people", status: 422, header: en,
			body: `{"org_id": ` + second + `, "name": "王五", "id_number": "33068119900101123"}`, code: "invalid",
			fields: []string{"id_number"}, want: []string{"An ID number has 18 characters"}},
		{name: "several invalid fields", user: "secretary", method: "POST", path: "/api/v1/people", status: 422,
			body:   `{"org_id": ` + second + `, "name": "", "stage": "leader", "phone": "12", "birth_date": "1990-13-01"}`,
			fields: []string{"name", "stage", "phone", "birth_date"}},
		{name: "organization without a name", user: "secretary", method: "POST", path: "/api/v1/organizations", status: 422,
			body: `{"parent_id": ` + second + `, "kind": "group"}`, fields: []string{"name"}, want: []string{"必填"}},
		{name: "update without version", user: "secretary", method: "PATCH", path: person, status: 422,
			body: `{"notes": "无版本"}`, code: "invalid", fields: []string{"version"}},
		{name: "update without version in English", user: "secretary", method: "PATCH", path: "/api/v1/organizations/" + second, status: 422,
			body: `{"name": "x"}`, header: en, fields: []string{"version"}, want: []string{"Required"}},
		{name: "huge per_page", user: "secretary", path: "/api/v1/people?per_page=1000", status: 400, code: "bad_request",
			fields: []string{"per_page"}, want: []string{"1 到 200"}},
		{name: "huge per_page in English", user: "secretary", path: "/api/v1/people?per_page=201", status: 400, header: en,
			fields: []string{"per_page"}, want: []string{"from 1 to 200"}},
		{name: "bad query", user: "secretary", path: "/api/v1/people?page=0&stage=leader&sort=age&org=x", status: 400,
			fields: []string{"page", "stage", "sort", "org"}},
	} {
		f.run(t, sc)
	}
}
