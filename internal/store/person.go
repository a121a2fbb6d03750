package store

import (
	"context"
	"fmt"
	"slices"
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
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		p, err = scanPerson(tx.queryRow(ctx, "SELECT "+personColumns+
			" FROM people p JOIN organizations o ON o.id = p.org_id WHERE p.id = ?", id))
		return err
	})
	return p, err
}

// peopleScope returns the condition that keeps the rows of col (p.org_id or c.org_id) inside
// the filter's subtrees: the roots, and OrgPath within them. Subtrees are matched on the
// organizations' materialized paths, on the small table and its path index, and the people
// or counters are then taken by organization.
func (db *DB) peopleScope(f org.PeopleFilter, col string) (string, []any) {
	var ors []string
	var args []any
	if slices.Contains(f.Roots, "/") && f.OrgPath == "" {
		// The whole register (a system administrator): every organization's path starts so.
		return "1 = 1", nil
	}
	for _, r := range f.Roots {
		c, a := db.underPath("path", r)
		ors = append(ors, c)
		args = append(args, a...)
	}
	cond := "(" + strings.Join(ors, " OR ") + ")"
	if f.OrgPath != "" {
		c, a := db.underPath("path", f.OrgPath)
		cond += " AND " + c
		args = append(args, a...)
	}
	return col + " IN (SELECT id FROM organizations WHERE " + cond + ")", args
}

// stageWhere adds the stage, member and status conditions of a filter on the table alias t
// (people p, or the counters c, which carry the same two columns).
func stageWhere(f org.PeopleFilter, t string, where []string, args []any) ([]string, []any) {
	if f.Stage != "" {
		where = append(where, t+".stage = ?")
		args = append(args, f.Stage)
	}
	if f.Members {
		where = append(where, t+".stage IN ('full', 'probationary')")
	}
	if f.Status != "" {
		where = append(where, t+".status = ?")
		args = append(args, f.Status)
	}
	return where, args
}

// peopleWhere builds the WHERE clause of a people filter on people p; scopeCol is p.org_id,
// or an expression of it (see peopleWalkCol).
func (db *DB) peopleWhere(f org.PeopleFilter, scopeCol string) (string, []any) {
	scope, args := db.peopleScope(f, scopeCol)
	where := []string{scope}
	if q := f.Query; q != "" {
		lower := strings.ToLower(q)
		byName, a1 := db.contains("p.name", q)
		byInitials, a2 := db.startsWith("p.name_initials", lower)
		byPinyin, a3 := db.startsWith("p.name_pinyin", lower)
		cond := "(" + byName + " OR " + byInitials + " OR " + byPinyin
		args = append(append(append(args, a1...), a2...), a3...)
		if isDigits(q) && len(q) == 4 {
			cond += " OR p.phone_tail = ?"
			args = append(args, q)
		}
		where = append(where, cond+")")
	}
	where, args = stageWhere(f, "p", where, args)
	if f.Tag != "" {
		c, a := db.contains("p.tags", ","+f.Tag+",")
		where = append(where, c)
		args = append(args, a...)
	}
	return strings.Join(where, " AND "), args
}

// countsWhere builds the same filter on the counters org_people_counts c. ok is false when
// the filter has a search or a tag, which only the people rows can answer.
func (db *DB) countsWhere(f org.PeopleFilter) (where string, args []any, ok bool) {
	if f.Query != "" || f.Tag != "" {
		return "", nil, false
	}
	scope, args := db.peopleScope(f, "c.org_id")
	list, args := stageWhere(f, "c", []string{scope}, args)
	return strings.Join(list, " AND "), args, true
}

// peopleOrder maps a sort name to SQL from a fixed list; user input never reaches ORDER BY.
var peopleOrder = map[string]peopleSort{
	org.SortName:    {"p.name_pinyin", "p.name_pinyin, p.id", "pg.name_pinyin, pg.id"},
	org.SortNewest:  {"p.created_at", "p.created_at DESC, p.id DESC", "pg.created_at DESC, pg.id DESC"},
	org.SortUpdated: {"p.updated_at", "p.updated_at DESC, p.id DESC", "pg.updated_at DESC, pg.id DESC"},
	org.SortStage:   {"p.stage, p.name_pinyin", stageOrder("p"), stageOrder("pg")},
}

// peopleSort is one order of the people list: the columns it sorts on, and its ORDER BY on
// people p and on the page of ids pg.
type peopleSort struct{ keys, order, pageOrder string }

func stageOrder(t string) string {
	return `CASE ` + t + `.stage WHEN 'full' THEN 1 WHEN 'probationary' THEN 2 WHEN 'development_target' THEN 3
		WHEN 'activist' THEN 4 WHEN 'applicant' THEN 5 ELSE 6 END, ` + t + `.name_pinyin, ` + t + `.id`
}

// walkPageOrder readies a name-ordered page whose scope holds a large share of the register
// to be read by walking people_pinyin_order in page order, skipping people out of scope: that
// reads about (offset+limit) / share index entries and stops, where taking the scope's people
// by organization reads and sorts all of them. Neither planner can know the share (one branch
// may hold thousands, its neighbour seven), so FindPeople decides from the counters and steers
// the planner here: SQLite with a unary plus that keeps it from answering the scope through
// people_org_name, PostgreSQL by disabling explicit sorts (and parallel workers, of no use to a
// page of 20) for this transaction only. It returns the scope column to filter on.
func (tx *Tx) walkPageOrder(ctx context.Context) (string, error) {
	if tx.db.Dialect == SQLite {
		return "+p.org_id", nil
	}
	_, err := tx.exec(ctx, "SELECT set_config('enable_sort', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)")
	return "p.org_id", err
}

// FindPeople returns one page of people matching f and the total count. Without a search or
// a tag the total comes from the counters (org_people_counts), so that a page costs the same
// on a register of a hundred people and of a hundred thousand; with one, the matching rows are
// counted as they are read.
func (db *DB) FindPeople(ctx context.Context, f org.PeopleFilter) ([]*org.Person, int, error) {
	if len(f.Roots) == 0 {
		return nil, 0, nil
	}
	order, ok := peopleOrder[f.Sort]
	if !ok {
		f.Sort, order = org.SortName, peopleOrder[org.SortName]
	}
	var out []*org.Person
	total := 0
	err := db.readTx(ctx, func(tx *Tx) error {
		scopeCol := "p.org_id"
		cw, cargs, counted := db.countsWhere(f)
		if counted {
			var all int64
			if err := tx.queryRow(ctx, "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT), "+
				"(SELECT COALESCE(MAX(id), 0) FROM people) FROM org_people_counts c WHERE "+cw, cargs...).Scan(&total, &all); err != nil {
				return err
			}
			if total == 0 || f.Offset >= total || f.Limit <= 0 {
				return nil
			}
			// The largest id stands for the size of the register: people are never deleted.
			if f.Sort == org.SortName && int64(total)*int64(total) >= int64(f.Offset+f.Limit)*all {
				var err error
				if scopeCol, err = tx.walkPageOrder(ctx); err != nil {
					return err
				}
			}
		}
		where, args := db.peopleWhere(f, scopeCol)
		// The page's ids are found first on the sort columns alone (on the index when walking),
		// and only its rows are read whole: skipped and sorted rows stay narrow.
		page := "SELECT p.id, " + order.keys
		cols := personColumns
		if !counted {
			page += ", COUNT(*) OVER () AS total"
			cols += ", pg.total"
		}
		// LIMIT and OFFSET are bound, so that every page of a filter is one cached statement.
		page += " FROM people p WHERE " + where + " ORDER BY " + order.order + " LIMIT ? OFFSET ?"
		q := "SELECT " + cols + " FROM (" + page + ") pg CROSS JOIN people p CROSS JOIN organizations o" +
			" WHERE p.id = pg.id AND o.id = p.org_id ORDER BY " + order.pageOrder
		rows, err := tx.query(ctx, q, append(args[:len(args):len(args)], f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var extra []any
		if !counted {
			extra = []any{&total}
		}
		for rows.Next() {
			p, err := scanPerson(rows, extra...)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !counted && len(out) == 0 && f.Offset > 0 {
			// Past the last page: count separately so the pager can still show the total.
			return tx.queryRow(ctx, "SELECT COUNT(*) FROM people p WHERE "+where, args...).Scan(&total)
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

// CountPeople counts the people of each stage, and "total", under the roots, from the
// counters.
func (db *DB) CountPeople(ctx context.Context, roots []string) (map[string]int, error) {
	counts := map[string]int{}
	if len(roots) == 0 {
		return counts, nil
	}
	where, args, _ := db.countsWhere(org.PeopleFilter{Roots: roots, Status: org.StatusNormal})
	rows, err := db.readQuery(ctx, "SELECT c.stage, CAST(SUM(c.n) AS BIGINT) FROM org_people_counts c WHERE "+
		where+" GROUP BY c.stage", args...)
	if err != nil {
		return nil, fmt.Errorf("store: count people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, fmt.Errorf("store: count people: %w", err)
		}
		if n > 0 {
			counts[stage] = n
			counts["total"] += n
		}
	}
	return counts, rows.Err()
}
