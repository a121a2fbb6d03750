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

const constantsTemplates = `{{define "layout.html"}}<html lang="{{.Lang}}"><title>{{.T "app.name"}}</title>` +
	`<link href="{{static "app.css"}}" title="{{.T "nav.home"}}">{{template "content" .}}</html>{{end}}` +
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
		if src := rewritten.Lookup("layout.html").Tree.Root.String(); strings.Contains(src, `.T "`) || strings.Contains(src, "{{static") {
			t.Errorf("%s: layout still calls: %s", tr.Lang, src)
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
			if err := parse().ExecuteTemplate(&want, "layout.html", p); err != nil {
				t.Fatal(err)
			}
			if err := rewritten.ExecuteTemplate(&got, "layout.html", p); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s:\n got %s\nwant %s", tr.Lang, got.String(), want.String())
			}
		}
	}
}
