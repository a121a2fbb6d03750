package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

// importPreview is what preview_json holds.
type importPreview struct {
	Ignored []string        `json:"ignored,omitempty"`
	Rows    []org.ImportRow `json:"rows"`
}

// CreateImport stores a previewed import. The people, with their personal numbers in
// clear, are sealed as one JSON document; the preview keeps only masks.
func (db *DB) CreateImport(ctx context.Context, im *org.Import, people []*org.Person) error {
	rows, err := json.Marshal(people)
	if err != nil {
		return fmt.Errorf("store: import rows: %w", err)
	}
	preview, err := json.Marshal(importPreview{Ignored: im.Ignored, Rows: im.Rows})
	if err != nil {
		return fmt.Errorf("store: import preview: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		id, err := tx.insert(ctx, `INSERT INTO imports (user_id, actor_name, org_id, org_path, filename, status, total_rows,
			error_rows, rows_enc, preview_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			im.UserID, im.ActorName, im.OrgID, im.OrgPath, im.Filename, im.Status, im.TotalRows, im.ErrorRows,
			db.sealer.Seal("import", string(rows)), string(preview), ms(now), ms(now))
		if err != nil {
			return fmt.Errorf("store: create import: %w", err)
		}
		im.ID, im.CreatedAt, im.UpdatedAt = id, now, now
		return nil
	})
}

// FindImport returns an import with its preview.
func (db *DB) FindImport(ctx context.Context, id int64) (*org.Import, error) {
	var im org.Import
	var preview string
	var created, updated, finished int64
	err := db.readRow(ctx, `SELECT id, user_id, actor_name, org_id, org_path, filename, status,
		total_rows, error_rows, done_rows, failure, preview_json, created_at, updated_at, finished_at FROM imports WHERE id = ?`, id).
		Scan(&im.ID, &im.UserID, &im.ActorName, &im.OrgID, &im.OrgPath, &im.Filename, &im.Status, &im.TotalRows,
			&im.ErrorRows, &im.DoneRows, &im.Failure, &preview, &created, &updated, &finished)
	if err != nil {
		return nil, mapErr(err)
	}
	im.CreatedAt, im.UpdatedAt, im.FinishedAt = fromMS(created), fromMS(updated), fromMS(finished)
	var p importPreview
	if err := json.Unmarshal([]byte(preview), &p); err != nil {
		return nil, fmt.Errorf("store: import %d preview: %w", id, err)
	}
	im.Rows, im.Ignored = p.Rows, p.Ignored
	return &im, nil
}

// SetImportStatus moves an import to a status if it is in one of from; otherwise it reports
// a conflict.
func (db *DB) SetImportStatus(ctx context.Context, id int64, from []string, to string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		args := []any{to, ms(db.Now()), id}
		for _, f := range from {
			args = append(args, f)
		}
		res, err := tx.exec(ctx, "UPDATE imports SET status = ?, updated_at = ? WHERE id = ? AND status IN (?"+
			strings.Repeat(", ?", len(from)-1)+")", args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "error.import_not_pending")
		}
		return nil
	})
}

// ImportPeople opens the sealed rows of an import.
func (db *DB) ImportPeople(ctx context.Context, id int64) ([]*org.Person, error) {
	var sealed []byte
	if err := db.readRow(ctx, "SELECT rows_enc FROM imports WHERE id = ?", id).Scan(&sealed); err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.sealer.Open("import", sealed)
	if err != nil {
		return nil, err
	}
	var people []*org.Person
	if err := json.Unmarshal([]byte(plain), &people); err != nil {
		return nil, fmt.Errorf("store: import %d rows: %w", id, err)
	}
	return people, nil
}

// ApplyImport writes every person of an import, each with its audit record, marks the
// import done and drops its sealed rows, all in one transaction: a failing row or a killed
// process leaves nothing of the import behind.
func (db *DB) ApplyImport(ctx context.Context, im *org.Import, people []*org.Person, record func(*org.Person) *audit.Record, progress func(int)) error {
	paths := map[int64]string{}
	return db.inTx(ctx, func(tx *Tx) error {
		for i, p := range people {
			path, ok := paths[p.OrgID]
			if !ok {
				o, err := tx.findOrganization(ctx, p.OrgID)
				if err != nil {
					return fmt.Errorf("store: import row %d: organization %d: %w", i+1, p.OrgID, err)
				}
				path, paths[p.OrgID] = o.Path, o.Path
			}
			rec := record(p)
			rec.OrgPath = path
			if err := tx.createPerson(ctx, p, rec); err != nil {
				return fmt.Errorf("store: import row %d: %w", i+1, err)
			}
			if progress != nil && (i+1)%50 == 0 {
				progress(i + 1)
			}
		}
		now := ms(db.Now())
		_, err := tx.exec(ctx, `UPDATE imports SET status = 'done', done_rows = ?, rows_enc = NULL, updated_at = ?, finished_at = ?
			WHERE id = ?`, len(people), now, now, im.ID)
		return err
	})
}

// FailImport records why an import's job failed and drops its sealed rows.
func (db *DB) FailImport(ctx context.Context, id int64, failure string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := ms(db.Now())
		_, err := tx.exec(ctx, `UPDATE imports SET status = 'failed', failure = ?, rows_enc = NULL, updated_at = ?, finished_at = ?
			WHERE id = ?`, failure, now, now, id)
		return err
	})
}

// ExistingIDNumbers reports which of the ID numbers are already on the register, by their
// keyed hash.
func (db *DB) ExistingIDNumbers(ctx context.Context, numbers []string) (map[string]bool, error) {
	found := map[string]bool{}
	byHash := map[string]string{}
	for _, n := range numbers {
		byHash[db.sealer.Index("id_number", n)] = n
	}
	hashes := make([]string, 0, len(byHash))
	for h := range byHash {
		hashes = append(hashes, h)
	}
	err := db.readTx(ctx, func(tx *Tx) error {
		for start := 0; start < len(hashes); start += 500 {
			chunk := hashes[start:min(start+500, len(hashes))]
			args := make([]any, len(chunk))
			for i, h := range chunk {
				args[i] = h
			}
			rows, err := tx.query(ctx, "SELECT id_number_hash FROM people WHERE id_number_hash IN (?"+
				strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var h string
				if err := rows.Scan(&h); err != nil {
					rows.Close()
					return err
				}
				found[byHash[h]] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return found, err
}
