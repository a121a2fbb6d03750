package activity

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Sites lists the catalogue of places, filtered by a name fragment. Places are not
// confidential: anyone logged in may read the catalogue.
func (s *Service) Sites(ctx context.Context, a *auth.Actor, q string) ([]*Site, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	return s.store.FindSites(ctx, strings.TrimSpace(q))
}

// Site returns one place of the catalogue with the activities held there that the actor may
// see.
func (s *Service) Site(ctx context.Context, a *auth.Actor, id int64) (*Site, []*Activity, error) {
	if a == nil {
		return nil, nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	site, err := s.store.FindSiteByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	acts, _, err := s.Activities(ctx, a, Filter{SiteID: id, Desc: true, Limit: 100})
	return site, acts, err
}

// CanEditSite reports whether the actor may change a catalogue entry: whoever administers the
// organization that keeps it.
func CanEditSite(a *auth.Actor, site *Site) bool { return a.CanAdmin(site.OrgPath) }

// SaveSite creates a catalogue entry (site.ID 0) or updates one; site.Version must be the
// version the form was made from.
func (s *Service) SaveSite(ctx context.Context, a *auth.Actor, site *Site) error {
	var v apperr.Validation
	site.Name, site.Level = strings.TrimSpace(site.Name), strings.TrimSpace(site.Level)
	site.Address, site.Facts = strings.TrimSpace(site.Address), strings.TrimSpace(site.Facts)
	site.History = strings.TrimSpace(site.History)
	switch {
	case site.Name == "":
		v.Add("name", "error.required")
	case utf8.RuneCountInString(site.Name) > maxTitle:
		v.Add("name", "error.too_long")
	}
	if !containsString(SiteKinds, site.Kind) {
		v.Add("kind", "error.choice")
	}
	for field, s := range map[string]string{"level": site.Level, "address": site.Address, "facts": site.Facts} {
		if utf8.RuneCountInString(s) > maxLine {
			v.Add(field, "error.too_long")
		}
	}
	if utf8.RuneCountInString(site.History) > maxText {
		v.Add("history", "error.too_long")
	}
	if (site.Latitude == nil) != (site.Longitude == nil) {
		v.Add("latitude", "error.coordinates")
	}
	if site.Latitude != nil && (*site.Latitude < -90 || *site.Latitude > 90) {
		v.Add("latitude", "error.coordinates")
	}
	if site.Longitude != nil && (*site.Longitude < -180 || *site.Longitude > 180) {
		v.Add("longitude", "error.coordinates")
	}
	if site.AltitudeM < -500 || site.AltitudeM > 9000 {
		v.Add("altitude_m", "error.number")
	}
	if site.AreaKm2 < 0 || site.AreaKm2 > 1e6 {
		v.Add("area_km2", "error.number")
	}
	if site.Spots < 0 || site.Spots > 100000 {
		v.Add("spots", "error.number")
	}
	o, err := s.orgs.FindOrganizationByID(ctx, site.OrgID)
	switch {
	case errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(o.Path)):
		v.Add("org_id", "error.org_out_of_scope")
	case err != nil:
		return err
	default:
		site.OrgPath = o.Path
	}
	if err := v.Err(); err != nil {
		return err
	}
	rec := record(a, "site.create", "site")
	rec.OrgPath = site.OrgPath
	if site.ID != 0 {
		old, err := s.store.FindSiteByID(ctx, site.ID)
		if err != nil {
			return err
		}
		if !CanEditSite(a, old) {
			return apperr.ErrDenied
		}
		rec.Action, rec.ObjectID = "site.update", site.ID
		rec.Before = audit.JSON(old)
		rec.After = audit.JSON(site)
		return s.store.UpdateSite(ctx, site, rec)
	}
	rec.After = audit.JSON(site)
	return s.store.CreateSite(ctx, site, rec)
}
