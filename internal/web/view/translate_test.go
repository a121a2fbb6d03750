package view

import (
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestFilledMessagesMatchGoI18n: messages whose placeholders T fills itself read exactly as
// go-i18n writes them, in both languages, for the values T fills (strings and integers), with
// the arguments as pairs or as one map; other values and missing ones are left to go-i18n.
func TestFilledMessagesMatchGoI18n(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []*Translator{c.zh, c.en} {
		if len(tr.filled) == 0 {
			t.Fatalf("%s: no message with placeholders", tr.Lang)
		}
		for key, segs := range tr.filled {
			for _, value := range []any{42, int64(-7), `<b>"x" & y</b>`} {
				data := map[string]any{}
				var pairs []any
				for _, sg := range segs {
					if sg.name != "" {
						data[sg.name] = value
						pairs = append(pairs, sg.name, value)
					}
				}
				want, err := tr.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
				if err != nil {
					t.Fatalf("%s %s: %v", tr.Lang, key, err)
				}
				if got := tr.T(key, pairs...); got != want {
					t.Errorf("%s %s with pairs: got %q, want %q", tr.Lang, key, got, want)
				}
				if got := tr.T(key, data); got != want {
					t.Errorf("%s %s with a map: got %q, want %q", tr.Lang, key, got, want)
				}
			}
		}
	}
	// A value T does not print itself, and a missing one, are written by go-i18n.
	en := c.en
	if got, want := en.T("pager.page", "N", 1.5, "Of", 3), "Page 1.5 of 3"; got != want {
		t.Errorf("float: got %q, want %q", got, want)
	}
	if got, want := en.T("pager.page", "N", 2), "Page 2 of <no value>"; got != want {
		t.Errorf("missing value: got %q, want %q", got, want)
	}
}

// TestSegments: only messages made of text and plain placeholders are filled by T.
func TestSegments(t *testing.T) {
	for msg, ok := range map[string]bool{
		"第 {{.N}} / {{.Of}} 页":          true,
		"{{ .Minutes }} minutes":        true,
		"no placeholder":                true,
		"{{if .N}}some{{end}}":          false,
		"{{.N | printf \"%03d\"}} left": false,
		"{{.User.Name}}":                false,
	} {
		if _, got := segments(msg); got != ok {
			t.Errorf("segments(%q) ok = %v, want %v", msg, got, ok)
		}
	}
}
