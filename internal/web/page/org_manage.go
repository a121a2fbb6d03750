package page

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/org"
)

// MoveOrg moves an organization, with its subtree, under another parent.
func (h *Handlers) MoveOrg(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	parent, _ := strconv.ParseInt(r.PostForm.Get("parent_id"), 10, 64)
	if err := h.Org.MoveOrganization(r.Context(), a, o.ID, parent, atoi(r.PostForm.Get("version"))); err != nil {
		h.manageError(w, r, o, err)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "flash.moved")
}

// DissolveOrg dissolves an empty organization.
func (h *Handlers) DissolveOrg(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != o.Name {
		h.manageError(w, r, o, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"confirm": "error.dissolve_confirm"}})
		return
	}
	if err := h.Org.DissolveOrganization(r.Context(), a, o.ID, atoi(r.PostForm.Get("version"))); err != nil {
		h.manageError(w, r, o, err)
		return
	}
	next := "/orgs"
	if o.ParentID != 0 {
		next = "/orgs/" + strconv.FormatInt(o.ParentID, 10)
	}
	redirect(w, r, next, "flash.dissolved")
}

// MoveOrgPeople moves everyone on an organization's own register elsewhere.
func (h *Handlers) MoveOrgPeople(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	to, _ := strconv.ParseInt(r.PostForm.Get("to"), 10, 64)
	if _, err := h.Org.MovePeople(r.Context(), a, o.ID, to); err != nil {
		h.manageError(w, r, o, err)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10)+"/edit", "flash.people_moved")
}

// manageError shows the edit page with the error of a management action.
func (h *Handlers) manageError(w http.ResponseWriter, r *http.Request, o *org.Organization, err error) {
	p, perr := h.orgEditPage(r, o, "orgs.edit")
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	p.Manage.Values = r.PostForm
	if !p.Manage.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusUnprocessableEntity, "org_form", p)
}

// AddPosition records a committee position.
func (h *Handlers) AddPosition(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pos := &org.Position{OrgID: o.ID, PersonID: int64(atoi(r.PostForm.Get("person_id"))), Position: r.PostForm.Get("position"),
		TermStart: r.PostForm.Get("term_start"), TermEnd: r.PostForm.Get("term_end")}
	if err := h.Org.AddPosition(r.Context(), a, pos); err != nil {
		p, perr := h.orgPage(r, o.ID)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.PositionForm.Values = r.PostForm
		if apperr.KindOf(err) == apperr.NotFound {
			err = &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"person_id": "error.choice"}}
		}
		if !p.PositionForm.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "org", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "flash.saved")
}

// EndPosition closes a committee position's term today.
func (h *Handlers) EndPosition(w http.ResponseWriter, r *http.Request) {
	a, o, err := h.adminOrg(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pid, err := idParam(r, "pid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Org.EndPosition(r.Context(), a, o.ID, pid, h.Now().In(h.View.NewBase(r, "orgs.title").Zone)); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "flash.saved")
}
