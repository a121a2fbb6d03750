package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

// MoveOrganization re-parents an organization and rewrites the materialized paths of its
// whole subtree in one statement.
func (db *DB) MoveOrganization(ctx context.Context, o *org.Organization, parent *org.Organization, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		newPath, parentID := "/"+strconv.FormatInt(o.ID, 10)+"/", int64(0)
		if parent != nil {
			newPath, parentID = parent.Path+strconv.FormatInt(o.ID, 10)+"/", parent.ID
		}
		err := tx.updateVersioned(ctx, `UPDATE organizations SET parent_id = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ? AND dissolved_at = 0`, nullInt(parentID), ms(db.Now()), o.ID, o.Version)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE organizations SET path = ? || substr(path, ?) WHERE path LIKE ? ESCAPE '\'`,
			newPath, len(o.Path)+1, likeEscape(o.Path)+"%"); err != nil {
			return fmt.Errorf("store: move organization: %w", err)
		}
		rec.ObjectID, rec.OrgPath = o.ID, newPath
		rec.After = audit.JSON(map[string]any{"parent_id": parentID, "path": newPath})
		o.Path, o.ParentID = newPath, parentID
		o.Version++
		return tx.appendAudit(ctx, rec)
	})
}

// CountOrganizationContents counts the live organizations directly below and the people on
// the organization's own register.
func (db *DB) CountOrganizationContents(ctx context.Context, orgID int64) (children, people int, err error) {
	err = db.readTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM organizations WHERE parent_id = ? AND dissolved_at = 0", orgID).Scan(&children); err != nil {
			return err
		}
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM people WHERE org_id = ?", orgID).Scan(&people)
	})
	return children, people, err
}

// DissolveOrganization marks an empty organization dissolved; its history stays.
func (db *DB) DissolveOrganization(ctx context.Context, o *org.Organization, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var children, people int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM organizations WHERE parent_id = ? AND dissolved_at = 0", o.ID).Scan(&children); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM people WHERE org_id = ?", o.ID).Scan(&people); err != nil {
			return err
		}
		if children > 0 || people > 0 {
			return apperr.New(apperr.Invalid, "error.dissolve_not_empty")
		}
		now := ms(db.Now())
		if err := tx.updateVersioned(ctx, `UPDATE organizations SET dissolved_at = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ? AND dissolved_at = 0`, now, now, o.ID, o.Version); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM role_grants WHERE org_id = ?", o.ID); err != nil {
			return err
		}
		rec.ObjectID, rec.OrgPath = o.ID, o.Path
		return tx.appendAudit(ctx, rec)
	})
}

// MovePeople moves the people of one organization's own register to another, with an audit
// record each.
func (db *DB) MovePeople(ctx context.Context, from, to *org.Organization, rec func(p *org.Person) *audit.Record) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT id, name FROM people WHERE org_id = ? ORDER BY id", from.ID)
		if err != nil {
			return err
		}
		var people []*org.Person
		for rows.Next() {
			p := &org.Person{}
			if err := rows.Scan(&p.ID, &p.Name); err != nil {
				rows.Close()
				return err
			}
			people = append(people, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := ms(db.Now())
		for _, p := range people {
			if _, err := tx.exec(ctx, "UPDATE people SET org_id = ?, updated_at = ?, version = version + 1 WHERE id = ?", to.ID, now, p.ID); err != nil {
				return err
			}
			if err := tx.appendAudit(ctx, rec(p)); err != nil {
				return err
			}
		}
		n = len(people)
		return nil
	})
	return n, err
}

// EndPosition sets the end of a position's term.
func (db *DB) EndPosition(ctx context.Context, id, orgID int64, end string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE positions SET term_end = ? WHERE id = ? AND org_id = ?", end, id, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return tx.appendAudit(ctx, rec)
	})
}
