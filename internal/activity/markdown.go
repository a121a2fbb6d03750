package activity

import (
	"bytes"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// markdownRenderer turns a record's Markdown into HTML that is safe to show: goldmark drops
// raw HTML, and bluemonday's policy for user content removes whatever else could run.
type markdownRenderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// markdown is built once and never changed afterwards; both parts are safe for concurrent
// use.
var markdown = sync.OnceValue(func() *markdownRenderer {
	return &markdownRenderer{
		// Hard wraps: people typing minutes on a phone mean a new line when they press enter.
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithHardWraps())),
		policy: bluemonday.UGCPolicy(),
	}
})

// MarkdownHTML renders Markdown as sanitised HTML, ready to be trusted by a template.
func MarkdownHTML(src string) string {
	if src == "" {
		return ""
	}
	m := markdown()
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only when writing to the buffer fails; show the text escaped.
		return m.policy.Sanitize("<p>" + bluemonday.StrictPolicy().Sanitize(src) + "</p>")
	}
	return m.policy.SanitizeReader(&buf).String()
}
