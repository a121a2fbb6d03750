package page

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/web/view"
)

// qrSize is the side of the enrolment QR code in pixels: large enough for a phone camera
// held at arm's length, small enough for a phone screen.
const qrSize = 240

// TOTPCodePage asks for the code of the authenticator app, the second step of a login.
type TOTPCodePage struct {
	view.Base
	Form *view.Form
	Next string
}

// TOTPEnrolPage shows the key to add to an authenticator app and asks for its first code.
// Pending is set during a login of an administrator who must set one up before anything else.
type TOTPEnrolPage struct {
	view.Base
	Form    *view.Form
	Next    string
	Action  string
	Pending bool
	QR      template.URL // data:image/png;base64,...
	AppURL  template.URL // otpauth://..., opens the app on the same phone
	Secret  string       // in groups of four
	Account string
}

// pendingCookie names the cookie of a login that owes its second factor. It is not the
// session cookie, so that every page but the code page sees the visitor as not logged in.
func (h *Handlers) pendingCookie() string { return h.Cookie.Name + "_mfa" }

func (h *Handlers) setPendingCookie(w http.ResponseWriter, token string) {
	c := &http.Cookie{Name: h.pendingCookie(), Value: token, Path: "/", HttpOnly: true, Secure: h.Cookie.Secure,
		SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (h *Handlers) pendingToken(r *http.Request) string {
	if c, err := r.Cookie(h.pendingCookie()); err == nil {
		return c.Value
	}
	return ""
}

func totpLoginURL(next string) string { return "/login/totp?next=" + url.QueryEscape(safeNext(next)) }

// startSecondFactor answers a right password of an account that owes a code: the pending
// session goes in its own cookie and the browser to the code page.
func (h *Handlers) startSecondFactor(w http.ResponseWriter, r *http.Request, sf *auth.SecondFactorRequired, next string) {
	h.setSessionCookie(w, "", -1)
	h.setPendingCookie(w, sf.Token)
	http.Redirect(w, r, totpLoginURL(next), http.StatusSeeOther)
}

// redirectPending sends a visitor whose login waits for its code back to the code page, and
// reports whether it did.
func (h *Handlers) redirectPending(w http.ResponseWriter, r *http.Request, next string) bool {
	if h.pendingToken(r) == "" {
		return false
	}
	http.Redirect(w, r, totpLoginURL(next), http.StatusSeeOther)
	return true
}

// TOTPLogin shows the code page of a login, or the set-up page when an administrator must
// first add an authenticator.
func (h *Handlers) TOTPLogin(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	h.renderPending(w, r, http.StatusOK, nil, next)
}

// TOTPLoginSubmit checks the code; a right one replaces the pending session with a new, full
// one.
func (h *Handlers) TOTPLoginSubmit(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostForm.Get("next"))
	token, err := h.Auth.CompleteLogin(r.Context(), h.pendingToken(r), r.PostForm.Get("code"), ClientIP(r), r.UserAgent())
	if err == nil {
		h.setPendingCookie(w, "")
		h.setSessionCookie(w, token, h.Auth.Policy().AbsoluteTimeout)
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if e := apperr.As(err); e != nil && (len(e.Fields) > 0 || e.Kind == apperr.Invalid) {
		h.renderPending(w, r, view.StatusOf(e.Kind), err, next)
		return
	}
	// The pending login is gone, expired or now locked: back to the password.
	h.backToLogin(w, r, err, next)
}

// showFailure puts a refused code on a one-field form: the message stands beside the field.
func showFailure(f *view.Form, err error) {
	if err == nil {
		return
	}
	f.Fail(err)
	if len(f.Errors) > 0 {
		f.Message = ""
	}
}

// renderPending renders the code page or the set-up page of the pending login.
func (h *Handlers) renderPending(w http.ResponseWriter, r *http.Request, status int, fail error, next string) {
	w.Header().Set("Cache-Control", "no-store")
	pl, err := h.Auth.PendingLogin(r.Context(), h.pendingToken(r))
	if err != nil {
		h.backToLogin(w, r, err, next)
		return
	}
	if pl.Enrol {
		p := &TOTPEnrolPage{Base: h.View.NewBase(r, "totp.enrol_title"), Next: next, Action: "/login/totp", Pending: true}
		h.renderEnrol(w, r, status, p, pl.Enrolment, fail)
		return
	}
	p := &TOTPCodePage{Base: h.View.NewBase(r, "totp.code_title"), Next: next}
	p.Form = view.NewForm(p.Translator, nil)
	showFailure(p.Form, fail)
	h.View.Render(w, r, status, "totp_code", p)
}

// backToLogin ends the pending login in the browser and shows the login form with the reason.
func (h *Handlers) backToLogin(w http.ResponseWriter, r *http.Request, err error, next string) {
	kind := apperr.KindOf(err)
	if kind != apperr.Unauthorized && kind != apperr.Locked {
		h.View.Error(w, r, err)
		return
	}
	h.setPendingCookie(w, "")
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	p := &LoginPage{Base: h.View.NewBase(r, "login.title"), Next: next}
	p.Form = view.NewForm(p.Translator, nil)
	p.Form.Fail(err)
	h.View.Render(w, r, view.StatusOf(kind), "login", p)
}

// TOTPLoginCancel abandons a login that waits for its code.
func (h *Handlers) TOTPLoginCancel(w http.ResponseWriter, r *http.Request) {
	if t := h.pendingToken(r); t != "" {
		if err := h.Auth.Logout(r.Context(), t); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	h.setPendingCookie(w, "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// renderEnrol fills the key of an enrolment page and renders it.
func (h *Handlers) renderEnrol(w http.ResponseWriter, r *http.Request, status int, p *TOTPEnrolPage, en *auth.Enrolment, fail error) {
	qr, err := qrDataURL(en)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.QR, p.AppURL, p.Secret, p.Account = qr, template.URL(en.URL()), en.GroupedSecret(), en.Account()
	p.Form = view.NewForm(p.Translator, nil)
	showFailure(p.Form, fail)
	h.View.Render(w, r, status, "totp_enrol", p)
}

// qrDataURL encodes the QR code of a key as an inline PNG; the security policy allows data:
// images, and the secret never leaves the page in a separate request.
func qrDataURL(en *auth.Enrolment) (template.URL, error) {
	img, err := en.Image(qrSize)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("page: qr png: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// TOTPEnrol shows the key to add to an authenticator app, for the caller's own account.
func (h *Handlers) TOTPEnrol(w http.ResponseWriter, r *http.Request) {
	h.showEnrol(w, r, http.StatusOK, nil)
}

func (h *Handlers) showEnrol(w http.ResponseWriter, r *http.Request, status int, fail error) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	en, err := h.Auth.TOTPEnrolment(r.Context(), a)
	if errors.Is(err, auth.ErrTOTPOn) {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &TOTPEnrolPage{Base: h.View.NewBase(r, "totp.enrol_title"), Action: "/account/totp"}
	p.NavItem = "account"
	h.renderEnrol(w, r, status, p, en, fail)
}

// TOTPEnable turns the caller's second factor on with the first code of the app.
func (h *Handlers) TOTPEnable(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	err = h.Auth.EnableTOTP(r.Context(), a, r.PostForm.Get("code"))
	if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
		h.showEnrol(w, r, view.StatusOf(e.Kind), err)
		return
	}
	if err != nil && !errors.Is(err, auth.ErrTOTPOn) {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/account", "flash.totp_enabled")
}

// TOTPDisable turns the caller's second factor off after checking the current password.
func (h *Handlers) TOTPDisable(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	err = h.Auth.DisableTOTP(r.Context(), a, r.PostForm.Get("totp_password"))
	if err != nil {
		p := &AccountPage{Base: h.View.NewBase(r, "account.title")}
		p.NavItem = "account"
		p.Form = view.NewForm(p.Translator, nil)
		if e := apperr.As(err); e == nil || len(e.Fields) == 0 {
			h.View.Error(w, r, err)
			return
		}
		p.Form.Fail(err)
		// The error stands beside the password of this card, not above the password-change form.
		p.Form.Message = ""
		h.View.Render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	redirect(w, r, "/account", "flash.totp_disabled")
}
