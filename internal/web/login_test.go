package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestLoginByPhone: a person with an account logs in with the phone number on the register,
// typed as people type it.
func TestLoginByPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		phone, err := f.app.Org.Reveal(t.Context(), sysActor(), f.demo.Secretary.ID, "phone")
		if err != nil {
			t.Fatal(err)
		}
		typed := "+86 " + phone[:3] + "-" + phone[3:7] + "-" + phone[7:]
		resp, err := newClient().PostForm(f.srv.URL+"/login", url.Values{"login": {typed}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with phone %q: status %d", typed, resp.StatusCode)
		}
		resp, _ = newClient().PostForm(f.srv.URL+"/login", url.Values{"login": {phone}, "password": {"wrong password"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password by phone: status %d", resp.StatusCode)
		}
	})
}
