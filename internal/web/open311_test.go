package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

var open311KeyPattern = regexp.MustCompile(`id="new-key-value"[^>]*value="([A-Za-z0-9_-]{43})"`)

// TestOpen311KeyPages: an organization's administrators create an Open311 API key, shown
// once; another system files a problem with it; nobody else may see or revoke it; once
// revoked it files nothing.
func TestOpen311KeyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		second := id(f.demo.SecondBranch.ID)
		page := "/orgs/" + second + "/open311"
		err := f.app.Masswork.SaveCategory(context.Background(), auth.System("test"), &masswork.Category{OrgID: f.demo.SecondBranch.ID,
			Code: "o311_web", NameZh: "网页测试类别", ResponseDays: 1, ResolveDays: 10, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		file := func(key string) (int, string) {
			form := url.Values{"api_key": {key}, "service_code": {"o311_web"}, "address_id": {"B-12"}, "description": {"走廊太热"}}
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// Another system's page may call the API: cross-origin protection lets it by.
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}

		f.run(t, scenario{user: "secretary", path: "/orgs/" + second, status: 200, want: []string{`href="` + page + `"`}})
		f.run(t, scenario{user: "inspector", path: "/orgs/" + second, status: 200, notWant: []string{`href="` + page + `"`}})
		f.run(t, scenario{user: "secretary", path: page, status: 200, want: []string{"Open311 接口密钥", "还没有接口密钥", "/open311/v2/"}})
		for _, user := range []string{"member", "firstsec", "inspector"} {
			f.run(t, scenario{name: user, user: user, path: page, status: http.StatusNotFound})
		}
		f.run(t, scenario{user: "anonymous", path: page, status: http.StatusSeeOther})
		f.run(t, scenario{user: "secretary", method: "POST", path: page, form: url.Values{"name": {""}},
			status: http.StatusUnprocessableEntity, want: []string{"必填"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: page, form: url.Values{"name": {"跨站"}},
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden})
		f.run(t, scenario{user: "firstsec", method: "POST", path: page, form: url.Values{"name": {"越权"}}, status: http.StatusNotFound})

		created := f.run(t, scenario{user: "secretary", method: "POST", path: page, form: url.Values{"name": {"诸暨城市平台"}},
			status: 200, want: []string{"只显示这一次", "诸暨城市平台"}})
		m := open311KeyPattern.FindStringSubmatch(created)
		if m == nil {
			t.Fatalf("no key shown:\n%s", excerpt(created))
		}
		key := m[1]
		if status, body := file(key); status != http.StatusOK || !strings.Contains(body, `"service_request_id":"`) {
			t.Fatalf("Open311 POST with the new key: %d %s", status, body)
		}
		f.run(t, scenario{user: "secretary", path: page, status: 200, want: []string{"诸暨城市平台", "使用中", "撤销"}, notWant: []string{key}})

		keys, err := f.app.Masswork.APIKeys(context.Background(), auth.System("test"), f.demo.SecondBranch.ID)
		if err != nil || len(keys) != 1 {
			t.Fatalf("keys: %v %v", err, keys)
		}
		revoke := page + "/" + id(keys[0].ID) + "/revoke"
		f.run(t, scenario{user: "firstsec", method: "POST", path: revoke, form: url.Values{}, status: http.StatusNotFound})
		f.run(t, scenario{user: "member", method: "POST", path: revoke, form: url.Values{}, status: http.StatusNotFound})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/orgs/" + id(f.demo.FirstBranch.ID) + "/open311/" + id(keys[0].ID) + "/revoke",
			form: url.Values{}, status: http.StatusNotFound})
		if status, _ := file(key); status != http.StatusOK {
			t.Fatalf("the key was revoked by someone who may not: %d", status)
		}
		f.run(t, scenario{user: "secretary", method: "POST", path: revoke, form: url.Values{}, status: http.StatusSeeOther})
		after := f.run(t, scenario{user: "secretary", path: page + "?flash=flash.open311_key_revoked", status: 200, want: []string{"已撤销", "密钥已撤销。"}})
		if strings.Contains(after, revoke) {
			t.Error("a revoked key still offers its revoke button")
		}
		if status, body := file(key); status != http.StatusForbidden {
			t.Errorf("Open311 POST with the revoked key: %d %s, want 403", status, body)
		}
		f.run(t, scenario{user: "secretary", path: "/open311/v2/discovery.xml", status: 200, want: []string{`<?xml version="1.0" encoding="UTF-8"?>`, "<discovery>"}})
	})
}
