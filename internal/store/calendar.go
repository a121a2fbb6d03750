package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
)

// feedColumns reads a feed with its owner's register entry, name, language and state; the
// joins find nothing for organization feeds.
const feedColumns = `f.id, f.kind, COALESCE(f.user_id, 0), COALESCE(f.org_id, 0), COALESCE(f.token_hash, ''),
	f.public, f.created_at, f.updated_at, COALESCE(u.person_id, 0),
	COALESCE(p.name, NULLIF(u.display_name, ''), u.username, ''), COALESCE(u.locale, ''),
	CASE WHEN u.disabled THEN 1 ELSE 0 END
	FROM calendar_feeds f LEFT JOIN users u ON u.id = f.user_id LEFT JOIN people p ON p.id = u.person_id`

func scanFeed(row interface{ Scan(...any) error }) (*activity.CalendarFeed, error) {
	var f activity.CalendarFeed
	var created, updated int64
	var disabled int
	if err := row.Scan(&f.ID, &f.Kind, &f.UserID, &f.OrgID, &f.TokenHash, &f.Public, &created, &updated,
		&f.PersonID, &f.OwnerName, &f.Locale, &disabled); err != nil {
		return nil, mapErr(err)
	}
	f.CreatedAt, f.UpdatedAt, f.UserDisabled = fromMS(created), fromMS(updated), disabled != 0
	return &f, nil
}

// FindCalendarFeed returns the feed of a user (kind person) or an organization (kind org).
func (db *DB) FindCalendarFeed(ctx context.Context, kind string, ownerID int64) (*activity.CalendarFeed, error) {
	col := "f.user_id"
	if kind == activity.FeedOrg {
		col = "f.org_id"
	}
	f, err := scanFeed(db.readRow(ctx, "SELECT "+feedColumns+" WHERE f.kind = ? AND "+col+" = ?", kind, ownerID))
	if err != nil {
		return nil, fmt.Errorf("store: find calendar feed: %w", err)
	}
	return f, nil
}

// FindCalendarFeedByToken returns the feed whose token has the SHA-256 tokenHash.
func (db *DB) FindCalendarFeedByToken(ctx context.Context, tokenHash string) (*activity.CalendarFeed, error) {
	f, err := scanFeed(db.readRow(ctx, "SELECT "+feedColumns+" WHERE f.token_hash = ?", tokenHash))
	if err != nil {
		return nil, fmt.Errorf("store: find calendar feed: %w", err)
	}
	return f, nil
}

// SaveCalendarFeed writes a feed, new (ID 0) or changed, with its audit record.
func (db *DB) SaveCalendarFeed(ctx context.Context, f *activity.CalendarFeed, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		hash := sql.NullString{String: f.TokenHash, Valid: f.TokenHash != ""}
		if f.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO calendar_feeds (kind, user_id, org_id, token_hash, public, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, f.Kind, nullInt(f.UserID), nullInt(f.OrgID), hash, f.Public, ms(now), ms(now))
			if err != nil {
				return fmt.Errorf("store: create calendar feed: %w", mapErr(err))
			}
			f.ID, f.CreatedAt = id, now
		} else {
			res, err := tx.exec(ctx, "UPDATE calendar_feeds SET token_hash = ?, public = ?, updated_at = ? WHERE id = ?",
				hash, f.Public, ms(now), f.ID)
			if err != nil {
				return fmt.Errorf("store: update calendar feed: %w", mapErr(err))
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				return fmt.Errorf("store: update calendar feed: %w", sql.ErrNoRows)
			}
		}
		f.UpdatedAt = now
		rec.ObjectID = f.ID
		return tx.appendAudit(ctx, rec)
	})
}

// FindCalendarActivities returns the activities of a feed overlapping [q.From, q.To), cancelled
// ones included, with their types and itineraries, soonest first. For a person it also returns
// the latest change of their participations (an invitation to an old activity changes the feed
// without changing the activity).
func (db *DB) FindCalendarActivities(ctx context.Context, q activity.CalendarQuery) ([]*activity.Activity, time.Time, error) {
	var out []*activity.Activity
	var changed time.Time
	err := db.readTx(ctx, func(tx *Tx) error {
		var rows *sql.Rows
		var err error
		if q.PersonID != 0 {
			rows, err = tx.query(ctx, "SELECT "+activityColumns+activityFrom+` JOIN participants pa ON pa.activity_id = a.id
				WHERE pa.person_id = ? AND a.ends_at > ? AND a.starts_at < ? ORDER BY a.starts_at, a.id LIMIT ?`,
				q.PersonID, ms(q.From), ms(q.To), q.Limit)
		} else {
			rows, err = tx.query(ctx, "SELECT "+activityColumns+activityFrom+`
				WHERE a.org_id = ? AND a.ends_at > ? AND a.starts_at < ? ORDER BY a.starts_at, a.id LIMIT ?`,
				q.OrgID, ms(q.From), ms(q.To), q.Limit)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanActivity(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if err := tx.loadTypes(ctx, out); err != nil {
			return err
		}
		if err := tx.loadStops(ctx, out); err != nil {
			return err
		}
		if q.PersonID != 0 {
			var last int64
			if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(updated_at), 0) FROM participants WHERE person_id = ?", q.PersonID).Scan(&last); err != nil {
				return err
			}
			changed = fromMS(last)
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: find calendar activities: %w", err)
	}
	return out, changed, nil
}

// loadStops fills the itineraries of activities in one query.
func (tx *Tx) loadStops(ctx context.Context, acts []*activity.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	byID := make(map[int64]*activity.Activity, len(acts))
	ids := make([]any, 0, len(acts))
	for _, a := range acts {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	rows, err := tx.query(ctx, `SELECT st.id, st.activity_id, st.day, st.start_time, st.end_time, st.place,
		COALESCE(st.site_id, 0), COALESCE(s.name, ''), st.what, st.sort_order
		FROM itinerary_stops st LEFT JOIN sites s ON s.id = st.site_id
		WHERE st.activity_id IN `+placeholders(1, len(ids))+` ORDER BY st.activity_id, st.day, st.sort_order, st.id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s activity.Stop
		if err := rows.Scan(&s.ID, &s.ActivityID, &s.Day, &s.StartTime, &s.EndTime, &s.Place, &s.SiteID, &s.SiteName, &s.What, &s.SortOrder); err != nil {
			return err
		}
		byID[s.ActivityID].Stops = append(byID[s.ActivityID].Stops, &s)
	}
	return rows.Err()
}
