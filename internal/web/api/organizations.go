package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Organization is an organization as the API shows it (schema Organization).
type Organization struct {
	ID        int64     `json:"id"`
	ParentID  *int64    `json:"parent_id"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	UnitName  string    `json:"unit_name"`
	UnitKind  string    `json:"unit_kind"`
	SortOrder int       `json:"sort_order"`
	TermStart string    `json:"term_start"`
	TermEnd   string    `json:"term_end"`
	Depth     int       `json:"depth"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrganizationNode is an organization in the caller's tree, with the people and the party
// members of its whole subtree (schema OrganizationNode).
type OrganizationNode struct {
	Organization
	PeopleCount int `json:"people_count"`
	MemberCount int `json:"member_count"`
}

// OrganizationList is the caller's tree in tree order (schema OrganizationList).
type OrganizationList struct {
	Items []OrganizationNode `json:"items"`
}

// OrganizationCreate is the body of POST /organizations (schema OrganizationCreate).
type OrganizationCreate struct {
	ParentID  *int64 `json:"parent_id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	UnitName  string `json:"unit_name"`
	UnitKind  string `json:"unit_kind"`
	SortOrder int    `json:"sort_order"`
	TermStart string `json:"term_start"`
	TermEnd   string `json:"term_end"`
}

// OrganizationUpdate is the body of PATCH /organizations/{id}: the fields given change, the
// others stay; Version is the version the caller read (schema OrganizationUpdate).
type OrganizationUpdate struct {
	Version   *int    `json:"version"`
	Name      *string `json:"name"`
	UnitName  *string `json:"unit_name"`
	UnitKind  *string `json:"unit_kind"`
	SortOrder *int    `json:"sort_order"`
	TermStart *string `json:"term_start"`
	TermEnd   *string `json:"term_end"`
}

func toOrganization(o *org.Organization) Organization {
	out := Organization{ID: o.ID, Kind: o.Kind, Name: o.Name, UnitName: o.UnitName, UnitKind: o.UnitKind,
		SortOrder: o.SortOrder, TermStart: o.TermStart, TermEnd: o.TermEnd, Depth: max(strings.Count(o.Path, "/")-2, 0),
		Version: o.Version, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
	if o.ParentID != 0 {
		parent := o.ParentID
		out.ParentID = &parent
	}
	return out
}

func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	tree, err := h.org.Tree(r.Context(), a)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list := OrganizationList{Items: make([]OrganizationNode, 0, len(tree))}
	for _, o := range tree {
		list.Items = append(list.Items, OrganizationNode{Organization: toOrganization(o), PeopleCount: o.PeopleCount, MemberCount: o.MemberCount})
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	o, err := h.org.Organization(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toOrganization(o))
}

func (h *Handler) createOrganization(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in OrganizationCreate
	if err := decode(w, r, &in, "version"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	o := &org.Organization{Kind: in.Kind, Name: in.Name, UnitName: in.UnitName, UnitKind: in.UnitKind,
		SortOrder: in.SortOrder, TermStart: in.TermStart, TermEnd: in.TermEnd}
	if in.ParentID != nil {
		o.ParentID = *in.ParentID
	}
	if err := h.org.CreateOrganization(r.Context(), a, o); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerOrganization(w, r, a, http.StatusCreated, o.ID)
}

func (h *Handler) updateOrganization(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in OrganizationUpdate
	if err := decode(w, r, &in, "kind", "parent_id"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"version": "error.required"}})
		return
	}
	cur, err := h.org.Organization(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	upd := *cur
	upd.Version = *in.Version
	setString(&upd.Name, in.Name)
	setString(&upd.UnitName, in.UnitName)
	setString(&upd.UnitKind, in.UnitKind)
	setString(&upd.TermStart, in.TermStart)
	setString(&upd.TermEnd, in.TermEnd)
	if in.SortOrder != nil {
		upd.SortOrder = *in.SortOrder
	}
	if err := h.org.UpdateOrganization(r.Context(), a, &upd); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerOrganization(w, r, a, http.StatusOK, id)
}

// answerOrganization reads a just-written organization back, so that the answer shows what
// was stored (timestamps included), and writes it with a Location header.
func (h *Handler) answerOrganization(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	o, err := h.org.Organization(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"organizations/"+strconv.FormatInt(o.ID, 10))
	h.writeJSON(w, r, status, toOrganization(o))
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
