package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
)

const personColumns = `p.id, p.org_id, o.name, o.path, p.name, p.name_pinyin, p.name_initials, p.gender, p.ethnicity,
	p.birth_date, p.id_number_mask, p.phone_mask, p.education, p.work_unit, p.post, p.native_place, p.address,
	p.zone, p.booth, p.stage, p.applied_on, p.activist_on, p.target_on, p.admitted_on, p.full_on, p.status,
	p.tags, p.notes, p.version, p.created_at, p.updated_at`

func scanPerson(row interface{ Scan(...any) error }, extra ...any) (*org.Person, error) {
	var p org.Person
	var tags string
	var created, updated int64
	dest := append([]any{&p.ID, &p.OrgID, &p.OrgName, &p.OrgPath, &p.Name, &p.NamePinyin, &p.NameInitials, &p.Gender,
		&p.Ethnicity, &p.BirthDate, &p.IDNumberMask, &p.PhoneMask, &p.Education, &p.WorkUnit, &p.Post,
		&p.NativePlace, &p.Address, &p.Zone, &p.Booth, &p.Stage, &p.AppliedOn, &p.ActivistOn, &p.TargetOn,
		&p.AdmittedOn, &p.FullOn, &p.Status, &tags, &p.Notes, &p.Version, &created, &updated}, extra...)
	err := row.Scan(dest...)
	if err != nil {
		return nil, err
	}
	p.Tags = splitTags(tags)
	p.HasIDNumber, p.HasPhone = p.IDNumberMask != "", p.PhoneMask != ""
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// Tags are stored as ",a,b," so that one tag is found with LIKE '%,a,%'.
func joinTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

func splitTags(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FindPersonByID returns one person with the masks of their numbers.
func (db *DB) FindPersonByID(ctx context.Context, id int64) (*org.Person, error) {
	var p *org.Person
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = scanPerson(tx.queryRow(ctx, "SELECT "+personColumns+
			" FROM people p JOIN organizations o ON o.id = p.org_id WHERE p.id = ?", id))
		return err
	})
	return p, err
}

// peopleWhere builds the WHERE clause of a people filter. Subtrees are matched on the
// organization's materialized path.
func peopleWhere(f org.PeopleFilter) (string, []any) {
	var where []string
	var args []any
	var ors []string
	for _, r := range f.Roots {
		ors = append(ors, "o.path LIKE ? ESCAPE '\\'")
		args = append(args, likeEscape(r)+"%")
	}
	where = append(where, "("+strings.Join(ors, " OR ")+")")
	if f.OrgPath != "" {
		where = append(where, "o.path LIKE ? ESCAPE '\\'")
		args = append(args, likeEscape(f.OrgPath)+"%")
	}
	if q := f.Query; q != "" {
		lower := strings.ToLower(q)
		cond := "(p.name LIKE ? ESCAPE '\\' OR p.name_initials LIKE ? ESCAPE '\\' OR p.name_pinyin LIKE ? ESCAPE '\\'"
		args = append(args, "%"+likeEscape(q)+"%", likeEscape(lower)+"%", likeEscape(lower)+"%")
		if isDigits(q) && len(q) == 4 {
			cond += " OR p.phone_tail = ?"
			args = append(args, q)
		}
		where = append(where, cond+")")
	}
	if f.Stage != "" {
		where = append(where, "p.stage = ?")
		args = append(args, f.Stage)
	}
	if f.Members {
		where = append(where, "p.stage IN ('full', 'probationary')")
	}
	if f.Status != "" {
		where = append(where, "p.status = ?")
		args = append(args, f.Status)
	}
	if f.Tag != "" {
		where = append(where, "p.tags LIKE ? ESCAPE '\\'")
		args = append(args, "%,"+likeEscape(f.Tag)+",%")
	}
	return strings.Join(where, " AND "), args
}

// peopleOrder maps a sort name to SQL from a fixed list; user input never reaches ORDER BY.
var peopleOrder = map[string]string{
	org.SortName:    "p.name_pinyin, p.id",
	org.SortNewest:  "p.created_at DESC, p.id DESC",
	org.SortUpdated: "p.updated_at DESC, p.id DESC",
	org.SortStage: `CASE p.stage WHEN 'full' THEN 1 WHEN 'probationary' THEN 2 WHEN 'development_target' THEN 3
		WHEN 'activist' THEN 4 WHEN 'applicant' THEN 5 ELSE 6 END, p.name_pinyin, p.id`,
}

// FindPeople returns one page of people matching f and the total count.
func (db *DB) FindPeople(ctx context.Context, f org.PeopleFilter) ([]*org.Person, int, error) {
	if len(f.Roots) == 0 {
		return nil, 0, nil
	}
	where, args := peopleWhere(f)
	order, ok := peopleOrder[f.Sort]
	if !ok {
		order = peopleOrder[org.SortName]
	}
	q := "SELECT " + personColumns + ", COUNT(*) OVER () FROM people p JOIN organizations o ON o.id = p.org_id WHERE " +
		where + " ORDER BY " + order + fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	var out []*org.Person
	total := 0
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p *org.Person
			p, err = scanPerson(rows, &total)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 && f.Offset > 0 {
			// Past the last page: count separately so the pager can still show the total.
			return tx.queryRow(ctx, "SELECT COUNT(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE "+where, args...).Scan(&total)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find people: %w", err)
	}
	return out, total, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// secrets returns the stored columns of a person's personal numbers.
func (db *DB) secrets(p *org.Person) (idEnc []byte, idHash any, idMask string, phEnc []byte, phHash any, tail, phMask string) {
	if p.IDNumber != "" {
		idEnc = db.sealer.Seal("id_number", p.IDNumber)
		idHash = db.sealer.Index("id_number", p.IDNumber)
		idMask = pii.MaskIDNumber(p.IDNumber)
	}
	if p.Phone != "" {
		phEnc = db.sealer.Seal("phone", p.Phone)
		phHash = db.sealer.Index("phone", p.Phone)
		tail, phMask = pii.PhoneTail(p.Phone), pii.MaskPhone(p.Phone)
	}
	return
}

// CreatePerson inserts a person, encrypting the ID number and phone. A second person with the
// same ID number is a conflict.
func (db *DB) CreatePerson(ctx context.Context, p *org.Person, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.createPerson(ctx, p, rec) })
}

func (tx *Tx) createPerson(ctx context.Context, p *org.Person, rec *audit.Record) error {
	idEnc, idHash, idMask, phEnc, phHash, tail, phMask := tx.db.secrets(p)
	now := ms(tx.db.Now())
	id, err := tx.insert(ctx, `INSERT INTO people (org_id, name, name_pinyin, name_initials, gender, ethnicity, birth_date,
		id_number_enc, id_number_hash, id_number_mask, phone_enc, phone_hash, phone_tail, phone_mask, education,
		work_unit, post, native_place, address, zone, booth, stage, applied_on, activist_on, target_on, admitted_on,
		full_on, status, tags, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.OrgID, p.Name, p.NamePinyin, p.NameInitials, p.Gender, p.Ethnicity, p.BirthDate,
		idEnc, idHash, idMask, phEnc, phHash, tail, phMask, p.Education,
		p.WorkUnit, p.Post, p.NativePlace, p.Address, p.Zone, p.Booth, p.Stage, p.AppliedOn, p.ActivistOn, p.TargetOn,
		p.AdmittedOn, p.FullOn, p.Status, joinTags(p.Tags), p.Notes, now, now)
	if err != nil {
		if mapped := mapErr(err); apperr.KindOf(mapped) == apperr.Conflict {
			return &apperr.Error{Kind: apperr.Conflict, Key: "error.invalid_form", Fields: map[string]string{"id_number": "error.id_duplicate"}}
		}
		return fmt.Errorf("store: create person: %w", err)
	}
	p.ID, p.Version = id, 1
	p.IDNumberMask, p.PhoneMask = idMask, phMask
	p.HasIDNumber, p.HasPhone = idMask != "", phMask != ""
	p.IDNumber, p.Phone = "", ""
	rec.ObjectID, rec.PersonID = id, id
	return tx.appendAudit(ctx, rec)
}

// UpdatePerson saves a person if the version is unchanged; personal numbers are replaced
// unless KeepIDNumber or KeepPhone is set.
func (db *DB) UpdatePerson(ctx context.Context, p *org.Person, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		idEnc, idHash, idMask, phEnc, phHash, tail, phMask := db.secrets(p)
		set := `org_id = ?, name = ?, name_pinyin = ?, name_initials = ?, gender = ?, ethnicity = ?, birth_date = ?,
			education = ?, work_unit = ?, post = ?, native_place = ?, address = ?, zone = ?, booth = ?, stage = ?,
			applied_on = ?, activist_on = ?, target_on = ?, admitted_on = ?, full_on = ?, status = ?, tags = ?, notes = ?,
			updated_at = ?, version = version + 1`
		args := []any{p.OrgID, p.Name, p.NamePinyin, p.NameInitials, p.Gender, p.Ethnicity, p.BirthDate,
			p.Education, p.WorkUnit, p.Post, p.NativePlace, p.Address, p.Zone, p.Booth, p.Stage,
			p.AppliedOn, p.ActivistOn, p.TargetOn, p.AdmittedOn, p.FullOn, p.Status, joinTags(p.Tags), p.Notes, ms(db.Now())}
		if !p.KeepIDNumber {
			set += ", id_number_enc = ?, id_number_hash = ?, id_number_mask = ?"
			args = append(args, idEnc, idHash, idMask)
		}
		if !p.KeepPhone {
			set += ", phone_enc = ?, phone_hash = ?, phone_tail = ?, phone_mask = ?"
			args = append(args, phEnc, phHash, tail, phMask)
		}
		args = append(args, p.ID, p.Version)
		err := tx.updateVersioned(ctx, "UPDATE people SET "+set+" WHERE id = ? AND version = ?", args...)
		if err != nil {
			if mapped := mapErr(err); apperr.KindOf(mapped) == apperr.Conflict && mapped != apperr.ErrStale {
				return &apperr.Error{Kind: apperr.Conflict, Key: "error.invalid_form", Fields: map[string]string{"id_number": "error.id_duplicate"}}
			}
			return err
		}
		p.Version++
		p.IDNumber, p.Phone = "", ""
		rec.ObjectID = p.ID
		return tx.appendAudit(ctx, rec)
	})
}

// RevealPerson decrypts one personal number and writes the audit record of the reveal in the
// same transaction: no record, no reveal.
func (db *DB) RevealPerson(ctx context.Context, id int64, field string, rec *audit.Record) (string, error) {
	col := map[string]string{"id_number": "id_number_enc", "phone": "phone_enc"}[field]
	if col == "" {
		return "", fmt.Errorf("store: reveal: unknown field %q", field)
	}
	var clear string
	err := db.inTx(ctx, func(tx *Tx) error {
		var sealed []byte
		if err := tx.queryRow(ctx, "SELECT "+col+" FROM people WHERE id = ?", id).Scan(&sealed); err != nil {
			return err
		}
		var err error
		if clear, err = db.sealer.Open(field, sealed); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
	return clear, err
}

// CountPeople counts the people of each stage, and "total", under the roots.
func (db *DB) CountPeople(ctx context.Context, roots []string) (map[string]int, error) {
	where, args := peopleWhere(org.PeopleFilter{Roots: roots, Status: org.StatusNormal})
	counts := map[string]int{}
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT p.stage, COUNT(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE "+
			where+" GROUP BY p.stage", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var stage string
			var n int
			if err := rows.Scan(&stage, &n); err != nil {
				return err
			}
			counts[stage] = n
			counts["total"] += n
		}
		return rows.Err()
	})
	return counts, err
}

// RevealPeople decrypts the personal numbers of many people for an export and writes the
// export's audit record in the same transaction.
func (db *DB) RevealPeople(ctx context.Context, ids []int64, rec *audit.Record) (map[int64]org.Secrets, error) {
	out := make(map[int64]org.Secrets, len(ids))
	err := db.inTx(ctx, func(tx *Tx) error {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := tx.query(ctx, "SELECT id, id_number_enc, phone_enc FROM people WHERE id IN (?"+
				strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var idEnc, phEnc []byte
				if err := rows.Scan(&id, &idEnc, &phEnc); err != nil {
					rows.Close()
					return err
				}
				var s org.Secrets
				if s.IDNumber, err = db.sealer.Open("id_number", idEnc); err != nil {
					rows.Close()
					return err
				}
				if s.Phone, err = db.sealer.Open("phone", phEnc); err != nil {
					rows.Close()
					return err
				}
				out[id] = s
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, rec)
	})
	return out, err
}
