package view

import (
	"html/template"
	"strings"
)

// html/template costs about two microseconds an action (each value goes through its escaper
// by reflection), which lists of many short items multiply: a page's 20 rows or 20 options of
// three or four actions each took most of its rendering time. Lists that a page renders on
// every request are written here instead, every value escaped with template.HTMLEscapeString,
// which escapes the five characters that matter in text and in quoted attribute values; the
// markup around them is constant. Their tests compare them with the templates they replace.

// OptionsHTML renders <option> elements of opts, the selected ones marked. Templates call it
// as {{options .List}} inside a <select>.
func OptionsHTML(opts []Option) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Value))
		b.WriteByte('"')
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(o.Label))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}
