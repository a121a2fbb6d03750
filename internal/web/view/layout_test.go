package view

import (
	"html/template"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
)

// TestLayoutMatchesTemplate: the layout written by hand is the one html/template writes from
// testdata/layout.html, in both languages, for every kind of user and navigation item, with
// and without a page head and a flash message, hostile values escaped alike.
func TestLayoutMatchesTemplate(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	static := func(s string) string { return "/static/" + s + "?v=1" }
	hostile := `"><script>alert('x&y')</script> +1`
	pages := map[string]string{
		"plain":    `{{define "content"}}<p>{{.Base.Title}}</p>{{end}}`,
		"withhead": `{{define "head"}}<script src="{{static "x.js"}}" defer></script>{{end}}{{define "content"}}<p>{{.T "nav.home"}}</p>{{end}}`,
	}
	actors := []*auth.Actor{
		nil,
		{UserID: 3, Name: "王五"},
		{UserID: 4, Name: hostile, PersonID: 9, MemberPath: "/1/22/"},
		{UserID: 2, Name: "支部书记", AdminPaths: []string{"/1/22/"}},
		{UserID: 5, Name: "检查组", ViewPaths: []string{"/1/"}},
		{UserID: 1, Name: "管理员", SysAdmin: true},
	}
	items := append([]string{"", "account"}, func() (s []string) {
		for _, l := range navLinks {
			s = append(s, l.item)
		}
		return s
	}()...)
	for _, tr := range []*Translator{c.zh, c.en} {
		for name, page := range pages {
			handwritten := &Renderer{catalog: c, static: static, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				byLang: map[string]map[string]*pageTemplates{tr.Lang: {
					name: newPageTemplates(template.Must(template.New(name).Funcs(template.FuncMap{"static": static}).Parse(page))),
				}}}
			for _, a := range actors {
				for _, item := range items {
					for _, flash := range []string{"", "flash.saved", "flash.<b>" + hostile} {
						b := Base{Translator: tr, Title: "标题 " + hostile, Actor: a, Path: "/people/" + hostile, Flash: flash,
							Zone: time.UTC, NavItem: item}
						ref := template.Must(template.New("layout.html").Funcs(template.FuncMap{"static": static}).Parse(string(src)))
						template.Must(ref.Parse(page))
						var want strings.Builder
						if err := ref.Execute(&want, &ErrorPage{Base: b}); err != nil {
							t.Fatal(err)
						}
						w := httptest.NewRecorder()
						handwritten.Render(w, httptest.NewRequest("GET", "/", nil), 200, name, &ErrorPage{Base: b})
						// html/template also writes '+' as an entity; HTMLEscapeString leaves it, harmless.
						plus := strings.NewReplacer("&#43;", "+")
						if got, want := plus.Replace(w.Body.String()), plus.Replace(want.String()); got != want {
							t.Fatalf("%s %s actor %v item %q flash %q:\n got %s\nwant %s", tr.Lang, name, a, item, flash, got, want)
						}
					}
				}
			}
		}
	}
}

// TestLayoutKeys: the messages the layout writes exist in both languages.
func TestLayoutKeys(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"app.name", "nav.label", "nav.logout"}
	for _, l := range navLinks {
		keys = append(keys, l.key)
	}
	for _, tr := range []*Translator{c.zh, c.en} {
		for _, k := range keys {
			if !tr.Has(k) {
				t.Errorf("%s: no message %s", tr.Lang, k)
			}
		}
	}
}
