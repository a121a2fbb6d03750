package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

const tokenColumns = `id, user_id, name, token_hash, created_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*auth.APIToken, error) {
	var t auth.APIToken
	var created, used, revoked int64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMS(created), fromMS(used), fromMS(revoked)
	return &t, nil
}

// CreateAPIToken stores a personal access token's hash and writes its audit record.
func (db *DB) CreateAPIToken(ctx context.Context, t *auth.APIToken, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if t.CreatedAt.IsZero() {
			t.CreatedAt = db.Now()
		}
		id, err := tx.insert(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
			t.UserID, t.Name, t.TokenHash, ms(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create api token: %w", err)
		}
		t.ID, rec.ObjectID = id, id
		return tx.appendAudit(ctx, rec)
	})
}

// FindAPITokenByHash returns the token whose SHA-256 is tokenHash, revoked or not.
func (db *DB) FindAPITokenByHash(ctx context.Context, tokenHash string) (*auth.APIToken, error) {
	t, err := scanToken(db.readRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE token_hash = ?", tokenHash))
	return t, mapErr(err)
}

// FindAPITokenByID returns one token, revoked or not.
func (db *DB) FindAPITokenByID(ctx context.Context, id int64) (*auth.APIToken, error) {
	t, err := scanToken(db.readRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE id = ?", id))
	return t, mapErr(err)
}

// FindAPITokens lists a user's tokens, newest first.
func (db *DB) FindAPITokens(ctx context.Context, userID int64) ([]*auth.APIToken, error) {
	rows, err := db.readQuery(ctx, "SELECT "+tokenColumns+
		" FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("store: find api tokens: %w", err)
	}
	defer rows.Close()
	var out []*auth.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: find api tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchAPIToken records the use of a token.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", ms(at), id)
		return err
	})
}

// RevokeAPIToken marks a token revoked and writes the audit record; a token already revoked
// keeps its first revocation time.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64, at time.Time, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0", ms(at), id); err != nil {
			return fmt.Errorf("store: revoke api token: %w", err)
		}
		return tx.appendAudit(ctx, rec)
	})
}
