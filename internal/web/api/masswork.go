package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// Mass work (群众工作) under /api/v1: matters and the reports gathered in them, their handling
// and the reporters' say, categories of problems, visits and their coverage, projects of
// practical things for the masses, and the monthly figures. Every call goes through the
// mass-work service with the caller's actor, so the scope checks are those of the pages:
// another organization's matter, visit or project answers 404 as one that does not exist.

// massworkRoutes registers the paths of mass work.
func (h *Handler) massworkRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/matters", h.authed(h.listMatters))
	m.HandleFunc("POST /api/v1/matters", h.authed(h.createMatter))
	m.HandleFunc("GET /api/v1/matters/prominent", h.authed(h.listProminent))
	m.HandleFunc("GET /api/v1/matters/similar", h.authed(h.listSimilar))
	m.HandleFunc("GET /api/v1/matters/{id}", h.authed(h.getMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/accept", h.authed(h.acceptMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/reject", h.authed(h.rejectMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/assign", h.authed(h.assignMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/start", h.authed(h.startMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/reply", h.authed(h.replyMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/resolve", h.authed(h.resolveMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/merge", h.authed(h.mergeMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/split", h.authed(h.splitMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/public", h.authed(h.publicMatter))
	m.HandleFunc("POST /api/v1/matters/{id}/feedback/{fid}", h.authed(h.matterFeedback))
	m.HandleFunc("GET /api/v1/organizations/{id}/categories", h.authed(h.listCategories))
	m.HandleFunc("POST /api/v1/organizations/{id}/categories", h.authed(h.createCategory))
	m.HandleFunc("POST /api/v1/organizations/{id}/categories/defaults", h.authed(h.defaultCategories))
	m.HandleFunc("PUT /api/v1/organizations/{id}/categories/{category_id}", h.authed(h.updateCategory))
	m.HandleFunc("GET /api/v1/organizations/{id}/masswork-stats", h.authed(h.getMassworkStats))
	m.HandleFunc("GET /api/v1/visits", h.authed(h.listVisits))
	m.HandleFunc("POST /api/v1/visits", h.authed(h.createVisit))
	m.HandleFunc("GET /api/v1/visits/coverage", h.authed(h.getCoverage))
	m.HandleFunc("POST /api/v1/visits/reserve", h.authed(h.reserveContacts))
	m.HandleFunc("POST /api/v1/visits/release", h.authed(h.releaseContacts))
	m.HandleFunc("GET /api/v1/visits/{id}", h.authed(h.getVisit))
	m.HandleFunc("GET /api/v1/projects", h.authed(h.listProjects))
	m.HandleFunc("POST /api/v1/projects", h.authed(h.createProject))
	m.HandleFunc("GET /api/v1/projects/{id}", h.authed(h.getProject))
	m.HandleFunc("PUT /api/v1/projects/{id}", h.authed(h.updateProject))
}

// massZone is the zone in which the API shows mass work's instants and reads its dates.
func (h *Handler) massZone() *time.Location { return h.mass.Zone() }

// massLang is the language of names the API picks for the caller: "zh-CN" or "en".
func (h *Handler) massLang(r *http.Request, a *auth.Actor) string {
	return h.translator(r, a.Locale).Lang
}

// queryID parses an optional positive integer query parameter, adding a message to fields
// when it is malformed.
func queryID(r *http.Request, name string, fields map[string]string) int64 {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		fields[name] = "api.wrong_type"
		return 0
	}
	return n
}

// queryBool parses an optional boolean query parameter (true, false, 1, 0).
func queryBool(r *http.Request, name string, fields map[string]string) bool {
	switch s := strings.ToLower(r.URL.Query().Get(name)); s {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	fields[name] = "api.wrong_type"
	return false
}

// massInvalid is a 422 naming fields, each with its message key.
func massInvalid(fields map[string]string) error {
	return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: fields}
}

// renameFields returns err with the field names of a validation error renamed as the API's
// body names them (the service names a project's matters "matters", the body "matter_ids").
func renameFields(err error, names map[string]string) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for f, k := range e.Fields {
		if to, ok := names[f]; ok {
			f = to
		}
		out.Fields[f] = k
	}
	return &out
}

// location sets the Location header to the API path of an object.
func location(w http.ResponseWriter, kind string, id int64) {
	w.Header().Set("Location", Prefix+kind+"/"+strconv.FormatInt(id, 10))
}

// massFields returns the fields of a validation error, or nil.
func massFields(err error) map[string]string {
	if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
		return e.Fields
	}
	return nil
}
