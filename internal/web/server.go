// Package web is dangjian's HTTP edge: the server, its routes and middleware. Handlers live in
// web/page (HTML); this package wires them with the security headers, cross-origin protection,
// sessions, metrics and health checks.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/web/api"
	"github.com/dangjian/dangjian/internal/web/open311"
	"github.com/dangjian/dangjian/internal/web/page"
	"github.com/dangjian/dangjian/internal/web/view"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness reports whether the database answers and is fully migrated.
type Readiness func(ctx context.Context) error

// Deps are what the server needs.
type Deps struct {
	Config config.Config
	Log    *slog.Logger
	Auth   *auth.Service
	Org    *org.Service
	// Activity is the activity service.
	Activity *activity.Service
	Notify   *notify.Service // the users' notices
	// Masswork serves problems, matters, visits, projects and Open311.
	Masswork *masswork.Service
	Ready    Readiness
	Now      func() time.Time
	Zone     *time.Location
	// RequestContext, when set, prepares each request's context for the store (which then
	// reads the versions of its copies once a request).
	RequestContext func(context.Context) context.Context
}

// Server is dangjian's HTTP handler.
type Server struct {
	cfg        config.Config
	log        *slog.Logger
	auth       *auth.Service
	view       *view.Renderer
	static     *Static
	pages      *page.Handlers
	ready      Readiness
	cookieName string
	metrics    *metrics
	requestCtx func(context.Context) context.Context
	// bodyLimits are the body limits of routes registered by handleBig, by pattern.
	bodyLimits map[string]int64
	handler    http.Handler
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dangjian_http_requests_total",
		Help: "HTTP requests by route pattern and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dangjian_http_request_duration_seconds",
		Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.registry.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the Prometheus registry, for collectors of other packages (jobs).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	static, err := NewStatic()
	if err != nil {
		return nil, err
	}
	catalog, err := view.NewCatalog()
	if err != nil {
		return nil, err
	}
	renderer, err := view.NewRenderer(catalog, static.URL, d.Zone, d.Log)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: d.Config, log: d.Log, auth: d.Auth, view: renderer, static: static, ready: d.Ready,
		cookieName: "dj_session", metrics: newMetrics(), requestCtx: d.RequestContext}
	if d.Config.Secure {
		// The __Host- prefix binds the cookie to this host, over HTTPS, for the whole path.
		s.cookieName = "__Host-dj_session"
	}
	s.pages = &page.Handlers{View: renderer, Auth: d.Auth, Org: d.Org, Activity: d.Activity, Notify: d.Notify, Mass: d.Masswork, Now: d.Now,
		Cookie: page.CookieConfig{Name: s.cookieName, Secure: d.Config.Secure}, BaseURL: d.Config.BaseURL}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p := s.pages
	login := s.requireLogin

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", loopbackOnly(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	mux.Handle("GET /static/", s.static)

	mux.HandleFunc("GET /login", p.Login)
	mux.HandleFunc("POST /login", p.LoginSubmit)
	mux.HandleFunc("POST /logout", p.Logout)
	mux.HandleFunc("GET /setup", p.Setup)
	mux.HandleFunc("POST /setup", p.SetupSubmit)
	mux.HandleFunc("POST /lang", p.SetLanguage)

	mux.Handle("GET /{$}", login(p.Home))
	mux.Handle("GET /orgs", login(p.OrgTree))
	mux.Handle("GET /orgs/new", login(p.NewOrg))
	mux.Handle("POST /orgs", login(p.CreateOrg))
	mux.Handle("GET /orgs/{id}", login(p.ShowOrg))
	mux.Handle("GET /orgs/{id}/edit", login(p.EditOrg))
	mux.Handle("POST /orgs/{id}", login(p.UpdateOrg))
	mux.Handle("POST /orgs/{id}/move", login(p.MoveOrg))
	mux.Handle("POST /orgs/{id}/move-people", login(p.MoveOrgPeople))
	mux.Handle("POST /orgs/{id}/dissolve", login(p.DissolveOrg))
	mux.Handle("POST /orgs/{id}/positions", login(p.AddPosition))
	mux.Handle("POST /orgs/{id}/positions/{pid}/end", login(p.EndPosition))
	mux.Handle("GET /people", login(p.ListPeople))
	mux.Handle("GET /people/new", login(p.NewPerson))
	mux.Handle("GET /people/import", login(p.ImportUpload))
	s.handleBig(mux, "POST /people/import", roster.MaxFileSize+64<<10, login(p.ImportSubmit))
	mux.Handle("GET /people/import/template.xlsx", login(p.ImportTemplate))
	mux.Handle("GET /people/export.xlsx", login(p.ExportPeople))
	mux.Handle("POST /people/export.xlsx", login(p.ExportPeople))
	mux.Handle("GET /imports/{id}", login(p.ShowImport))
	mux.Handle("GET /imports/{id}/progress", login(p.ImportProgress))
	mux.Handle("POST /imports/{id}/start", login(p.StartImport))
	mux.Handle("POST /imports/{id}/cancel", login(p.CancelImport))
	mux.Handle("POST /people", login(p.CreatePerson))
	mux.Handle("GET /people/{id}", login(p.ShowPerson))
	mux.Handle("GET /people/{id}/edit", login(p.EditPerson))
	mux.Handle("POST /people/{id}", login(p.UpdatePerson))
	mux.Handle("POST /people/{id}/reveal", login(p.Reveal))
	mux.Handle("GET /activities", login(p.ListActivities))
	mux.Handle("GET /activities/new", login(p.NewActivity))
	mux.Handle("POST /activities", login(p.CreateActivity))
	mux.Handle("GET /activities/{id}", login(p.ShowActivity))
	mux.Handle("GET /activities/{id}/edit", login(p.EditActivity))
	mux.Handle("POST /activities/{id}", login(p.UpdateActivity))
	mux.Handle("POST /activities/{id}/cancel", login(p.CancelActivity))
	mux.Handle("POST /activities/{id}/invite", login(p.InviteToActivity))
	mux.Handle("POST /activities/{id}/respond", login(p.RespondToActivity))
	mux.Handle("POST /activities/{id}/leave/{pid}", login(p.DecideLeave))
	mux.Handle("GET /activities/{id}/attendance", login(p.ShowAttendance))
	mux.Handle("POST /activities/{id}/attendance", login(p.MarkAttendance))
	mux.Handle("GET /activities/{id}/checkin", login(p.CheckInScreen))
	// Records: minutes and summary, approval, amendments, photos and files.
	mux.Handle("GET /activities/{id}/record", login(p.ShowRecord))
	mux.Handle("POST /activities/{id}/record", login(p.SaveRecord))
	mux.Handle("POST /activities/{id}/record/submit", login(p.SubmitRecord))
	mux.Handle("POST /activities/{id}/record/approve", login(p.ApproveRecord))
	mux.Handle("POST /activities/{id}/record/return", login(p.ReturnRecord))
	mux.Handle("POST /activities/{id}/record/amend", login(p.AmendRecord))
	s.handleBig(mux, "POST /activities/{id}/files", page.UploadLimit, login(p.UploadFiles))
	mux.Handle("GET /activities/{id}/files/{fid}", login(p.ShowFile))
	mux.Handle("GET /activities/{id}/files/{fid}/thumb", login(p.ShowThumbnail))
	mux.Handle("POST /activities/{id}/files/{fid}/delete", login(p.DeleteFile))
	mux.Handle("GET /orgs/{id}/activity-settings", login(p.ShowActivitySettings))
	mux.Handle("POST /orgs/{id}/activity-settings", login(p.SaveActivitySettings))
	mux.HandleFunc("GET /c/{token}", p.CheckInLanding)
	mux.Handle("POST /c/{token}", login(p.CheckIn))
	mux.Handle("GET /orgs/{id}/ledger.xlsx", login(p.ExportLedger))
	mux.Handle("GET /activities/{id}/print", login(p.PrintRecord))
	mux.Handle("GET /activities/{id}/attendance/print", login(p.PrintAttendance))
	mux.Handle("GET /orgs/{id}/compliance", login(p.ShowCompliance))
	mux.Handle("GET /orgs/{id}/rules", login(p.ShowRules))
	mux.Handle("POST /orgs/{id}/rules", login(p.SaveRule))
	mux.Handle("GET /sites", login(p.ListSites))
	mux.Handle("GET /sites/new", login(p.NewSite))
	mux.Handle("POST /sites", login(p.SaveSite))
	mux.Handle("GET /sites/{id}", login(p.ShowSite))
	mux.Handle("GET /sites/{id}/edit", login(p.EditSite))
	mux.Handle("POST /sites/{id}", login(p.SaveSite))
	mux.Handle("GET /audit", login(p.ShowAudit))
	mux.Handle("GET /account", login(p.Account))
	mux.Handle("POST /account/password", login(p.ChangePassword))
	mux.Handle("POST /account/logout-all", login(p.LogoutEverywhere))
	mux.Handle("POST /account/email", login(p.SaveEmail))
	mux.Handle("GET /notifications", login(p.Notifications))
	mux.Handle("POST /notifications/read", login(p.MarkNotificationsRead))
	// Calendar feeds: calendar apps cannot log in, so the feeds themselves take no session;
	// a private feed's URL carries its token.
	mux.HandleFunc("GET /calendar/person/{file}", p.PersonFeed)
	mux.HandleFunc("GET /calendar/org/{file}", p.OrgFeed)
	mux.HandleFunc("GET /calendar/org/{id}/{file}", p.OrgFeedPrivate)
	mux.Handle("POST /account/calendar", login(p.ResetPersonFeed))
	mux.Handle("POST /orgs/{id}/calendar", login(p.SetOrgFeedPublic))
	mux.Handle("POST /orgs/{id}/calendar/token", login(p.ResetOrgFeedToken))
	mux.Handle("GET /account/tokens", login(p.Tokens))
	mux.Handle("POST /account/tokens", login(p.CreateToken))
	mux.Handle("POST /account/tokens/{id}/revoke", login(p.RevokeToken))
	// TOTP second factor: the code page of a login that owes its code (its own cookie, no
	// session yet), and the account's own set-up.
	mux.HandleFunc("GET /login/totp", p.TOTPLogin)
	mux.HandleFunc("POST /login/totp", p.TOTPLoginSubmit)
	mux.HandleFunc("POST /login/totp/cancel", p.TOTPLoginCancel)
	mux.Handle("GET /account/totp", login(p.TOTPEnrol))
	mux.Handle("POST /account/totp", login(p.TOTPEnable))
	mux.Handle("POST /account/totp/disable", login(p.TOTPDisable))
	mux.Handle("GET /admin/users", login(p.ListUsers))
	mux.Handle("POST /admin/users", login(p.CreateUser))
	mux.Handle("POST /admin/users/{id}/grants", login(p.GrantRole))
	mux.Handle("POST /admin/users/{id}/grants/{gid}/revoke", login(p.RevokeGrant))
	mux.Handle("POST /admin/users/{id}/disable", login(p.DisableUser))
	mux.Handle("POST /admin/users/{id}/enable", login(p.EnableUser))
	mux.Handle("POST /admin/users/{id}/sessions/end", login(p.EndUserSessions))
	mux.Handle("POST /admin/users/{id}/password", login(p.ResetUserPassword))
	// Mass work: each area registers its own routes (routes_*.go).
	s.problemRoutes(mux, login)
	s.visitRoutes(mux, login)
	s.projectRoutes(mux, login)
	s.open311Routes(mux, login)
	// The JSON API authenticates by bearer token only; its unknown paths answer JSON.
	mux.Handle(api.Prefix, api.New(api.Deps{Auth: s.auth, Org: p.Org, Catalog: s.view.Catalog(), Log: s.log, Activity: p.Activity, Masswork: p.Mass, Now: p.Now}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.view.Error(w, r, apperr.ErrNotFound) })

	// Cross-origin state changes are refused by their Sec-Fetch-Site or Origin header
	// (ASVS 5.0 3.5); GET, HEAD and OPTIONS never change state.
	cop := http.NewCrossOriginProtection()
	// The API authenticates by bearer token only and ignores cookies, so a cross-site request
	// carries no ambient credentials there; its clients need not be browsers on this origin.
	cop.AddInsecureBypassPattern(api.Prefix)
	// Open311 clients are other systems; a POST there carries its api_key and no cookie counts.
	cop.AddInsecureBypassPattern(open311.Prefix)
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.view.Error(w, r, apperr.New(apperr.Forbidden, "error.cross_origin"))
	}))
	var h http.Handler = notePattern(mux)
	h = s.authenticate(h)
	h = s.parseForms(h)
	h = cop.Handler(h)
	h = s.limitBody(mux, h)
	h = s.securityHeaders(h)
	h = s.observe(h)
	proxies, _ := s.cfg.Proxies() // checked by Validate
	return forwardedFor(proxies, h)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		http.Error(w, "not ready: "+safeReason(err), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// ErrPendingMigrations is reported by readiness when the schema is behind the binary.
var ErrPendingMigrations = errors.New("pending migrations")

func safeReason(err error) string {
	if errors.Is(err, ErrPendingMigrations) {
		return "pending migrations"
	}
	return "database unreachable"
}

// loopbackOnly serves monitoring endpoints only to clients on this machine (ASVS 5.0 13.4.5);
// a Prometheus server elsewhere scrapes through a proxy or tunnel that the operator sets up.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, err := netip.ParseAddr(page.ClientIP(r))
		if err != nil || !ip.IsLoopback() {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
