package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/internal/web/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "api-test-password"

// fixture is a running app with the demo data and one API token per account.
type fixture struct {
	srv    *httptest.Server
	app    *app.App
	demo   *demo.Data
	spec   *spec
	tokens map[string]string
	// People of the First and Second Branch, for cross-subtree probes.
	first, second *org.Person
	importDone    int64 // a previewed import, see importID

	// acts are the demo's activities and records, loaded once by activities.
	acts *demo.Activities
}

func newFixture(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	a := apptest.Open(t, d, apptest.Options{})
	data := apptest.Demo(t, a, password)
	ctx := context.Background()
	sys := auth.System("test")
	srv := httptest.NewServer(a.Web)
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, app: a, demo: data, spec: loadSpec(t), tokens: map[string]string{}}
	for _, name := range []string{"admin", "secretary", "member", "inspector", "firstsec"} {
		token, _, err := a.Auth.CreateTokenForUsername(ctx, sys, name, "api test")
		if err != nil {
			t.Fatalf("token for %s: %v", name, err)
		}
		f.tokens[name] = token
	}
	people, _, err := a.Org.People(ctx, sys, org.PeopleFilter{OrgPath: data.FirstBranch.Path, Limit: 1})
	if err != nil || len(people) == 0 {
		t.Fatalf("first branch people: %v", err)
	}
	f.first, f.second = people[0], data.Secretary
	return f
}

// spec is the OpenAPI document the app serves, loaded with kin-openapi, and the operations
// the tests have called.
type spec struct {
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	called map[string]bool
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.Document())
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("OpenAPI version %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &spec{doc: doc, router: router, called: map[string]bool{}}
}

// check validates one response against the document: status, headers and body of the
// documented operation, or, for a path or method the document does not have, the error shape.
func (s *spec) check(t *testing.T, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: undocumented route answered %d", req.Method, req.URL.Path, status)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s %s: not JSON: %v\n%s", req.Method, req.URL.Path, err, body)
			return
		}
		schema := s.doc.Components.Schemas["Error"].Value
		if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s %s: not the error shape: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	s.mu.Lock()
	s.called[route.Method+" "+route.Path] = true
	s.mu.Unlock()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\n%s", req.Method, req.URL.Path, status, err, excerpt(body))
	}
}

// uncalled lists the documented operations that no test called, among those keep selects.
func (s *spec) uncalled(keep func(*openapi3.Operation) bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for path, item := range s.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if keep(op) && !s.called[method+" "+path] {
				out = append(out, method+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// response is what a call returned.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return string(r.body) }

// errorBody decodes the error shape.
func (r response) errorBody(t *testing.T) api.ErrorDetail {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("error body: %v\n%s", err, r.body)
	}
	return b.Error
}

// call sends one request as user ("" for no token) and validates the response against the
// OpenAPI document. header may set Authorization, Content-Type and Accept-Language; by
// default a body is JSON and the language Chinese.
func (f *fixture) call(t *testing.T, user, method, path, body string, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	f.spec.check(t, req, resp.StatusCode, resp.Header, b)
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s %s: security headers missing", method, path)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q, want no-store", method, path, resp.Header.Get("Cache-Control"))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type = %q", method, path, ct)
	}
	if len(resp.Header.Values("Set-Cookie")) > 0 {
		t.Errorf("%s %s: the API set a cookie: %v", method, path, resp.Header.Values("Set-Cookie"))
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	if r.status >= 400 {
		checkTranslated(t, req, r)
	}
	return r
}

// checkTranslated fails when an error message or field message is an untranslated key.
func checkTranslated(t *testing.T, req *http.Request, r response) {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		return // the document check reports it
	}
	msgs := []string{b.Error.Message}
	for _, m := range b.Error.Fields {
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		if strings.HasPrefix(m, "error.") || strings.HasPrefix(m, "api.") || m == "" {
			t.Errorf("%s %s: untranslated message %q", req.Method, req.URL.Path, m)
		}
	}
}

func excerpt(b []byte) string {
	if len(b) > 600 {
		b = b[:600]
	}
	return string(bytes.TrimSpace(b))
}

// importID returns a previewed import of the Second Branch by its secretary: two rows, one
// with a bad ID number. It is made once per fixture.
func (f *fixture) importID(t *testing.T) int64 {
	t.Helper()
	if f.importDone != 0 {
		return f.importDone
	}
	ctx := context.Background()
	sheet, err := roster.Parse(strings.NewReader("姓名,身份证号\n甲,330681199001011231\n乙,\n"))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := f.app.Auth.ActorFor(ctx, mustUser(t, f, "secretary"), "")
	if err != nil {
		t.Fatal(err)
	}
	im, err := f.app.Org.PreviewImport(ctx, sec, f.demo.SecondBranch.ID, "名册.csv", sheet)
	if err != nil {
		t.Fatal(err)
	}
	f.importDone = im.ID
	return im.ID
}

func mustUser(t *testing.T, f *fixture, name string) *auth.User {
	t.Helper()
	users, err := f.app.Auth.Users(context.Background(), auth.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == name {
			return u
		}
	}
	t.Fatalf("no user %s", name)
	return nil
}
