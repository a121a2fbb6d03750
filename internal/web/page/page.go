// Package page holds dangjian's HTML handlers, one file per group of screens. A handler parses
// the request, calls one service method, and renders a typed page struct.
package page

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Handlers serves the HTML pages.
type Handlers struct {
	View *view.Renderer
	Auth *auth.Service
	Org  *org.Service
	// Activity is the activity service.
	Activity *activity.Service
	Notify   *notify.Service // the users' notices
	// Mass is the mass-work service: problems, matters, visits, projects.
	Mass   *masswork.Service
	Now    func() time.Time
	Cookie CookieConfig
	// BaseURL is the configured public base URL; empty: links are made from the request.
	BaseURL string
}

// CookieConfig names the session cookie and its flags.
type CookieConfig struct {
	Name   string
	Secure bool
}

// idParam parses a path value as a positive integer; anything else is not found.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// actor returns the caller or an unauthorized error.
func actor(r *http.Request) (*auth.Actor, error) {
	a := view.ActorFrom(r.Context())
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	return a, nil
}

// actorID returns the caller and the {id} path value, the start of most handlers.
func actorID(r *http.Request) (*auth.Actor, int64, error) {
	a, err := actor(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := idParam(r, "id")
	return a, id, err
}

// redirect sends the browser to path with a one-time notice.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// safeNext returns a same-origin path to go to after login, or "/".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
