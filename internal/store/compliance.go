package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
)

// FindRules returns every meeting rule: the national defaults and every organization's own.
func (db *DB) FindRules(ctx context.Context) ([]*activity.Rule, error) {
	var out []*activity.Rule
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT r.id, r.code, COALESCE(r.org_id, 0), COALESCE(o.path, ''), COALESCE(o.name, ''),
			r.type_code, r.period, r.min_count, r.org_kinds, r.applies_if, r.due_quarter, r.source, r.note, r.effective_from, r.enabled
			FROM meeting_rules r LEFT JOIN organizations o ON o.id = r.org_id ORDER BY r.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r activity.Rule
			var kinds string
			if err := rows.Scan(&r.ID, &r.Code, &r.OrgID, &r.OrgPath, &r.OrgName, &r.TypeCode, &r.Period, &r.MinCount, &kinds,
				&r.AppliesIf, &r.DueQuarter, &r.Source, &r.Note, &r.EffectiveFrom, &r.Enabled); err != nil {
				return err
			}
			r.OrgKinds = splitList(kinds)
			out = append(out, &r)
		}
		return rows.Err()
	})
	return out, err
}

// SaveRule writes an organization's own version of a rule, replacing an earlier one.
func (db *DB) SaveRule(ctx context.Context, r *activity.Rule, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "DELETE FROM meeting_rules WHERE org_id = ? AND code = ?", r.OrgID, r.Code); err != nil {
			return err
		}
		now := ms(db.Now())
		id, err := tx.insert(ctx, `INSERT INTO meeting_rules (code, org_id, type_code, period, min_count, org_kinds, applies_if,
			due_quarter, source, note, effective_from, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Code, r.OrgID, r.TypeCode, r.Period, r.MinCount, ","+strings.Join(r.OrgKinds, ",")+",", r.AppliesIf, r.DueQuarter,
			r.Source, r.Note, r.EffectiveFrom, r.Enabled, now, now)
		if err != nil {
			return fmt.Errorf("store: save rule: %w", err)
		}
		r.ID, rec.ObjectID = id, id
		return tx.appendAudit(ctx, rec)
	})
}

// DeleteRule removes an organization's own version of a rule; not found when it has none.
func (db *DB) DeleteRule(ctx context.Context, orgID int64, code string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM meeting_rules WHERE org_id = ? AND code = ?", orgID, code)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return mapErrNone(err)
		}
		return tx.appendAudit(ctx, rec)
	})
}

// FindComplianceOrgs returns the live organizations of a subtree by path, each with the
// number of committee members (group leaders aside) whose term covers day.
func (db *DB) FindComplianceOrgs(ctx context.Context, root string, day string) ([]*activity.ComplianceOrg, error) {
	var out []*activity.ComplianceOrg
	cond, args := db.underPath("o.path", root)
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT o.id, COALESCE(o.parent_id, 0), o.path, o.name, o.kind,
			(SELECT COUNT(*) FROM positions ps WHERE ps.org_id = o.id AND ps.position <> 'group_leader'
				AND (ps.term_end = '' OR ps.term_end >= ?) AND (ps.term_start = '' OR ps.term_start <= ?))
			FROM organizations o WHERE `+cond+` AND o.dissolved_at = 0 ORDER BY o.path`, append([]any{day, day}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o activity.ComplianceOrg
			if err := rows.Scan(&o.ID, &o.ParentID, &o.Path, &o.Name, &o.Kind, &o.Committee); err != nil {
				return err
			}
			out = append(out, &o)
		}
		return rows.Err()
	})
	return out, err
}

// heldFrom is the activities that count for organizations: their own, and those they were
// invited to as organizations (each once), not cancelled, starting in [?, ?). cond selects
// the organizations o.
func heldFrom(cond string) string {
	return `SELECT a.org_id AS org_id, l.type_code AS type_code, a.id AS activity_id, a.title AS title, a.starts_at AS starts_at
		FROM organizations o JOIN activities a ON a.org_id = o.id JOIN activity_type_links l ON l.activity_id = a.id
		WHERE ` + cond + ` AND a.status <> 'cancelled' AND a.starts_at >= ? AND a.starts_at < ?
		UNION ALL
		SELECT DISTINCT i.org_id, l.type_code, a.id, a.title, a.starts_at
		FROM organizations o JOIN invitations i ON i.org_id = o.id JOIN activities a ON a.id = i.activity_id
		JOIN activity_type_links l ON l.activity_id = a.id
		WHERE ` + cond + ` AND a.org_id <> i.org_id AND a.status <> 'cancelled' AND a.starts_at >= ? AND a.starts_at < ?`
}

// FindHeld returns, one row per type, the activities that count for one organization starting
// in [from, to): its own, and those it was invited to as an organization.
func (db *DB) FindHeld(ctx context.Context, orgID int64, from, to time.Time) ([]activity.Held, error) {
	var out []activity.Held
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT org_id, type_code, activity_id, title, starts_at FROM ("+heldFrom("o.id = ?")+") x ORDER BY starts_at",
			orgID, ms(from), ms(to), orgID, ms(from), ms(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h activity.Held
			var starts int64
			if err := rows.Scan(&h.OrgID, &h.TypeCode, &h.ActivityID, &h.Title, &starts); err != nil {
				return err
			}
			h.StartsAt = fromMS(starts)
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// FindTallies counts in the database, for every organization of a subtree and type, the
// activities that count for it in each month of a year, held (before now) and planned: one
// row per organization and type instead of one per activity.
func (db *DB) FindTallies(ctx context.Context, root string, months [13]time.Time, now time.Time) ([]*activity.Tally, error) {
	// Twelve month counts and one count of the activities not yet started: a month wholly
	// before now is held, one wholly after is planned, and the current one is split by the
	// last count. Own activities and invitations are counted by two plain aggregates (a
	// UNION in a subquery costs SQLite a temporary table) and added up here.
	var cols []string
	var args []any
	for m := 0; m < 12; m++ {
		cols = append(cols, "SUM(CASE WHEN a.starts_at >= ? AND a.starts_at < ? THEN 1 ELSE 0 END)")
		args = append(args, ms(months[m]), ms(months[m+1]))
	}
	cols = append(cols, "SUM(CASE WHEN a.starts_at >= ? THEN 1 ELSE 0 END)")
	args = append(args, ms(now))
	cond, pathArgs := db.underPath("o.path", root)
	window := append(append([]any{}, pathArgs...), ms(months[0]), ms(months[12]))
	own := "SELECT a.org_id, l.type_code, " + strings.Join(cols, ", ") + `
		FROM organizations o JOIN activities a ON a.org_id = o.id JOIN activity_type_links l ON l.activity_id = a.id
		WHERE ` + cond + ` AND a.status <> 'cancelled' AND a.starts_at >= ? AND a.starts_at < ?
		GROUP BY a.org_id, l.type_code`
	invited := "SELECT i.org_id, l.type_code, " + strings.Join(cols, ", ") + `
		FROM organizations o JOIN invitations i ON i.org_id = o.id JOIN activities a ON a.id = i.activity_id
		JOIN activity_type_links l ON l.activity_id = a.id
		WHERE ` + cond + ` AND a.org_id <> i.org_id AND a.status <> 'cancelled' AND a.starts_at >= ? AND a.starts_at < ?
		GROUP BY i.org_id, l.type_code`
	type key struct {
		org int64
		typ string
	}
	byKey := map[key]*activity.Tally{}
	var out []*activity.Tally
	err := db.readTx(ctx, func(tx *Tx) error {
		for _, q := range []string{own, invited} {
			if err := tx.scanTallies(ctx, q, append(append([]any{}, args...), window...), months, now, func(t *activity.Tally) {
				if prev := byKey[key{t.OrgID, t.TypeCode}]; prev != nil {
					for m := range prev.Held {
						prev.Held[m] += t.Held[m]
						prev.Planned[m] += t.Planned[m]
					}
					return
				}
				byKey[key{t.OrgID, t.TypeCode}] = t
				out = append(out, t)
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// scanTallies reads rows of organization, type, twelve month counts and the count not yet
// started, and hands each on as a tally split into held and planned.
func (tx *Tx) scanTallies(ctx context.Context, q string, args []any, months [13]time.Time, now time.Time, each func(*activity.Tally)) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		t := &activity.Tally{}
		var counts [12]int
		var later int
		dest := []any{&t.OrgID, &t.TypeCode}
		for m := range counts {
			dest = append(dest, &counts[m])
		}
		dest = append(dest, &later)
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for m, c := range counts {
			switch {
			case !months[m+1].After(now): // wholly past
				t.Held[m] = c
			case !months[m].Before(now): // wholly to come
				t.Planned[m] = c
			default: // the current month: those not yet started are the later ones of the year
				future := 0
				for n := m + 1; n < 12; n++ {
					future += counts[n]
				}
				t.Planned[m] = max(0, later-future)
				t.Held[m] = c - t.Planned[m]
			}
		}
		each(t)
	}
	return rows.Err()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// FindInactive returns the normal full and probationary members of a subtree who attended no
// activity on or after the day since (YYYY-MM-DD, the activity's day, not when the check-in
// was recorded) and were admitted before it (or whose admission date is unknown), longest
// absent first, each with the count of activities since then they had approved leave for.
func (db *DB) FindInactive(ctx context.Context, root string, since string, sinceAt time.Time) ([]*activity.Inactive, error) {
	var out []*activity.Inactive
	cond, args := db.underPath("o.path", root)
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT p.id, p.name, o.name, p.stage,
			COALESCE((SELECT MAX(att.day) FROM attendance att WHERE att.person_id = p.id), '') AS last_day,
			(SELECT COUNT(*) FROM participants pa JOIN activities a ON a.id = pa.activity_id
				WHERE pa.person_id = p.id AND pa.response = 'leave_approved' AND a.starts_at >= ?)
			FROM people p JOIN organizations o ON o.id = p.org_id
			WHERE `+cond+` AND p.stage IN ('full', 'probationary') AND p.status = 'normal'
				AND (p.admitted_on = '' OR p.admitted_on < ?)
				AND NOT EXISTS (SELECT 1 FROM attendance att WHERE att.person_id = p.id AND att.day >= ?)
			ORDER BY last_day, p.name_pinyin, p.id LIMIT 500`, append(append([]any{ms(sinceAt)}, args...), since, since)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in activity.Inactive
			if err := rows.Scan(&in.PersonID, &in.Name, &in.OrgName, &in.Stage, &in.LastAttended, &in.OnLeave); err != nil {
				return err
			}
			out = append(out, &in)
		}
		return rows.Err()
	})
	return out, err
}
