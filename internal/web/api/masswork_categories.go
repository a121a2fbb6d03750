package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
)

// Category is a kind of problem an organization handles, with its deadlines and extra fields
// (schema Category). A category of an organization applies to its whole subtree; inherited
// marks one that belongs to an organization above the one asked about.
type Category struct {
	ID           int64            `json:"id"`
	OrgID        int64            `json:"org_id"`
	Inherited    bool             `json:"inherited"`
	Code         string           `json:"code"`
	Name         string           `json:"name"`
	NameZh       string           `json:"name_zh"`
	NameEn       string           `json:"name_en"`
	Description  string           `json:"description"`
	Keywords     string           `json:"keywords"`
	Group        string           `json:"group"`
	ResponseDays int              `json:"response_days"`
	ResolveDays  int              `json:"resolve_days"`
	Fields       []masswork.Field `json:"fields"`
	Active       bool             `json:"active"`
	SortOrder    int              `json:"sort_order"`
	Version      int              `json:"version"`
	CreatedAt    *time.Time       `json:"created_at"`
	UpdatedAt    *time.Time       `json:"updated_at"`
}

// CategoryList lists categories in display order (schema CategoryList).
type CategoryList struct {
	Items []Category `json:"items"`
}

// CategoryWrite is the body of POST /organizations/{id}/categories (schema CategoryCreate)
// and, with version, of PUT /organizations/{id}/categories/{category_id} (schema
// CategoryUpdate), which replaces the whole category.
type CategoryWrite struct {
	Code         string           `json:"code"`
	NameZh       string           `json:"name_zh"`
	NameEn       string           `json:"name_en"`
	Description  string           `json:"description"`
	Keywords     string           `json:"keywords"`
	Group        string           `json:"group"`
	ResponseDays *int             `json:"response_days"`
	ResolveDays  *int             `json:"resolve_days"`
	Fields       []masswork.Field `json:"fields"`
	Active       *bool            `json:"active"`
	SortOrder    int              `json:"sort_order"`
	Version      *int             `json:"version"`
}

// Default deadlines of a category, in working days, when a body leaves them out.
const (
	defaultResponseDays = 1
	defaultResolveDays  = 10
)

func (h *Handler) toCategory(c *masswork.Category, orgID int64, lang string) Category {
	zone := h.massZone()
	fields := c.Fields
	if fields == nil {
		fields = []masswork.Field{}
	}
	for i := range fields {
		if fields[i].Values == nil && (fields[i].Datatype == masswork.DatatypeSingleValueList ||
			fields[i].Datatype == masswork.DatatypeMultiValueList) {
			fields[i].Values = []masswork.FieldValue{}
		}
	}
	return Category{ID: c.ID, OrgID: c.OrgID, Inherited: c.OrgID != orgID, Code: c.Code, Name: c.Name(massLocale(lang)),
		NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description, Keywords: c.Keywords, Group: c.Group,
		ResponseDays: c.ResponseDays, ResolveDays: c.ResolveDays, Fields: fields, Active: c.Active, SortOrder: c.SortOrder,
		Version: c.Version, CreatedAt: timeOrNull(c.CreatedAt, zone), UpdatedAt: timeOrNull(c.UpdatedAt, zone)}
}

// massLocale maps a response language to the locale names of the domain ("en" or Chinese).
func massLocale(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "zh-CN"
}

func (h *Handler) listCategories(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerCategories(w, r, a, http.StatusOK, id)
}

// answerCategories writes the categories that apply to an organization.
func (h *Handler) answerCategories(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, orgID int64) {
	cats, err := h.mass.OrgCategories(r.Context(), a, orgID)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.massLang(r, a)
	out := CategoryList{Items: make([]Category, 0, len(cats))}
	for _, c := range cats {
		out.Items = append(out.Items, h.toCategory(c, orgID, lang))
	}
	h.writeJSON(w, r, status, out)
}

// apply copies the body onto c.
func (in *CategoryWrite) apply(c *masswork.Category) {
	c.Code, c.NameZh, c.NameEn, c.Description, c.Keywords, c.Group = in.Code, in.NameZh, in.NameEn, in.Description, in.Keywords, in.Group
	c.ResponseDays, c.ResolveDays, c.Active = defaultResponseDays, defaultResolveDays, true
	if in.ResponseDays != nil {
		c.ResponseDays = *in.ResponseDays
	}
	if in.ResolveDays != nil {
		c.ResolveDays = *in.ResolveDays
	}
	if in.Active != nil {
		c.Active = *in.Active
	}
	c.Fields, c.SortOrder = append([]masswork.Field(nil), in.Fields...), in.SortOrder
}

// createCategory adds a category to an organization the caller administers.
func (h *Handler) createCategory(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	orgID, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in CategoryWrite
	if err := decode(w, r, &in, "version", "org_id", "inherited"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if _, err := h.org.Organization(r.Context(), a, orgID); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	c := &masswork.Category{OrgID: orgID}
	in.apply(c)
	if err := h.mass.SaveCategory(r.Context(), a, c); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerCategory(w, r, a, http.StatusCreated, orgID, c.ID)
}

// updateCategory replaces a category of the organization of the path (not one it inherits).
func (h *Handler) updateCategory(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	orgID, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	id, err := pathInt(r, "category_id")
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in CategoryWrite
	if err := decode(w, r, &in, "org_id", "inherited"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	cur, err := h.orgCategory(r, a, orgID, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	c := &masswork.Category{ID: cur.ID, OrgID: cur.OrgID, CreatedAt: cur.CreatedAt, Version: *in.Version}
	in.apply(c)
	if err := h.mass.SaveCategory(r.Context(), a, c); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerCategory(w, r, a, http.StatusOK, orgID, c.ID)
}

// orgCategory returns a category of the organization itself, among those the caller may read.
func (h *Handler) orgCategory(r *http.Request, a *auth.Actor, orgID, id int64) (*masswork.Category, error) {
	cats, err := h.mass.OrgCategories(r.Context(), a, orgID)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.ID == id && c.OrgID == orgID {
			return c, nil
		}
	}
	return nil, apperr.ErrNotFound
}

// answerCategory reads a just-written category back and writes it with a Location header.
func (h *Handler) answerCategory(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, orgID, id int64) {
	c, err := h.orgCategory(r, a, orgID, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"organizations/"+strconv.FormatInt(orgID, 10)+"/categories/"+strconv.FormatInt(id, 10))
	h.writeJSON(w, r, status, h.toCategory(c, orgID, h.massLang(r, a)))
}

// defaultCategories gives an organization without categories the default ones.
func (h *Handler) defaultCategories(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	orgID, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if _, err := h.mass.UseDefaultCategories(r.Context(), a, orgID); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"organizations/"+strconv.FormatInt(orgID, 10)+"/categories")
	h.answerCategories(w, r, a, http.StatusCreated, orgID)
}
