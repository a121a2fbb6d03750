package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// personBriefColumns are the columns of a brief list of people (org.PeopleFilter.Brief): a
// third of personColumns, and a third of the values to read, convert and keep for each row.
const personBriefColumns = `p.id, p.org_id, o.name, o.path, p.name, p.id_number_mask, p.phone_mask, p.zone, p.booth,
	p.stage, p.status`

func scanPerson(row interface{ Scan(...any) error }, extra ...any) (*org.Person, error) {
	return newPersonScanner(extra...).scan(row)
}

// personScanner scans rows of personColumns, and extra columns after them, into people. It
// keeps one list of destinations for all the rows of a query: built for each row, it was most
// of what reading a page of people allocated.
type personScanner struct {
	brief            bool // rows of personBriefColumns
	tags             string
	created, updated int64
	dest             []any
}

func newPersonScanner(extra ...any) *personScanner {
	s := &personScanner{dest: make([]any, personColumnCount, personColumnCount+len(extra))}
	s.dest = append(s.dest, extra...)
	return s
}

// personColumnCount is the number of columns of personColumns.
const personColumnCount = 31

// newBriefScanner returns a scanner of rows of personBriefColumns and extra columns.
func newBriefScanner(extra ...any) *personScanner {
	s := &personScanner{brief: true, dest: make([]any, personBriefColumnCount, personBriefColumnCount+len(extra))}
	s.dest = append(s.dest, extra...)
	return s
}

// personBriefColumnCount is the number of columns of personBriefColumns.
const personBriefColumnCount = 11

func (s *personScanner) scan(row interface{ Scan(...any) error }) (*org.Person, error) {
	p := new(org.Person)
	d := s.dest
	if s.brief {
		d[0], d[1], d[2], d[3], d[4], d[5] = &p.ID, &p.OrgID, &p.OrgName, &p.OrgPath, &p.Name, &p.IDNumberMask
		d[6], d[7], d[8], d[9], d[10] = &p.PhoneMask, &p.Zone, &p.Booth, &p.Stage, &p.Status
		if err := row.Scan(d...); err != nil {
			return nil, err
		}
		p.HasIDNumber, p.HasPhone = p.IDNumberMask != "", p.PhoneMask != ""
		return p, nil
	}
	d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = &p.ID, &p.OrgID, &p.OrgName, &p.OrgPath, &p.Name, &p.NamePinyin, &p.NameInitials, &p.Gender
	d[8], d[9], d[10], d[11], d[12], d[13], d[14] = &p.Ethnicity, &p.BirthDate, &p.IDNumberMask, &p.PhoneMask, &p.Education, &p.WorkUnit, &p.Post
	d[15], d[16], d[17], d[18], d[19], d[20], d[21], d[22] = &p.NativePlace, &p.Address, &p.Zone, &p.Booth, &p.Stage, &p.AppliedOn, &p.ActivistOn, &p.TargetOn
	d[23], d[24], d[25], d[26], d[27], d[28], d[29], d[30] = &p.AdmittedOn, &p.FullOn, &p.Status, &s.tags, &p.Notes, &p.Version, &s.created, &s.updated
	if err := row.Scan(d...); err != nil {
		return nil, err
	}
	p.Tags = splitTags(s.tags)
	p.HasIDNumber, p.HasPhone = p.IDNumberMask != "", p.PhoneMask != ""
	p.CreatedAt, p.UpdatedAt = fromMS(s.created), fromMS(s.updated)
	return p, nil
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
		c, a := db.subtreeOf("path", r)
		ors = append(ors, c)
		args = append(args, a...)
	}
	cond := "(" + strings.Join(ors, " OR ") + ")"
	if f.OrgPath != "" {
		c, a := db.subtreeOf("path", f.OrgPath)
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

// peopleWhere builds the WHERE clause of a people filter on people p. With walk, the scope is
// tested in a form no index of people can serve, which leaves the name index as the planner's
// way to a name-ordered page (see FindPeople): on SQLite on +p.org_id; on PostgreSQL as a
// filter of unknown selectivity (a subquery tested IS TRUE is not turned into a join, and the
// planner takes it to keep half the rows), since PostgreSQL otherwise plans the read of a whole
// scope it believes small, and sorts it.
func (db *DB) peopleWhere(f org.PeopleFilter, walk bool) (string, []any) {
	col := "p.org_id"
	if walk && db.Dialect == SQLite {
		col = "+p.org_id"
	}
	scope, args := db.peopleScope(f, col)
	if walk && db.Dialect == Postgres && scope != "1 = 1" {
		scope = "(" + scope + ") IS TRUE"
	}
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

// FindPeople returns one page of people matching f and the total count, in one statement and
// so one snapshot (on PostgreSQL, one round trip). Without a search or a tag the total comes
// from the counters (org_people_counts), so that a page costs the same on a register of a
// hundred people and of a hundred thousand; with one, the matching rows are counted as they are
// read. An empty page carries no total: it is counted by a second statement.
//
// A name-ordered page whose scope holds a large share of the register is best read by walking
// people_pinyin_order in page order, skipping people out of scope: that reads about
// (offset+limit) / share index entries and stops, where taking the scope's people by
// organization reads and sorts all of them; a small scope is best read by organization and
// sorted. Neither planner can know the share (one branch may hold thousands, its neighbour
// seven), so the statement holds both plans and decides between them itself, from the
// counters, before reading a row: walk when total² ≥ (offset+limit) × register (bothPlans).
// The walking plan tests the scope in a form that leaves the name index as the planners' way
// to the page (peopleWhere). The largest id stands for the size of the register: people are
// never deleted. Nothing here needs a transaction: neither BEGIN nor ROLLBACK is sent.
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
	columns, sc := personColumns, newPersonScanner(&total)
	if f.Brief {
		columns, sc = personBriefColumns, newBriefScanner(&total)
	}
	err := db.readOnce(ctx, func(tx *Tx) error {
		cw, cargs, counted := db.countsWhere(f)
		countSQL := "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS total FROM org_people_counts c WHERE " + cw
		if counted && f.Limit <= 0 {
			return tx.queryRow(ctx, countSQL, cargs...).Scan(&total)
		}
		where, args := db.peopleWhere(f, false)
		bounds, bargs := db.pageBounds(f)
		var q string
		var qargs []any
		switch {
		case !counted:
			q = "SELECT " + columns + ", pg.total FROM (SELECT p.id, " + order.keys + ", COUNT(*) OVER () AS total" +
				" FROM people p WHERE " + where + " ORDER BY " + order.order + bounds + ")"
			qargs = append(append(qargs, args...), bargs...)
		case f.Sort == org.SortName:
			// The total, and the choice of plan made from it once. MATERIALIZED: SQLite would
			// otherwise count once for each reference to t.
			reach, rargs := db.pageNumber(f, f.Offset+f.Limit)
			page, pargs := db.bothPlans(f, order)
			q = "WITH t AS MATERIALIZED (SELECT c.total, c.total * c.total >= " + reach + " * (SELECT COALESCE(MAX(id), 0) FROM people) AS walk" +
				" FROM (" + countSQL + ") c) SELECT " + columns + ", (SELECT total FROM t) FROM (" + page + ")"
			qargs = append(append(append(qargs, rargs...), cargs...), pargs...)
		default:
			q = "WITH t AS MATERIALIZED (" + countSQL + ") SELECT " + columns + ", (SELECT total FROM t) FROM (" +
				"SELECT p.id, " + order.keys + " FROM people p WHERE " + where + " ORDER BY " + order.order + bounds + ")"
			qargs = append(append(append(qargs, cargs...), args...), bargs...)
		}
		// The page's ids are found first on the sort columns alone (on the index when walking),
		// and only its rows are read whole: skipped and sorted rows stay narrow.
		q += " pg CROSS JOIN people p CROSS JOIN organizations o WHERE p.id = pg.id AND o.id = p.org_id ORDER BY " + order.pageOrder
		rows, err := tx.query(ctx, q, qargs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := sc.scan(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case len(out) > 0:
			return nil
		case counted:
			return tx.queryRow(ctx, countSQL, cargs...).Scan(&total)
		case f.Offset > 0:
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

// bothPlans returns the statement of the ids of a counted, name-ordered page as the union of
// its two plans (see FindPeople), which read the choice between them from t.walk, and its
// arguments. The plan that the counters do not choose reads nothing.
func (db *DB) bothPlans(f org.PeopleFilter, order peopleSort) (string, []any) {
	walkWhere, walkArgs := db.peopleWhere(f, true)
	where, args := db.peopleWhere(f, false)
	walk := "(SELECT walk FROM t)"
	page := "SELECT p.id, " + order.keys + " FROM people p WHERE "
	limit, largs := db.pageNumber(f, f.Limit)
	offset, oargs := db.pageNumber(f, f.Offset)
	sorted := "SELECT * FROM (" + page + where + " ORDER BY "
	var walking string
	if db.Dialect == Postgres {
		// The walking plan is turned off by a one-time filter. The sorting plan is turned off by
		// its LIMIT instead, and so is never started: a one-time filter would sit below the
		// Gather of a parallel plan, whose workers start before it. Its outer LIMIT, written
		// in, tells the planner how few rows to expect (it prices an unknown LIMIT at a tenth
		// of the rows, and would join the page's rows by scanning people). It orders by an
		// expression that no index holds, or the plan kept for every scope (pageNumber) would
		// walk the name index, as the other does.
		walking = walkWhere + " AND " + walk + " ORDER BY " + order.order + " LIMIT " + limit + " OFFSET " + offset
		sorted = "(" + sorted + "p.name_pinyin || '', p.id LIMIT CASE WHEN " + walk + " THEN 0 ELSE " + limit +
			" END OFFSET " + offset + ") s LIMIT " + strconv.Itoa(f.Limit) + ")"
	} else {
		// SQLite tests a condition holding a subquery on every row; a LIMIT of 0 reads none.
		walking = walkWhere + " ORDER BY " + order.order + " LIMIT CASE WHEN " + walk + " THEN " + limit + " ELSE 0 END OFFSET " + offset
		sorted += order.order + " LIMIT CASE WHEN " + walk + " THEN 0 ELSE " + limit + " END OFFSET " + offset + ") s"
	}
	// Both forms take their arguments in the same order.
	var out []any
	for _, a := range [][]any{walkArgs, largs, oargs, args, largs, oargs} {
		out = append(out, a...)
	}
	return "SELECT * FROM (" + page + walking + ") w UNION ALL " + sorted, out
}

// pageBounds returns the LIMIT and OFFSET of a page (see pageNumber).
func (db *DB) pageBounds(f org.PeopleFilter) (string, []any) {
	l, largs := db.pageNumber(f, f.Limit)
	o, oargs := db.pageNumber(f, f.Offset)
	return " LIMIT " + l + " OFFSET " + o, append(largs, oargs...)
}

// pageNumber returns a number of the page of f (its limit, offset, or their sum) as a
// placeholder and its argument, or written into the statement. SQLite binds them, so that
// every page of a filter is one cached statement. PostgreSQL plans a statement whose LIMIT or
// OFFSET is a parameter again at each execution (it prices the generic plan for an unknown
// tenth of the rows, and so prefers a custom one: 1 to 2 ms, more than running the
// statement), while a statement without such parameters is planned once per connection,
// prepared and kept by pgx. So the first page of a filter, which is most of what people open,
// has its numbers written in, and deeper pages keep parameters: each filter then prepares one
// statement per connection, not one per page (each keeps some 300 kB of plan in its
// PostgreSQL backend).
func (db *DB) pageNumber(f org.PeopleFilter, n int) (string, []any) {
	if db.Dialect == Postgres && f.Offset == 0 {
		return strconv.Itoa(n), nil
	}
	return "?", []any{n}
}

// subtreeOf returns the condition that the path column col lies in the subtree of prefix, a
// path ending in '/'. On PostgreSQL it is a range in byte order, which the text_pattern_ops
// index serves in a plan made for any value (a LIKE with a bound pattern is served only by
// a plan made for its value: see pageNumber).
func (db *DB) subtreeOf(col, prefix string) (string, []any) {
	if db.Dialect == Postgres {
		return "(" + col + " ~>=~ ? AND " + col + " ~<~ ?)", []any{prefix, prefix[:len(prefix)-1] + "0"}
	}
	return db.underPath(col, prefix)
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
