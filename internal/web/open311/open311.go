// Package open311 serves the Open311 GeoReport v2 API under /open311/v2/, so that other tools
// and city platforms can file problems and read how they are handled: service discovery, the
// services (our problem categories) and their definitions (the categories' extra fields),
// POST requests with an organization's API key, tokens, and GET requests with filters, each
// in XML and JSON, chosen by the path's suffix.
//
// Choices the spec leaves open, as made here:
//
//   - We are realtime: a POST answers the new request's service_request_id at once, and no
//     token is ever issued, so GET tokens/{token} is always 404.
//   - service_request_id is the tracking code of the matter (一事一码): a POST opens a new
//     matter (a "me too" cannot come through Open311), and its code names the request for
//     good, also after staff merge it into another matter (then it reads closed, with
//     "已并入 <code>" in status_notes). A report's own tracking code, given to GET, names its
//     matter.
//   - status is open for submitted, accepted, in progress and resolved (awaiting the
//     reporters' say) matters, closed for closed, rejected and merged ones; status_notes says
//     which, in the caller's language (Chinese unless Accept-Language asks for English), with
//     the reason of a rejection and the code a merged matter went into.
//   - description is the matter's public summary, or its title unless staff withheld the
//     reports' text; never a reporter's name, phone or address.
//   - address_id is the booth (摊位) of a market, address_string the address; lat and long
//     are WGS84 degrees, shown only when given.
//   - jurisdiction_id is optional: an organization's ID, whose subtree it selects; an unknown
//     one is 404. A POST goes to the organization of its api_key, and a jurisdiction_id it
//     sends must contain that organization (else 403).
//   - first_name and last_name become the reporter's name, phone and email how to reach them;
//     a request without any of the three is anonymous. device_id, account_id and media_url
//     are checked and not kept (a device never identifies a reporter to staff; photos come
//     through the public form), and requests show no media_url.
//   - Errors are GeoReport's list of code and description, with its statuses: 404 for an
//     unknown resource (or format suffix), 403 for a missing or wrong api_key, 400 for
//     anything else. The code in the body may say more: 429 when an address posts too often
//     (with Retry-After; one POST per 30 seconds after a burst of 10) or reads too often
//     (any request but a POST: two a second after a burst of 120), 405 for a method a path
//     does not take (with Allow), 409 for a conflict, 500 for a fault of ours.
//   - GET requests takes the common extensions page (from 1) and page_size (at most and by
//     default 1000), newest first.
package open311

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/ratelimit"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Prefix is the path under which the API is mounted.
const Prefix = "/open311/"

// base is the path of the GeoReport v2 endpoint.
const base = "/open311/v2/"

// Rate of POST requests per client address: a burst, then one per interval.
const (
	PostBurst    = 10
	PostInterval = 30 * time.Second
)

// Rate of reads (every request but a POST) per client address: a burst, then one per
// interval, 120 a minute. A platform following a city's requests polls well within it; a
// scraper paging through every matter, or hammering one, does not.
const (
	ReadBurst    = 120
	ReadInterval = 500 * time.Millisecond
)

// Deps are what the API needs.
type Deps struct {
	Mass    *masswork.Service
	Catalog *view.Catalog
	Log     *slog.Logger
	Now     func() time.Time // time.Now when nil
	Zone    *time.Location   // dates are written in it; the service's zone when nil
	// BaseURL is the public base URL that discovery names; empty: taken from the request,
	// with https when the connection or Secure says so.
	BaseURL string
	Secure  bool
	// ClientIP returns a request's client address, for the rate limit.
	ClientIP func(*http.Request) string
	// Limiter limits POSTs per address; nil: PostBurst, then one per PostInterval.
	Limiter *ratelimit.Limiter
}

// Handler serves /open311/.
type Handler struct {
	mass     *masswork.Service
	catalog  *view.Catalog
	log      *slog.Logger
	now      func() time.Time
	zone     *time.Location
	baseURL  string
	secure   bool
	clientIP func(*http.Request) string
	limiter  *ratelimit.Limiter // POSTs
	reads    *ratelimit.Limiter // everything else
	mux      *http.ServeMux
}

// New returns the Open311 handler, to be mounted at Prefix.
func New(d Deps) *Handler {
	h := &Handler{mass: d.Mass, catalog: d.Catalog, log: d.Log, now: d.Now, zone: d.Zone,
		baseURL: strings.TrimRight(d.BaseURL, "/"), secure: d.Secure, clientIP: d.ClientIP, limiter: d.Limiter,
		reads: ratelimit.New(ReadInterval, ReadBurst, d.Now), mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.zone == nil {
		h.zone = d.Mass.Zone()
	}
	if h.clientIP == nil {
		h.clientIP = func(r *http.Request) string { return r.RemoteAddr }
	}
	if h.limiter == nil {
		h.limiter = ratelimit.New(PostInterval, PostBurst, h.now)
	}
	m := h.mux
	m.HandleFunc("GET "+base+"{file}", h.top)
	m.HandleFunc("POST "+base+"{file}", h.post)
	m.HandleFunc("GET "+base+"services/{file}", h.definition)
	m.HandleFunc("GET "+base+"requests/{file}", h.request)
	m.HandleFunc("GET "+base+"tokens/{file}", h.token)
	m.HandleFunc(Prefix, h.unmatched)
	return h
}

// ServeHTTP serves an Open311 request. Reads are limited per client address here, before
// any route: a POST counts against its own, stricter limit when it files a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && !h.reads.Allow(ratelimit.Key(h.clientIP(r))) {
		h.tooMany(w, r, guessFormat(r.URL.Path), ReadInterval, "open311.error.read_limited")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// tooMany refuses a request over its rate limit: GeoReport's 400 with code 429 and
// Retry-After, the whole seconds until the next one is allowed.
func (h *Handler) tooMany(w http.ResponseWriter, r *http.Request, f format, every time.Duration, key string) {
	seconds := int((every + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	h.fail(w, r, f, []*Error{newError(codeTooMany, key, "Seconds", seconds)})
}

// top serves the documents directly under the endpoint: discovery, services and requests.
func (h *Handler) top(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFormat(r.PathValue("file"))
	if !ok {
		h.notFound(w, r)
		return
	}
	switch name {
	case "discovery":
		h.discovery(w, r, f)
	case "services":
		h.services(w, r, f)
	case "requests":
		h.requests(w, r, f)
	default:
		h.notFound(w, r)
	}
}

// post serves POST requests.{fmt}; other documents take no POST.
func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	name, f, ok := splitFormat(r.PathValue("file"))
	switch {
	case !ok:
		h.notFound(w, r)
	case name == "requests":
		h.create(w, r, f)
	case name == "discovery" || name == "services":
		h.methodNotAllowed(w, r, "GET, HEAD")
	default:
		h.notFound(w, r)
	}
}

// token serves GET tokens/{token}: we answer every POST with its service_request_id at once
// and issue no tokens, so no token is known.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	_, f, ok := splitFormat(r.PathValue("file"))
	if !ok {
		h.notFound(w, r)
		return
	}
	h.fail(w, r, f, []*Error{newError(http.StatusNotFound, "open311.error.token_unknown")})
}

// unmatched answers what no route takes: a known path under another method, or nothing.
func (h *Handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" && pattern != Prefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		h.methodNotAllowed(w, r, strings.Join(allow, ", "))
		return
	}
	h.notFound(w, r)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, guessFormat(r.URL.Path), []*Error{newError(http.StatusNotFound, "open311.error.not_found")})
}

// methodNotAllowed is 400 by GeoReport's rule, with code 405 and the Allow header.
func (h *Handler) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	h.fail(w, r, guessFormat(r.URL.Path), []*Error{newError(codeMethod, "open311.error.method")})
}

// stamp writes an instant as a W3C date and time in the service's zone ("" for none).
func (h *Handler) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(h.zone).Format(time.RFC3339)
}

// endpointURL is the public URL of the endpoint, without its trailing slash.
func (h *Handler) endpointURL(r *http.Request) string {
	root := h.baseURL
	if root == "" {
		scheme := "http"
		if r.TLS != nil || h.secure {
			scheme = "https"
		}
		root = scheme + "://" + r.Host
	}
	return root + strings.TrimSuffix(base, "/")
}
