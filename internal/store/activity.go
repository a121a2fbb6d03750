package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
)

const activityColumns = `a.id, a.org_id, o.name, o.path, a.title, a.theme, a.purpose, a.place, COALESCE(a.site_id, 0),
	COALESCE(s.name, ''), a.starts_at, a.ends_at, a.all_day, COALESCE(a.host_id, 0), COALESCE(h.name, ''),
	COALESCE(a.recorder_id, 0), COALESCE(r.name, ''), a.lecturer, a.lecture_topic, a.agenda, a.safety_notes,
	a.signup_required, a.walk_ins, a.checkin_opens_at, a.checkin_closes_at, a.status, a.sequence,
	COALESCE(a.created_by, 0), a.created_at, a.updated_at, a.version, a.study_hours`

const activityFrom = ` FROM activities a JOIN organizations o ON o.id = a.org_id
	LEFT JOIN sites s ON s.id = a.site_id LEFT JOIN people h ON h.id = a.host_id LEFT JOIN people r ON r.id = a.recorder_id`

func scanActivity(row interface{ Scan(...any) error }) (*activity.Activity, error) {
	var a activity.Activity
	var starts, ends, opens, closes, created, updated int64
	err := row.Scan(&a.ID, &a.OrgID, &a.OrgName, &a.OrgPath, &a.Title, &a.Theme, &a.Purpose, &a.Place, &a.SiteID,
		&a.SiteName, &starts, &ends, &a.AllDay, &a.HostID, &a.HostName, &a.RecorderID, &a.RecorderName,
		&a.Lecturer, &a.LectureTopic, &a.Agenda, &a.SafetyNotes, &a.SignupRequired, &a.WalkIns, &opens, &closes,
		&a.Status, &a.Sequence, &a.CreatedBy, &created, &updated, &a.Version, &a.StudyHours)
	if err != nil {
		return nil, err
	}
	a.StartsAt, a.EndsAt, a.CheckinOpens, a.CheckinCloses = fromMS(starts), fromMS(ends), fromMS(opens), fromMS(closes)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, nil
}

// FindActivityTypes returns every activity type in display order.
func (db *DB) FindActivityTypes(ctx context.Context) ([]*activity.Type, error) {
	var out []*activity.Type
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT code, name_zh, name_en, study, open_to, builtin, sort_order
			FROM activity_types ORDER BY sort_order, code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t activity.Type
			if err := rows.Scan(&t.Code, &t.NameZh, &t.NameEn, &t.Study, &t.OpenTo, &t.Builtin, &t.SortOrder); err != nil {
				return err
			}
			out = append(out, &t)
		}
		return rows.Err()
	})
	return out, err
}

// CreateActivityType adds an activity type after the built-in ones.
func (db *DB) CreateActivityType(ctx context.Context, t *activity.Type, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if t.SortOrder == 0 {
			if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(sort_order), 0) + 10 FROM activity_types WHERE sort_order < 900").Scan(&t.SortOrder); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO activity_types (code, name_zh, name_en, study, open_to, builtin, sort_order, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Code, t.NameZh, t.NameEn, t.Study, t.OpenTo, false, t.SortOrder, ms(db.Now())); err != nil {
			return fmt.Errorf("store: create activity type: %w", mapErr(err))
		}
		return tx.appendAudit(ctx, rec)
	})
}

// FindActivityByID returns one activity with its types and itinerary.
func (db *DB) FindActivityByID(ctx context.Context, id int64) (*activity.Activity, error) {
	var act *activity.Activity
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		if act, err = scanActivity(tx.queryRow(ctx, "SELECT "+activityColumns+activityFrom+" WHERE a.id = ?", id)); err != nil {
			return err
		}
		if err := tx.loadTypes(ctx, []*activity.Activity{act}); err != nil {
			return err
		}
		act.Stops, err = tx.findStops(ctx, id)
		return err
	})
	return act, err
}

func (tx *Tx) findStops(ctx context.Context, activityID int64) ([]*activity.Stop, error) {
	rows, err := tx.query(ctx, `SELECT st.id, st.activity_id, st.day, st.start_time, st.end_time, st.place,
		COALESCE(st.site_id, 0), COALESCE(s.name, ''), st.what, st.sort_order
		FROM itinerary_stops st LEFT JOIN sites s ON s.id = st.site_id
		WHERE st.activity_id = ? ORDER BY st.day, st.sort_order, st.id`, activityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*activity.Stop
	for rows.Next() {
		var s activity.Stop
		if err := rows.Scan(&s.ID, &s.ActivityID, &s.Day, &s.StartTime, &s.EndTime, &s.Place, &s.SiteID, &s.SiteName, &s.What, &s.SortOrder); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// loadTypes fills the type codes of activities, the main type (lowest sort order) first.
func (tx *Tx) loadTypes(ctx context.Context, acts []*activity.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	byID := make(map[int64]*activity.Activity, len(acts))
	ids := make([]any, 0, len(acts))
	for _, a := range acts {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	rows, err := tx.query(ctx, `SELECT l.activity_id, l.type_code FROM activity_type_links l
		JOIN activity_types t ON t.code = l.type_code
		WHERE l.activity_id IN `+placeholders(1, len(ids))+` ORDER BY l.activity_id, t.sort_order`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		byID[id].Types = append(byID[id].Types, code)
	}
	return rows.Err()
}

// activityWhere builds the conditions of a filter.
func (db *DB) activityWhere(f activity.Filter) (string, []any) {
	var conds []string
	var args []any
	var scope []string
	for _, root := range f.Roots {
		c, a := db.underPath("o.path", root)
		scope = append(scope, c)
		args = append(args, a...)
	}
	if f.MemberPath != "" {
		scope, args = append(scope, "o.path = ?"), append(args, f.MemberPath)
	}
	if f.PersonID != 0 {
		scope = append(scope, "EXISTS (SELECT 1 FROM participants pa WHERE pa.activity_id = a.id AND pa.person_id = ?)")
		args = append(args, f.PersonID)
	}
	if len(scope) == 0 {
		scope = []string{"1 = 0"}
	}
	conds = append(conds, "("+strings.Join(scope, " OR ")+")")
	if f.OrgID != 0 {
		conds, args = append(conds, "a.org_id = ?"), append(args, f.OrgID)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "a.ends_at > ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "a.starts_at < ?"), append(args, ms(f.To))
	}
	if f.Type != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM activity_type_links l WHERE l.activity_id = a.id AND l.type_code = ?)")
		args = append(args, f.Type)
	}
	if f.SiteID != 0 {
		conds = append(conds, "(a.site_id = ? OR EXISTS (SELECT 1 FROM itinerary_stops st WHERE st.activity_id = a.id AND st.site_id = ?))")
		args = append(args, f.SiteID, f.SiteID)
	}
	if f.Status != "" {
		conds, args = append(conds, "a.status = ?"), append(args, f.Status)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// FindActivities returns a page of the activities a filter selects, and how many it selects.
func (db *DB) FindActivities(ctx context.Context, f activity.Filter) ([]*activity.Activity, int, error) {
	var out []*activity.Activity
	total := 0
	where, args := db.activityWhere(f)
	order := " ORDER BY a.starts_at, a.id"
	if f.Desc {
		order = " ORDER BY a.starts_at DESC, a.id DESC"
	}
	err := db.readTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM activities a JOIN organizations o ON o.id = a.org_id"+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = tx.findActivities(ctx, "SELECT "+activityColumns+activityFrom+where+order+" LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
		return err
	})
	return out, total, err
}

// FindUpcoming returns the coming activities a person is invited to, soonest first.
func (db *DB) FindUpcoming(ctx context.Context, personID int64, from time.Time, limit int) ([]*activity.Activity, error) {
	var out []*activity.Activity
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.findActivities(ctx, "SELECT "+activityColumns+activityFrom+` JOIN participants p ON p.activity_id = a.id
			WHERE p.person_id = ? AND a.ends_at > ? AND a.status = 'planned' ORDER BY a.starts_at, a.id LIMIT ?`,
			personID, ms(from), limit)
		return err
	})
	return out, err
}

// findActivities reads the activities a query of activityColumns selects, with their types.
func (tx *Tx) findActivities(ctx context.Context, q string, args ...any) ([]*activity.Activity, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*activity.Activity
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, tx.loadTypes(ctx, out)
}

func activityArgs(a *activity.Activity) []any {
	return []any{a.OrgID, a.Title, a.Theme, a.Purpose, a.Place, nullInt(a.SiteID), ms(a.StartsAt), ms(a.EndsAt), a.AllDay,
		nullInt(a.HostID), nullInt(a.RecorderID), a.Lecturer, a.LectureTopic, a.Agenda, a.SafetyNotes, a.SignupRequired,
		a.WalkIns, ms(a.CheckinOpens), ms(a.CheckinCloses), a.Status, a.StudyHours}
}

// CreateActivity writes a new activity with its types and itinerary.
func (db *DB) CreateActivity(ctx context.Context, a *activity.Activity, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		id, err := tx.insert(ctx, `INSERT INTO activities (org_id, title, theme, purpose, place, site_id, starts_at, ends_at,
			all_day, host_id, recorder_id, lecturer, lecture_topic, agenda, safety_notes, signup_required, walk_ins,
			checkin_opens_at, checkin_closes_at, status, study_hours, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(activityArgs(a), nullInt(a.CreatedBy), ms(now), ms(now))...)
		if err != nil {
			return fmt.Errorf("store: create activity: %w", err)
		}
		a.ID, a.CreatedAt, a.UpdatedAt, a.Version = id, now, now, 1
		if err := tx.writeTypesAndStops(ctx, a); err != nil {
			return err
		}
		rec.ObjectID = id
		return tx.appendAudit(ctx, rec)
	})
}

// UpdateActivity rewrites an activity, its types and its itinerary, if its version is still
// a.Version; the iCalendar sequence goes up by one.
func (db *DB) UpdateActivity(ctx context.Context, a *activity.Activity, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		err := tx.updateVersioned(ctx, `UPDATE activities SET org_id = ?, title = ?, theme = ?, purpose = ?, place = ?,
			site_id = ?, starts_at = ?, ends_at = ?, all_day = ?, host_id = ?, recorder_id = ?, lecturer = ?,
			lecture_topic = ?, agenda = ?, safety_notes = ?, signup_required = ?, walk_ins = ?, checkin_opens_at = ?,
			checkin_closes_at = ?, status = ?, study_hours = ?, sequence = sequence + 1, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, append(activityArgs(a), ms(now), a.ID, a.Version)...)
		if err != nil {
			return err
		}
		a.Version++
		a.Sequence++
		a.UpdatedAt = now
		if a.Status != activity.StatusCancelled {
			if _, err := tx.exec(ctx, "DELETE FROM activity_type_links WHERE activity_id = ?", a.ID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, "DELETE FROM itinerary_stops WHERE activity_id = ?", a.ID); err != nil {
				return err
			}
			if err := tx.writeTypesAndStops(ctx, a); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, rec)
	})
}

func (tx *Tx) writeTypesAndStops(ctx context.Context, a *activity.Activity) error {
	for _, code := range a.Types {
		if _, err := tx.exec(ctx, "INSERT INTO activity_type_links (activity_id, type_code) VALUES (?, ?)", a.ID, code); err != nil {
			return fmt.Errorf("store: activity type: %w", err)
		}
	}
	for i, s := range a.Stops {
		id, err := tx.insert(ctx, `INSERT INTO itinerary_stops (activity_id, day, start_time, end_time, place, site_id, what, sort_order)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, s.Day, s.StartTime, s.EndTime, s.Place, nullInt(s.SiteID), s.What, i)
		if err != nil {
			return fmt.Errorf("store: itinerary stop: %w", err)
		}
		s.ID, s.ActivityID, s.SortOrder = id, a.ID, i
	}
	return nil
}

// nullFloat stores a missing number as NULL.
func nullFloat(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}
