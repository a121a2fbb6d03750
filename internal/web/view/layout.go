package view

import (
	"bytes"
	"html/template"

	"github.com/dangjian/dangjian/internal/auth"
)

// The layout around every page (head, navigation, footer) is written here rather than by a
// template: it is the same few lines for every request of every page, and as a template it
// cost a third of a short page's rendering (its navigation alone made ten calls of eq by
// reflection). Every value is escaped with template.HTMLEscapeString, which escapes the five
// characters that matter in text and in quoted attribute values (view/markup.go); a page adds
// to the head by defining a "head" template. TestLayoutMatchesTemplate compares it with the
// template it replaces.

// htmxFile is the vendored htmx (static/vendor/VERSIONS.md).
const htmxFile = "vendor/htmx-2.0.11.min.js"

// navLink is an item of the navigation bar.
type navLink struct {
	item, href, key string
	shows           func(*auth.Actor) bool // nil: every signed-in user
}

// navLinks are the navigation bar's items but the last, the account, which shows the user's
// name.
var navLinks = []navLink{
	{item: "home", href: "/", key: "nav.home"},
	{item: "activities", href: "/activities", key: "nav.activities"},
	{item: "masswork", href: "/matters", key: "nav.masswork"},
	{item: "orgs", href: "/orgs", key: "nav.orgs"},
	{item: "notifications", href: "/notifications", key: "notify.nav"},
	{item: "people", href: "/people", key: "nav.people", shows: (*auth.Actor).IsStaff},
	{item: "audit", href: "/audit", key: "nav.audit", shows: (*auth.Actor).IsAdmin},
	{item: "users", href: "/admin/users", key: "nav.users", shows: func(a *auth.Actor) bool { return a.SysAdmin }},
}

// writeTop writes the page up to its content: the head, with what the page's "head" template
// adds (head may be nil), the header with the navigation, and the flash message.
func (r *Renderer) writeTop(buf *bytes.Buffer, head *template.Template, b *Base, page Page) error {
	tr := b.Translator
	text := func(s string) { buf.WriteString(template.HTMLEscapeString(s)) }
	buf.WriteString("<!doctype html>\n<html lang=\"")
	text(tr.Lang)
	buf.WriteString("\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false,\"allowScriptTags\":false}'>\n" +
		"<title>")
	text(b.Title)
	buf.WriteString(" · ")
	text(tr.T("app.name"))
	buf.WriteString("</title>\n<link rel=\"stylesheet\" href=\"")
	text(r.static("app.css"))
	buf.WriteString("\">\n<script src=\"")
	text(r.static(htmxFile))
	buf.WriteString("\" defer></script>\n")
	if head != nil {
		if err := head.Execute(buf, page); err != nil {
			return err
		}
	}
	buf.WriteString("</head>\n<body>\n<header class=\"top\">\n  <a class=\"brand\" href=\"/\">")
	text(tr.T("app.name"))
	buf.WriteString("</a>\n")
	if a := b.Actor; a != nil {
		buf.WriteString("  <nav class=\"nav\" aria-label=\"")
		text(tr.T("nav.label"))
		buf.WriteString("\">\n")
		link := func(item, href, label string) {
			buf.WriteString("    <a href=\"")
			buf.WriteString(href)
			buf.WriteByte('"')
			if item == b.NavItem {
				buf.WriteString(` aria-current="page"`)
			}
			buf.WriteByte('>')
			text(label)
			buf.WriteString("</a>\n")
		}
		for _, l := range navLinks {
			if l.shows == nil || l.shows(a) {
				link(l.item, l.href, tr.T(l.key))
			}
		}
		link("account", "/account", a.Name)
		buf.WriteString("  </nav>\n")
	}
	buf.WriteString("</header>\n<main class=\"main\">\n")
	if b.Flash != "" {
		buf.WriteString("<p class=\"flash\" role=\"status\">")
		text(tr.T(b.Flash))
		buf.WriteString("</p>\n")
	}
	return nil
}

// writeBottom writes the page after its content: the footer with the language switch and,
// for a signed-in user, the logout button.
func writeBottom(buf *bytes.Buffer, b *Base) {
	tr := b.Translator
	buf.WriteString("</main>\n<footer class=\"foot\">\n  <form method=\"post\" action=\"/lang\" class=\"lang\">\n" +
		"    <input type=\"hidden\" name=\"next\" value=\"")
	buf.WriteString(template.HTMLEscapeString(b.Path))
	buf.WriteString("\">\n    ")
	if tr.Lang == "en" {
		buf.WriteString(`<button name="lang" value="zh-CN" class="link">中文</button>`)
	} else {
		buf.WriteString(`<button name="lang" value="en" class="link">English</button>`)
	}
	buf.WriteString("\n  </form>\n")
	if b.Actor != nil {
		buf.WriteString(`  <form method="post" action="/logout"><button class="link">`)
		buf.WriteString(template.HTMLEscapeString(tr.T("nav.logout")))
		buf.WriteString("</button></form>\n")
	}
	buf.WriteString("</footer>\n</body>\n</html>\n")
}
