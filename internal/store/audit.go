package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
)

// lockAuditTail returns the id and hash of the chain's last record, holding the chain's lock
// until tx ends. The tail is one row that a trigger moves on every append (migration
// 00016_audit_tail); updating it takes its lock, and on PostgreSQL a transaction that waited
// for the lock reads the tail its predecessor committed: lock and read in one statement. A
// transaction that appended already holds the lock, and its own last record is the tail.
func (tx *Tx) lockAuditTail(ctx context.Context) (int64, string, error) {
	if tail := tx.auditTail; tail != nil {
		return tail.ID, tail.Hash, nil
	}
	var lastID int64
	var prev string
	err := tx.queryRow(ctx, auditTailLock).Scan(&lastID, &prev)
	if err != nil {
		return 0, "", fmt.Errorf("store: audit tail: %w", err)
	}
	tx.holdAuditTail(lastID, prev)
	return tx.auditTail.ID, tx.auditTail.Hash, nil
}

// auditTailLock locks the chain's tail and returns it (last_id, hash). On PostgreSQL a write
// that must append may run it inside its own statement, as a data-modifying WITH clause, and
// then hand what it returned to holdAuditTail.
const auditTailLock = "UPDATE audit_tail SET last_id = last_id WHERE id = 1 RETURNING last_id, hash"

// holdAuditTail notes that tx holds the chain's lock and that the tail read under it is
// (lastID, hash): the appends of tx start from there.
func (tx *Tx) holdAuditTail(lastID int64, hash string) {
	tx.auditTail = &audit.Record{ID: lastID, Hash: tailHash(hash)}
}

// tailHash is the hash the next record links to, given the tail row's: the genesis hash
// before the first record.
func tailHash(hash string) string {
	if hash == "" {
		return audit.GenesisHash
	}
	return hash
}

// appendAudit writes rec as the next link of the chain, inside tx. Its id is the previous id
// plus one, so a removed row leaves a visible gap.
func (tx *Tx) appendAudit(ctx context.Context, rec *audit.Record) error {
	lastID, prev, err := tx.lockAuditTail(ctx)
	if err != nil {
		return err
	}
	rec.ID = lastID + 1
	rec.At = tx.db.Now().Truncate(1e6)
	rec.PrevHash = prev
	rec.Hash = audit.ComputeHash(rec)
	_, err = tx.exec(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_name, action, object_type, object_id,
		org_path, person_id, before_json, after_json, ip, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.ID, ms(rec.At), nullInt(rec.ActorID), rec.ActorName, rec.Action, rec.ObjectType, rec.ObjectID,
		rec.OrgPath, rec.PersonID, rec.Before, rec.After, rec.IP, rec.PrevHash, rec.Hash)
	if err != nil {
		return fmt.Errorf("store: audit append: %w", err)
	}
	tx.auditTail = &audit.Record{ID: rec.ID, Hash: rec.Hash}
	return nil
}

// appendAudits writes recs as the next links of the chain in one statement, inside tx: the
// group commit of check-ins appends a batch's records at once.
func (tx *Tx) appendAudits(ctx context.Context, recs []*audit.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if len(recs) == 1 {
		return tx.appendAudit(ctx, recs[0])
	}
	lastID, prev, err := tx.lockAuditTail(ctx)
	if err != nil {
		return err
	}
	q, args := chainAudits(recs, lastID, prev, tx.db.Now())
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: audit append: %w", err)
	}
	last := recs[len(recs)-1]
	tx.auditTail = &audit.Record{ID: last.ID, Hash: last.Hash}
	return nil
}

// chainAudits makes recs the next links of the chain after the record (lastID, prev), all at
// the instant now, and returns the statement that inserts them with its arguments.
func chainAudits(recs []*audit.Record, lastID int64, prev string, now time.Time) (string, []any) {
	at := now.Truncate(1e6)
	args := make([]any, 0, len(recs)*14)
	for _, rec := range recs {
		lastID++
		rec.ID, rec.At, rec.PrevHash = lastID, at, prev
		rec.Hash = audit.ComputeHash(rec)
		prev = rec.Hash
		args = append(args, rec.ID, ms(rec.At), nullInt(rec.ActorID), rec.ActorName, rec.Action, rec.ObjectType, rec.ObjectID,
			rec.OrgPath, rec.PersonID, rec.Before, rec.After, rec.IP, rec.PrevHash, rec.Hash)
	}
	return `INSERT INTO audit_log (id, at, actor_id, actor_name, action, object_type, object_id,
		org_path, person_id, before_json, after_json, ip, prev_hash, hash) VALUES ` + placeholders(len(recs), 14), args
}

// AppendAudit writes one record on its own, for events that change nothing else (a login, a
// failed login, an export).
func (db *DB) AppendAudit(ctx context.Context, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.appendAudit(ctx, rec) })
}

const auditColumns = `id, at, COALESCE(actor_id, 0), actor_name, action, object_type, object_id, org_path,
	person_id, before_json, after_json, ip, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (*audit.Record, error) {
	var r audit.Record
	var at int64
	err := row.Scan(&r.ID, &at, &r.ActorID, &r.ActorName, &r.Action, &r.ObjectType, &r.ObjectID, &r.OrgPath,
		&r.PersonID, &r.Before, &r.After, &r.IP, &r.PrevHash, &r.Hash)
	r.At = fromMS(at)
	return &r, err
}

// FindAudit lists audit records, newest first.
func (db *DB) FindAudit(ctx context.Context, f audit.Filter) ([]*audit.Record, error) {
	var where []string
	var args []any
	if f.OrgRoots != nil {
		var ors []string
		for _, r := range f.OrgRoots {
			c, a := db.underPath("org_path", r)
			ors = append(ors, c)
			args = append(args, a...)
		}
		if len(ors) == 0 {
			return nil, nil
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if f.OrgPath != "" {
		c, a := db.underPath("org_path", f.OrgPath)
		where = append(where, c)
		args = append(args, a...)
	}
	if f.PersonID != 0 {
		where = append(where, "person_id = ?")
		args = append(args, f.PersonID)
	}
	if f.BeforeID > 0 {
		where = append(where, "id < ?")
		args = append(args, f.BeforeID)
	}
	q := "SELECT " + auditColumns + " FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", f.Limit)
	var out []*audit.Record
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// VerifyAudit walks the whole chain in id order and returns the first record that was altered,
// removed or reordered, or nil when the chain is intact. It also returns the number of records.
func (db *DB) VerifyAudit(ctx context.Context) (*audit.Problem, int, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_log ORDER BY id")
	if err != nil {
		return nil, 0, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	prev, n, lastID := audit.GenesisHash, 0, int64(0)
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, n, fmt.Errorf("store: verify audit: %w", err)
		}
		n++
		switch {
		case r.ID != lastID+1:
			return &audit.Problem{ID: lastID + 1, Reason: "removed"}, n, nil
		case r.PrevHash != prev:
			return &audit.Problem{ID: r.ID, Reason: "reordered"}, n, nil
		case audit.ComputeHash(r) != r.Hash:
			return &audit.Problem{ID: r.ID, Reason: "altered"}, n, nil
		}
		prev, lastID = r.Hash, r.ID
	}
	return nil, n, rows.Err()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
