package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

// peopleInsertColumns are the columns a bulk insert writes, in the order of personValues.
const peopleInsertColumns = `org_id, name, name_pinyin, name_initials, gender, ethnicity, birth_date,
	id_number_enc, id_number_hash, id_number_mask, phone_enc, phone_hash, phone_tail, phone_mask, education,
	work_unit, post, native_place, address, zone, booth, stage, applied_on, activist_on, target_on, admitted_on,
	full_on, status, tags, notes, created_at, updated_at`

const peopleInsertWidth = 32

// bulkRows is how many rows one multi-row INSERT carries: 500 rows of 32 values stay well
// below the bound-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const bulkRows = 500

// personValues returns the stored values of p, encrypted and masked exactly as CreatePerson
// writes them, and sets p's masks.
func (db *DB) personValues(p *org.Person, now int64) []any {
	idEnc, idHash, idMask, phEnc, phHash, tail, phMask := db.secrets(p)
	p.IDNumberMask, p.PhoneMask = idMask, phMask
	return []any{p.OrgID, p.Name, p.NamePinyin, p.NameInitials, p.Gender, p.Ethnicity, p.BirthDate,
		idEnc, idHash, idMask, phEnc, phHash, tail, phMask, p.Education,
		p.WorkUnit, p.Post, p.NativePlace, p.Address, p.Zone, p.Booth, p.Stage, p.AppliedOn, p.ActivistOn, p.TargetOn,
		p.AdmittedOn, p.FullOn, p.Status, joinTags(p.Tags), p.Notes, now, now}
}

// inList returns "(?, ?, ...)" for an IN list of n values; "(NULL)", which matches nothing,
// for none.
func inList(n int) string {
	if n <= 0 {
		return "(NULL)"
	}
	return placeholders(1, n)
}

// placeholders returns "(?, ?, ...), (?, ...)" for rows rows of width values.
func placeholders(rows, width int) string {
	one := "(" + strings.Repeat("?, ", width-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// BulkCreatePeople inserts people in one transaction with multi-row INSERTs, for data
// generators and imports of generated data. The people must already be normalised (pinyin,
// birth date and gender consistent with the ID number); their personal numbers are encrypted,
// indexed and masked exactly as CreatePerson does. The whole batch gets ONE audit record,
// rec, not one per person: rec.After is set to the batch's size and id range. A duplicate ID
// number fails the whole batch with a conflict. On return each person's ID, Version and masks
// are set and the clear numbers are cleared.
func (db *DB) BulkCreatePeople(ctx context.Context, people []*org.Person, rec *audit.Record) error {
	if len(people) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		now := ms(db.Now())
		for start := 0; start < len(people); start += bulkRows {
			chunk := people[start:min(start+bulkRows, len(people))]
			args := make([]any, 0, len(chunk)*peopleInsertWidth)
			for _, p := range chunk {
				args = append(args, db.personValues(p, now)...)
			}
			rows, err := tx.query(ctx, "INSERT INTO people ("+peopleInsertColumns+") VALUES "+
				placeholders(len(chunk), peopleInsertWidth)+" RETURNING id", args...)
			if err != nil {
				return err
			}
			// Neither dialect promises RETURNING order for a multi-row VALUES list, so the new
			// ids are sorted: identity and rowid values are handed out in VALUES order.
			ids, err := scanIDs(rows)
			if err != nil {
				return err
			}
			if len(ids) != len(chunk) {
				return fmt.Errorf("inserted %d rows, got %d ids", len(chunk), len(ids))
			}
			for i, p := range chunk {
				p.ID, p.Version = ids[i], 1
			}
		}
		rec.ObjectID = 0
		rec.After = audit.JSON(struct {
			Count   int
			FirstID int64
			LastID  int64
		}{len(people), people[0].ID, people[len(people)-1].ID})
		return tx.appendAudit(ctx, rec)
	})
	if err != nil {
		return fmt.Errorf("store: bulk create people: %w", err)
	}
	for _, p := range people {
		p.HasIDNumber, p.HasPhone = p.IDNumberMask != "", p.PhoneMask != ""
		p.IDNumber, p.Phone = "", ""
	}
	return nil
}

// BulkCreateOrganizations inserts organizations in one transaction with one audit record for
// the batch. Each organization's ParentID must be set (or zero for a top-level one) and its
// Path must be the parent's path ("/" at the top), as for CreateOrganization; parents must be
// created before their children, in an earlier batch or earlier in the list.
func (db *DB) BulkCreateOrganizations(ctx context.Context, list []*org.Organization, rec *audit.Record) error {
	if len(list) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		now := ms(db.Now())
		for _, o := range list {
			id, err := tx.insert(ctx, `INSERT INTO organizations (parent_id, path, kind, name, unit_name, unit_kind,
				sort_order, term_start, term_end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				nullInt(o.ParentID), "pending", o.Kind, o.Name, o.UnitName, o.UnitKind, o.SortOrder, o.TermStart, o.TermEnd, now, now)
			if err != nil {
				return err
			}
			o.ID, o.Version = id, 1
			o.Path = o.Path + strconv.FormatInt(id, 10) + "/"
			if _, err := tx.exec(ctx, "UPDATE organizations SET path = ? WHERE id = ?", o.Path, id); err != nil {
				return err
			}
		}
		rec.OrgPath = commonPrefix(list)
		rec.After = audit.JSON(struct {
			Count   int
			FirstID int64
			LastID  int64
		}{len(list), list[0].ID, list[len(list)-1].ID})
		return tx.appendAudit(ctx, rec)
	})
	if err != nil {
		return fmt.Errorf("store: bulk create organizations: %w", err)
	}
	return nil
}

// commonPrefix returns the deepest path that every organization of the list lies under.
func commonPrefix(list []*org.Organization) string {
	p := list[0].Path
	for _, o := range list[1:] {
		for !strings.HasPrefix(o.Path, p) {
			p = p[:strings.LastIndex(strings.TrimSuffix(p, "/"), "/")+1]
		}
	}
	return p
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// IDNumberTaken reports whether a person with this (valid, normalised) ID number is on the
// register, by its keyed hash.
func (db *DB) IDNumberTaken(ctx context.Context, idNumber string) (bool, error) {
	var n int
	err := db.readRow(ctx, "SELECT COUNT(*) FROM people WHERE id_number_hash = ?",
		db.sealer.Index("id_number", idNumber)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: id number taken: %w", err)
	}
	return n > 0, nil
}

// ReadSQL returns the read pool (the same as SQL on PostgreSQL), for load tools that compare
// the application with a bare query on the same pool.
func (db *DB) ReadSQL() *sql.DB { return db.read }
