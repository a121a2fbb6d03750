package view

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
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
	Lang  string // "zh-CN" or "en"
	loc   *i18n.Localizer
	plain map[string]string // messages without placeholders, looked up without go-i18n
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
	c.zh = &Translator{Lang: "zh-CN", loc: i18n.NewLocalizer(b, "zh-CN"), plain: map[string]string{}}
	c.en = &Translator{Lang: "en", loc: i18n.NewLocalizer(b, "en"), plain: map[string]string{}}
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

// Has reports whether the key exists in this language.
func (t *Translator) Has(key string) bool {
	_, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: key})
	return err == nil
}
