package view

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed i18n/*.json
var messageFiles embed.FS

// Languages dangjian speaks, Simplified Chinese first.
var (
	LangZH = language.MustParse("zh-CN")
	LangEN = language.English
)

var matcher = language.NewMatcher([]language.Tag{LangZH, LangEN})

// Translator turns message keys into text in one language.
type Translator struct {
	Lang   string // "zh-CN" or "en"
	loc    *i18n.Localizer
	plain  map[string]string    // messages without placeholders, looked up without go-i18n
	filled map[string][]segment // messages whose placeholders are all plain {{.Name}}
}

// segment is a piece of a message: literal text, or the name of a value to print.
type segment struct {
	text, name string
}

// placeholder matches a plain placeholder of a message, {{.Name}}.
var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// segments splits a message into text and plain placeholders, or reports false when it holds
// any other template action, which only go-i18n can execute.
func segments(msg string) ([]segment, bool) {
	var out []segment
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(msg, -1) {
		out = append(out, segment{text: msg[last:m[0]]}, segment{name: msg[m[2]:m[3]]})
		last = m[1]
	}
	out = append(out, segment{text: msg[last:]})
	for _, sg := range out {
		if strings.Contains(sg.text, "{{") || strings.Contains(sg.text, "}}") {
			return nil, false
		}
	}
	return out, true
}

// Catalog holds the message bundle.
type Catalog struct {
	bundle *i18n.Bundle
	zh, en *Translator
}

// NewCatalog loads the embedded message files.
func NewCatalog() (*Catalog, error) {
	b := i18n.NewBundle(LangZH)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	entries, err := fs.ReadDir(messageFiles, "i18n")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := messageFiles.ReadFile("i18n/" + e.Name())
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, e.Name()); err != nil {
			return nil, fmt.Errorf("view: %s: %w", e.Name(), err)
		}
	}
	c := &Catalog{bundle: b}
	c.zh = &Translator{Lang: "zh-CN", loc: i18n.NewLocalizer(b, "zh-CN"), plain: map[string]string{}, filled: map[string][]segment{}}
	c.en = &Translator{Lang: "en", loc: i18n.NewLocalizer(b, "en"), plain: map[string]string{}, filled: map[string][]segment{}}
	// Pages translate a hundred labels each; the plain ones come from a map.
	for _, e := range entries {
		data, _ := messageFiles.ReadFile("i18n/" + e.Name())
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("view: %s: %w", e.Name(), err)
		}
		t := c.zh
		if strings.Contains(e.Name(), ".en.") {
			t = c.en
		}
		for k, v := range m {
			if !strings.Contains(v, "{{") {
				t.plain[k] = v
			} else if segs, ok := segments(v); ok {
				t.filled[k] = segs
			}
		}
	}
	return c, nil
}

// For returns the translator of a language code: "en" or anything else for Chinese.
func (c *Catalog) For(lang string) *Translator {
	if strings.HasPrefix(lang, "en") {
		return c.en
	}
	return c.zh
}

// Negotiate picks the language for a request: the user's setting, then the lang cookie, then
// Accept-Language, then Chinese.
func (c *Catalog) Negotiate(r *http.Request, userLocale string) *Translator {
	if userLocale != "" {
		return c.For(userLocale)
	}
	if ck, err := r.Cookie("lang"); err == nil && (ck.Value == "en" || ck.Value == "zh-CN") {
		return c.For(ck.Value)
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return c.zh
	}
	_, idx, _ := matcher.Match(tags...)
	if idx == 1 {
		return c.en
	}
	return c.zh
}

// T translates a message key. Args are pairs of names and values for the message template.
// A missing key shows the key itself, which tests catch.
func (t *Translator) T(key string, args ...any) string {
	if s, ok := t.plain[key]; ok {
		return s
	}
	if segs, ok := t.filled[key]; ok {
		if s, ok := fill(segs, args); ok {
			return s
		}
	}
	var data map[string]any
	if len(args) == 1 {
		if m, ok := args[0].(map[string]any); ok {
			data = m
		}
	} else if len(args) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return key
	}
	return s
}

// fill writes a message of plain placeholders with the values named in args (pairs, or one
// map), as go-i18n's template would print them. It reports false for a value it does not
// print the same way for certain (only strings and integers are printed here), or a missing
// one, which go-i18n then writes.
func fill(segs []segment, args []any) (string, bool) {
	var b strings.Builder
	for _, sg := range segs {
		if sg.name == "" {
			b.WriteString(sg.text)
			continue
		}
		v, ok := arg(args, sg.name)
		if !ok {
			return "", false
		}
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case int:
			b.WriteString(strconv.Itoa(x))
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// arg finds the value named name among T's arguments.
func arg(args []any, name string) (any, bool) {
	if len(args) == 1 {
		m, ok := args[0].(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[name]
		return v, ok
	}
	var v any
	found := false
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == name {
			v, found = args[i+1], true // the last one, as in the map T builds for go-i18n
		}
	}
	return v, found
}

// Has reports whether the key exists in this language.
func (t *Translator) Has(key string) bool {
	_, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: key})
	return err == nil
}
