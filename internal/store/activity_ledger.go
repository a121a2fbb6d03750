package store

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
)

// FindLedger returns an organization's own activities starting in [from, to), oldest first,
// each with its types and its attendance counted in the database: expected (invited),
// present (invited and checked in on any day), on approved leave and absent from it, and
// walk-ins.
func (db *DB) FindLedger(ctx context.Context, orgID int64, from, to time.Time) ([]*activity.LedgerRow, error) {
	var out []*activity.LedgerRow
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+activityColumns+`,
			(SELECT COUNT(*) FROM participants p WHERE p.activity_id = a.id AND p.invited = ?),
			(SELECT COUNT(*) FROM participants p WHERE p.activity_id = a.id AND p.invited = ?
				AND EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = a.id AND t.person_id = p.person_id)),
			(SELECT COUNT(*) FROM participants p WHERE p.activity_id = a.id AND p.invited = ? AND p.response = 'leave_approved'
				AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = a.id AND t.person_id = p.person_id)),
			(SELECT COUNT(*) FROM participants p WHERE p.activity_id = a.id AND p.invited = ?
				AND EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = a.id AND t.person_id = p.person_id))`+
			activityFrom+" WHERE a.org_id = ? AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id",
			true, true, true, false, orgID, ms(from), ms(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		var acts []*activity.Activity
		for rows.Next() {
			row := &activity.LedgerRow{}
			a, err := scanActivity(scanTail{rows, []any{&row.Expected, &row.Present, &row.Leave, &row.WalkIns}})
			if err != nil {
				return err
			}
			row.Activity = a
			acts = append(acts, a)
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return tx.loadTypes(ctx, acts)
	})
	return out, err
}

// scanTail scans a row whose leading columns scanActivity reads and whose trailing columns go
// into tail.
type scanTail struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }
