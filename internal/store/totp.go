package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// totpField is the field name bound to an encrypted TOTP secret, so that its ciphertext
// cannot be moved to another column.
const totpField = "totp"

// FindTOTP returns a user's TOTP second factor, its secret decrypted.
func (db *DB) FindTOTP(ctx context.Context, userID int64) (*auth.TOTPState, error) {
	var st auth.TOTPState
	var sealed []byte
	err := db.readRow(ctx, "SELECT totp_secret_enc, totp_enabled, totp_last_step FROM users WHERE id = ?",
		userID).Scan(&sealed, &st.Enabled, &st.LastStep)
	if err != nil {
		return nil, mapErr(err)
	}
	if st.Secret, err = db.sealer.Open(totpField, sealed); err != nil {
		return nil, fmt.Errorf("store: totp secret: %w", err)
	}
	return &st, nil
}

// BeginTOTP stores a new, unconfirmed secret for a user who has none; a user who has one, or
// whose second factor is on, keeps theirs.
func (db *DB) BeginTOTP(ctx context.Context, userID int64, secret string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE users SET totp_secret_enc = ?, totp_last_step = 0, updated_at = ?
			WHERE id = ? AND totp_secret_enc IS NULL AND NOT totp_enabled`, db.sealer.Seal(totpField, secret), ms(db.Now()), userID)
		return err
	})
}

// EnableTOTP turns on a user's stored secret and records the step of the code that confirmed
// it, so that the same code cannot log in afterwards.
func (db *DB) EnableTOTP(ctx context.Context, userID, step int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.enableTOTP(ctx, userID, step); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

func (tx *Tx) enableTOTP(ctx context.Context, userID, step int64) error {
	res, err := tx.exec(ctx, `UPDATE users SET totp_enabled = ?, totp_last_step = ?, updated_at = ?
		WHERE id = ? AND totp_secret_enc IS NOT NULL AND NOT totp_enabled`, true, step, ms(tx.db.Now()), userID)
	if err != nil {
		return fmt.Errorf("store: enable totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return auth.ErrTOTPOn
	}
	return nil
}

// DisableTOTP turns a user's second factor off and forgets its secret.
func (db *DB) DisableTOTP(ctx context.Context, userID int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE users SET totp_secret_enc = NULL, totp_enabled = ?, totp_last_step = 0, updated_at = ?
			WHERE id = ?`, false, ms(db.Now()), userID)
		if err != nil {
			return fmt.Errorf("store: disable totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return tx.appendAudit(ctx, rec)
	})
}

// CompleteSecondFactor finishes a login that owed its code, in one transaction: it uses the
// code's step (only if later than the last used one, so that two requests racing with one code
// cannot both win), or turns the second factor on with it when enable is set; it deletes the
// pending session, resets the failure counter, stores the new full session and appends recs.
func (db *DB) CompleteSecondFactor(ctx context.Context, pendingHash string, s *auth.Session, step int64, enable bool, recs ...*audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if enable {
			if err := tx.enableTOTP(ctx, s.UserID, step); err != nil {
				return err
			}
		} else {
			res, err := tx.exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_enabled AND totp_last_step < ?`,
				step, s.UserID, step)
			if err != nil {
				return fmt.Errorf("store: use totp step: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return auth.ErrCodeUsed
			}
		}
		res, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ? AND user_id = ? AND mfa_pending", pendingHash, s.UserID)
		if err != nil {
			return fmt.Errorf("store: end pending session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Unauthorized, "totp.error.pending_gone")
		}
		if _, err := tx.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?", s.UserID); err != nil {
			return fmt.Errorf("store: reset failures: %w", err)
		}
		if err := tx.insertSession(ctx, s); err != nil {
			return fmt.Errorf("store: new session: %w", err)
		}
		for _, rec := range recs {
			if err := tx.appendAudit(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReserveCodeAttempt counts an attempt at a second-factor code before the code is checked,
// so that guesses sent in parallel cannot all pass the lockout check before any is counted.
// It returns the attempts counted since the last success and whether the account is locked.
func (db *DB) ReserveCodeAttempt(ctx context.Context, userID int64, now time.Time) (int, bool, error) {
	var n int
	var lockedUntil int64
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins, locked_until",
			userID).Scan(&n, &lockedUntil)
	})
	return n, lockedUntil > ms(now), err
}

// LockUser locks an account until the given time and starts its failure count again.
func (db *DB) LockUser(ctx context.Context, userID int64, until time.Time, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", ms(until), userID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}
