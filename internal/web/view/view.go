// Package view renders dangjian's HTML: embedded templates, the message catalog, the data
// every page shares, and the request context that carries the caller and the language.
package view

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

//go:embed templates
var templateFiles embed.FS

// Renderer holds one parsed template set per page: the page's "content" (and "head", if it
// adds to the head) with the partials; the layout around them is written by layout.go. A
// piece of a page that htmx swaps in defines "fragment" instead, rendered without the layout.
type Renderer struct {
	// byLang holds each page per language, with its translations of literal keys written in
	// (constant.go).
	byLang  map[string]map[string]*pageTemplates
	catalog *Catalog
	zone    *time.Location
	log     *slog.Logger
	static  func(string) string
	// bufs keeps the buffers pages are rendered into: a page of some ten kilobytes would
	// otherwise grow a new buffer from nothing, copying itself several times, on every request.
	bufs sync.Pool
}

// NewRenderer parses each page template with the partials. static maps a static file name to
// its content-hashed URL.
func NewRenderer(catalog *Catalog, static func(string) string, zone *time.Location, log *slog.Logger) (*Renderer, error) {
	funcs := template.FuncMap{
		"static": static,
		"add":    func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
		"join":     strings.Join,
		"options":  OptionsHTML,
		"contains": func(list []string, s string) bool { return containsStr(list, s) },
		"indent":   func(depth int) string { return strconv.Itoa(depth) },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
	partials, err := template.New("partials").Funcs(funcs).ParseFS(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: partials: %w", err)
	}
	r := &Renderer{catalog: catalog, zone: zone, log: log, static: static,
		byLang: map[string]map[string]*pageTemplates{}}
	entries, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/pages/"), ".html")
		t, err := partials.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFiles, e); err != nil {
			return nil, fmt.Errorf("view: %s: %w", name, err)
		}
		if (t.Lookup("content") == nil) == (t.Lookup("fragment") == nil) {
			return nil, fmt.Errorf("view: %s: defines both or neither of content and fragment", name)
		}
		for _, tr := range []*Translator{catalog.zh, catalog.en} {
			v, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("view: %s: %w", name, err)
			}
			answerConstants(v, tr, static)
			if err := prepare(v); err != nil {
				return nil, fmt.Errorf("view: %s: %w", name, err)
			}
			if r.byLang[tr.Lang] == nil {
				r.byLang[tr.Lang] = map[string]*pageTemplates{}
			}
			r.byLang[tr.Lang][name] = newPageTemplates(v)
		}
	}
	return r, nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pageTemplates are the entry templates of one page in one language, looked up once.
type pageTemplates struct {
	content, head, fragment *template.Template // head may be nil; fragment replaces the other two
}

func newPageTemplates(t *template.Template) *pageTemplates {
	return &pageTemplates{content: t.Lookup("content"), head: t.Lookup("head"), fragment: t.Lookup("fragment")}
}

// Catalog returns the message catalog.
func (r *Renderer) Catalog() *Catalog { return r.catalog }

// Base is the data every page has. Page structs embed it. Templates translate with Base's T
// ({{.T "key"}}); a page type must not define a T of its own, since the renderer writes the
// translations of literal keys into the templates in advance (constant.go).
type Base struct {
	*Translator
	Title   string
	Actor   *auth.Actor
	Path    string // request path, for the navigation's current item
	Flash   string // message key of a one-time notice
	Zone    *time.Location
	NavItem string
}

// Date formats an instant as a date in the organization's zone.
func (b *Base) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.Zone).Format(time.DateOnly)
}

// DateTime formats an instant as date and minute in the organization's zone.
func (b *Base) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.Zone).Format("2006-01-02 15:04")
}

// Page is what every page struct provides: the shared Base, which embedding it gives. Render
// takes only Pages, so templates never get a map or a loose value.
type Page interface{ base() *Base }

func (b *Base) base() *Base { return b }

// NewBase builds the shared page data for a request.
func (r *Renderer) NewBase(req *http.Request, title string) Base {
	a := ActorFrom(req.Context())
	locale := ""
	if a != nil {
		locale = a.Locale
	}
	b := Base{Translator: r.catalog.Negotiate(req, locale), Actor: a, Path: req.URL.Path, Zone: r.zone}
	b.Title = b.T(title)
	if f := req.URL.Query().Get("flash"); f != "" && strings.HasPrefix(f, "flash.") {
		b.Flash = f
	}
	return b
}

// Render writes a page with the given status. Rendering goes to a buffer first so that a
// template error never sends half a page.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, name string, page Page) {
	b := page.base()
	if b.Translator == nil {
		b.Translator = r.catalog.zh
	}
	t, ok := r.byLang[b.Translator.Lang][name]
	if !ok {
		r.log.Error("view: no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf, _ := r.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		// A rare huge page does not keep its buffer.
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			r.bufs.Put(buf)
		}
	}()
	var err error
	if t.fragment != nil {
		err = t.fragment.Execute(buf, page)
	} else if err = r.writeTop(buf, t.head, b, page); err == nil {
		err = t.content.Execute(buf, page)
		writeBottom(buf, b)
	}
	if err != nil {
		r.log.Error("view: render", "page", name, "err", err, "request_id", RequestID(req.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// With its length known, the page goes out in one piece rather than in chunks.
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// maxPooledBuffer is the largest render buffer kept for the next page.
const maxPooledBuffer = 256 << 10

// ErrorPage is the data of the error page.
type ErrorPage struct {
	Base
	Status  int
	Message string
}

// Error renders err as an error page: its kind decides the status, its key the message. An
// unauthenticated request is sent to the login page.
func (r *Renderer) Error(w http.ResponseWriter, req *http.Request, err error) {
	kind := apperr.KindOf(err)
	status := StatusOf(kind)
	if kind == apperr.Unauthorized && req.Method == http.MethodGet {
		http.Redirect(w, req, "/login?next="+url.QueryEscape(req.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := &ErrorPage{Base: r.NewBase(req, "error.title"), Status: status}
	if e := apperr.As(err); e != nil && kind != apperr.Internal {
		p.Message = p.T(e.Key, e.Args)
	} else {
		r.LogError(req, "internal error", err)
		p.Message = p.T("error.internal")
	}
	r.Render(w, req, status, "error", p)
}

// LogError logs an error a handler answered without an error page (the user was told in
// other words, the request went on), with the request's method, path and id.
func (r *Renderer) LogError(req *http.Request, msg string, err error) {
	r.log.Error(msg, "err", err, "method", req.Method, "path", req.URL.Path, "request_id", RequestID(req.Context()))
}

// StatusOf maps an error kind to an HTTP status.
func StatusOf(kind apperr.Kind) int {
	switch kind {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Locked:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

type ctxKey int

const (
	actorKey ctxKey = iota
	requestIDKey
)

// WithActor returns a context carrying the authenticated caller.
func WithActor(ctx context.Context, a *auth.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the caller, or nil for an anonymous request.
func ActorFrom(ctx context.Context) *auth.Actor {
	a, _ := ctx.Value(actorKey).(*auth.Actor)
	return a
}

// WithRequestID returns a context carrying the request's ID for logs.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request's ID.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
