package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/web/api"
)

const idNumber = "330681198506154028" // fictitious, checksum-correct: born 1985-06-15, female

// testPersonLifecycle creates, reads and changes a person: numbers are masked in every answer,
// numbers left out of a PATCH are kept, a stale version is refused, and "" removes a number.
func (f *fixture) testPersonLifecycle(t *testing.T) {
	second := id(f.demo.SecondBranch.ID)
	r := f.call(t, "secretary", "POST", "/api/v1/people", `{"org_id": `+second+`, "name": "赵晓梅", "id_number": "`+idNumber+`",
		"phone": "138 0013 8000", "stage": "activist", "applied_on": "2024-03-01", "activist_on": "2024-09-01", "tags": ["商户", "珍珠"]}`, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r)
	}
	var p api.Person
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{idNumber, "13800138000"} {
		if strings.Contains(r.String(), clear) {
			t.Errorf("create answer shows %s in clear: %s", clear, r)
		}
	}
	if p.IDNumberMasked != "330681********4028" || p.PhoneMasked != "138****8000" || p.BirthDate != "1985-06-15" ||
		p.Gender != "female" || p.Version != 1 || r.header.Get("Location") != "/api/v1/people/"+id(p.ID) {
		t.Errorf("created = %+v, Location %q", p, r.header.Get("Location"))
	}
	path := "/api/v1/people/" + id(p.ID)
	if got := f.call(t, "secretary", "GET", path, "", nil); got.status != 200 || strings.Contains(got.String(), idNumber) {
		t.Errorf("read: %d %s", got.status, got)
	}

	// A second person with the same ID number conflicts, on the field.
	dup := f.call(t, "secretary", "POST", "/api/v1/people", `{"org_id": `+second+`, "name": "赵晓梅二", "id_number": "`+idNumber+`"}`, nil)
	if e := dup.errorBody(t); dup.status != http.StatusConflict || e.Code != "conflict" || !strings.Contains(e.Fields["id_number"], "已有") {
		t.Errorf("duplicate: %d %s", dup.status, dup)
	}

	// Numbers left out stay; the version moves on.
	r = f.call(t, "secretary", "PATCH", path, `{"version": 1, "notes": "经营珍珠", "tags": ["商户"]}`, nil)
	var upd api.Person
	json.Unmarshal(r.body, &upd)
	if r.status != 200 || upd.Version != 2 || upd.Notes != "经营珍珠" || upd.IDNumberMasked != p.IDNumberMasked ||
		upd.PhoneMasked != p.PhoneMasked || upd.Stage != "activist" || len(upd.Tags) != 1 || upd.Name != "赵晓梅" {
		t.Errorf("patch: %d %+v", r.status, upd)
	}

	// The same version again is stale: 409, in both languages, and nothing changes.
	for lang, want := range map[string]string{"zh-CN": "别人刚刚修改过", "en": "Someone else changed"} {
		r = f.call(t, "secretary", "PATCH", path, `{"version": 1, "notes": "覆盖"}`, map[string]string{"Accept-Language": lang})
		if e := r.errorBody(t); r.status != http.StatusConflict || e.Code != "conflict" || !strings.Contains(e.Message, want) {
			t.Errorf("stale (%s): %d %s", lang, r.status, r)
		}
	}

	// "" removes the phone; a new ID number must still be valid.
	r = f.call(t, "secretary", "PATCH", path, `{"version": 2, "phone": ""}`, nil)
	json.Unmarshal(r.body, &upd)
	if r.status != 200 || upd.PhoneMasked != "" || upd.IDNumberMasked == "" || upd.Notes != "经营珍珠" {
		t.Errorf("remove phone: %d %s", r.status, r)
	}
	r = f.call(t, "secretary", "PATCH", path, `{"version": 3, "id_number": "330681198506154027"}`, nil)
	if e := r.errorBody(t); r.status != http.StatusUnprocessableEntity || e.Fields["id_number"] == "" {
		t.Errorf("bad new ID number: %d %s", r.status, r)
	}

	// The audit trail records the API's changes with the token's account.
	recs, err := f.app.Org.AuditTrail(context.Background(), auth.System("test"), auditFilter(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 3 || recs[0].ActorName != "secretary" || strings.Contains(recs[0].After, "13800138000") {
		t.Errorf("audit of person: %d records, newest %+v", len(recs), recs[0])
	}
}

// testOrganizationLifecycle changes an organization with optimistic locking.
func (f *fixture) testOrganizationLifecycle(t *testing.T) {
	r := f.call(t, "firstsec", "POST", "/api/v1/organizations", `{"parent_id": `+id(f.demo.FirstBranch.ID)+`, "kind": "group",
		"name": "市场巡查小组", "sort_order": 3, "term_start": "2024-01-01", "term_end": "2026-12-31"}`, nil)
	var o api.Organization
	json.Unmarshal(r.body, &o)
	if r.status != http.StatusCreated || o.Version != 1 || o.ParentID == nil || *o.ParentID != f.demo.FirstBranch.ID ||
		o.TermEnd != "2026-12-31" || o.CreatedAt.IsZero() {
		t.Fatalf("create: %d %s", r.status, r)
	}
	path := "/api/v1/organizations/" + id(o.ID)
	r = f.call(t, "firstsec", "PATCH", path, `{"version": 1, "name": "市场巡查党小组", "term_end": ""}`, nil)
	var upd api.Organization
	json.Unmarshal(r.body, &upd)
	if r.status != 200 || upd.Version != 2 || upd.Name != "市场巡查党小组" || upd.TermEnd != "" || upd.TermStart != "2024-01-01" ||
		upd.SortOrder != 3 || upd.Kind != "group" {
		t.Errorf("patch: %d %s", r.status, r)
	}
	r = f.call(t, "firstsec", "PATCH", path, `{"version": 1, "name": "旧版本"}`, nil)
	if e := r.errorBody(t); r.status != http.StatusConflict || e.Code != "conflict" {
		t.Errorf("stale: %d %s", r.status, r)
	}
	r = f.call(t, "firstsec", "PATCH", path, `{"version": 2, "term_start": "2027-01-01", "term_end": "2026-01-01"}`, nil)
	if e := r.errorBody(t); r.status != http.StatusUnprocessableEntity || e.Fields["term_end"] == "" {
		t.Errorf("term order: %d %s", r.status, r)
	}
	// The new group is in its creator's tree, with counts.
	r = f.call(t, "firstsec", "GET", "/api/v1/organizations", "", nil)
	var list api.OrganizationList
	json.Unmarshal(r.body, &list)
	found := false
	for _, n := range list.Items {
		if n.ID == o.ID {
			found = n.Name == "市场巡查党小组" && n.PeopleCount == 0 && n.Depth == 2
		}
	}
	if !found {
		t.Errorf("new group not in the tree: %s", r)
	}
}

// testTokens checks the token itself: missing, malformed, unknown, revoked and a disabled
// account's tokens are refused with 401 and a challenge; a session cookie is no credential;
// use is recorded.
func (f *fixture) testTokens(t *testing.T) {
	ctx := context.Background()
	sys := auth.System("test")
	token, tok, err := f.app.Auth.CreateTokenForUsername(ctx, sys, "inspector", "报表脚本")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, auth.TokenPrefix) || len(token) < 40 || tok.TokenHash != auth.HashToken(token) {
		t.Errorf("token %q, hash %q", token, tok.TokenHash)
	}
	f.tokens["script"] = token
	if r := f.call(t, "script", "GET", "/api/v1/people?per_page=1", "", nil); r.status != 200 {
		t.Errorf("new token: %d %s", r.status, r)
	}
	a, err := f.app.Auth.AuthenticateToken(ctx, token, "")
	if err != nil || a.Username != "inspector" {
		t.Fatalf("authenticate: %v %+v", err, a)
	}
	list, err := f.app.Auth.Tokens(ctx, a)
	if err != nil || len(list) != 2 || list[0].ID != tok.ID || list[0].LastUsedAt.IsZero() || list[1].LastUsedAt.IsZero() {
		t.Errorf("tokens of inspector: %v %+v", err, list)
	}
	// Another user may not revoke it; its owner may.
	sec, err := f.app.Auth.AuthenticateToken(ctx, f.tokens["secretary"], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.Auth.RevokeToken(ctx, sec, tok.ID); err == nil {
		t.Error("secretary revoked the inspector's token")
	}
	if err := f.app.Auth.RevokeToken(ctx, a, tok.ID); err != nil {
		t.Fatal(err)
	}

	f.tokens["bogus"] = auth.TokenPrefix + strings.Repeat("A", 43)
	f.tokens["unprefixed"] = strings.TrimPrefix(f.tokens["member"], auth.TokenPrefix)
	for _, sc := range []scenario{
		{name: "no token", path: "/api/v1/organizations", status: 401, code: "unauthorized", want: []string{"缺少访问令牌"}},
		{name: "no token in English", path: "/api/v1/people", header: map[string]string{"Accept-Language": "en"}, status: 401,
			want: []string{"An access token is required"}},
		{name: "unknown token", user: "bogus", path: "/api/v1/organizations", status: 401, code: "unauthorized", want: []string{"访问令牌无效"}},
		{name: "token without its prefix", user: "unprefixed", path: "/api/v1/organizations", status: 401, code: "unauthorized"},
		{name: "revoked token", user: "script", path: "/api/v1/people", status: 401, code: "unauthorized"},
		{name: "revoked token writes", user: "script", method: "POST", path: "/api/v1/people", body: `{"name": "x"}`, status: 401},
		{name: "basic authentication", path: "/api/v1/organizations", status: 401,
			header: map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}},
	} {
		r := f.run(t, sc)
		if ch := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") {
			t.Errorf("%s: WWW-Authenticate = %q", sc.name, ch)
		}
	}

	// A browser session is no credential for the API.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(f.srv.URL+"/login", url.Values{"login": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, err = browser.Get(f.srv.URL + "/api/v1/organizations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session cookie on the API: %d, want 401", resp.StatusCode)
	}

	// A disabled account's tokens stop working at once.
	token, _, err = f.app.Auth.CreateTokenForUsername(ctx, sys, "firstsec", "disabled later")
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["disabled"] = token
	q := "UPDATE users SET disabled = ? WHERE username = 'firstsec'"
	if f.app.DB.Dialect == store.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	if _, err := f.app.DB.SQL().ExecContext(ctx, q, true); err != nil {
		t.Fatal(err)
	}
	f.run(t, scenario{name: "disabled account", user: "disabled", path: "/api/v1/organizations", status: 401, code: "unauthorized"})
	if _, err := f.app.DB.SQL().ExecContext(ctx, q, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.app.Auth.CreateTokenForUsername(ctx, sec, "admin", "borrowed"); err == nil {
		t.Error("secretary created a token for admin")
	}
}

func auditFilter(personID int64) audit.Filter { return audit.Filter{PersonID: personID, Limit: 20} }
