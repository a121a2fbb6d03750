package open311

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/web/ratelimit"
	"github.com/dangjian/dangjian/internal/web/view"
)

// bareHandler is a handler without a mass-work service, for what is answered before the
// service is asked: the rate limit, the key's presence, formats, methods and tokens.
func bareHandler(t *testing.T, now func() time.Time) *Handler {
	t.Helper()
	c, err := view.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: c, Zone: shanghai, Now: now, ClientIP: func(*http.Request) string { return "203.0.113.9" },
		Limiter: ratelimit.New(PostInterval, PostBurst, now)})
}

type answer struct {
	status int
	header http.Header
	errors []wireError
}

func serve(t *testing.T, h http.Handler, method, path, body string) answer {
	t.Helper()
	var r *http.Request
	if body != "" || method == http.MethodPost {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := answer{status: w.Code, header: w.Header()}
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") && w.Code != http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &a.errors); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body.String())
		}
	}
	return a
}

// TestPostRateLimit: an address gets a burst of ten POSTs, then one per 30 seconds; the
// eleventh in a row is refused with GeoReport's 400, code 429 and Retry-After.
func TestPostRateLimit(t *testing.T) {
	now := testNow
	h := bareHandler(t, func() time.Time { return now })
	body := url.Values{"service_code": {"parking"}, "address_id": {"B-1"}}.Encode()
	for i := range PostBurst {
		if a := serve(t, h, http.MethodPost, "/open311/v2/requests.json", body); a.status != http.StatusForbidden {
			t.Fatalf("POST %d: status %d, want 403 (no api_key)", i+1, a.status)
		}
	}
	a := serve(t, h, http.MethodPost, "/open311/v2/requests.json", body)
	if a.status != http.StatusBadRequest || len(a.errors) != 1 || a.errors[0].Code != 429 {
		t.Fatalf("eleventh POST: status %d, errors %+v; want 400 with code 429", a.status, a.errors)
	}
	if got := a.header.Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After = %q, want 30", got)
	}
	now = now.Add(PostInterval)
	if a := serve(t, h, http.MethodPost, "/open311/v2/requests.json", body); a.status != http.StatusForbidden {
		t.Errorf("POST after 30 s: status %d, want 403", a.status)
	}
}

// TestRoutes: what is answered without the service: unknown resources and formats are 404
// in the format the path suggests, methods a path does not take are 400 with code 405, and
// no token is ever known.
func TestRoutes(t *testing.T) {
	h := bareHandler(t, func() time.Time { return testNow })
	for _, tc := range []struct {
		method, path string
		status, code int
		contentType  string
		allow        string
	}{
		{"GET", "/open311/v2/tokens/abc.json", 404, 404, contentJSON, ""},
		{"GET", "/open311/v2/tokens/abc.xml", 404, 404, contentXML, ""},
		{"GET", "/open311/v2/tokens/abc", 404, 404, contentXML, ""},
		{"GET", "/open311/v2/services.yaml", 404, 404, contentXML, ""},
		{"GET", "/open311/v2/services", 404, 404, contentXML, ""},
		{"GET", "/open311/v2/nothing.json", 404, 404, contentJSON, ""},
		{"GET", "/open311/v3/services.json", 404, 404, contentJSON, ""},
		{"GET", "/open311/", 404, 404, contentXML, ""},
		{"GET", "/open311/v2/requests/1/2.json", 404, 404, contentJSON, ""},
		{"POST", "/open311/v2/requests.yaml", 404, 404, contentXML, ""},
		{"POST", "/open311/v2/services.json", 400, 405, contentJSON, "GET, HEAD"},
		{"DELETE", "/open311/v2/requests.json", 400, 405, contentJSON, "GET, POST"},
		{"PUT", "/open311/v2/requests/123.json", 400, 405, contentJSON, "GET"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d\n%s", w.Code, tc.status, w.Body.String())
			}
			if got := w.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			var code struct {
				Errors []wireError `xml:"error"`
			}
			var list []wireError
			if tc.contentType == contentJSON {
				if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
					t.Fatal(err)
				}
			} else {
				if !strings.HasPrefix(w.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
					t.Fatalf("no declaration:\n%s", w.Body.String())
				}
				if err := xmlUnmarshal(w.Body.Bytes(), "errors", &code); err != nil {
					t.Fatal(err)
				}
				list = code.Errors
			}
			if len(list) != 1 || list[0].Code != tc.code || list[0].Description == "" {
				t.Errorf("errors %+v, want one with code %d", list, tc.code)
			}
		})
	}
}

// TestReadRateLimit: an address gets a burst of ReadBurst reads, then one per ReadInterval;
// the next read is refused with GeoReport's 400, code 429 and Retry-After, in the format its
// path asks for, while another address is still served and the address's POSTs keep their
// own limit.
func TestReadRateLimit(t *testing.T) {
	now := testNow
	c, err := view.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Catalog: c, Zone: shanghai, Now: func() time.Time { return now },
		ClientIP: func(r *http.Request) string { return r.Header.Get("X-Test-Client") }})
	read := func(client, path string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("X-Test-Client", client)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	// Tokens are answered without the service: every read served is a 404.
	for i := range ReadBurst {
		if w := read("203.0.113.7", "/open311/v2/tokens/abc.json"); w.Code != http.StatusNotFound {
			t.Fatalf("read %d: status %d, want 404\n%s", i+1, w.Code, w.Body.String())
		}
	}
	w := read("203.0.113.7", "/open311/v2/tokens/abc.json")
	var list []wireError
	if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != contentJSON {
		t.Fatalf("read %d: status %d, %s; want 400 in JSON", ReadBurst+1, w.Code, w.Header().Get("Content-Type"))
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Code != 429 || !strings.Contains(list[0].Description, "查询过于频繁") {
		t.Errorf("read %d: errors %+v, want one with code 429", ReadBurst+1, list)
	}
	if got := w.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	// The same refusal in XML for an XML path (or one without a format).
	for _, path := range []string{"/open311/v2/requests.xml?status=open", "/open311/v2/requests"} {
		w := read("203.0.113.7", path)
		var doc struct {
			Errors []wireError `xml:"error"`
		}
		if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != contentXML {
			t.Fatalf("%s: status %d, %s; want 400 in XML", path, w.Code, w.Header().Get("Content-Type"))
		}
		if err := xmlUnmarshal(w.Body.Bytes(), "errors", &doc); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, w.Body.String())
		}
		if len(doc.Errors) != 1 || doc.Errors[0].Code != 429 || doc.Errors[0].Description == "" {
			t.Errorf("%s: errors %+v, want one with code 429", path, doc.Errors)
		}
	}
	// Another address is still served.
	if w := read("198.51.100.4", "/open311/v2/tokens/abc.xml"); w.Code != http.StatusNotFound {
		t.Errorf("another address: status %d, want 404", w.Code)
	}
	// A POST from the limited address counts against the POST limit only: refused for its
	// missing api_key, not for the reads.
	r := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader("service_code=parking&address_id=B-1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Test-Client", "203.0.113.7")
	pw := httptest.NewRecorder()
	h.ServeHTTP(pw, r)
	if pw.Code != http.StatusForbidden {
		t.Errorf("POST after the reads: status %d, want 403 (no api_key)", pw.Code)
	}
	// One interval later, one more read.
	now = now.Add(ReadInterval)
	if w := read("203.0.113.7", "/open311/v2/tokens/abc.json"); w.Code != http.StatusNotFound {
		t.Errorf("read after %v: status %d, want 404", ReadInterval, w.Code)
	}
	if w := read("203.0.113.7", "/open311/v2/tokens/abc.json"); w.Code != http.StatusBadRequest {
		t.Errorf("second read after %v: status %d, want 400", ReadInterval, w.Code)
	}
}
