package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
)

const siteColumns = `s.id, s.org_id, o.path, s.name, s.kind, s.level, s.address, s.latitude, s.longitude, s.altitude_m,
	s.area_km2, s.spots, s.facts, s.history, s.created_at, s.updated_at, s.version`

func scanSite(row interface{ Scan(...any) error }) (*activity.Site, error) {
	var s activity.Site
	var lat, lng sql.NullFloat64
	var created, updated int64
	if err := row.Scan(&s.ID, &s.OrgID, &s.OrgPath, &s.Name, &s.Kind, &s.Level, &s.Address, &lat, &lng, &s.AltitudeM,
		&s.AreaKm2, &s.Spots, &s.Facts, &s.History, &created, &updated, &s.Version); err != nil {
		return nil, err
	}
	s.Latitude, s.Longitude = floatPtr(lat), floatPtr(lng)
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, nil
}

// FindSites returns the catalogue of places by name, those whose name contains q when q is
// given.
func (db *DB) FindSites(ctx context.Context, q string) ([]*activity.Site, error) {
	var out []*activity.Site
	err := db.readOnce(ctx, func(tx *Tx) error {
		query := "SELECT " + siteColumns + " FROM sites s JOIN organizations o ON o.id = s.org_id"
		var args []any
		if q != "" {
			query += " WHERE s.name LIKE ? ESCAPE '\\'"
			args = append(args, "%"+likeEscape(q)+"%")
		}
		rows, err := tx.query(ctx, query+" ORDER BY s.name, s.id LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSite(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// FindSiteByID returns one place of the catalogue.
func (db *DB) FindSiteByID(ctx context.Context, id int64) (*activity.Site, error) {
	var s *activity.Site
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		s, err = scanSite(tx.queryRow(ctx, "SELECT "+siteColumns+" FROM sites s JOIN organizations o ON o.id = s.org_id WHERE s.id = ?", id))
		return err
	})
	return s, err
}

// CreateSite adds a place to the catalogue.
func (db *DB) CreateSite(ctx context.Context, s *activity.Site, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		id, err := tx.insert(ctx, `INSERT INTO sites (org_id, name, kind, level, address, latitude, longitude, altitude_m,
			area_km2, spots, facts, history, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.OrgID, s.Name, s.Kind, s.Level, s.Address, nullFloat(s.Latitude), nullFloat(s.Longitude), s.AltitudeM,
			s.AreaKm2, s.Spots, s.Facts, s.History, ms(now), ms(now))
		if err != nil {
			return fmt.Errorf("store: create site: %w", err)
		}
		s.ID, s.CreatedAt, s.UpdatedAt, s.Version = id, now, now, 1
		rec.ObjectID = id
		return tx.appendAudit(ctx, rec)
	})
}

// UpdateSite rewrites a place if its version is still s.Version.
func (db *DB) UpdateSite(ctx context.Context, s *activity.Site, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		err := tx.updateVersioned(ctx, `UPDATE sites SET org_id = ?, name = ?, kind = ?, level = ?, address = ?, latitude = ?,
			longitude = ?, altitude_m = ?, area_km2 = ?, spots = ?, facts = ?, history = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, s.OrgID, s.Name, s.Kind, s.Level, s.Address, nullFloat(s.Latitude),
			nullFloat(s.Longitude), s.AltitudeM, s.AreaKm2, s.Spots, s.Facts, s.History, ms(now), s.ID, s.Version)
		if err != nil {
			return err
		}
		s.Version++
		s.UpdatedAt = now
		return tx.appendAudit(ctx, rec)
	})
}
