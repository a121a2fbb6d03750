package store

import (
	"context"
	"fmt"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
)

// photoColumns are a report photo's columns without its bytes, with the matter its report
// belongs to now (reports move between matters when staff merge and split them).
const photoColumns = `ph.id, ph.problem_id, p.matter_id, ph.name, ph.content_type, ph.size, ph.sha256, ph.width, ph.height,
	ph.created_at`

func photoScan(row interface{ Scan(...any) error }, extra ...any) (*masswork.Photo, error) {
	var ph masswork.Photo
	var created int64
	dest := append([]any{&ph.ID, &ph.ProblemID, &ph.MatterID, &ph.Name, &ph.ContentType, &ph.Size, &ph.SHA256, &ph.Width,
		&ph.Height, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	ph.CreatedAt = fromMS(created)
	return &ph, nil
}

// AddPhotos stores photos of one report, all or none; more than max photos for the report
// in all is refused. Each photo gets its ID, report, matter and time.
func (db *DB) AddPhotos(ctx context.Context, problemID int64, photos []*masswork.Photo, max int) error {
	if len(photos) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		// The report's row is locked (PostgreSQL) so that two adders at once cannot both pass
		// the count; SQLite has one writer at a time anyway.
		lock := "SELECT matter_id FROM problems WHERE id = ?"
		if db.Dialect == Postgres {
			lock += " FOR UPDATE"
		}
		var matterID int64
		if err := tx.queryRow(ctx, lock, problemID).Scan(&matterID); err != nil {
			return fmt.Errorf("store: photo report: %w", mapErr(err))
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM problem_photos WHERE problem_id = ?", problemID).Scan(&n); err != nil {
			return err
		}
		if n+len(photos) > max {
			return &apperr.Error{Kind: apperr.Invalid, Key: "report.error.photo_count", Args: map[string]any{"Max": max}}
		}
		now := db.Now()
		for _, ph := range photos {
			id, err := tx.insert(ctx, `INSERT INTO problem_photos (problem_id, name, content_type, size, sha256, width, height,
				created_at, thumb, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, problemID, ph.Name, ph.ContentType, ph.Size,
				ph.SHA256, ph.Width, ph.Height, ms(now), nullBytes(ph.Thumb), ph.Data)
			if err != nil {
				return fmt.Errorf("store: add photo: %w", err)
			}
			ph.ID, ph.ProblemID, ph.MatterID, ph.CreatedAt = id, problemID, matterID, now
		}
		return nil
	})
}

// FindPhotos returns the photos of every report of a matter without their bytes, in the
// order they were added.
func (db *DB) FindPhotos(ctx context.Context, matterID int64) ([]*masswork.Photo, error) {
	var out []*masswork.Photo
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+photoColumns+` FROM problem_photos ph JOIN problems p ON p.id = ph.problem_id
			WHERE p.matter_id = ? ORDER BY ph.created_at, ph.id`, matterID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ph, err := photoScan(rows)
			if err != nil {
				return err
			}
			out = append(out, ph)
		}
		return rows.Err()
	})
	return out, err
}

// FindPhotoContent returns one photo with its bytes, or with its thumbnail's when thumb is
// set (nil when it has none).
func (db *DB) FindPhotoContent(ctx context.Context, photoID int64, thumb bool) (*masswork.Photo, error) {
	col := "ph.data"
	if thumb {
		col = "ph.thumb"
	}
	var ph *masswork.Photo
	err := db.readOnce(ctx, func(tx *Tx) error {
		var data []byte
		var err error
		ph, err = photoScan(tx.queryRow(ctx, "SELECT "+photoColumns+", "+col+
			" FROM problem_photos ph JOIN problems p ON p.id = ph.problem_id WHERE ph.id = ?", photoID), &data)
		if err != nil {
			return mapErr(err)
		}
		if thumb {
			ph.Thumb = data
		} else {
			ph.Data = data
		}
		return nil
	})
	return ph, err
}
