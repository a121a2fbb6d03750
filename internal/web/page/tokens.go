package page

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/web/view"
)

// TokensPage lists the caller's personal access tokens for the JSON API. NewToken holds a
// token just created: it is shown this once.
type TokensPage struct {
	view.Base
	Tokens   []*auth.APIToken
	NewToken string
	Form     *view.Form
}

func (h *Handlers) tokensPage(r *http.Request, a *auth.Actor) (*TokensPage, error) {
	list, err := h.Auth.Tokens(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := &TokensPage{Base: h.View.NewBase(r, "tokens.title"), Tokens: list}
	p.NavItem = "account"
	p.Form = view.NewForm(p.Translator, nil)
	return p, nil
}

// Tokens renders the caller's tokens and the form to create one.
func (h *Handlers) Tokens(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.tokensPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "tokens", p)
}

// CreateToken creates a token for the caller and shows it once, on the answer to the POST
// itself: it is never put in a URL, and the page is not cached.
func (h *Handlers) CreateToken(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	token, _, err := h.Auth.CreateToken(r.Context(), a, a.UserID, r.PostForm.Get("name"))
	p, perr := h.tokensPage(r, a)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	if err != nil {
		p.Form = view.NewForm(p.Translator, r.PostForm)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "tokens", p)
		return
	}
	p.NewToken = token
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "tokens", p)
}

// RevokeToken revokes one of the caller's tokens.
func (h *Handlers) RevokeToken(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	id, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Auth.RevokeToken(r.Context(), a, id); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/account/tokens", "flash.token_revoked")
}
