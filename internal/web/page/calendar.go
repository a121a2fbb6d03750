package page

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// CalendarSection is the calendar-subscription part of the account and organization pages.
// A private URL is known only when just made (NewURL): the database keeps its token's hash.
type CalendarSection struct {
	Feed      *activity.CalendarFeed // nil: the user never made one
	NoPerson  bool                   // the account is not linked to a person of the register
	CanAdmin  bool                   // may switch the organization feed and reset its token
	PublicURL *FeedURL               // the organization's public feed, when public
	NewURL    *FeedURL               // a private URL just made: shown this once
}

// FeedURL is a feed's address in the two forms people need: https for copying into a web
// calendar, webcal for a tap that opens the phone's calendar app.
type FeedURL struct {
	HTTPS  string
	Webcal template.URL // html/template would refuse the webcal scheme in a link otherwise
}

// feedURL builds the addresses of a feed path on the public base URL.
func (h *Handlers) feedURL(r *http.Request, path string) *FeedURL {
	base := h.publicBase(r)
	u := &FeedURL{HTTPS: base + path}
	rest := base[strings.Index(base, "://")+3:]
	u.Webcal = template.URL("webcal://" + rest + path)
	return u
}

// publicBase is the configured base URL, or else this request's host with https when the
// connection or the configuration says so. Forwarded headers are not trusted.
func (h *Handlers) publicBase(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || h.Cookie.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// personCalendar builds the account page's calendar section.
func (h *Handlers) personCalendar(r *http.Request, a *auth.Actor) (*CalendarSection, error) {
	s := &CalendarSection{NoPerson: a.PersonID == 0}
	f, err := h.Activity.PersonFeed(r.Context(), a)
	switch {
	case err == nil:
		s.Feed = f
	case apperr.KindOf(err) != apperr.NotFound:
		return nil, err
	}
	return s, nil
}

// orgCalendar builds the organization page's calendar section.
func (h *Handlers) orgCalendar(r *http.Request, a *auth.Actor, o *org.Organization) (*CalendarSection, error) {
	f, err := h.Activity.OrgFeed(r.Context(), a, o.ID)
	if err != nil {
		return nil, err
	}
	s := &CalendarSection{Feed: f, CanAdmin: a.CanAdmin(o.Path)}
	if f.Public {
		s.PublicURL = h.feedURL(r, "/calendar/org/"+strconv.FormatInt(o.ID, 10)+".ics")
	}
	return s, nil
}

// ResetPersonFeed makes the caller's private feed, or replaces its URL, and shows the new URL
// this once on the answer to the POST.
func (h *Handlers) ResetPersonFeed(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	token, err := h.Activity.ResetPersonFeed(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.accountPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Calendar.NewURL = h.feedURL(r, "/calendar/person/"+token+".ics")
	p.Flash = "flash.calendar_made"
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "account", p)
}

// SetOrgFeedPublic switches an organization's feed between public and private.
func (h *Handlers) SetOrgFeedPublic(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	public := r.PostForm.Get("public") == "1"
	if err := h.Activity.SetOrgFeedPublic(r.Context(), a, id, public); err != nil {
		h.View.Error(w, r, err)
		return
	}
	flash := "flash.calendar_private"
	if public {
		flash = "flash.calendar_public"
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10), flash)
}

// ResetOrgFeedToken makes or replaces an organization feed's private URL and shows it this
// once.
func (h *Handlers) ResetOrgFeedToken(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	token, err := h.Activity.ResetOrgFeedToken(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.orgPage(r, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Calendar.NewURL = h.feedURL(r, "/calendar/org/"+strconv.FormatInt(id, 10)+"/"+token+".ics")
	p.Flash = "flash.calendar_made"
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "org", p)
}

// icsName returns the part of a path value before ".ics"; anything else is not found.
func icsName(r *http.Request, name string) (string, error) {
	v, ok := strings.CutSuffix(r.PathValue(name), ".ics")
	if !ok || v == "" {
		return "", apperr.ErrNotFound
	}
	return v, nil
}

// PersonFeed serves a person's private feed: GET /calendar/person/{token}.ics. Calendar apps
// cannot log in; the token is the credential.
func (h *Handlers) PersonFeed(w http.ResponseWriter, r *http.Request) {
	token, err := icsName(r, "file")
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	cal, f, err := h.Activity.PersonCalendar(r.Context(), token)
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	tr := h.View.Catalog().Negotiate(r, f.Locale)
	cal.Name = tr.T("calendar.person_calname", "Name", f.OwnerName)
	h.serveCalendar(w, r, cal, tr, true)
}

// OrgFeed serves an organization's public feed: GET /calendar/org/{id}.ics.
func (h *Handlers) OrgFeed(w http.ResponseWriter, r *http.Request) {
	s, err := icsName(r, "file")
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		h.feedError(w, r, apperr.ErrNotFound)
		return
	}
	h.orgFeed(w, r, id, "")
}

// OrgFeedPrivate serves an organization's feed at its private URL:
// GET /calendar/org/{id}/{token}.ics.
func (h *Handlers) OrgFeedPrivate(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	token, err := icsName(r, "file")
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	h.orgFeed(w, r, id, token)
}

func (h *Handlers) orgFeed(w http.ResponseWriter, r *http.Request, id int64, token string) {
	cal, err := h.Activity.OrgCalendar(r.Context(), id, token)
	if err != nil {
		h.feedError(w, r, err)
		return
	}
	tr := h.View.Catalog().Negotiate(r, "")
	cal.Name = tr.T("calendar.org_calname", "Name", cal.Name)
	h.serveCalendar(w, r, cal, tr, token != "")
}

// feedError answers a feed request that failed. Feeds have no login, so every refusal is a
// plain not found: an unknown, replaced or private URL looks like no URL at all.
func (h *Handlers) feedError(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.KindOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthorized:
		err = apperr.ErrNotFound
	}
	h.View.Error(w, r, err)
}

// serveCalendar writes a feed with its validators; conditional requests (If-None-Match,
// If-Modified-Since) and HEAD are answered by http.ServeContent.
func (h *Handlers) serveCalendar(w http.ResponseWriter, r *http.Request, cal *activity.Calendar, tr *view.Translator, private bool) {
	cal.Locale = tr.Lang
	cal.BaseURL = h.BaseURL
	cal.Labels = activity.Labels{Theme: tr.T("calendar.label.theme"), Lecture: tr.T("calendar.label.lecture"),
		Agenda: tr.T("calendar.label.agenda"), Itinerary: tr.T("calendar.label.itinerary"),
		Safety: tr.T("calendar.label.safety"), Cancelled: tr.T("calendar.label.cancelled"), Colon: tr.T("calendar.label.colon")}
	body := cal.ICS()
	sum := sha256.Sum256(body)
	hd := w.Header()
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	hd.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	hd.Set("Vary", "Accept-Language")
	if private {
		// The URL is the credential: keep the answer out of shared caches and search engines.
		hd.Set("Cache-Control", "private, no-cache")
		hd.Set("X-Robots-Tag", "noindex")
	} else {
		hd.Set("Cache-Control", "public, no-cache")
	}
	http.ServeContent(w, r, "", cal.Modified, bytes.NewReader(body))
}
