package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

var tokenPattern = regexp.MustCompile(`dj_[A-Za-z0-9_-]{43}`)

// TestTokenPages creates a personal access token on the account pages, shows it once, uses it
// on the API, and revokes it; nobody else can revoke it.
func TestTokenPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.run(t, scenario{user: "secretary", path: "/account", status: 200, want: []string{`href="/account/tokens"`}})
		f.run(t, scenario{user: "secretary", path: "/account/tokens", status: 200, want: []string{"还没有访问令牌"}})
		f.run(t, scenario{user: "anonymous", path: "/account/tokens", status: http.StatusSeeOther})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/account/tokens", form: url.Values{"name": {""}},
			status: http.StatusUnprocessableEntity, want: []string{"必填"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/account/tokens", form: url.Values{"name": {"跨站"}},
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden})

		page := f.run(t, scenario{user: "secretary", method: "POST", path: "/account/tokens", form: url.Values{"name": {"月度报表脚本"}},
			status: 200, want: []string{"只显示这一次", "月度报表脚本"}})
		token := tokenPattern.FindString(page)
		if token == "" {
			t.Fatalf("no token shown:\n%s", excerpt(page))
		}
		api := func() int {
			req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/people?per_page=1", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := api(); got != http.StatusOK {
			t.Fatalf("API with the new token: %d", got)
		}
		f.run(t, scenario{user: "secretary", path: "/account/tokens", status: 200, want: []string{"月度报表脚本", "撤销"},
			notWant: []string{token}})

		a, err := f.app.Auth.AuthenticateToken(context.Background(), token, "")
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.app.Auth.Tokens(context.Background(), a)
		if err != nil || len(list) != 1 {
			t.Fatalf("tokens: %v %v", err, list)
		}
		revoke := "/account/tokens/" + id(list[0].ID) + "/revoke"
		f.run(t, scenario{user: "member", method: "POST", path: revoke, form: url.Values{}, status: http.StatusNotFound})
		if got := api(); got != http.StatusOK {
			t.Errorf("token revoked by another user: %d", got)
		}
		f.run(t, scenario{user: "secretary", method: "POST", path: revoke, form: url.Values{}, status: http.StatusSeeOther})
		if got := api(); got != http.StatusUnauthorized {
			t.Errorf("API with the revoked token: %d, want 401", got)
		}
		after := f.run(t, scenario{user: "secretary", path: "/account/tokens", status: 200, want: []string{"已撤销"}})
		if strings.Contains(after, revoke) {
			t.Error("a revoked token still offers its revoke button")
		}
	})
}
