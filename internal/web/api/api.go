// Package api serves dangjian's JSON API under /api/v1: organizations and people, activities
// with their sites, invitations, attendance, records and compliance, and mass work (matters,
// categories, visits, projects and their figures), read and written through the same
// services, with the same scope checks, as the HTML pages. Callers
// authenticate with a personal access token (Authorization: Bearer dj_...); the API reads no
// cookies. The OpenAPI 3.1 document that describes every path is served at
// /api/v1/openapi.json, and tests validate every response against it.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/page"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Prefix is the path under which the API is mounted.
const Prefix = "/api/v1/"

// Deps are what the API needs.
type Deps struct {
	Auth    *auth.Service
	Org     *org.Service
	Catalog *view.Catalog
	Log     *slog.Logger
	// Activity serves activities, sites, attendance, records and compliance.
	Activity *activity.Service
	// Masswork serves matters, categories, visits, projects and their figures.
	Masswork *masswork.Service
	// Now is the clock of "upcoming" and "past"; time.Now when nil.
	Now func() time.Time
}

// Handler serves /api/v1.
type Handler struct {
	auth    *auth.Service
	org     *org.Service
	catalog *view.Catalog
	log     *slog.Logger
	mux     *http.ServeMux

	activity *activity.Service
	mass     *masswork.Service
	now      func() time.Time
}

// New returns the API handler, to be mounted at Prefix.
func New(d Deps) *Handler {
	h := &Handler{auth: d.Auth, org: d.Org, catalog: d.Catalog, log: d.Log, mux: http.NewServeMux(),
		activity: d.Activity, mass: d.Masswork, now: d.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	m := h.mux
	m.HandleFunc("GET /api/v1/openapi.json", serveDocument)
	m.HandleFunc("GET /api/v1/organizations", h.authed(h.listOrganizations))
	m.HandleFunc("POST /api/v1/organizations", h.authed(h.createOrganization))
	m.HandleFunc("GET /api/v1/organizations/{id}", h.authed(h.getOrganization))
	m.HandleFunc("PATCH /api/v1/organizations/{id}", h.authed(h.updateOrganization))
	m.HandleFunc("GET /api/v1/people", h.authed(h.listPeople))
	m.HandleFunc("POST /api/v1/people", h.authed(h.createPerson))
	m.HandleFunc("GET /api/v1/people/{id}", h.authed(h.getPerson))
	m.HandleFunc("PATCH /api/v1/people/{id}", h.authed(h.updatePerson))
	m.HandleFunc("GET /api/v1/imports/{id}", h.authed(h.getImport))
	if h.activity != nil {
		h.activityRoutes(m)
	}
	if h.mass != nil {
		h.massworkRoutes(m)
	}
	m.HandleFunc("/api/v1/", h.unmatched)
	return h
}

// activityRoutes registers the paths of activities, sites, attendance, records and
// compliance.
func (h *Handler) activityRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/activity-types", h.authed(h.listActivityTypes))
	m.HandleFunc("GET /api/v1/activities", h.authed(h.listActivities))
	m.HandleFunc("POST /api/v1/activities", h.authed(h.createActivity))
	m.HandleFunc("GET /api/v1/activities/{id}", h.authed(h.getActivity))
	m.HandleFunc("PATCH /api/v1/activities/{id}", h.authed(h.updateActivity))
	m.HandleFunc("POST /api/v1/activities/{id}/cancel", h.authed(h.cancelActivity))
	m.HandleFunc("GET /api/v1/activities/{id}/invitations", h.authed(h.listInvitations))
	m.HandleFunc("POST /api/v1/activities/{id}/invitations", h.authed(h.invite))
	m.HandleFunc("GET /api/v1/activities/{id}/participants", h.authed(h.listParticipants))
	m.HandleFunc("GET /api/v1/activities/{id}/response", h.authed(h.getResponse))
	m.HandleFunc("POST /api/v1/activities/{id}/response", h.authed(h.respond))
	m.HandleFunc("POST /api/v1/activities/{id}/participants/{person_id}/leave", h.authed(h.decideLeave))
	m.HandleFunc("POST /api/v1/activities/{id}/checkin-token", h.authed(h.checkinToken))
	m.HandleFunc("POST /api/v1/checkins", h.authed(h.checkIn))
	m.HandleFunc("POST /api/v1/activities/{id}/attendance", h.authed(h.markAttendance))
	m.HandleFunc("DELETE /api/v1/activities/{id}/attendance", h.authed(h.undoAttendance))
	m.HandleFunc("GET /api/v1/activities/{id}/record", h.authed(h.getRecord))
	m.HandleFunc("PUT /api/v1/activities/{id}/record", h.authed(h.saveRecord))
	m.HandleFunc("POST /api/v1/activities/{id}/record/submit", h.authed(h.submitRecord))
	m.HandleFunc("POST /api/v1/activities/{id}/record/approve", h.authed(h.approveRecord))
	m.HandleFunc("POST /api/v1/activities/{id}/record/return", h.authed(h.returnRecord))
	m.HandleFunc("POST /api/v1/activities/{id}/record/amend", h.authed(h.amendRecord))
	m.HandleFunc("GET /api/v1/activities/{id}/files", h.authed(h.listFiles))
	m.HandleFunc("GET /api/v1/sites", h.authed(h.listSites))
	m.HandleFunc("POST /api/v1/sites", h.authed(h.createSite))
	m.HandleFunc("GET /api/v1/sites/{id}", h.authed(h.getSite))
	m.HandleFunc("PATCH /api/v1/sites/{id}", h.authed(h.updateSite))
	m.HandleFunc("GET /api/v1/organizations/{id}/compliance", h.authed(h.getCompliance))
	m.HandleFunc("GET /api/v1/organizations/{id}/rules", h.authed(h.listRules))
	m.HandleFunc("PUT /api/v1/organizations/{id}/rules/{code}", h.authed(h.overrideRule))
	m.HandleFunc("DELETE /api/v1/organizations/{id}/rules/{code}", h.authed(h.resetRule))
	m.HandleFunc("GET /api/v1/organizations/{id}/inactive-members", h.authed(h.listInactiveMembers))
}

// ServeHTTP serves an API request. Responses carry personal data, so nothing is cached.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// methods lists the methods the API routes use, for the Allow header of a 405.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}

// unmatched answers requests that no route takes: 405 with Allow when the path exists under
// another method, otherwise 404; both in the API's error shape.
func (h *Handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" && pattern != "/api/v1/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.fail(w, r, "", &Problem{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Key: "api.method_not_allowed"})
		return
	}
	h.fail(w, r, "", apperr.ErrNotFound)
}

// authed resolves the bearer token into an actor before calling fn; without a valid token the
// answer is 401.
func (h *Handler) authed(fn func(w http.ResponseWriter, r *http.Request, a *auth.Actor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			h.fail(w, r, "", auth.ErrTokenMissing)
			return
		}
		a, err := h.auth.AuthenticateToken(r.Context(), token, page.ClientIP(r))
		if err != nil {
			h.fail(w, r, "", err)
			return
		}
		fn(w, r, a)
	}
}

// bearer returns the token of an "Authorization: Bearer ..." header (RFC 6750, section 2.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// pathID parses the {id} path value as a positive integer; anything else is not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// writeJSON writes v with the status.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.Error("api: encode", "err", err, "request_id", view.RequestID(r.Context()))
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
