package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// fileColumns are a file's columns without its bytes, which listings never read (they are
// the table's last columns, so SQLite does not walk their overflow pages either).
const fileColumns = `id, activity_id, name, content_type, size, sha256, width, height, caption, COALESCE(uploaded_by, 0),
	uploaded_by_name, uploaded_at, thumb IS NOT NULL`

func scanFile(row interface{ Scan(...any) error }, extra ...any) (*activity.File, error) {
	var f activity.File
	var uploaded int64
	dest := append([]any{&f.ID, &f.ActivityID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Width, &f.Height, &f.Caption,
		&f.UploadedBy, &f.UploadedByName, &uploaded, &f.HasThumb}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	f.UploadedAt = fromMS(uploaded)
	return &f, nil
}

// FindActivityFiles returns the files of an activity without their bytes, in upload order.
func (db *DB) FindActivityFiles(ctx context.Context, activityID int64) ([]*activity.File, error) {
	var out []*activity.File
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+fileColumns+" FROM activity_files WHERE activity_id = ? ORDER BY uploaded_at, id", activityID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanFile(rows)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// FindActivityFileContent returns one file of an activity with its bytes, or with its
// thumbnail's when thumb is set.
func (db *DB) FindActivityFileContent(ctx context.Context, activityID, fileID int64, thumb bool) (*activity.File, error) {
	col := "data"
	if thumb {
		col = "thumb"
	}
	var f *activity.File
	err := db.readOnce(ctx, func(tx *Tx) error {
		var data []byte
		var err error
		f, err = scanFile(tx.queryRow(ctx, "SELECT "+fileColumns+", "+col+" FROM activity_files WHERE activity_id = ? AND id = ?",
			activityID, fileID), &data)
		if err != nil {
			return err
		}
		if thumb {
			f.Thumb = data
		} else {
			f.Data = data
		}
		return nil
	})
	return f, err
}

// AddActivityFiles stores files of one activity. A file whose bytes the activity already has
// is skipped and keeps ID 0; more than max files in all is refused. With amend, each file
// added is also an amendment of the approved record.
func (db *DB) AddActivityFiles(ctx context.Context, files []*activity.File, amend *activity.Amendment, max int, rec *audit.Record) error {
	if len(files) == 0 {
		return nil
	}
	activityID := files[0].ActivityID
	return db.inTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			// Adders of one activity queue here, so that two at once cannot both pass the count.
			// (SQLite has one writer at a time anyway.)
			var id int64
			if err := tx.queryRow(ctx, "SELECT id FROM activities WHERE id = ? FOR UPDATE", activityID).Scan(&id); err != nil {
				return fmt.Errorf("store: lock activity: %w", mapErr(err))
			}
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM activity_files WHERE activity_id = ?", activityID).Scan(&n); err != nil {
			return err
		}
		now := db.Now()
		for _, f := range files {
			id, err := tx.insert(ctx, `INSERT INTO activity_files (activity_id, name, content_type, size, sha256, width, height,
				caption, uploaded_by, uploaded_by_name, uploaded_at, thumb, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (activity_id, sha256) DO NOTHING`, f.ActivityID, f.Name, f.ContentType, f.Size, f.SHA256, f.Width,
				f.Height, f.Caption, nullInt(f.UploadedBy), f.UploadedByName, ms(now), nullBytes(f.Thumb), f.Data)
			if errors.Is(mapErr(err), apperr.ErrNotFound) {
				continue // the same bytes are there already
			}
			if err != nil {
				return fmt.Errorf("store: add file: %w", err)
			}
			if n++; n > max {
				return &apperr.Error{Kind: apperr.Invalid, Key: "error.too_many_files", Args: map[string]any{"Max": max}}
			}
			f.ID, f.UploadedAt = id, now
			if amend != nil {
				am := *amend
				am.Field, am.Before, am.After = activity.FieldFile, "", f.Name
				if err := tx.insertAmendment(ctx, &am); err != nil {
					return err
				}
			}
		}
		return tx.appendAudit(ctx, rec)
	})
}

// DeleteActivityFile removes one file of an activity.
func (db *DB) DeleteActivityFile(ctx context.Context, activityID, fileID int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM activity_files WHERE activity_id = ? AND id = ?", activityID, fileID)
		if err != nil {
			return fmt.Errorf("store: delete file: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = apperr.ErrNotFound
			}
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

// nullBytes stores missing bytes as NULL.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
