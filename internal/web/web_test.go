package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "web-test-password"

// fixture is a running app with the demo data and one logged-in client per account.
type fixture struct {
	t       testing.TB
	srv     *httptest.Server
	app     *app.App
	demo    *demo.Data
	clients map[string]*http.Client
	// People of each branch, for cross-organization probes.
	first, second *org.Person
}

func newFixture(t testing.TB, d store.Dialect) *fixture {
	t.Helper()
	a := apptest.Open(t, d, apptest.Options{})
	data := apptest.Demo(t, a, password)
	ctx := context.Background()
	sys := auth.System("test")
	srv := httptest.NewServer(a.Web)
	t.Cleanup(srv.Close)
	f := &fixture{t: t, srv: srv, app: a, demo: data, clients: map[string]*http.Client{}}
	for _, name := range []string{"admin", "secretary", "member", "inspector", "firstsec"} {
		f.clients[name] = f.login(name)
	}
	f.clients["anonymous"] = newClient()
	people, _, err := a.Org.People(ctx, sys, org.PeopleFilter{OrgPath: data.FirstBranch.Path, Limit: 1})
	if err != nil || len(people) == 0 {
		t.Fatalf("first branch people: %v", err)
	}
	f.first = people[0]
	f.second = data.Secretary
	return f
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (f *fixture) login(user string) *http.Client {
	f.t.Helper()
	return f.loginWith(user, password)
}

func (f *fixture) loginWith(user, pw string) *http.Client {
	f.t.Helper()
	c := newClient()
	resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"login": {user}, "password": {pw}})
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login %s: status %d", user, resp.StatusCode)
	}
	return c
}

// scenario is one request and what its answer must and must not contain.
type scenario struct {
	name    string
	user    string
	method  string
	path    string
	form    url.Values
	header  map[string]string
	status  int
	want    []string
	notWant []string
}

func (f *fixture) run(t *testing.T, sc scenario) string {
	t.Helper()
	var body io.Reader
	if sc.form != nil {
		body = strings.NewReader(sc.form.Encode())
	}
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, f.srv.URL+sc.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if sc.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	resp, err := f.clients[sc.user].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	got := string(b)
	if resp.StatusCode != sc.status {
		t.Errorf("%s %s as %s: status %d, want %d\n%s", method, sc.path, sc.user, resp.StatusCode, sc.status, excerpt(got))
	}
	for _, w := range sc.want {
		if !strings.Contains(got, w) {
			t.Errorf("%s %s as %s: missing %q\n%s", method, sc.path, sc.user, w, excerpt(got))
		}
	}
	for _, w := range sc.notWant {
		if strings.Contains(got, w) {
			t.Errorf("%s %s as %s: must not contain %q", method, sc.path, sc.user, w)
		}
	}
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s %s: security headers missing", method, sc.path)
	}
	return got
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}

func id(n int64) string { return fmt.Sprint(n) }

func newServer(t *testing.T, a *app.App) *httptest.Server {
	srv := httptest.NewServer(a.Web)
	t.Cleanup(srv.Close)
	return srv
}

func sysActor() *auth.Actor { return auth.System("test") }

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
