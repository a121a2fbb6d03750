package page

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/auth"
)

// userAction runs one administrator action on an account and returns to the list.
func (h *Handlers) userAction(w http.ResponseWriter, r *http.Request, do func(a *auth.Actor, userID int64) error) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := do(a, id); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/admin/users", "flash.saved")
}

// DisableUser disables an account and ends its sessions.
func (h *Handlers) DisableUser(w http.ResponseWriter, r *http.Request) {
	h.userAction(w, r, func(a *auth.Actor, id int64) error { return h.Auth.SetDisabled(r.Context(), a, id, true) })
}

// EnableUser enables an account again.
func (h *Handlers) EnableUser(w http.ResponseWriter, r *http.Request) {
	h.userAction(w, r, func(a *auth.Actor, id int64) error { return h.Auth.SetDisabled(r.Context(), a, id, false) })
}

// EndUserSessions logs an account out everywhere.
func (h *Handlers) EndUserSessions(w http.ResponseWriter, r *http.Request) {
	h.userAction(w, r, func(a *auth.Actor, id int64) error { return h.Auth.EndSessions(r.Context(), a, id) })
}

// RevokeGrant removes a granted role.
func (h *Handlers) RevokeGrant(w http.ResponseWriter, r *http.Request) {
	h.userAction(w, r, func(a *auth.Actor, id int64) error {
		gid, err := idParam(r, "gid")
		if err != nil {
			return err
		}
		return h.Auth.RevokeGrant(r.Context(), a, id, gid)
	})
}

// ResetUserPassword sets a random password and shows it once on the accounts page.
func (h *Handlers) ResetUserPassword(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pw, err := h.Auth.ResetPassword(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.usersPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.NewPassword, p.NewPasswordFor = pw, id
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "users", p)
}
