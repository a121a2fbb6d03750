package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
)

// CheckinToken is what an organizer's screen shows: a fresh check-in token, the address a QR
// code of it carries, when to ask for the next one and when this one stops working (schema
// CheckinToken).
type CheckinToken struct {
	ActivityID int64     `json:"activity_id"`
	Token      string    `json:"token"`
	URL        string    `json:"url"`
	RefreshAt  time.Time `json:"refresh_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// CheckInCreate is the body of POST /checkins (schema CheckInCreate).
type CheckInCreate struct {
	Token *string `json:"token"`
}

// CheckInResult says which activity a token checked the caller into, and whether the caller
// was checked in already today (schema CheckInResult).
type CheckInResult struct {
	ActivityID int64  `json:"activity_id"`
	Title      string `json:"title"`
	Added      bool   `json:"added"`
}

// AttendanceCreate is the body of POST /activities/{id}/attendance (schema AttendanceCreate).
type AttendanceCreate struct {
	PersonID *int64  `json:"person_id"`
	Day      *string `json:"day"`
	Late     bool    `json:"late"`
}

// AttendanceMark is one person's presence on one day after a change (schema AttendanceMark).
type AttendanceMark struct {
	PersonID int64  `json:"person_id"`
	Day      string `json:"day"`
	Present  bool   `json:"present"`
	Late     bool   `json:"late"`
}

// checkinToken answers a fresh check-in token for the organizer's screen or app.
func (h *Handler) checkinToken(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	token, next, err := h.activity.QRToken(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	issued := next.Add(-activity.QRRefresh)
	h.writeJSON(w, r, http.StatusOK, CheckinToken{ActivityID: id, Token: token, URL: absoluteURL(r, "/c/"+token),
		RefreshAt: next.In(zone), ExpiresAt: issued.Add(activity.QRTokenTTL).In(zone)})
}

// absoluteURL makes path absolute on the host the request came to, as the check-in screen
// of the web pages does.
func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

// checkIn checks the caller in with a token scanned from the organizer's screen.
func (h *Handler) checkIn(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in CheckInCreate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Token == nil || strings.TrimSpace(*in.Token) == "" {
		h.fail(w, r, a.Locale, invalid("token", "error.required"))
		return
	}
	act, added, err := h.activity.CheckIn(r.Context(), a, strings.TrimSpace(*in.Token))
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, CheckInResult{ActivityID: act.ID, Title: act.Title, Added: added})
}

// markAttendance checks a person in by hand for a day, or changes their late mark.
func (h *Handler) markAttendance(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in AttendanceCreate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	switch {
	case in.PersonID == nil:
		err = invalid("person_id", "error.required")
	case in.Day == nil:
		err = invalid("day", "error.required")
	default:
		err = h.activity.ManualCheckIn(r.Context(), a, id, *in.PersonID, *in.Day, in.Late)
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, AttendanceMark{PersonID: *in.PersonID, Day: *in.Day, Present: true, Late: in.Late})
}

// undoAttendance removes a person's attendance of a day (?person_id=&day=), recorded in error.
func (h *Handler) undoAttendance(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	q := r.URL.Query()
	fields := map[string]string{}
	person, perr := strconv.ParseInt(q.Get("person_id"), 10, 64)
	if perr != nil || person < 1 {
		fields["person_id"] = "api.wrong_type"
	}
	day := q.Get("day")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		fields["day"] = "error.date"
	}
	if len(fields) > 0 {
		h.fail(w, r, a.Locale, badRequest(fields))
		return
	}
	if err := h.activity.UndoCheckIn(r.Context(), a, id, person, day); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, AttendanceMark{PersonID: person, Day: day})
}
