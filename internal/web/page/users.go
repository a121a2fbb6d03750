package page

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// UsersPage is the user administration of a system administrator.
type UsersPage struct {
	view.Base
	Users []*UserRow
	Orgs  []*org.Organization
	Form  *view.Form
	Grant *view.Form
	// NewPassword is a reset password, shown once, for account NewPasswordFor.
	NewPassword    string
	NewPasswordFor int64
}

// UserRow is an account with its granted roles.
type UserRow struct {
	*auth.User
	Grants []*auth.Grant
}

func (h *Handlers) usersPage(r *http.Request, a *auth.Actor) (*UsersPage, error) {
	users, err := h.Auth.Users(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := &UsersPage{Base: h.View.NewBase(r, "users.title")}
	p.NavItem = "users"
	for _, u := range users {
		grants, err := h.Auth.Grants(r.Context(), a, u.ID)
		if err != nil {
			return nil, err
		}
		p.Users = append(p.Users, &UserRow{User: u, Grants: grants})
	}
	if p.Orgs, err = h.Org.Tree(r.Context(), a); err != nil {
		return nil, err
	}
	p.Form = view.NewForm(p.Translator, nil)
	p.Grant = view.NewForm(p.Translator, nil)
	return p, nil
}

// ListUsers lists the accounts.
func (h *Handlers) ListUsers(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.usersPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "users", p)
}

// CreateUser adds an account.
func (h *Handlers) CreateUser(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.usersPage(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	p.Form.Values.Del("password")
	_, err = h.Auth.CreateUser(r.Context(), a, auth.NewUser{Username: r.PostForm.Get("username"),
		DisplayName: r.PostForm.Get("display_name"), Password: r.PostForm.Get("password"),
		PersonID: int64(atoi(r.PostForm.Get("person_id"))), SysAdmin: r.PostForm.Get("sysadmin") == "on",
		CanReveal: r.PostForm.Get("can_reveal") == "on"})
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "users", p)
		return
	}
	redirect(w, r, "/admin/users", "flash.saved")
}

// GrantRole gives an account a role on an organization subtree.
func (h *Handlers) GrantRole(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	g := &auth.Grant{UserID: id, Role: r.PostForm.Get("role"), OrgID: int64(atoi(r.PostForm.Get("org_id")))}
	if err := h.Auth.GrantRole(r.Context(), a, g); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/admin/users", "flash.saved")
}
