package page

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the benchmark measures the
// template and not a recorder's buffer.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkPeopleTemplate renders the people list of a branch administrator, 20 rows and a
// filter of six organizations, without any database: the template's own cost. Run with
// go test ./internal/web/page -run '^$' -bench PeopleTemplate.
func BenchmarkPeopleTemplate(b *testing.B) {
	h := &Handlers{View: benchRenderer(b)}
	a := &auth.Actor{UserID: 2, Username: "branch", Name: "支部管理员", AdminPaths: []string{"/1/22/"}}
	req := httptest.NewRequest("GET", "/people", nil)
	req = req.WithContext(view.WithActor(req.Context(), a))
	tree := []*org.Organization{{ID: 22, Path: "/1/22/", Depth: 1, Name: "第二支部"}}
	for i := range 5 {
		id := int64(900 + i)
		tree = append(tree, &org.Organization{ID: id, Path: fmt.Sprintf("/1/22/%d/", id), Depth: 2, Name: fmt.Sprint("第", i+1, "党小组")})
	}
	var list []*org.Person
	for i := range 20 {
		list = append(list, &org.Person{ID: int64(1000 + i), Name: fmt.Sprint("张三", i), Stage: org.Stages[i%len(org.Stages)],
			Status: org.StatusNormal, OrgName: "第二支部", PhoneMask: "138****5678", IDNumberMask: "330681********1234", Booth: fmt.Sprint("A-", i)})
	}
	list[3].Status = org.Statuses[len(org.Statuses)-1]
	q := url.Values{}
	f := org.PeopleFilter{Limit: pageSize}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		p := h.peoplePage(req, a, q, f, 1, tree, list, 15064)
		h.View.Render(w, req, http.StatusOK, "people", p)
	}
}

// BenchmarkErrorTemplate renders the error page: the layout and nearly nothing else, the part
// of every page's rendering that its own template does not decide.
func BenchmarkErrorTemplate(b *testing.B) {
	r := benchRenderer(b)
	a := &auth.Actor{UserID: 2, Username: "branch", Name: "支部管理员", AdminPaths: []string{"/1/22/"}}
	req := httptest.NewRequest("GET", "/people", nil)
	req = req.WithContext(view.WithActor(req.Context(), a))
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		p := &view.ErrorPage{Base: r.NewBase(req, "error.title"), Status: http.StatusNotFound, Message: "x"}
		r.Render(w, req, http.StatusNotFound, "error", p)
	}
}

// benchRenderer returns the renderer of the embedded templates.
func benchRenderer(b *testing.B) *view.Renderer {
	b.Helper()
	cat, err := view.NewCatalog()
	if err != nil {
		b.Fatal(err)
	}
	r, err := view.NewRenderer(cat, func(s string) string { return "/static/" + s }, time.UTC, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	return r
}
