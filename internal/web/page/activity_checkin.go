package page

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/view"
)

// CheckInScreenPage is what the organizer shows on a screen or phone: the rotating QR code
// and the count of those present.
type CheckInScreenPage struct {
	view.Base
	Activity *activity.Activity
	QR       template.URL // data:image/png;base64,...
	Link     string       // the URL inside the code, for typing or sharing
	Refresh  int          // seconds until the next code
	Summary  activity.Summary
	Open     bool // the check-in window is open now
}

// qrSide is the side of the check-in QR code in pixels: readable from a few metres on a screen.
const qrSide = 360

// CheckInScreen shows the rotating check-in code; with ?part=qr only the part that changes
// (htmx polls it).
func (h *Handlers) CheckInScreen(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	token, next, err := h.Activity.QRToken(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	act, _, sum, err := h.Activity.Attendance(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &CheckInScreenPage{Base: h.View.NewBase(r, "checkin.screen_title"), Activity: act, Summary: sum,
		Link: absoluteURL(r, "/c/"+token)}
	p.NavItem = "activities"
	now := h.Now()
	p.Open = !now.Before(act.CheckinOpens) && now.Before(act.CheckinCloses)
	p.Refresh = max(5, int(next.Sub(now).Round(time.Second)/time.Second))
	if p.QR, err = qrPNG(p.Link); err != nil {
		h.View.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	name := "activity_qr"
	if r.URL.Query().Get("part") == "qr" {
		name = "activity_qr_part"
	}
	h.View.Render(w, r, http.StatusOK, name, p)
}

// qrPNG encodes text as a QR code image in a data URL.
func qrPNG(text string) (template.URL, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("page: qr: %w", err)
	}
	if code, err = barcode.Scale(code, qrSide, qrSide); err != nil {
		return "", fmt.Errorf("page: qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, code); err != nil {
		return "", fmt.Errorf("page: qr png: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// absoluteURL makes path absolute on the host the request came to.
func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

// CheckInPage is the page a scanned code opens: the activity and one button.
type CheckInPage struct {
	view.Base
	Token    string
	Activity *activity.Activity
	When     string
	Already  *activity.Attendance
	Message  string // why the check-in cannot be done
}

// CheckInLanding opens a scanned code. A visitor who is not logged in is sent to log in with
// a pass that outlives the code on the screen.
func (h *Handlers) CheckInLanding(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	a := view.ActorFrom(r.Context())
	if a == nil {
		pass, err := h.Activity.Pass(token)
		if err != nil {
			h.checkInFailed(w, r, token, nil, err)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape("/c/"+pass), http.StatusSeeOther)
		return
	}
	act, already, err := h.Activity.CheckInTarget(r.Context(), a, token)
	if err != nil {
		h.checkInFailed(w, r, token, act, err)
		return
	}
	p := &CheckInPage{Base: h.View.NewBase(r, "checkin.title"), Token: token, Activity: act, Already: already, When: when(act, h.Activity.Zone())}
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "checkin", p)
}

// CheckIn checks the caller in with a scanned code.
func (h *Handlers) CheckIn(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	token := r.PathValue("token")
	act, added, err := h.Activity.CheckIn(r.Context(), a, token)
	if err != nil {
		h.checkInFailed(w, r, token, act, err)
		return
	}
	flash := "flash.checked_in"
	if !added {
		flash = "flash.already_checked_in"
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(act.ID, 10), flash)
}

func (h *Handlers) checkInFailed(w http.ResponseWriter, r *http.Request, token string, act *activity.Activity, err error) {
	e := apperr.As(err)
	if e == nil || (e.Kind != apperr.Invalid && e.Kind != apperr.Forbidden) {
		h.View.Error(w, r, err)
		return
	}
	p := &CheckInPage{Base: h.View.NewBase(r, "checkin.title"), Token: token, Activity: act}
	if act != nil {
		p.When = when(act, h.Activity.Zone())
		if a := view.ActorFrom(r.Context()); a == nil || !a.CanSee(act.OrgPath) {
			// Someone who may not see the activity learns only that the code does not admit them.
			if e.Key == "error.checkin_not_invited" {
				p.Activity = nil
			}
		}
	}
	p.Message = p.T(e.Key)
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, view.StatusOf(e.Kind), "checkin", p)
}
