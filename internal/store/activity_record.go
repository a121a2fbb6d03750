package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

const recordColumns = `activity_id, minutes, resolutions, lecture_summary, summary, status, COALESCE(submitted_by, 0),
	submitted_by_name, submitted_at, COALESCE(approved_by, 0), approved_by_name, approved_at, returned_by_name,
	returned_at, return_reason, COALESCE(updated_by, 0), updated_by_name, created_at, updated_at, version`

// FindRecord returns an activity's record; not found before it is first written.
func (db *DB) FindRecord(ctx context.Context, activityID int64) (*activity.Record, error) {
	var r activity.Record
	err := db.readOnce(ctx, func(tx *Tx) error {
		var submitted, approved, returned, created, updated int64
		err := tx.queryRow(ctx, "SELECT "+recordColumns+" FROM activity_records WHERE activity_id = ?", activityID).Scan(
			&r.ActivityID, &r.Minutes, &r.Resolutions, &r.LectureSummary, &r.Summary, &r.Status, &r.SubmittedBy,
			&r.SubmittedByName, &submitted, &r.ApprovedBy, &r.ApprovedByName, &approved, &r.ReturnedByName,
			&returned, &r.ReturnReason, &r.UpdatedBy, &r.UpdatedByName, &created, &updated, &r.Version)
		r.SubmittedAt, r.ApprovedAt, r.ReturnedAt = fromMS(submitted), fromMS(approved), fromMS(returned)
		r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// SaveRecord writes a record: a new one when r.Version is 0 (a conflict if someone wrote it
// meanwhile), otherwise an update if its version is still r.Version.
func (db *DB) SaveRecord(ctx context.Context, r *activity.Record, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.writeRecord(ctx, r, db.Now()); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

func (tx *Tx) writeRecord(ctx context.Context, r *activity.Record, t time.Time) error {
	args := []any{r.Minutes, r.Resolutions, r.LectureSummary, r.Summary, r.Status, nullInt(r.SubmittedBy), r.SubmittedByName,
		ms(r.SubmittedAt), nullInt(r.ApprovedBy), r.ApprovedByName, ms(r.ApprovedAt), r.ReturnedByName, ms(r.ReturnedAt),
		r.ReturnReason, nullInt(r.UpdatedBy), r.UpdatedByName}
	if r.Version == 0 {
		_, err := tx.exec(ctx, `INSERT INTO activity_records (minutes, resolutions, lecture_summary, summary, status,
			submitted_by, submitted_by_name, submitted_at, approved_by, approved_by_name, approved_at, returned_by_name,
			returned_at, return_reason, updated_by, updated_by_name, activity_id, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			append(args, r.ActivityID, ms(t), ms(t))...)
		if err != nil {
			return fmt.Errorf("store: create record: %w", mapErr(err))
		}
		r.CreatedAt, r.UpdatedAt, r.Version = t, t, 1
		return nil
	}
	err := tx.updateVersioned(ctx, `UPDATE activity_records SET minutes = ?, resolutions = ?, lecture_summary = ?, summary = ?,
		status = ?, submitted_by = ?, submitted_by_name = ?, submitted_at = ?, approved_by = ?, approved_by_name = ?,
		approved_at = ?, returned_by_name = ?, returned_at = ?, return_reason = ?, updated_by = ?, updated_by_name = ?,
		updated_at = ?, version = version + 1 WHERE activity_id = ? AND version = ?`,
		append(args, ms(t), r.ActivityID, r.Version)...)
	if err != nil {
		return err
	}
	r.UpdatedAt = t
	r.Version++
	return nil
}

// AmendRecord writes the amended text of an approved record, if its version is still
// r.Version, with one amendment row per field changed.
func (db *DB) AmendRecord(ctx context.Context, r *activity.Record, ams []*activity.Amendment, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.writeRecord(ctx, r, db.Now()); err != nil {
			return err
		}
		for _, am := range ams {
			if err := tx.insertAmendment(ctx, am); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, rec)
	})
}

func (tx *Tx) insertAmendment(ctx context.Context, am *activity.Amendment) error {
	id, err := tx.insert(ctx, `INSERT INTO record_amendments (activity_id, field, before_value, after_value, reason, by_user, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, am.ActivityID, am.Field, am.Before, am.After, am.Reason, nullInt(am.ByUser), am.ByName, ms(am.At))
	if err != nil {
		return fmt.Errorf("store: amendment: %w", err)
	}
	am.ID = id
	return nil
}

// FindAmendments returns the amendments of an activity's record, oldest first.
func (db *DB) FindAmendments(ctx context.Context, activityID int64) ([]*activity.Amendment, error) {
	var out []*activity.Amendment
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, activity_id, field, before_value, after_value, reason, COALESCE(by_user, 0), by_name, at
			FROM record_amendments WHERE activity_id = ? ORDER BY at, id`, activityID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var am activity.Amendment
			var at int64
			if err := rows.Scan(&am.ID, &am.ActivityID, &am.Field, &am.Before, &am.After, &am.Reason, &am.ByUser, &am.ByName, &at); err != nil {
				return err
			}
			am.At = fromMS(at)
			out = append(out, &am)
		}
		return rows.Err()
	})
	return out, err
}

// FindOrgSettings returns an organization's activity settings, the defaults when none are
// stored: approval by the organization itself, nothing required.
func (db *DB) FindOrgSettings(ctx context.Context, orgID int64) (*activity.OrgSettings, error) {
	s := &activity.OrgSettings{OrgID: orgID, RecordApprover: activity.ApproverSelf}
	err := db.readOnce(ctx, func(tx *Tx) error {
		var updated int64
		err := tx.queryRow(ctx, `SELECT record_approver, require_photos, updated_at FROM org_activity_settings WHERE org_id = ?`,
			orgID).Scan(&s.RecordApprover, &s.RequirePhotos, &updated)
		s.UpdatedAt = fromMS(updated)
		return err
	})
	if errors.Is(err, apperr.ErrNotFound) {
		return &activity.OrgSettings{OrgID: orgID, RecordApprover: activity.ApproverSelf}, nil
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SaveOrgSettings stores an organization's activity settings.
func (db *DB) SaveOrgSettings(ctx context.Context, s *activity.OrgSettings, byUser int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		if _, err := tx.exec(ctx, `INSERT INTO org_activity_settings (org_id, record_approver, require_photos, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET record_approver = excluded.record_approver,
			require_photos = excluded.require_photos, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			s.OrgID, s.RecordApprover, s.RequirePhotos, nullInt(byUser), ms(now)); err != nil {
			return fmt.Errorf("store: activity settings: %w", err)
		}
		s.UpdatedAt = now
		return tx.appendAudit(ctx, rec)
	})
}
