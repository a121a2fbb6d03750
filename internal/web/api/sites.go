package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
)

// Site is a place of the catalogue with its facts (schema Site).
type Site struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Level     string    `json:"level"`
	Address   string    `json:"address"`
	Latitude  *float64  `json:"latitude"`
	Longitude *float64  `json:"longitude"`
	AltitudeM int       `json:"altitude_m"`
	AreaKm2   float64   `json:"area_km2"`
	Spots     int       `json:"spots"`
	Facts     string    `json:"facts"`
	History   string    `json:"history"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SiteDetail is a place with the activities held there that the caller may see, newest first
// (schema SiteDetail).
type SiteDetail struct {
	Site
	Activities []ActivitySummary `json:"activities"`
}

// SiteList is the catalogue, by name (schema SiteList).
type SiteList struct {
	Items []Site `json:"items"`
}

// SiteFields are the writable fields of a place (schema SiteCreate). In a PATCH a field left
// out stays as it is; latitude and longitude sent as null remove the coordinates.
type SiteFields struct {
	OrgID     *int64            `json:"org_id"`
	Name      *string           `json:"name"`
	Kind      *string           `json:"kind"`
	Level     *string           `json:"level"`
	Address   *string           `json:"address"`
	Latitude  Nullable[float64] `json:"latitude"`
	Longitude Nullable[float64] `json:"longitude"`
	AltitudeM *int              `json:"altitude_m"`
	AreaKm2   *float64          `json:"area_km2"`
	Spots     *int              `json:"spots"`
	Facts     *string           `json:"facts"`
	History   *string           `json:"history"`
}

// SiteUpdate is the body of PATCH /sites/{id} (schema SiteUpdate).
type SiteUpdate struct {
	SiteFields
	Version *int `json:"version"`
}

// apply copies the fields sent onto s.
func (f *SiteFields) apply(s *activity.Site) {
	if f.OrgID != nil {
		s.OrgID = *f.OrgID
	}
	for dst, v := range map[*string]*string{&s.Name: f.Name, &s.Kind: f.Kind, &s.Level: f.Level, &s.Address: f.Address,
		&s.Facts: f.Facts, &s.History: f.History} {
		setString(dst, v)
	}
	if f.Latitude.Set {
		s.Latitude = f.Latitude.Value
	}
	if f.Longitude.Set {
		s.Longitude = f.Longitude.Value
	}
	if f.AltitudeM != nil {
		s.AltitudeM = *f.AltitudeM
	}
	if f.AreaKm2 != nil {
		s.AreaKm2 = *f.AreaKm2
	}
	if f.Spots != nil {
		s.Spots = *f.Spots
	}
}

func toSite(s *activity.Site, zone *time.Location) Site {
	return Site{ID: s.ID, OrgID: s.OrgID, Name: s.Name, Kind: s.Kind, Level: s.Level, Address: s.Address,
		Latitude: s.Latitude, Longitude: s.Longitude, AltitudeM: s.AltitudeM, AreaKm2: s.AreaKm2, Spots: s.Spots,
		Facts: s.Facts, History: s.History, Version: s.Version, CreatedAt: s.CreatedAt.In(zone), UpdatedAt: s.UpdatedAt.In(zone)}
}

func (h *Handler) listSites(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	list, err := h.activity.Sites(r.Context(), a, r.URL.Query().Get("q"))
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	out := SiteList{Items: make([]Site, 0, len(list))}
	for _, s := range list {
		out.Items = append(out.Items, toSite(s, zone))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getSite(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerSite(w, r, a, http.StatusOK, id)
}

func (h *Handler) createSite(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in SiteFields
	if err := decode(w, r, &in, "version"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	s := &activity.Site{}
	in.apply(s)
	if err := h.activity.SaveSite(r.Context(), a, s); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerSite(w, r, a, http.StatusCreated, s.ID)
}

func (h *Handler) updateSite(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in SiteUpdate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	cur, _, err := h.activity.Site(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	upd := *cur
	in.apply(&upd)
	upd.Version = *in.Version
	if err := h.activity.SaveSite(r.Context(), a, &upd); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerSite(w, r, a, http.StatusOK, id)
}

// answerSite writes a place with the activities held there, with a Location header.
func (h *Handler) answerSite(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	s, acts, err := h.activity.Site(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	out := SiteDetail{Site: toSite(s, zone), Activities: make([]ActivitySummary, 0, len(acts))}
	for _, act := range acts {
		out.Activities = append(out.Activities, toActivitySummary(act, zone))
	}
	w.Header().Set("Location", Prefix+"sites/"+strconv.FormatInt(s.ID, 10))
	h.writeJSON(w, r, status, out)
}
