package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/pii"
)

// errNotBuilt marks a mass-work method whose body is still being written.
var errNotBuilt = errors.New("store: not built yet")

var _ masswork.Store = (*DB)(nil)

// ---- Categories and holidays ----

const categoryColumns = `c.id, c.org_id, o.path, c.code, c.name_zh, c.name_en, c.description, c.keywords, c.grp,
	c.response_days, c.resolve_days, c.fields, c.active, c.sort_order, c.created_at, c.updated_at, c.version`

const categoryFrom = ` FROM problem_categories c JOIN organizations o ON o.id = c.org_id`

func scanCategory(row interface{ Scan(...any) error }) (*masswork.Category, error) {
	var c masswork.Category
	var fields string
	var created, updated int64
	err := row.Scan(&c.ID, &c.OrgID, &c.OrgPath, &c.Code, &c.NameZh, &c.NameEn, &c.Description, &c.Keywords, &c.Group,
		&c.ResponseDays, &c.ResolveDays, &fields, &c.Active, &c.SortOrder, &created, &updated, &c.Version)
	if err != nil {
		return nil, err
	}
	if fields != "" && fields != "[]" {
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("store: category %d fields: %w", c.ID, err)
		}
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// FindCategories returns the categories that apply somewhere in the given subtrees: those of
// an organization that is an ancestor of a root or the root itself (their categories apply to
// the whole subtree below them) and those of an organization inside a root. Roots ["/"] give
// every category; no roots give none. With activeOnly, retired categories are left out. They
// come in display order (sort order, then id).
func (db *DB) FindCategories(ctx context.Context, roots []string, activeOnly bool) ([]*masswork.Category, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	q := "SELECT " + categoryColumns + categoryFrom
	if activeOnly {
		q += " WHERE c.active = ?"
	}
	q += " ORDER BY c.sort_order, c.id"
	var args []any
	if activeOnly {
		args = append(args, true)
	}
	var out []*masswork.Category
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCategory(rows)
			if err != nil {
				return err
			}
			// Categories are few: the relation of paths is tested here, both ways.
			for _, r := range roots {
				if strings.HasPrefix(r, c.OrgPath) || strings.HasPrefix(c.OrgPath, r) {
					out = append(out, c)
					break
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find categories: %w", err)
	}
	return out, nil
}

// FindCategoryByID returns one category with its organization's path.
func (db *DB) FindCategoryByID(ctx context.Context, id int64) (*masswork.Category, error) {
	var c *masswork.Category
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		c, err = scanCategory(tx.queryRow(ctx, "SELECT "+categoryColumns+categoryFrom+" WHERE c.id = ?", id))
		return err
	})
	return c, err
}

// FindCategoryByCode returns the category of an Open311 service code.
func (db *DB) FindCategoryByCode(ctx context.Context, code string) (*masswork.Category, error) {
	var c *masswork.Category
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		c, err = scanCategory(tx.queryRow(ctx, "SELECT "+categoryColumns+categoryFrom+" WHERE c.code = ?", code))
		return err
	})
	return c, err
}

// SaveCategory creates a category (ID 0) or updates one if its version is still c.Version
// (else apperr.ErrStale). A code another category has is a conflict on the field code.
func (db *DB) SaveCategory(ctx context.Context, c *masswork.Category, rec *audit.Record) error {
	fields := []byte("[]")
	if len(c.Fields) > 0 {
		var err error
		if fields, err = json.Marshal(c.Fields); err != nil {
			return fmt.Errorf("store: category fields: %w", err)
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		args := []any{c.OrgID, c.Code, c.NameZh, c.NameEn, c.Description, c.Keywords, c.Group, c.ResponseDays,
			c.ResolveDays, string(fields), c.Active, c.SortOrder, ms(now)}
		var err error
		if c.ID == 0 {
			var id int64
			id, err = tx.insert(ctx, `INSERT INTO problem_categories (org_id, code, name_zh, name_en, description, keywords,
				grp, response_days, resolve_days, fields, active, sort_order, updated_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, ms(now))...)
			if err == nil {
				c.ID, c.CreatedAt, c.Version = id, now, 1
			}
		} else {
			err = tx.updateVersioned(ctx, `UPDATE problem_categories SET org_id = ?, code = ?, name_zh = ?, name_en = ?,
				description = ?, keywords = ?, grp = ?, response_days = ?, resolve_days = ?, fields = ?, active = ?,
				sort_order = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`, append(args, c.ID, c.Version)...)
			if err == nil {
				c.Version++
			}
		}
		if err != nil {
			if mapped := mapErr(err); apperr.KindOf(mapped) == apperr.Conflict && mapped != apperr.ErrStale {
				return &apperr.Error{Kind: apperr.Conflict, Key: "error.invalid_form", Fields: map[string]string{"code": "matter.error.category_code_taken"}}
			}
			return err
		}
		c.UpdatedAt = now
		return tx.matterAudit(ctx, rec, c.ID)
	})
}

// FindHolidays returns the holidays and worked weekend days from from to to (YYYY-MM-DD, both
// included), by day.
func (db *DB) FindHolidays(ctx context.Context, from, to string) ([]masswork.Holiday, error) {
	var out []masswork.Holiday
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT day, kind, name FROM holidays WHERE day >= ? AND day <= ? ORDER BY day", from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h masswork.Holiday
			if err := rows.Scan(&h.Day, &h.Kind, &h.Name); err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find holidays: %w", err)
	}
	return out, nil
}

// SaveHolidays replaces every day from from to to (both included) with days.
func (db *DB) SaveHolidays(ctx context.Context, days []masswork.Holiday, from, to string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "DELETE FROM holidays WHERE day >= ? AND day <= ?", from, to); err != nil {
			return fmt.Errorf("store: save holidays: %w", err)
		}
		for _, h := range days {
			if _, err := tx.exec(ctx, "INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)", h.Day, h.Kind, h.Name); err != nil {
				return fmt.Errorf("store: save holiday %s: %w", h.Day, mapErr(err))
			}
		}
		return tx.matterAudit(ctx, rec, 0)
	})
}

// matterAudit appends rec, if any, with the object id when the caller left it 0.
func (tx *Tx) matterAudit(ctx context.Context, rec *audit.Record, id int64) error {
	if rec == nil {
		return nil
	}
	if rec.ObjectID == 0 {
		rec.ObjectID = id
	}
	return tx.appendAudit(ctx, rec)
}

// ---- Matters: columns and scanning ----

const matterColumns = `m.id, m.code, m.org_id, o.name, o.path, m.category_id, c.code, c.name_zh, c.name_en, m.title,
	m.summary, m.withheld, m.status, m.zone, m.booth, m.address, m.latitude, m.longitude,
	COALESCE(m.assignee_person_id, 0), m.assignee_name, m.people, m.rank_key, COALESCE(length(m.gram_set), 0) / 4, m.response_due, m.resolve_due,
	m.responded_at, m.accepted_at, m.resolved_at, m.closed_at, m.close_reason, m.reject_reason,
	COALESCE(m.merged_into, 0), COALESCE(mi.code, ''), COALESCE(m.escalated_org_id, 0), COALESCE(eo.name, ''),
	m.escalations, m.round, m.created_at, m.updated_at, m.version`

const matterFrom = ` FROM matters m JOIN organizations o ON o.id = m.org_id
	JOIN problem_categories c ON c.id = m.category_id
	LEFT JOIN organizations eo ON eo.id = m.escalated_org_id
	LEFT JOIN matters mi ON mi.id = m.merged_into`

func scanMatter(row interface{ Scan(...any) error }, extra ...any) (*masswork.Matter, error) {
	var m masswork.Matter
	var lat, lng sql.NullFloat64
	var respDue, resDue, responded, accepted, resolved, closed, created, updated int64
	dest := []any{&m.ID, &m.Code, &m.OrgID, &m.OrgName, &m.OrgPath, &m.CategoryID, &m.CategoryCode, &m.CategoryName,
		&m.CategoryNameEn, &m.Title, &m.Summary, &m.Withheld, &m.Status, &m.Zone, &m.Booth, &m.Address, &lat, &lng,
		&m.AssigneeID, &m.AssigneeName, &m.People, &m.RankKey, &m.Grams, &respDue, &resDue, &responded, &accepted,
		&resolved, &closed, &m.CloseReason, &m.RejectReason, &m.MergedInto, &m.MergedIntoCode, &m.EscalatedOrgID,
		&m.EscalatedOrg, &m.Escalations, &m.Round, &created, &updated, &m.Version}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	m.Latitude, m.Longitude = floatPtr(lat), floatPtr(lng)
	m.ResponseDue, m.ResolveDue, m.RespondedAt, m.AcceptedAt = fromMS(respDue), fromMS(resDue), fromMS(responded), fromMS(accepted)
	m.ResolvedAt, m.ClosedAt, m.CreatedAt, m.UpdatedAt = fromMS(resolved), fromMS(closed), fromMS(created), fromMS(updated)
	return &m, nil
}

// matterList reads the matters a query of matterColumns selects.
func (tx *Tx) matterList(ctx context.Context, q string, args ...any) ([]*masswork.Matter, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*masswork.Matter
	for rows.Next() {
		m, err := scanMatter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// matterSet names the columns a handler may change; matterMutable gives their values.
const matterSet = `org_id = ?, category_id = ?, title = ?, summary = ?, withheld = ?, status = ?, zone = ?, booth = ?,
	address = ?, latitude = ?, longitude = ?, assignee_person_id = ?, assignee_name = ?, response_due = ?,
	resolve_due = ?, responded_at = ?, accepted_at = ?, resolved_at = ?, closed_at = ?, close_reason = ?,
	reject_reason = ?, merged_into = ?, escalated_org_id = ?, escalations = ?, round = ?`

func matterMutable(m *masswork.Matter) []any {
	return []any{m.OrgID, m.CategoryID, m.Title, m.Summary, m.Withheld, m.Status, m.Zone, m.Booth,
		m.Address, nullFloat(m.Latitude), nullFloat(m.Longitude), nullInt(m.AssigneeID), m.AssigneeName, ms(m.ResponseDue),
		ms(m.ResolveDue), ms(m.RespondedAt), ms(m.AcceptedAt), ms(m.ResolvedAt), ms(m.ClosedAt), m.CloseReason,
		m.RejectReason, nullInt(m.MergedInto), nullInt(m.EscalatedOrgID), m.Escalations, m.Round}
}

// matterInsertColumns are the columns a new matter is inserted with; matterInsertRow gives
// their values.
const matterInsertColumns = `org_id, category_id, title, summary, withheld, status, zone, booth,
	address, latitude, longitude, assignee_person_id, assignee_name, response_due, resolve_due, responded_at,
	accepted_at, resolved_at, closed_at, close_reason, reject_reason, merged_into, escalated_org_id, escalations,
	round, code, created_at, updated_at, people, rank_key, gram_set`

const matterInsertWidth = 31

// matterInsertRow gives a new matter's values, with its grams packed (gram_set NULL when
// grams is nil: made from its reports when the similarity index is read).
func matterInsertRow(m *masswork.Matter, grams []int32) []any {
	var set []byte
	if grams != nil {
		set = packGrams(grams)
	}
	return append(matterMutable(m), m.Code, ms(m.CreatedAt), ms(m.UpdatedAt), m.People, m.RankKey, set)
}

// matterInsert inserts a new matter without its grams (people and rank as given: the caller
// counts them after its reports are in, or knows them) and sets its ID, times and version.
func (tx *Tx) matterInsert(ctx context.Context, m *masswork.Matter) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = tx.db.Now()
	}
	m.UpdatedAt = m.CreatedAt
	id, err := tx.insert(ctx, "INSERT INTO matters ("+matterInsertColumns+") VALUES "+placeholders(1, matterInsertWidth),
		matterInsertRow(m, nil)...)
	if err != nil {
		return fmt.Errorf("store: create matter: %w", mapErr(err))
	}
	m.ID, m.Version = id, 1
	return nil
}

// matterUpdate writes the mutable columns of m if its version is still m.Version (else
// apperr.ErrStale), and bumps the version.
func (tx *Tx) matterUpdate(ctx context.Context, m *masswork.Matter) error {
	now := tx.db.Now()
	err := tx.updateVersioned(ctx, "UPDATE matters SET "+matterSet+", updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
		append(matterMutable(m), ms(now), m.ID, m.Version)...)
	if err != nil {
		return err
	}
	m.Version++
	m.UpdatedAt = now
	return nil
}

// matterRecount sets a matter's people and rank key from its reports: the distinct person
// keys, each at the time of its latest report. It also fills them into m when given.
func (tx *Tx) matterRecount(ctx context.Context, id int64, m *masswork.Matter) error {
	rows, err := tx.query(ctx, "SELECT person_key, MAX(created_at) FROM problems WHERE matter_id = ? GROUP BY person_key", id)
	if err != nil {
		return err
	}
	var latest []time.Time
	for rows.Next() {
		var key string
		var at int64
		if err := rows.Scan(&key, &at); err != nil {
			rows.Close()
			return err
		}
		latest = append(latest, fromMS(at))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	people, rank := len(latest), masswork.RankKey(latest)
	if _, err := tx.exec(ctx, "UPDATE matters SET people = ?, rank_key = ? WHERE id = ?", people, rank, id); err != nil {
		return fmt.Errorf("store: recount matter: %w", err)
	}
	if m != nil {
		m.People, m.RankKey = people, rank
	}
	return nil
}

func matterDistinct(grams []int32) []int32 {
	out := slices.Clone(grams)
	slices.Sort(out)
	return slices.Compact(out)
}

// matterEventColumns are the columns of an event as matterEventArgs gives their values.
const matterEventColumns = "matter_id, kind, public, body, from_status, to_status, by_user, by_name, at, due"

func matterEventArgs(args []any, ev *masswork.Event) []any {
	return append(args, ev.MatterID, ev.Kind, ev.Public, ev.Body, ev.FromStatus, ev.ToStatus, nullInt(ev.ByUser), ev.ByName,
		ms(ev.At), ms(ev.Due))
}

// matterEvents inserts events; an event without a matter goes to defaultID.
func (tx *Tx) matterEvents(ctx context.Context, defaultID int64, evs ...*masswork.Event) error {
	for _, ev := range evs {
		if ev == nil {
			continue
		}
		if ev.MatterID == 0 {
			ev.MatterID = defaultID
		}
		if ev.At.IsZero() {
			ev.At = tx.db.Now()
		}
		id, err := tx.insert(ctx, "INSERT INTO matter_events ("+matterEventColumns+") VALUES "+placeholders(1, 10),
			matterEventArgs(nil, ev)...)
		if err != nil {
			return fmt.Errorf("store: matter event: %w", err)
		}
		ev.ID = id
	}
	return nil
}

// matterEventRows inserts events of distinct matters (each with its matter and time set) in
// one statement and sets their IDs.
func (tx *Tx) matterEventRows(ctx context.Context, evs []*masswork.Event) error {
	if len(evs) == 0 {
		return nil
	}
	args := make([]any, 0, 10*len(evs))
	for _, ev := range evs {
		args = matterEventArgs(args, ev)
	}
	rows, err := tx.query(ctx, "INSERT INTO matter_events ("+matterEventColumns+") VALUES "+placeholders(len(evs), 10)+
		" RETURNING id, matter_id", args...)
	if err != nil {
		return fmt.Errorf("store: matter event: %w", err)
	}
	defer rows.Close()
	ids := map[int64]int64{}
	for rows.Next() {
		var id, matter int64
		if err := rows.Scan(&id, &matter); err != nil {
			return err
		}
		ids[matter] = id
	}
	for _, ev := range evs {
		ev.ID = ids[ev.MatterID]
	}
	return rows.Err()
}

// ---- Intake ----

// matterPhone returns the stored form of a phone: normalised as the people's phones are
// (pii.ParsePhone; a number it refuses is kept as typed, trimmed), sealed under the field
// "phone", its keyed hash (the people's phone_hash) and its mask.
func (db *DB) matterPhone(phone string) (norm string, enc []byte, hash, mask string) {
	norm = strings.TrimSpace(phone)
	if p, err := pii.ParsePhone(phone); err == nil {
		norm = p
	}
	if norm == "" {
		return "", nil, "", ""
	}
	return norm, db.sealer.Seal("phone", norm), db.sealer.Index("phone", norm), pii.MaskPhone(norm)
}

// matterProblemRow prepares a report for its INSERT, deciding its person key (who counts as
// one person): the caller's; else, for a contact on the register, h:<the keyed hash of their
// phone> when the register has one, else p:<person id>; else, for a report that is not
// anonymous with a phone, h:<the phone's keyed hash>; else r:<report code>. A phone typed on
// the public form is never matched to a person on the register (anyone may type anyone's
// number); it only makes two reports with the same phone count as one person. It returns the
// row's values (problemInsertColumns); the phone goes in sealed. p.Phone stays
// as given until the write is committed (matterSealed), so that a transaction tried again
// seals it again.
func (tx *Tx) matterProblemRow(ctx context.Context, p *masswork.Problem) ([]any, error) {
	_, enc, hash, mask := tx.db.matterPhone(p.Phone)
	if p.PersonKey == "" {
		switch {
		case p.PersonID != 0:
			var known sql.NullString
			err := tx.queryRow(ctx, "SELECT phone_hash FROM people WHERE id = ?", p.PersonID).Scan(&known)
			switch {
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return nil, fmt.Errorf("store: problem person: %w", err)
			case known.String != "":
				p.PersonKey = "h:" + known.String
			default:
				p.PersonKey = fmt.Sprintf("p:%d", p.PersonID)
			}
		case !p.Anonymous && hash != "":
			p.PersonKey = "h:" + hash
		default:
			p.PersonKey = "r:" + p.Code
		}
	}
	if p.Kind == "" {
		p.Kind = masswork.KindReport
	}
	if p.OriginalMatterID == 0 {
		p.OriginalMatterID = p.MatterID
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = tx.db.Now()
	}
	attrs := []byte("{}")
	if len(p.Attributes) > 0 {
		var err error
		if attrs, err = json.Marshal(p.Attributes); err != nil {
			return nil, fmt.Errorf("store: problem attributes: %w", err)
		}
	}
	return []any{p.MatterID, p.OriginalMatterID, p.Code, p.SecretHash, p.Kind, p.Channel, p.CategoryID, p.Description,
		string(attrs), p.Zone, p.Booth, p.Address, nullFloat(p.Latitude), nullFloat(p.Longitude), p.Anonymous,
		nullInt(p.PersonID), p.ReporterName, nullBytes(enc), mask, p.Email, p.PersonKey, nullInt(p.VisitID),
		nullInt(p.CreatedBy), p.CreatedByName, ms(p.CreatedAt)}, nil
}

const problemInsertColumns = `matter_id, original_matter_id, code, secret_hash, kind, channel,
	category_id, description, attributes, zone, booth, address, latitude, longitude, anonymous, person_id,
	reporter_name, phone_enc, phone_mask, email, person_key, visit_id, created_by, created_by_name, created_at`

const problemInsertWidth = 25

// matterInsertProblem inserts a report into its matter (matterProblemRow) and sets its ID.
func (tx *Tx) matterInsertProblem(ctx context.Context, p *masswork.Problem) error {
	row, err := tx.matterProblemRow(ctx, p)
	if err != nil {
		return err
	}
	id, err := tx.insert(ctx, "INSERT INTO problems ("+problemInsertColumns+") VALUES "+placeholders(1, problemInsertWidth), row...)
	if err != nil {
		return fmt.Errorf("store: create problem: %w", mapErr(err))
	}
	p.ID = id
	return nil
}

// matterSealed clears a written report's clear phone, keeping its mask.
func (db *DB) matterSealed(p *masswork.Problem) {
	mask := ""
	if p.Phone != "" {
		_, _, _, mask = db.matterPhone(p.Phone)
	}
	p.Phone, p.PhoneMask, p.HasPhone = "", mask, mask != ""
}

// CreateMatter inserts a matter with its first report, its submitted event and the grams of
// the report's text, with its people (one) and rank. m.ID, p.ID, p.MatterID and
// p.OriginalMatterID are set; the event goes to the new matter. Times left zero are the
// store's clock.
//
// New matters that arrive together are written together (groupCommit, createMatters): the
// public form under load files many reports a second, and each would otherwise wait for its
// own commit and its own turn at the audit chain's lock.
func (db *DB) CreateMatter(ctx context.Context, m *masswork.Matter, p *masswork.Problem, grams []int32, ev *masswork.Event, rec *audit.Record) error {
	it := &newMatter{m: m, p: p, grams: matterDistinct(grams), ev: ev, rec: rec, recObject: rec != nil && rec.ObjectID == 0}
	if err := db.newMatters.do(ctx, db, it, maxMatterBatch, db.createMatters); err != nil {
		return err
	}
	db.matterSealed(p)
	return nil
}

// newMatter is a matter waiting in the group commit.
type newMatter struct {
	m         *masswork.Matter
	p         *masswork.Problem
	grams     []int32
	ev        *masswork.Event
	rec       *audit.Record
	recObject bool // the audit record's object is the new matter
}

// maxMatterBatch bounds one transaction of new matters (a matter's row has 31 values, its
// report's 25: well under both databases' limits on a statement's parameters).
const maxMatterBatch = 64

// createMatters writes a batch of new matters in one transaction (the group commit's write).
func (db *DB) createMatters(ctx context.Context, batch []*newMatter) error {
	return db.inTx(ctx, func(tx *Tx) error { return createMatters(ctx, tx, batch) })
}

// createMatters writes a batch of new matters in five statements whatever their number: the
// matters with their grams, their reports (both returning their IDs by their unique codes),
// their events and the audit records; and a read of the register for reports made for a
// person on it.
func createMatters(ctx context.Context, tx *Tx, batch []*newMatter) error {
	now := tx.db.Now()
	rows := make([]any, 0, len(batch)*matterInsertWidth)
	for _, it := range batch {
		m := it.m
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		if it.p.CreatedAt.IsZero() {
			it.p.CreatedAt = m.CreatedAt
		}
		m.UpdatedAt, m.Version = m.CreatedAt, 1
		m.People, m.RankKey, m.Grams = 1, masswork.RankKey([]time.Time{it.p.CreatedAt}), len(it.grams)
		rows = append(rows, matterInsertRow(m, it.grams)...)
	}
	ids, err := tx.insertCoded(ctx, "INSERT INTO matters ("+matterInsertColumns+") VALUES "+placeholders(len(batch), matterInsertWidth), rows)
	if err != nil {
		return fmt.Errorf("store: create matter: %w", mapErr(err))
	}
	rows = rows[:0]
	for _, it := range batch {
		m, p := it.m, it.p
		m.ID = ids[m.Code]
		p.MatterID, p.OriginalMatterID, p.MatterCode = m.ID, m.ID, m.Code
		if p.CategoryID == 0 {
			p.CategoryID = m.CategoryID
		}
		row, err := tx.matterProblemRow(ctx, p)
		if err != nil {
			return err
		}
		rows = append(rows, row...)
	}
	if ids, err = tx.insertCoded(ctx, "INSERT INTO problems ("+problemInsertColumns+") VALUES "+placeholders(len(batch), problemInsertWidth), rows); err != nil {
		return fmt.Errorf("store: create problem: %w", mapErr(err))
	}
	var evs []*masswork.Event
	var recs []*audit.Record
	for _, it := range batch {
		it.p.ID = ids[it.p.Code]
		if it.ev != nil {
			it.ev.MatterID = it.m.ID
			if it.ev.At.IsZero() {
				it.ev.At = it.m.CreatedAt
			}
			evs = append(evs, it.ev)
		}
		if it.rec != nil {
			if it.recObject {
				it.rec.ObjectID = it.m.ID
			}
			recs = append(recs, it.rec)
		}
	}
	if err := tx.matterEventRows(ctx, evs); err != nil {
		return err
	}
	return tx.appendAudits(ctx, recs)
}

// insertCoded runs a multi-row INSERT of rows that each have a unique code and returns the new
// IDs by code (the order of RETURNING rows is not promised).
func (tx *Tx) insertCoded(ctx context.Context, q string, args []any) (map[string]int64, error) {
	rows, err := tx.query(ctx, q+" RETURNING id, code", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		ids[code] = id
	}
	return ids, rows.Err()
}

// matterLock reads a matter's status and category, locking its row on PostgreSQL so that a
// report added and a merge or split of the same matter happen one after the other. (SQLite
// has one writer at a time anyway.)
func (tx *Tx) matterLock(ctx context.Context, id int64) (status string, categoryID int64, round int, err error) {
	q := "SELECT status, category_id, round FROM matters WHERE id = ?"
	if tx.db.Dialect == Postgres {
		q += " FOR UPDATE"
	}
	err = tx.queryRow(ctx, q, id).Scan(&status, &categoryID, &round)
	return status, categoryID, round, err
}

// AddProblem adds a report to an open matter (p.MatterID; else apperr Conflict
// matter.error.not_open), adds the grams given (the service gives them for a report with
// text), and recounts the matter's people and rank. An event without a matter goes to p's.
func (db *DB) AddProblem(ctx context.Context, p *masswork.Problem, grams []int32, ev *masswork.Event, rec *audit.Record) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		status, categoryID, round, err := tx.matterLock(ctx, p.MatterID)
		if err != nil {
			return mapErr(err)
		}
		if !masswork.Open(status) {
			return apperr.New(apperr.Conflict, "matter.error.not_open")
		}
		if p.CategoryID == 0 {
			p.CategoryID = categoryID
		}
		if err := tx.matterInsertProblem(ctx, p); err != nil {
			return err
		}
		if len(grams) > 0 {
			if err := tx.matterAddGrams(ctx, p.MatterID, grams, nil); err != nil {
				return err
			}
		}
		if err := tx.matterRecount(ctx, p.MatterID, nil); err != nil {
			return err
		}
		if status == masswork.StatusResolved {
			// Joining a matter whose reporters are being asked for their say: asked too.
			if err := tx.matterAsk(ctx, []*masswork.Feedback{{MatterID: p.MatterID, ProblemID: p.ID, Round: round, AskedAt: p.CreatedAt}}); err != nil {
				return err
			}
		}
		if err := tx.matterEvents(ctx, p.MatterID, ev); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, p.ID)
	})
	if err == nil {
		db.matterSealed(p)
	}
	return err
}

// ---- Reading ----

// matterWhere builds the conditions of a filter on matters m (organizations o and eo joined).
func (db *DB) matterWhere(f masswork.MatterFilter, orgPath string) (string, []any) {
	var conds []string
	var args []any
	if !slices.Contains(f.Roots, "/") {
		var scope []string
		for _, r := range f.Roots {
			c1, a1 := db.underPath("o.path", r)
			c2, a2 := db.underPath("eo.path", r)
			scope = append(scope, c1, c2)
			args = append(append(args, a1...), a2...)
		}
		if len(scope) == 0 {
			scope = []string{"1 = 0"}
		}
		conds = append(conds, "("+strings.Join(scope, " OR ")+")")
	}
	if orgPath != "" {
		c, a := db.underPath("o.path", orgPath)
		conds, args = append(conds, c), append(args, a...)
	}
	if len(f.Status) > 0 {
		conds = append(conds, "m.status IN "+inList(len(f.Status)))
		for _, s := range f.Status {
			args = append(args, s)
		}
	}
	if f.CategoryID != 0 {
		conds, args = append(conds, "m.category_id = ?"), append(args, f.CategoryID)
	}
	if len(f.IDs) > 0 {
		conds = append(conds, "m.id IN "+inList(len(f.IDs)))
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Channel != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM problems pc WHERE pc.matter_id = m.id AND pc.channel = ?)")
		args = append(args, f.Channel)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c1, a1 := db.contains("m.title", q)
		c2, a2 := db.contains("m.code", q)
		cond := "(" + c1 + " OR " + c2
		args = append(append(args, a1...), a2...)
		if up := strings.ToUpper(q); up != q {
			c3, a3 := db.contains("m.code", up)
			cond += " OR " + c3
			args = append(args, a3...)
		}
		conds = append(conds, cond+")")
	}
	if f.AssigneeID != 0 {
		conds, args = append(conds, "m.assignee_person_id = ?"), append(args, f.AssigneeID)
	}
	if f.Overdue {
		now := ms(f.Now)
		if now == 0 {
			now = ms(db.Now())
		}
		conds = append(conds, `m.status IN ('submitted', 'accepted', 'in_progress', 'resolved')
			AND ((m.responded_at = 0 AND m.response_due > 0 AND m.response_due < ?)
				OR (m.resolved_at = 0 AND m.resolve_due > 0 AND m.resolve_due < ?))`)
		args = append(args, now, now)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "m.created_at >= ?"), append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "m.created_at < ?"), append(args, ms(f.Until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// matterOrder maps a sort name to SQL from a fixed list; user input never reaches ORDER BY.
var matterOrder = map[string]string{
	"prominence": " ORDER BY m.rank_key DESC, m.id DESC",
	"newest":     " ORDER BY m.created_at DESC, m.id DESC",
	// The nearest deadline not met first (a response is always due before the resolution);
	// matters with none last.
	"due": ` ORDER BY CASE WHEN m.responded_at = 0 AND m.response_due > 0 THEN m.response_due
		WHEN m.resolved_at = 0 AND m.resolve_due > 0 THEN m.resolve_due ELSE 9223372036854775807 END, m.id`,
}

// FindMatters returns a page of the matters a filter selects, and how many it selects. Roots
// are subtrees of the handling organization or of the organization a matter was escalated to
// (["/"] for all, none for nothing); OrgID narrows to one organization's subtree (handling).
// With f.Now set, each matter carries its growth: the distinct people whose first report in
// it falls in the 30 days before f.Now. Each carries the feedback pending in its current round.
func (db *DB) FindMatters(ctx context.Context, f masswork.MatterFilter) ([]*masswork.Matter, int, error) {
	order, ok := matterOrder[f.Sort]
	if !ok {
		order = matterOrder["newest"]
	}
	limit := f.Limit
	if limit <= 0 {
		limit = math.MaxInt32
	}
	var out []*masswork.Matter
	total := 0
	err := db.readTx(ctx, func(tx *Tx) error {
		var orgPath string
		if f.OrgID != 0 {
			if err := tx.queryRow(ctx, "SELECT path FROM organizations WHERE id = ?", f.OrgID).Scan(&orgPath); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return nil
				}
				return err
			}
		}
		where, args := db.matterWhere(f, orgPath)
		// Counting every matter the filter selects costs as much as reading them all; a board
		// showing the first ones only asks not to.
		count, extra := ", COUNT(*) OVER ()", []any{&total}
		if f.NoTotal {
			count, extra = "", nil
		}
		rows, err := tx.query(ctx, "SELECT "+matterColumns+count+matterFrom+where+order+" LIMIT ? OFFSET ?",
			append(args, limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMatter(rows, extra...)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if f.NoTotal {
			total = len(out)
		}
		if len(out) == 0 {
			if f.Offset > 0 && !f.NoTotal {
				return tx.queryRow(ctx, "SELECT COUNT(*)"+matterFrom+where, args...).Scan(&total)
			}
			return nil
		}
		return tx.matterPageFigures(ctx, out, f.Now)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find matters: %w", err)
	}
	return out, total, nil
}

// matterPageFigures fills the growth (when now is set) and the pending feedback of a page of
// matters, each with one query for the whole page.
func (tx *Tx) matterPageFigures(ctx context.Context, page []*masswork.Matter, now time.Time) error {
	byID := make(map[int64]*masswork.Matter, len(page))
	ids := make([]any, 0, len(page))
	for _, m := range page {
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	in := inList(len(ids))
	scan := func(q string, args []any, set func(m *masswork.Matter, n int)) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			if m := byID[id]; m != nil {
				set(m, n)
			}
		}
		return rows.Err()
	}
	if !now.IsZero() {
		// The reports of the last 30 days whose person had reported nothing in the matter
		// before: a prominent matter has hundreds of reports, and only the recent ones are read
		// (problems_matter_person serves both the range and the check).
		since := ms(now.Add(-30 * 24 * time.Hour))
		q := `SELECT p.matter_id, COUNT(DISTINCT p.person_key) FROM problems p
			WHERE p.matter_id IN ` + in + ` AND p.created_at > ? AND p.created_at <= ?
			AND NOT EXISTS (SELECT 1 FROM problems q WHERE q.matter_id = p.matter_id AND q.person_key = p.person_key AND q.created_at <= ?)
			GROUP BY p.matter_id`
		args := append(slices.Clone(ids), since, ms(now), since)
		if err := scan(q, args, func(m *masswork.Matter, n int) { m.Growth = n }); err != nil {
			return err
		}
	}
	q := `SELECT fb.matter_id, COUNT(*) FROM matter_feedback fb JOIN matters m ON m.id = fb.matter_id
		WHERE fb.matter_id IN ` + in + ` AND fb.round = m.round AND fb.answered_at = 0 GROUP BY fb.matter_id`
	return scan(q, ids, func(m *masswork.Matter, n int) { m.PendingFeedback = n })
}

// FindMatterByID returns one matter.
func (db *DB) FindMatterByID(ctx context.Context, id int64) (*masswork.Matter, error) {
	var m *masswork.Matter
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		m, err = scanMatter(tx.queryRow(ctx, "SELECT "+matterColumns+matterFrom+" WHERE m.id = ?", id))
		return err
	})
	return m, err
}

// FindMatterByCode returns the matter of a tracking code.
func (db *DB) FindMatterByCode(ctx context.Context, code string) (*masswork.Matter, error) {
	var m *masswork.Matter
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		m, err = scanMatter(tx.queryRow(ctx, "SELECT "+matterColumns+matterFrom+" WHERE m.code = ?", code))
		return err
	})
	return m, err
}

const problemColumns = `p.id, p.matter_id, mt.code, p.original_matter_id, p.code, p.secret_hash, p.kind, p.channel,
	p.category_id, p.description, p.attributes, p.zone, p.booth, p.address, p.latitude, p.longitude, p.anonymous,
	COALESCE(p.person_id, 0), p.reporter_name, p.phone_mask, p.email, p.person_key, COALESCE(p.visit_id, 0),
	COALESCE(p.created_by, 0), p.created_by_name, p.created_at, pcat.name_zh, pcat.name_en`

const problemFrom = ` FROM problems p JOIN matters mt ON mt.id = p.matter_id JOIN problem_categories pcat ON pcat.id = p.category_id`

func scanProblem(row interface{ Scan(...any) error }) (*masswork.Problem, error) {
	var p masswork.Problem
	var attrs string
	var lat, lng sql.NullFloat64
	var created int64
	err := row.Scan(&p.ID, &p.MatterID, &p.MatterCode, &p.OriginalMatterID, &p.Code, &p.SecretHash, &p.Kind, &p.Channel,
		&p.CategoryID, &p.Description, &attrs, &p.Zone, &p.Booth, &p.Address, &lat, &lng, &p.Anonymous,
		&p.PersonID, &p.ReporterName, &p.PhoneMask, &p.Email, &p.PersonKey, &p.VisitID,
		&p.CreatedBy, &p.CreatedByName, &created, &p.CategoryName, &p.CategoryNameEn)
	if err != nil {
		return nil, err
	}
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &p.Attributes); err != nil {
			return nil, fmt.Errorf("store: problem %d attributes: %w", p.ID, err)
		}
	}
	p.Latitude, p.Longitude = floatPtr(lat), floatPtr(lng)
	p.HasPhone = p.PhoneMask != ""
	p.CreatedAt = fromMS(created)
	return &p, nil
}

// FindProblemByCode returns the report of a tracking code, with its matter's code.
func (db *DB) FindProblemByCode(ctx context.Context, code string) (*masswork.Problem, error) {
	var p *masswork.Problem
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		p, err = scanProblem(tx.queryRow(ctx, "SELECT "+problemColumns+problemFrom+" WHERE p.code = ?", code))
		return err
	})
	return p, err
}

// FindProblems returns the reports of a matter, oldest first, with their phones masked.
func (db *DB) FindProblems(ctx context.Context, matterID int64) ([]*masswork.Problem, error) {
	var out []*masswork.Problem
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.matterProblems(ctx, matterID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find problems: %w", err)
	}
	return out, nil
}

// matterProblems reads a matter's reports, oldest first.
func (tx *Tx) matterProblems(ctx context.Context, matterID int64) ([]*masswork.Problem, error) {
	rows, err := tx.query(ctx, "SELECT "+problemColumns+problemFrom+" WHERE p.matter_id = ? ORDER BY p.created_at, p.id", matterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*masswork.Problem
	for rows.Next() {
		p, err := scanProblem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ResolveMatter writes a resolved matter as UpdateMatter does and, in the same transaction,
// asks for the reporters' say: ask picks the feedback rows from the matter's reports as they
// stand in the transaction (a "me too" arriving meanwhile is either asked or waits).
func (db *DB) ResolveMatter(ctx context.Context, m *masswork.Matter, evs []*masswork.Event, ask func([]*masswork.Problem) []*masswork.Feedback, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.matterWrite(ctx, m); err != nil {
			return err
		}
		if err := tx.matterEvents(ctx, m.ID, evs...); err != nil {
			return err
		}
		problems, err := tx.matterProblems(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := tx.matterAsk(ctx, ask(problems)); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, m.ID)
	})
}

// FindEvents returns a matter's timeline, oldest first; with publicOnly, its public entries.
func (db *DB) FindEvents(ctx context.Context, matterID int64, publicOnly bool) ([]*masswork.Event, error) {
	q := "SELECT id, matter_id, kind, public, body, from_status, to_status, COALESCE(by_user, 0), by_name, at, due FROM matter_events WHERE matter_id = ?"
	args := []any{matterID}
	if publicOnly {
		q += " AND public = ?"
		args = append(args, true)
	}
	var out []*masswork.Event
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q+" ORDER BY at, id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e masswork.Event
			var at, due int64
			if err := rows.Scan(&e.ID, &e.MatterID, &e.Kind, &e.Public, &e.Body, &e.FromStatus, &e.ToStatus, &e.ByUser, &e.ByName, &at, &due); err != nil {
				return err
			}
			e.At, e.Due = fromMS(at), fromMS(due)
			out = append(out, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find events: %w", err)
	}
	return out, nil
}

// RevealProblemPhone decrypts the phone of a report and writes rec in the same transaction. A
// report without a phone is not found.
func (db *DB) RevealProblemPhone(ctx context.Context, problemID int64, rec *audit.Record) (string, error) {
	var clear string
	err := db.inTx(ctx, func(tx *Tx) error {
		var sealed []byte
		if err := tx.queryRow(ctx, "SELECT phone_enc FROM problems WHERE id = ?", problemID).Scan(&sealed); err != nil {
			return err
		}
		if len(sealed) == 0 {
			return apperr.ErrNotFound
		}
		var err error
		if clear, err = db.sealer.Open("phone", sealed); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, problemID)
	})
	return clear, err
}

// ---- Handling ----

// Similarity: masswork_similar.go.

// matterWrite writes m's mutable columns under its version (a matter closed, rejected or
// merged leaves the similarity index by its status).
func (tx *Tx) matterWrite(ctx context.Context, m *masswork.Matter) error {
	return tx.matterUpdate(ctx, m)
}

// UpdateMatter writes every mutable column of m if its version is still m.Version (else
// apperr.ErrStale), with the events (those without a matter go to m). A matter closed,
// rejected or merged leaves the similarity index.
func (db *DB) UpdateMatter(ctx context.Context, m *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.matterWrite(ctx, m); err != nil {
			return err
		}
		if err := tx.matterEvents(ctx, m.ID, evs...); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, m.ID)
	})
}

// Merge moves every report of from into into (their original matter stays), moves from's
// grams into into's index, marks from merged into into (closed now, reason merged) and writes
// both matters' other columns as given and the events (those without a matter go to into).
// Both versions must be current, else apperr.ErrStale and nothing changes. Both matters'
// people and rank, and into's grams, are counted again.
func (db *DB) Merge(ctx context.Context, into, from *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	if into.ID == from.ID {
		return apperr.New(apperr.Invalid, "matter.error.merge_self")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		from.Status, from.MergedInto, from.CloseReason = masswork.StatusMerged, into.ID, masswork.CloseMerged
		if from.ClosedAt.IsZero() {
			from.ClosedAt = now
		}
		// The versions first, in the order of the ids: two merges of the same pair queue on
		// the first row (PostgreSQL) instead of locking each other out, and the second finds
		// a version changed.
		first, second := into, from
		if second.ID < first.ID {
			first, second = second, first
		}
		for _, m := range []*masswork.Matter{first, second} {
			if err := tx.matterUpdate(ctx, m); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "UPDATE problems SET matter_id = ? WHERE matter_id = ?", into.ID, from.ID); err != nil {
			return fmt.Errorf("store: merge problems: %w", err)
		}
		// into gets from's grams; when either was written before gram_set, all of them again
		// from the reports it has now.
		fromGrams, made, err := tx.matterGrams(ctx, from.ID)
		if err != nil {
			return err
		}
		if !made {
			err = tx.matterRegram(ctx, into.ID, into, fromGrams...)
		} else {
			err = tx.matterAddGrams(ctx, into.ID, fromGrams, into)
		}
		if err != nil {
			return err
		}
		for _, m := range []*masswork.Matter{into, from} {
			if err := tx.matterRecount(ctx, m.ID, m); err != nil {
				return err
			}
		}
		from.MergedIntoCode = into.Code
		if err := tx.matterEvents(ctx, into.ID, evs...); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, into.ID)
	})
}

// Split moves the reports problemIDs of from (each must be one of from's, and at least one
// must stay, else apperr Invalid matter.error.split_problems) into a new matter m, which takes
// from's category, organization and place unless set, with the grams given. from's other
// columns are written as given under its version (else apperr.ErrStale). Both matters' people
// and rank are counted again. Events without a matter go to m.
func (db *DB) Split(ctx context.Context, from *masswork.Matter, problemIDs []int64, m *masswork.Matter, grams []int32, evs []*masswork.Event, rec *audit.Record) error {
	ids := slices.Clone(problemIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return &apperr.Error{Kind: apperr.Invalid, Key: "matter.error.split_problems"}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.matterWrite(ctx, from); err != nil {
			return err
		}
		args := []any{from.ID}
		for _, id := range ids {
			args = append(args, id)
		}
		in := inList(len(ids))
		var mine, all int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM problems WHERE matter_id = ? AND id IN "+in, args...).Scan(&mine); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM problems WHERE matter_id = ?", from.ID).Scan(&all); err != nil {
			return err
		}
		if mine != len(ids) || mine == all {
			return &apperr.Error{Kind: apperr.Invalid, Key: "matter.error.split_problems"}
		}
		if m.CategoryID == 0 {
			m.CategoryID = from.CategoryID
		}
		if m.OrgID == 0 {
			m.OrgID = from.OrgID
		}
		if m.Place == (masswork.Place{}) {
			m.Place = from.Place
		}
		if m.Status == "" {
			m.Status = from.Status
		}
		if err := tx.matterInsert(ctx, m); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE problems SET matter_id = ? WHERE matter_id = ? AND id IN "+in, append([]any{m.ID}, args...)...); err != nil {
			return fmt.Errorf("store: split problems: %w", err)
		}
		for _, x := range []*masswork.Matter{from, m} {
			if err := tx.matterRecount(ctx, x.ID, x); err != nil {
				return err
			}
		}
		if err := tx.matterSetGrams(ctx, m.ID, grams, m); err != nil {
			return err
		}
		// What is left of from is suggested for its own reports' text only.
		if err := tx.matterRegram(ctx, from.ID, from); err != nil {
			return err
		}
		if err := tx.matterEvents(ctx, m.ID, evs...); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, m.ID)
	})
}

// DueMatters returns matters being handled (submitted, accepted, in progress) with a deadline
// before now not met and not yet escalated for it (a missed response once, a missed
// resolution twice), the oldest deadline first, at most limit.
func (db *DB) DueMatters(ctx context.Context, now time.Time, limit int) ([]*masswork.Matter, error) {
	var out []*masswork.Matter
	t := ms(now)
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.matterList(ctx, "SELECT "+matterColumns+matterFrom+`
			WHERE m.status IN ('submitted', 'accepted', 'in_progress')
			AND ((m.responded_at = 0 AND m.response_due > 0 AND m.response_due < ? AND m.escalations < 1)
				OR (m.resolved_at = 0 AND m.resolve_due > 0 AND m.resolve_due < ? AND m.escalations < 2))
			ORDER BY CASE WHEN m.responded_at = 0 AND m.response_due > 0 AND m.escalations < 1 THEN m.response_due
				ELSE m.resolve_due END, m.id LIMIT ?`, t, t, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: due matters: %w", err)
	}
	return out, nil
}

// ---- Feedback ----

// AskFeedback inserts the feedback rows of a round; a report already asked in the round is
// skipped (its ID stays 0).
func (db *DB) AskFeedback(ctx context.Context, fb []*masswork.Feedback) error {
	if len(fb) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.matterAsk(ctx, fb) })
}

// matterAsk inserts feedback rows, skipping those already asked.
func (tx *Tx) matterAsk(ctx context.Context, fb []*masswork.Feedback) error {
	for _, f := range fb {
		if f.AskedAt.IsZero() {
			f.AskedAt = tx.db.Now()
		}
		id, err := tx.insert(ctx, `INSERT INTO matter_feedback (matter_id, problem_id, round, asked_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (matter_id, problem_id, round) DO NOTHING`, f.MatterID, f.ProblemID, f.Round, ms(f.AskedAt))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: ask feedback: %w", err)
		}
		f.ID = id
	}
	return nil
}

// FindFeedback returns the feedback rows of a matter's round, with each report's code and,
// unless anonymous, its reporter's name and masked phone.
func (db *DB) FindFeedback(ctx context.Context, matterID int64, round int) ([]*masswork.Feedback, error) {
	var out []*masswork.Feedback
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT f.id, f.matter_id, f.problem_id, p.code, f.round, f.asked_at, f.answered_at,
			f.solved, f.rating, f.comment, f.via, COALESCE(f.by_user, 0), p.anonymous, p.reporter_name, p.phone_mask
			FROM matter_feedback f JOIN problems p ON p.id = f.problem_id
			WHERE f.matter_id = ? AND f.round = ? ORDER BY f.id`, matterID, round)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f masswork.Feedback
			var asked, answered int64
			var anonymous bool
			if err := rows.Scan(&f.ID, &f.MatterID, &f.ProblemID, &f.ProblemCode, &f.Round, &asked, &answered, &f.Solved,
				&f.Rating, &f.Comment, &f.Via, &f.ByUser, &anonymous, &f.ReporterName, &f.PhoneMask); err != nil {
				return err
			}
			if anonymous {
				f.ReporterName, f.PhoneMask = "", ""
			}
			f.AskedAt, f.AnsweredAt = fromMS(asked), fromMS(answered)
			out = append(out, &f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find feedback: %w", err)
	}
	return out, nil
}

// AnswerFeedback records an answer (fb.ID) if it is still unanswered (else apperr Conflict
// matter.error.answered) and, when m is given, writes it as UpdateMatter does, with the
// events, in the same transaction.
func (db *DB) AnswerFeedback(ctx context.Context, fb *masswork.Feedback, m *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if fb.AnsweredAt.IsZero() {
			fb.AnsweredAt = db.Now()
		}
		res, err := tx.exec(ctx, `UPDATE matter_feedback SET answered_at = ?, solved = ?, rating = ?, comment = ?, via = ?,
			by_user = ? WHERE id = ? AND answered_at = 0`, ms(fb.AnsweredAt), fb.Solved, fb.Rating, fb.Comment, fb.Via,
			nullInt(fb.ByUser), fb.ID)
		if err != nil {
			return fmt.Errorf("store: answer feedback: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.New(apperr.Conflict, "matter.error.answered")
		}
		defaultID := fb.MatterID
		if m != nil {
			if err := tx.matterWrite(ctx, m); err != nil {
				return err
			}
			defaultID = m.ID
		}
		if err := tx.matterEvents(ctx, defaultID, evs...); err != nil {
			return err
		}
		return tx.matterAudit(ctx, rec, defaultID)
	})
}

// StaleResolved returns matters resolved before the instant and still resolved, the oldest
// resolution first, at most limit.
func (db *DB) StaleResolved(ctx context.Context, before time.Time, limit int) ([]*masswork.Matter, error) {
	var out []*masswork.Matter
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.matterList(ctx, "SELECT "+matterColumns+matterFrom+
			" WHERE m.status = 'resolved' AND m.resolved_at < ? ORDER BY m.resolved_at, m.id LIMIT ?", ms(before), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: stale resolved: %w", err)
	}
	return out, nil
}

// ---- Open311 keys ----

const apiKeyColumns = `k.id, k.org_id, o.path, k.name, k.key_hash, COALESCE(k.created_by, 0), k.created_at, k.revoked_at`

func scanAPIKey(row interface{ Scan(...any) error }) (*masswork.APIKey, error) {
	var k masswork.APIKey
	var created, revoked int64
	if err := row.Scan(&k.ID, &k.OrgID, &k.OrgPath, &k.Name, &k.KeyHash, &k.CreatedBy, &created, &revoked); err != nil {
		return nil, err
	}
	k.CreatedAt, k.RevokedAt = fromMS(created), fromMS(revoked)
	return &k, nil
}

// FindAPIKeyByHash returns the key of a hash unless revoked.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash string) (*masswork.APIKey, error) {
	var k *masswork.APIKey
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		k, err = scanAPIKey(tx.queryRow(ctx, "SELECT "+apiKeyColumns+
			" FROM open311_keys k JOIN organizations o ON o.id = k.org_id WHERE k.key_hash = ? AND k.revoked_at = 0", hash))
		return err
	})
	return k, err
}

// FindAPIKeys returns the keys of an organization, revoked ones too, newest first.
func (db *DB) FindAPIKeys(ctx context.Context, orgID int64) ([]*masswork.APIKey, error) {
	var out []*masswork.APIKey
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+apiKeyColumns+
			" FROM open311_keys k JOIN organizations o ON o.id = k.org_id WHERE k.org_id = ? ORDER BY k.id DESC", orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanAPIKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find api keys: %w", err)
	}
	return out, nil
}

// CreateAPIKey stores a new key (its hash).
func (db *DB) CreateAPIKey(ctx context.Context, k *masswork.APIKey, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if k.CreatedAt.IsZero() {
			k.CreatedAt = db.Now()
		}
		id, err := tx.insert(ctx, "INSERT INTO open311_keys (org_id, name, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			k.OrgID, k.Name, k.KeyHash, nullInt(k.CreatedBy), ms(k.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create api key: %w", mapErr(err))
		}
		k.ID = id
		return tx.matterAudit(ctx, rec, id)
	})
}

// RevokeAPIKey revokes a key at the instant; a key unknown or revoked already is not found.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE open311_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0", ms(at), id)
		if err != nil {
			return fmt.Errorf("store: revoke api key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.ErrNotFound
		}
		return tx.matterAudit(ctx, rec, id)
	})
}

// Photos of reports (AddPhotos, FindPhotos, FindPhotoContent) are in masswork_photo.go.
