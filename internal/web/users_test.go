package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestAccountAdministration: a system administrator disables an account (its sessions end at
// once), enables it, resets its password (shown once), revokes a role; nobody else may.
func TestAccountAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		users, err := f.app.Auth.Users(t.Context(), sysActor())
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, u := range users {
			ids[u.Username] = id(u.ID)
		}
		insp := "/admin/users/" + ids["inspector"]
		f.run(t, scenario{user: "secretary", method: "POST", path: insp + "/disable", form: url.Values{}, status: http.StatusForbidden})
		f.run(t, scenario{user: "admin", method: "POST", path: "/admin/users/" + ids["admin"] + "/disable", form: url.Values{}, status: http.StatusUnprocessableEntity})
		f.run(t, scenario{user: "inspector", path: "/people", status: http.StatusOK})
		f.run(t, scenario{user: "admin", method: "POST", path: insp + "/disable", form: url.Values{}, status: http.StatusSeeOther})
		f.run(t, scenario{user: "inspector", path: "/people", status: http.StatusSeeOther})
		f.run(t, scenario{user: "admin", path: "/admin/users", status: http.StatusOK, want: []string{"已停用"}})
		resp, _ := newClient().PostForm(f.srv.URL+"/login", url.Values{"login": {"inspector"}, "password": {password}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("disabled account logged in: %d", resp.StatusCode)
		}
		f.run(t, scenario{user: "admin", method: "POST", path: insp + "/enable", form: url.Values{}, status: http.StatusSeeOther})

		// Reset: a new random password, shown once; the old one stops working.
		body := f.run(t, scenario{user: "admin", method: "POST", path: insp + "/password", form: url.Values{}, status: http.StatusOK, want: []string{"只显示这一次"}})
		m := regexp.MustCompile(`<b class="mono">([A-Za-z0-9]{16})</b>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no new password on the page")
		}
		resp, _ = newClient().PostForm(f.srv.URL+"/login", url.Values{"login": {"inspector"}, "password": {m[1]}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with the reset password: %d", resp.StatusCode)
		}
		f.run(t, scenario{user: "admin", path: "/admin/users", status: http.StatusOK, notWant: []string{m[1]}})

		// Revoke the inspector's view of the committee.
		grants, err := f.app.Auth.Grants(t.Context(), sysActor(), mustID(t, ids["inspector"]))
		if err != nil || len(grants) != 1 {
			t.Fatalf("grants = %v, %v", grants, err)
		}
		f.run(t, scenario{user: "admin", method: "POST", path: insp + "/grants/" + id(grants[0].ID) + "/revoke", form: url.Values{}, status: http.StatusSeeOther})
		f.clients["inspector"] = f.loginWith("inspector", m[1])
		f.run(t, scenario{user: "inspector", path: "/people", status: http.StatusForbidden})
		f.run(t, scenario{user: "admin", path: "/audit", status: http.StatusOK, want: []string{"停用账号", "启用账号", "重置密码", "收回权限"}})
	})
}
