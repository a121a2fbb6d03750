package page

import (
	"net/http"
	"net/url"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/web/view"
)

// AccountPage is the caller's own settings: password, language, sessions, calendar feed.
type AccountPage struct {
	view.Base
	Form     *view.Form
	Calendar *CalendarSection
	// Email is the form of the address for emailed notices; Emailing, whether this
	// installation sends email at all.
	Email    *view.Form
	Emailing bool
}

// accountPage builds the account page of the caller.
func (h *Handlers) accountPage(r *http.Request, a *auth.Actor) (*AccountPage, error) {
	p := &AccountPage{Base: h.View.NewBase(r, "account.title")}
	p.NavItem = "account"
	p.Form = view.NewForm(p.Translator, nil)
	var err error
	if p.Calendar, err = h.personCalendar(r, a); err != nil {
		return nil, err
	}
	email, err := h.Notify.Email(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p.Email, p.Emailing = view.NewForm(p.Translator, url.Values{"email": {email}}), h.Notify.Emailing()
	return p, nil
}

// Account renders the account settings.
func (h *Handlers) Account(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.accountPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "account", p)
}

// ChangePassword sets a new password and ends the other sessions, this one included: the
// user logs in again with the new password.
func (h *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.accountPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	next := r.PostForm.Get("password")
	if next != r.PostForm.Get("password2") {
		p.Form.Errors["password2"] = "error.password_mismatch"
		p.Form.Message = p.T("error.invalid_form")
		h.View.Render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	if err := h.Auth.ChangePassword(r.Context(), a, r.PostForm.Get("current"), next); err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	h.setSessionCookie(w, "", -1)
	redirect(w, r, "/login", "flash.password_changed")
}

// SetLanguage stores the language: on the account when logged in, in a cookie otherwise.
func (h *Handlers) SetLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostForm.Get("lang")
	if lang != "en" && lang != "zh-CN" {
		lang = ""
	}
	if a := view.ActorFrom(r.Context()); a != nil {
		if err := h.Auth.SetLocale(r.Context(), a, lang); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: h.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	redirect(w, r, safeNext(r.PostForm.Get("next")), "")
}

// LogoutEverywhere ends every session of the caller.
func (h *Handlers) LogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Auth.LogoutEverywhere(r.Context(), a); err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.setSessionCookie(w, "", -1)
	redirect(w, r, "/login", "flash.logged_out_all")
}
