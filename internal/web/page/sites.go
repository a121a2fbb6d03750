package page

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// SitesPage is the catalogue of places.
type SitesPage struct {
	view.Base
	Sites   []*activity.Site
	Query   string
	CanEdit bool
}

// ListSites shows the catalogue, filtered by ?q=.
func (h *Handlers) ListSites(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &SitesPage{Base: h.View.NewBase(r, "sites.title"), Query: r.URL.Query().Get("q"), CanEdit: a.IsAdmin()}
	p.NavItem = "activities"
	if p.Sites, err = h.Activity.Sites(r.Context(), a, p.Query); err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "sites", p)
}

// SitePage shows one place with its facts and the activities held there.
type SitePage struct {
	view.Base
	Site       *activity.Site
	Activities []*ActivityRow
	CanEdit    bool
}

// ShowSite renders a place.
func (h *Handlers) ShowSite(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	site, acts, err := h.Activity.Site(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	types, err := h.Activity.Types(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &SitePage{Base: h.View.NewBase(r, "sites.title"), Site: site, CanEdit: activity.CanEditSite(a, site)}
	p.NavItem = "activities"
	p.Title = site.Name
	p.Activities = activityRows(acts, types, p.Lang, p.Zone)
	h.View.Render(w, r, http.StatusOK, "site", p)
}

// SiteFormPage is the form of a new or existing place.
type SiteFormPage struct {
	view.Base
	Form  *view.Form
	Site  *activity.Site
	Orgs  []*org.Organization
	Kinds []string
}

func (h *Handlers) siteForm(r *http.Request, a *auth.Actor, title string) (*SiteFormPage, error) {
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := &SiteFormPage{Base: h.View.NewBase(r, title), Kinds: activity.SiteKinds}
	p.NavItem = "activities"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	return p, nil
}

// NewSite shows the empty place form.
func (h *Handlers) NewSite(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.siteForm(r, a, "sites.new")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, nil)
	p.Form.Values.Set("kind", "red_base")
	h.View.Render(w, r, http.StatusOK, "site_form", p)
}

// EditSite shows the form of a place.
func (h *Handlers) EditSite(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	site, _, err := h.Activity.Site(r.Context(), a, id)
	if err == nil && !activity.CanEditSite(a, site) {
		err = apperr.ErrDenied
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.siteForm(r, a, "sites.edit")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Site = site
	p.Form = view.NewForm(p.Translator, nil)
	v := p.Form.Values
	v.Set("org_id", strconv.FormatInt(site.OrgID, 10))
	v.Set("name", site.Name)
	v.Set("kind", site.Kind)
	v.Set("level", site.Level)
	v.Set("address", site.Address)
	if site.Latitude != nil {
		v.Set("latitude", strconv.FormatFloat(*site.Latitude, 'f', -1, 64))
		v.Set("longitude", strconv.FormatFloat(*site.Longitude, 'f', -1, 64))
	}
	if site.AltitudeM != 0 {
		v.Set("altitude_m", strconv.Itoa(site.AltitudeM))
	}
	if site.AreaKm2 != 0 {
		v.Set("area_km2", strconv.FormatFloat(site.AreaKm2, 'f', -1, 64))
	}
	if site.Spots != 0 {
		v.Set("spots", strconv.Itoa(site.Spots))
	}
	v.Set("facts", site.Facts)
	v.Set("history", site.History)
	v.Set("version", strconv.Itoa(site.Version))
	h.View.Render(w, r, http.StatusOK, "site_form", p)
}

// SaveSite creates (POST /sites) or updates (POST /sites/{id}) a place.
func (h *Handlers) SaveSite(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	site, v := siteFromForm(r)
	if r.PathValue("id") != "" {
		if site.ID, err = idParam(r, "id"); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	if err = v.Err(); err == nil {
		err = h.Activity.SaveSite(r.Context(), a, site)
	}
	if err != nil {
		title := "sites.new"
		if site.ID != 0 {
			title = "sites.edit"
		}
		p, perr := h.siteForm(r, a, title)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		if site.ID != 0 {
			p.Site = site
		}
		p.Form = view.NewForm(p.Translator, r.PostForm)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "site_form", p)
		return
	}
	redirect(w, r, "/sites/"+strconv.FormatInt(site.ID, 10), "flash.saved")
}

// siteFromForm reads a place from the form; numbers that do not parse are reported.
func siteFromForm(r *http.Request) (*activity.Site, *apperr.Validation) {
	f := r.PostForm
	var v apperr.Validation
	s := &activity.Site{Name: f.Get("name"), Kind: f.Get("kind"), Level: f.Get("level"), Address: f.Get("address"),
		Facts: f.Get("facts"), History: f.Get("history"), Version: atoi(f.Get("version"))}
	s.OrgID, _ = strconv.ParseInt(f.Get("org_id"), 10, 64)
	num := func(field string) (float64, bool) {
		raw := strings.TrimSpace(f.Get(field))
		if raw == "" {
			return 0, false
		}
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			v.Add(field, "error.number")
			return 0, false
		}
		return x, true
	}
	if x, ok := num("latitude"); ok {
		s.Latitude = &x
	}
	if x, ok := num("longitude"); ok {
		s.Longitude = &x
	}
	if x, ok := num("altitude_m"); ok {
		s.AltitudeM = int(x)
	}
	if x, ok := num("area_km2"); ok {
		s.AreaKm2 = x
	}
	if x, ok := num("spots"); ok {
		s.Spots = int(x)
	}
	return s, &v
}
