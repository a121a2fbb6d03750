package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
)

// BenchmarkPeoplePage measures one people list page of the secretary, through the whole
// handler chain, on the demo data (SQLite). Run with -bench PeoplePage; `go test` alone does
// not run it.
func BenchmarkPeoplePage(b *testing.B) { benchPage(b, "/people") }

// BenchmarkPeoplePageEmpty is the same page with no rows: the difference is the rows' cost.
func BenchmarkPeoplePageEmpty(b *testing.B) { benchPage(b, "/people?q=nobody") }

func benchPage(b *testing.B, path string) {
	f := newFixture(b, store.SQLite)
	base, _ := url.Parse(f.srv.URL)
	req := httptest.NewRequest("GET", path, nil)
	for _, c := range f.clients["secretary"].Jar.Cookies(base) {
		req.AddCookie(c)
	}
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.app.Web.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
