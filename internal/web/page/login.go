package page

import (
	"errors"
	"net/http"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/web/view"
)

// LoginPage is the login form.
type LoginPage struct {
	view.Base
	Form *view.Form
	Next string
}

// Login shows the login form, or sends a fresh installation to the setup page.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	done, err := h.Auth.SetupDone(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !done {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	if view.ActorFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	if h.redirectPending(w, r, r.URL.Query().Get("next")) {
		return
	}
	p := &LoginPage{Base: h.View.NewBase(r, "login.title"), Next: safeNext(r.URL.Query().Get("next"))}
	p.Form = view.NewForm(p.Translator, nil)
	h.View.Render(w, r, http.StatusOK, "login", p)
}

// LoginSubmit checks the credentials and starts a session.
func (h *Handlers) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	p := &LoginPage{Base: h.View.NewBase(r, "login.title"), Next: safeNext(r.PostForm.Get("next"))}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	p.Form.Values.Del("password")
	token, _, err := h.Auth.Login(r.Context(), r.PostForm.Get("login"), r.PostForm.Get("password"), ClientIP(r), r.UserAgent())
	if sf := (*auth.SecondFactorRequired)(nil); errors.As(err, &sf) {
		h.startSecondFactor(w, r, sf, p.Next)
		return
	}
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		status := http.StatusUnauthorized
		if apperr.KindOf(err) == apperr.Locked {
			status = http.StatusTooManyRequests
		}
		h.View.Render(w, r, status, "login", p)
		return
	}
	h.setSessionCookie(w, token, h.Auth.Policy().AbsoluteTimeout)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// Logout ends the session.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(h.Cookie.Name); err == nil {
		h.Auth.Logout(r.Context(), c.Value)
	}
	h.setSessionCookie(w, "", -1)
	redirect(w, r, "/login", "flash.logged_out")
}

func (h *Handlers) setSessionCookie(w http.ResponseWriter, token string, maxAge time.Duration) {
	c := &http.Cookie{Name: h.Cookie.Name, Value: token, Path: "/", HttpOnly: true, Secure: h.Cookie.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// SetupPage is the one-time form that creates the first administrator.
type SetupPage struct {
	view.Base
	Form *view.Form
}

// Setup shows the first-run form while no administrator exists; afterwards it is gone.
func (h *Handlers) Setup(w http.ResponseWriter, r *http.Request) {
	done, err := h.Auth.SetupDone(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if done {
		h.View.Error(w, r, apperr.ErrNotFound)
		return
	}
	p := &SetupPage{Base: h.View.NewBase(r, "setup.title")}
	p.Form = view.NewForm(p.Translator, nil)
	h.View.Render(w, r, http.StatusOK, "setup", p)
}

// SetupSubmit creates the first administrator and logs them in.
func (h *Handlers) SetupSubmit(w http.ResponseWriter, r *http.Request) {
	p := &SetupPage{Base: h.View.NewBase(r, "setup.title")}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	pw := r.PostForm.Get("password")
	p.Form.Values.Del("password")
	p.Form.Values.Del("password2")
	if pw != r.PostForm.Get("password2") {
		p.Form.Errors["password2"] = "error.password_mismatch"
		p.Form.Message = p.T("error.invalid_form")
		h.View.Render(w, r, http.StatusUnprocessableEntity, "setup", p)
		return
	}
	u, err := h.Auth.CreateFirstAdmin(r.Context(), auth.NewUser{Username: r.PostForm.Get("username"),
		DisplayName: r.PostForm.Get("display_name"), Password: pw}, ClientIP(r))
	if apperr.KindOf(err) == apperr.Conflict && apperr.As(err).Key == "error.setup_done" {
		h.View.Error(w, r, apperr.ErrNotFound)
		return
	}
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "setup", p)
		return
	}
	token, _, err := h.Auth.Login(r.Context(), u.Username, pw, ClientIP(r), r.UserAgent())
	if sf := (*auth.SecondFactorRequired)(nil); errors.As(err, &sf) {
		h.startSecondFactor(w, r, sf, "/orgs")
		return
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.setSessionCookie(w, token, h.Auth.Policy().AbsoluteTimeout)
	redirect(w, r, "/orgs", "flash.setup_done")
}

// ClientIP is the remote address of the request without the port. Forwarded headers are not
// trusted: a client could set them to dodge per-address limits.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			host = host[:i]
			break
		}
	}
	if len(host) > 1 && host[0] == '[' {
		host = host[1 : len(host)-1]
	}
	return host
}
