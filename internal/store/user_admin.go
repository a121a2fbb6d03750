package store

import (
	"context"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// SetUserDisabled disables or enables an account; disabling ends its sessions at once.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", disabled, ms(db.Now()), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		if disabled {
			if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, rec)
	})
}

// DeleteGrant removes one granted role of a user.
func (db *DB) DeleteGrant(ctx context.Context, userID, grantID int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var path string
		err := tx.queryRow(ctx, `SELECT o.path FROM role_grants g JOIN organizations o ON o.id = g.org_id
			WHERE g.id = ? AND g.user_id = ?`, grantID, userID).Scan(&path)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM role_grants WHERE id = ?", grantID); err != nil {
			return err
		}
		rec.OrgPath = path
		return tx.appendAudit(ctx, rec)
	})
}
