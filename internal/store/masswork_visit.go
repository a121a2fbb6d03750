package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
)

const visitColumns = `v.id, v.org_id, o.name, o.path, v.visitor_person_id, v.visitor_name, v.contact_id, c.name,
	v.zone, v.booth, v.address, v.visited_at, v.summary, v.created_by, v.created_at`

const visitFrom = ` FROM visits v JOIN organizations o ON o.id = v.org_id JOIN people c ON c.id = v.contact_id`

func scanVisit(row interface{ Scan(...any) error }) (*masswork.Visit, error) {
	var v masswork.Visit
	var visitor, createdBy sql.NullInt64
	var visited, created int64
	if err := row.Scan(&v.ID, &v.OrgID, &v.OrgName, &v.OrgPath, &visitor, &v.VisitorName, &v.ContactID, &v.ContactName,
		&v.Zone, &v.Booth, &v.Address, &visited, &v.Summary, &createdBy, &created); err != nil {
		return nil, err
	}
	v.VisitorID, v.CreatedBy = visitor.Int64, createdBy.Int64
	v.VisitedAt, v.CreatedAt = fromMS(visited), fromMS(created)
	return &v, nil
}

// visitScope returns the condition that the organization path column col lies in one of the
// subtrees roots; no roots select nothing.
func (db *DB) visitScope(col string, roots []string) (string, []any) {
	if slices.Contains(roots, "/") {
		return "1 = 1", nil
	}
	var ors []string
	var args []any
	for _, r := range roots {
		c, a := db.subtreeOf(col, r)
		ors = append(ors, c)
		args = append(args, a...)
	}
	if len(ors) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// visitContactScope returns the condition that the person column col is a contact of an
// organization in the subtrees roots.
func (db *DB) visitContactScope(col string, roots []string) (string, []any) {
	if slices.Contains(roots, "/") {
		return "1 = 1", nil
	}
	scope, args := db.visitScope("path", roots)
	return col + " IN (SELECT id FROM organizations WHERE " + scope + ")", args
}

// visitWhere builds the conditions of a visit filter.
func (db *DB) visitWhere(f masswork.VisitFilter) (string, []any) {
	scope, args := db.visitScope("o.path", f.Roots)
	conds := []string{scope}
	if f.ContactID != 0 {
		conds, args = append(conds, "v.contact_id = ?"), append(args, f.ContactID)
	}
	if f.VisitorID != 0 {
		conds, args = append(conds, "v.visitor_person_id = ?"), append(args, f.VisitorID)
	}
	if f.Zone != "" {
		conds, args = append(conds, "v.zone = ?"), append(args, f.Zone)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "v.visited_at >= ?"), append(args, ms(f.Since))
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CreateVisit records a visit and releases the reservation of its contact, which is visited
// now, whoever held it.
func (db *DB) CreateVisit(ctx context.Context, v *masswork.Visit, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if v.CreatedAt.IsZero() {
			v.CreatedAt = db.Now()
		}
		id, err := tx.insert(ctx, `INSERT INTO visits (org_id, visitor_person_id, visitor_name, contact_id, zone, booth,
			address, visited_at, summary, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.OrgID, nullInt(v.VisitorID), v.VisitorName, v.ContactID, v.Zone, v.Booth, v.Address, ms(v.VisitedAt),
			v.Summary, nullInt(v.CreatedBy), ms(v.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create visit: %w", err)
		}
		v.ID = id
		if _, err := tx.exec(ctx, "DELETE FROM visit_reservations WHERE contact_id = ?", v.ContactID); err != nil {
			return fmt.Errorf("store: create visit: release: %w", err)
		}
		rec.ObjectID = id
		return tx.appendAudit(ctx, rec)
	})
}

// FindVisits returns a page of the visits a filter selects, newest first, each with the
// problems raised in it, and how many the filter selects.
func (db *DB) FindVisits(ctx context.Context, f masswork.VisitFilter) ([]*masswork.Visit, int, error) {
	var out []*masswork.Visit
	total := 0
	where, args := db.visitWhere(f)
	err := db.readTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, "SELECT COUNT(*)"+visitFrom+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+visitColumns+visitFrom+where+" ORDER BY v.visited_at DESC, v.id DESC LIMIT ? OFFSET ?",
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanVisit(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.visitProblems(ctx, out)
	})
	return out, total, err
}

// FindVisitByID returns one visit with the problems raised in it.
func (db *DB) FindVisitByID(ctx context.Context, id int64) (*masswork.Visit, error) {
	var v *masswork.Visit
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		if v, err = scanVisit(tx.queryRow(ctx, "SELECT "+visitColumns+visitFrom+" WHERE v.id = ?", id)); err != nil {
			return err
		}
		return tx.visitProblems(ctx, []*masswork.Visit{v})
	})
	return v, err
}

// visitProblems fills the problems raised during the visits, in one query.
func (tx *Tx) visitProblems(ctx context.Context, visits []*masswork.Visit) error {
	if len(visits) == 0 {
		return nil
	}
	byID := make(map[int64]*masswork.Visit, len(visits))
	marks := make([]string, len(visits))
	args := make([]any, len(visits))
	for i, v := range visits {
		byID[v.ID] = v
		marks[i], args[i] = "?", v.ID
	}
	rows, err := tx.query(ctx, `SELECT pr.visit_id, pr.id, pr.code, pr.matter_id, m.code, pr.original_matter_id, pr.kind,
		pr.channel, pr.category_id, c.name_zh, c.name_en, pr.description, pr.person_id, pr.created_by_name, pr.created_at
		FROM problems pr JOIN matters m ON m.id = pr.matter_id JOIN problem_categories c ON c.id = pr.category_id
		WHERE pr.visit_id IN (`+strings.Join(marks, ", ")+`) ORDER BY pr.id`, args...)
	if err != nil {
		return fmt.Errorf("store: visit problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p masswork.Problem
		var person sql.NullInt64
		var created int64
		if err := rows.Scan(&p.VisitID, &p.ID, &p.Code, &p.MatterID, &p.MatterCode, &p.OriginalMatterID, &p.Kind,
			&p.Channel, &p.CategoryID, &p.CategoryName, &p.CategoryNameEn, &p.Description, &person, &p.CreatedByName, &created); err != nil {
			return err
		}
		p.PersonID, p.CreatedAt = person.Int64, fromMS(created)
		if v := byID[p.VisitID]; v != nil {
			v.Problems = append(v.Problems, &p)
		}
	}
	return rows.Err()
}

// coverageMasses is the condition on people p of the contacts coverage counts: the masses
// on the register whose status is normal (not moved away or deceased).
const coverageMasses = "p.stage = 'masses' AND p.status = 'normal'"

// Coverage returns the contacts of an area (or those reserved by q.ReservedBy) with their
// visits since q.Since, their last visit ever and their reservation, in one query: each
// contact's visits are read through the visits_contact index.
func (db *DB) Coverage(ctx context.Context, q masswork.CoverageQuery) ([]*masswork.CoverageRow, error) {
	scope, scopeArgs := db.visitContactScope("p.org_id", q.Roots)
	args := []any{ms(q.Since), ms(q.Now)}
	where := " WHERE " + scope
	args = append(args, scopeArgs...)
	if q.ReservedBy != 0 {
		where += " AND r.user_id = ?"
		args = append(args, q.ReservedBy)
	} else {
		where += " AND " + coverageMasses + " AND p.zone = ?"
		args = append(args, q.Zone)
	}
	query := `SELECT p.id, p.name, p.zone, p.booth,
		(SELECT COUNT(*) FROM visits v WHERE v.contact_id = p.id AND v.visited_at >= ?),
		(SELECT v.visited_at FROM visits v WHERE v.contact_id = p.id ORDER BY v.visited_at DESC, v.id DESC LIMIT 1),
		(SELECT v.visitor_name FROM visits v WHERE v.contact_id = p.id ORDER BY v.visited_at DESC, v.id DESC LIMIT 1),
		r.user_id, r.user_name, r.expires_at
		FROM people p LEFT JOIN visit_reservations r ON r.contact_id = p.id AND r.expires_at > ?` +
		where + " ORDER BY p.zone, p.booth, p.name, p.id"
	var out []*masswork.CoverageRow
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c masswork.CoverageRow
			var last, until, by sql.NullInt64
			var visitor, byName sql.NullString
			if err := rows.Scan(&c.ContactID, &c.ContactName, &c.Zone, &c.Booth, &c.Visits, &last, &visitor,
				&by, &byName, &until); err != nil {
				return err
			}
			c.LastVisitAt, c.LastVisitorName, c.EverVisited = fromMS(last.Int64), visitor.String, last.Valid
			c.ReservedByID, c.ReservedBy, c.ReservedUntil = by.Int64, byName.String, fromMS(until.Int64)
			out = append(out, &c)
		}
		return rows.Err()
	})
	return out, err
}

// Areas counts the contacts of the subtrees per zone, and those of them visited since q.Since.
func (db *DB) Areas(ctx context.Context, q masswork.CoverageQuery) ([]*masswork.AreaCoverage, error) {
	scope, scopeArgs := db.visitContactScope("p.org_id", q.Roots)
	args := append([]any{ms(q.Since)}, scopeArgs...)
	query := `SELECT p.zone, COUNT(*),
		SUM(CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.contact_id = p.id AND v.visited_at >= ?) THEN 1 ELSE 0 END)
		FROM people p WHERE ` + scope + " AND " + coverageMasses + " GROUP BY p.zone ORDER BY p.zone"
	var out []*masswork.AreaCoverage
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a masswork.AreaCoverage
			if err := rows.Scan(&a.Zone, &a.Contacts, &a.Visited); err != nil {
				return err
			}
			out = append(out, &a)
		}
		return rows.Err()
	})
	return out, err
}

// Reserve reserves, for r.UserID until r.ExpiresAt, the contacts among contactIDs in the
// subtrees roots that nobody else holds past now; the user's own reservations are renewed.
// Two cadres reserving the same contact at once: the primary key lets one win.
func (db *DB) Reserve(ctx context.Context, roots []string, contactIDs []int64, r masswork.Reservation, now time.Time) (int, error) {
	if len(contactIDs) == 0 {
		return 0, nil
	}
	marks := make([]string, len(contactIDs))
	args := []any{r.UserID, r.UserName, ms(r.ReservedAt), ms(r.ExpiresAt)}
	for i, id := range contactIDs {
		marks[i] = "?"
		args = append(args, id)
	}
	scope, scopeArgs := db.visitContactScope("p.org_id", roots)
	args = append(append(args, scopeArgs...), ms(now))
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO visit_reservations (contact_id, user_id, user_name, reserved_at, expires_at)
			SELECT p.id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM people p WHERE p.id IN (`+strings.Join(marks, ", ")+`) AND `+scope+`
			ON CONFLICT (contact_id) DO UPDATE SET user_id = excluded.user_id, user_name = excluded.user_name,
				reserved_at = excluded.reserved_at, expires_at = excluded.expires_at
			WHERE visit_reservations.user_id = excluded.user_id OR visit_reservations.expires_at <= ?`, args...)
		if err != nil {
			return fmt.Errorf("store: reserve: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Release deletes the user's reservations of the contacts, or all of them when contactIDs is
// nil.
func (db *DB) Release(ctx context.Context, contactIDs []int64, userID int64) error {
	q := "DELETE FROM visit_reservations WHERE user_id = ?"
	args := []any{userID}
	if contactIDs != nil {
		if len(contactIDs) == 0 {
			return nil
		}
		marks := make([]string, len(contactIDs))
		for i, id := range contactIDs {
			marks[i] = "?"
			args = append(args, id)
		}
		q += " AND contact_id IN (" + strings.Join(marks, ", ") + ")"
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("store: release: %w", err)
		}
		return nil
	})
}

// ReleaseExpired deletes the reservations expired at now and returns how many.
func (db *DB) ReleaseExpired(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM visit_reservations WHERE expires_at <= ?", ms(now))
		if err != nil {
			return fmt.Errorf("store: release expired: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
