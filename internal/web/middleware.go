package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/api"
	"github.com/dangjian/dangjian/internal/web/open311"
	"github.com/dangjian/dangjian/internal/web/page"
	"github.com/dangjian/dangjian/internal/web/view"
)

// contentSecurityPolicy allows only this origin's scripts and styles, no plugins, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaderValues are the headers every response carries, each value one shared slice:
// set for every request of every route, header by header, they were six allocations and six
// canonicalisations a request. A handler that sets one of them again replaces its slice; none
// appends to it (and an append would copy it: each slice is full).
var securityHeaderValues = []struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{contentSecurityPolicy}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Permissions-Policy", []string{"camera=(self), geolocation=(self), microphone=()"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
}

// strictTransportSecurity is sent when the site is served over HTTPS (Config.Secure).
var strictTransportSecurity = []string{"max-age=31536000; includeSubDomains"}

// securityHeaders sets the headers every response carries, errors included.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, sh := range securityHeaderValues {
			h[sh.key] = sh.value
		}
		if s.cfg.Secure {
			h["Strict-Transport-Security"] = strictTransportSecurity
		}
		if r.Method == http.MethodTrace {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request once, counts it by route pattern for /metrics, and recovers
// from panics with a 500.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		box := &patternBox{}
		ctx := context.WithValue(view.WithRequestID(r.Context(), id), patternKey{}, box)
		if s.requestCtx != nil {
			ctx = s.requestCtx(ctx)
		}
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", id, "panic", p, "path", r.URL.Path)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			route := box.pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			s.log.Log(r.Context(), level, "request", "request_id", id, "method", r.Method, "route", route,
				"status", sw.status, "ms", elapsed.Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// patternBox carries the route pattern the mux matched back out to observe: middleware
// between them (authentication) passes the mux a new request, so observe's own request never
// gets the pattern set.
type patternBox struct{ pattern string }

type patternKey struct{}

// notePattern records, after the mux has served a request, the pattern it matched.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if box, ok := r.Context().Value(patternKey{}).(*patternBox); ok {
			box.pattern = r.Pattern
		}
	})
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// authenticate resolves the session cookie into an actor; a bad or expired cookie is dropped
// and the request continues anonymously.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		a, err := s.auth.Authenticate(r.Context(), c.Value, page.ClientIP(r))
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.Unauthorized {
				s.view.Error(w, r, err)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: s.cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure})
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(view.WithActor(r.Context(), a)))
	})
}

// requireLogin sends anonymous visitors to the login page.
func (s *Server) requireLogin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if view.ActorFrom(r.Context()) == nil {
			s.view.Error(w, r, apperr.New(apperr.Unauthorized, "error.login_required"))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next(w, r)
	})
}

// parseForms parses the body of every form post of the pages once, so that handlers read
// r.PostForm; a malformed or oversized body is answered here. The API reads JSON itself,
// Open311 its own form (to answer errors in its own shape), and multipart uploads are parsed
// by their handler.
func (s *Server) parseForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && !strings.HasPrefix(r.URL.Path, api.Prefix) && !strings.HasPrefix(r.URL.Path, open311.Prefix) {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.view.Error(w, r, apperr.New(apperr.Invalid, "error.too_large"))
					return
				}
				s.view.Error(w, r, apperr.New(apperr.Invalid, "error.bad_request"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// defaultBodyLimit caps the body of every request whose route asked for no other limit.
const defaultBodyLimit = 1 << 20

// handleBig registers a route whose requests may carry a body of up to limit bytes (uploads).
func (s *Server) handleBig(mux *http.ServeMux, pattern string, limit int64, h http.Handler) {
	if s.bodyLimits == nil {
		s.bodyLimits = make(map[string]int64)
	}
	s.bodyLimits[pattern] = limit
	mux.Handle(pattern, h)
}

// limitBody caps request bodies at defaultBodyLimit, or at the limit the matched route was
// registered with by handleBig. Only requests that may carry a body are routed twice.
func (s *Server) limitBody(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int64(defaultBodyLimit)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && len(s.bodyLimits) > 0 {
			if _, pattern := mux.Handler(r); pattern != "" {
				if limit, ok := s.bodyLimits[pattern]; ok {
					n = limit
				}
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// forwardedFor takes the client's address from X-Forwarded-For when the request comes from a
// trusted reverse proxy: the rightmost address in the header that is not itself a trusted
// proxy (what the nearest proxy saw), so that a client cannot choose its address by sending
// the header itself. The address replaces r.RemoteAddr for everything after: rate limits,
// lockouts, audit records.
func forwardedFor(proxies []netip.Prefix, next http.Handler) http.Handler {
	if len(proxies) == 0 {
		return next
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range proxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || !trusted(peer.Addr().Unmap()) {
			next.ServeHTTP(w, r)
			return
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed hop: believe nothing further left
			}
			if a = a.Unmap(); !trusted(a) {
				r2 := *r
				r2.RemoteAddr = netip.AddrPortFrom(a, 0).String()
				r = &r2
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}
