package view

import (
	"html/template"
	"strings"
	"testing"
)

type constantsItem struct{ Name string }

// T is an element's own T, which the rewrite must leave alone.
func (i constantsItem) T(key string) string { return "item " + i.Name + ":" + key }

type constantsPage struct {
	Base
	Items []constantsItem
	Key   string
}

const constantsTemplates = `{{define "page"}}<html lang="{{.Lang}}">{{template "head" .}}{{template "content" .}}</html>{{end}}` +
	`{{define "head"}}<title>{{.T "app.name"}}</title><link href="{{static "app.css"}}" title="{{.T "nav.home"}}">{{end}}` +
	`{{define "content"}}{{range .Items}}{{.T "nav.home"}} {{$.T "nav.home"}} {{template "part" .}}{{else}}{{.T "people.empty"}}{{end}}` +
	`{{with .Key}}{{.}} {{$.T "nav.orgs"}}{{end}}{{printf "%s!" (.T "nav.home")}} {{.T "people.count" "N" 3}}` +
	`{{if .Items}}{{.T "nav.orgs"}}{{end}}<a onclick="f({{.T "nav.home"}})" href="/x?q={{.T "nav.home"}}">x</a>` +
	`<script>var s = {{.T "nav.home"}};</script>{{end}}` +
	`{{define "part"}}{{.T "nav.logout"}}{{end}}`

// TestAnswerConstantsRendersTheSame: a page rendered from templates whose literal .T and
// static calls were answered in advance reads exactly as one rendered by calling them, in
// both languages, whatever the context html/template escapes for; calls where dot is not the
// page (range, with, partials) and calls with more arguments are left to run.
func TestAnswerConstantsRendersTheSame(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	static := func(s string) string { return "/static/" + s + "?v=1" }
	parse := func() *template.Template {
		return template.Must(template.New("set").Funcs(template.FuncMap{"static": static}).Parse(constantsTemplates))
	}
	for _, tr := range []*Translator{c.zh, c.en} {
		rewritten := parse()
		answerConstants(rewritten, tr, static)
		if src := rewritten.Lookup("head").Tree.Root.String(); strings.Contains(src, `.T "`) || strings.Contains(src, "{{static") {
			t.Errorf("%s: head still calls: %s", tr.Lang, src)
		}
		content := rewritten.Lookup("content").Tree.Root.String()
		if strings.Contains(content, "$.T") || strings.Count(content, `.T "nav.home"`) != 1 || !strings.Contains(content, `.T "people.count" "N" 3`) {
			t.Errorf("%s: content rewritten as %s", tr.Lang, content)
		}
		if src := rewritten.Lookup("part").Tree.Root.String(); !strings.Contains(src, `.T "nav.logout"`) {
			t.Errorf("%s: a partial was rewritten: %s", tr.Lang, src)
		}
		for _, p := range []*constantsPage{
			{Base: Base{Translator: tr}, Items: []constantsItem{{Name: "a"}, {Name: `<b>`}}, Key: "k"},
			{Base: Base{Translator: tr}},
		} {
			var want, got strings.Builder
			if err := parse().ExecuteTemplate(&want, "page", p); err != nil {
				t.Fatal(err)
			}
			if err := rewritten.ExecuteTemplate(&got, "page", p); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s:\n got %s\nwant %s", tr.Lang, got.String(), want.String())
			}
		}
	}
}

// foldTemplates write literal strings in every context html/template knows, hostile ones
// among them, with a partial and actions that are not constant.
const foldTemplates = `{{define "content"}}<title>{{"标题 + <x>"}}</title><p title="{{"a \"b\" & 'c'"}}">{{"<script>\x00"}} {{.Key}}</p>` +
	`<a href="/q?x={{"a b&c"}}">{{"链接"}}</a><a href={{"unquoted value"}}>u</a><textarea>{{"</textarea>"}}</textarea>` +
	`<script>var s = {{"</script>"}};</script><style>p{color:{{"red"}}}</style>{{if .Items}}{{range .Items}}{{"每项"}}{{.Name}}{{end}}{{end}}` +
	`{{template "part" .}}{{$v := "declared"}}{{$v}}{{end}}` +
	`{{define "part"}}<b>{{"partial & more"}}</b>{{end}}`

// TestFoldConstants: a page whose constants were folded into text reads exactly as before,
// whatever the context; the literals written as text, attribute value or RCDATA are folded,
// those of other contexts (URLs, scripts, styles, unquoted attributes) are left to run.
func TestFoldConstants(t *testing.T) {
	parse := func() *template.Template {
		return template.Must(template.New("set").Parse(foldTemplates))
	}
	folded := parse()
	if err := prepare(folded); err != nil {
		t.Fatal(err)
	}
	src := folded.Lookup("content").Tree.Root.String() + folded.Lookup("part").Tree.Root.String()
	for _, lit := range []string{`"标题 + <x>"`, `"a \"b\" & 'c'"`, `"<script>\x00"`, `"链接"`, `"</textarea>"`, `"每项"`, `"partial & more"`} {
		if strings.Contains(src, lit) {
			t.Errorf("%s not folded: %s", lit, src)
		}
	}
	for _, lit := range []string{`"a b&c"`, `"unquoted value"`, `"</script>"`, `"red"`, `"declared"`} {
		if !strings.Contains(src, lit) {
			t.Errorf("%s folded: %s", lit, src)
		}
	}
	for _, p := range []*constantsPage{
		{Items: []constantsItem{{Name: "a"}, {Name: `<b>`}}, Key: `"><i>`},
		{},
	} {
		var want, got strings.Builder
		if err := parse().ExecuteTemplate(&want, "content", p); err != nil {
			t.Fatal(err)
		}
		if err := folded.ExecuteTemplate(&got, "content", p); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("folded:\n got %s\nwant %s", got.String(), want.String())
		}
	}
}
