package store

import "context"

// FindProblemMatterID returns the matter a report belongs to now (after merges and splits).
func (db *DB) FindProblemMatterID(ctx context.Context, problemID int64) (int64, error) {
	var id int64
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT matter_id FROM problems WHERE id = ?", problemID).Scan(&id)
	})
	return id, err
}

// FindFeedbackMatterID returns the matter a feedback row was asked for.
func (db *DB) FindFeedbackMatterID(ctx context.Context, feedbackID int64) (int64, error) {
	var id int64
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT matter_id FROM matter_feedback WHERE id = ?", feedbackID).Scan(&id)
	})
	return id, err
}
