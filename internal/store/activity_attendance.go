package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/jackc/pgx/v5"
)

// FindInvitations returns an activity's invitations as given, oldest first.
func (db *DB) FindInvitations(ctx context.Context, activityID int64) ([]*activity.Invitation, error) {
	var out []*activity.Invitation
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT i.id, i.activity_id, COALESCE(i.org_id, 0), COALESCE(o.name, ''), i.subtree, i.stages,
			COALESCE(i.person_id, 0), COALESCE(p.name, ''), i.created_at
			FROM invitations i LEFT JOIN organizations o ON o.id = i.org_id LEFT JOIN people p ON p.id = i.person_id
			WHERE i.activity_id = ? ORDER BY i.id`, activityID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var inv activity.Invitation
			var stages string
			var created int64
			if err := rows.Scan(&inv.ID, &inv.ActivityID, &inv.OrgID, &inv.OrgName, &inv.Subtree, &stages, &inv.PersonID, &inv.PersonName, &created); err != nil {
				return err
			}
			inv.Stages, inv.CreatedAt = splitList(stages), fromMS(created)
			out = append(out, &inv)
		}
		return rows.Err()
	})
	return out, err
}

// splitList reads a ",a,b," list.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Invite records an invitation and adds the people it names to the participants: one person,
// or the people of an organization (its subtree when inv.Subtree; paths holds the
// organization's path) in the invited stages whose status is normal. A walk-in who is
// invited later becomes invited. It returns how many participants were added or changed.
func (db *DB) Invite(ctx context.Context, inv *activity.Invitation, paths []string, rec func(added int) *audit.Record) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		now := ms(db.Now())
		stages := ""
		if len(inv.Stages) > 0 {
			stages = "," + strings.Join(inv.Stages, ",") + ","
		}
		id, err := tx.insert(ctx, `INSERT INTO invitations (activity_id, org_id, subtree, stages, person_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, inv.ActivityID, nullInt(inv.OrgID), inv.Subtree, stages, nullInt(inv.PersonID), nullInt(inv.CreatedBy), now)
		if err != nil {
			return fmt.Errorf("store: invite: %w", err)
		}
		inv.ID = id
		q := `INSERT INTO participants (activity_id, person_id, invited, created_at, updated_at)
			SELECT ?, p.id, ?, ?, ? FROM people p`
		args := []any{inv.ActivityID, true, now, now}
		if inv.PersonID != 0 {
			q += " WHERE p.id = ?"
			args = append(args, inv.PersonID)
		} else {
			q += " JOIN organizations o ON o.id = p.org_id WHERE p.status = 'normal' AND p.stage IN " + placeholders(1, len(inv.Stages))
			for _, s := range inv.Stages {
				args = append(args, s)
			}
			if inv.Subtree {
				c, a := db.underPath("o.path", paths[0])
				q += " AND " + c
				args = append(args, a...)
			} else {
				q += " AND p.org_id = ?"
				args = append(args, inv.OrgID)
			}
		}
		// The WHERE above keeps SQLite's parser from reading ON CONFLICT as a join condition.
		res, err := tx.exec(ctx, q+` ON CONFLICT (activity_id, person_id) DO UPDATE SET invited = excluded.invited,
			updated_at = excluded.updated_at WHERE participants.invited <> excluded.invited`, args...)
		if err != nil {
			return fmt.Errorf("store: invite participants: %w", err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n = int(added)
		return tx.appendAudit(ctx, rec(n))
	})
	return n, err
}

const participantColumns = `pa.activity_id, pa.person_id, p.name, p.stage, o.name, pa.invited, pa.response, pa.leave_reason,
	pa.decided_by, pa.decided_at, pa.absent_reason`

func scanParticipant(row interface{ Scan(...any) error }) (*activity.Participant, error) {
	var p activity.Participant
	var decided int64
	if err := row.Scan(&p.ActivityID, &p.PersonID, &p.PersonName, &p.Stage, &p.OrgName, &p.Invited, &p.Response,
		&p.LeaveReason, &p.DecidedBy, &decided, &p.AbsentReason); err != nil {
		return nil, err
	}
	p.DecidedAt = fromMS(decided)
	return &p, nil
}

const participantFrom = ` FROM participants pa JOIN people p ON p.id = pa.person_id JOIN organizations o ON o.id = p.org_id`

// FindParticipants returns an activity's participants by organization and name, each with
// attendance per day.
func (db *DB) FindParticipants(ctx context.Context, activityID int64) ([]*activity.Participant, error) {
	var out []*activity.Participant
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+participantColumns+participantFrom+
			" WHERE pa.activity_id = ? ORDER BY pa.invited DESC, o.path, p.name_pinyin, p.id", activityID)
		if err != nil {
			return err
		}
		defer rows.Close()
		byPerson := map[int64]*activity.Participant{}
		for rows.Next() {
			p, err := scanParticipant(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
			byPerson[p.PersonID] = p
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		atts, err := tx.findAttendance(ctx, "activity_id = ?", activityID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if p := byPerson[a.PersonID]; p != nil {
				if p.Days == nil {
					p.Days = map[string]*activity.Attendance{}
				}
				p.Days[a.Day] = a
			}
		}
		return nil
	})
	return out, err
}

func (tx *Tx) findAttendance(ctx context.Context, cond string, args ...any) ([]*activity.Attendance, error) {
	rows, err := tx.query(ctx, `SELECT id, activity_id, person_id, day, late, method, COALESCE(by_user, 0), by_name, at
		FROM attendance WHERE `+cond+" ORDER BY day, at", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*activity.Attendance
	for rows.Next() {
		var a activity.Attendance
		var at int64
		if err := rows.Scan(&a.ID, &a.ActivityID, &a.PersonID, &a.Day, &a.Late, &a.Method, &a.ByUser, &a.ByName, &at); err != nil {
			return nil, err
		}
		a.At = fromMS(at)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// FindParticipant returns one person's participation with attendance per day; not found when
// the person is no participant.
func (db *DB) FindParticipant(ctx context.Context, activityID, personID int64) (*activity.Participant, error) {
	var p *activity.Participant
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = scanParticipant(tx.queryRow(ctx, "SELECT "+participantColumns+participantFrom+
			" WHERE pa.activity_id = ? AND pa.person_id = ?", activityID, personID))
		if err != nil {
			return err
		}
		atts, err := tx.findAttendance(ctx, "activity_id = ? AND person_id = ?", activityID, personID)
		for _, a := range atts {
			if p.Days == nil {
				p.Days = map[string]*activity.Attendance{}
			}
			p.Days[a.Day] = a
		}
		return err
	})
	return p, err
}

// UpdateParticipant writes a participant's answer, leave decision and absence reason.
func (db *DB) UpdateParticipant(ctx context.Context, p *activity.Participant, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE participants SET response = ?, leave_reason = ?, decided_by = ?, decided_at = ?,
			absent_reason = ?, updated_at = ? WHERE activity_id = ? AND person_id = ?`, p.Response, p.LeaveReason, p.DecidedBy,
			ms(p.DecidedAt), p.AbsentReason, ms(db.Now()), p.ActivityID, p.PersonID)
		if err != nil {
			return fmt.Errorf("store: update participant: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return mapErrNone(err)
		}
		return tx.appendAudit(ctx, rec)
	})
}

// FindCheckIn returns what a check-in needs of an activity (id, organization, title, times,
// window, status, walk-ins; no types, itinerary or other names) and a person's participation
// in it: it is on the path of every scanned check-in. The answer comes from the instance's
// copy of the activity's check-in facts while the versions of the tree and of the activities
// (migration 00017) are those the copy was read at, so that the rush at the start of a
// meeting reads each activity once; the copies of activities that several check-ins miss at
// once are read together (groupRead), in one statement.
func (db *DB) FindCheckIn(ctx context.Context, activityID, personID int64) (*activity.Activity, int, error) {
	v, err := db.versions(ctx)
	if err != nil {
		return nil, 0, err
	}
	at := [2]int64{v.tree, v.activities}
	f := db.checkinCopies.get(at, activityID)
	if f == nil {
		if f, err = db.checkinReads.do(ctx, db, activityID, maxCheckinBatch, db.readCheckinFacts); err != nil {
			return nil, 0, err
		}
		db.checkinCopies.keep(at, f)
	}
	a := f.activity
	return &a, f.part[personID], nil
}

// checkinFacts is what a check-in needs of one activity: the activity as FindCheckIn returns
// it and how each participant takes part (activity.ParticipantInvited or ParticipantWalkIn).
// Never changed once read.
type checkinFacts struct {
	activity activity.Activity
	part     map[int64]int
}

// checkinCopies holds the check-in facts of the activities checked into lately, read at a
// pair of versions (the tree's, for the organization's path, and the activities'). A copy
// read at other versions replaces all of them: they are the versions most requests will ask
// at. The participants held are bounded; past the bound the copies start afresh.
type checkinCopies struct {
	mu     sync.Mutex
	at     [2]int64
	acts   map[int64]*checkinFacts
	people int
}

// maxCheckinCopyPeople bounds the participants an instance keeps in its check-in copies (a
// few tens of bytes each).
const maxCheckinCopyPeople = 200_000

// get returns the facts of an activity if they were read at the versions given, or nil.
func (c *checkinCopies) get(at [2]int64, activityID int64) *checkinFacts {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != at {
		return nil
	}
	return c.acts[activityID]
}

// keep stores facts read at the versions given.
func (c *checkinCopies) keep(at [2]int64, f *checkinFacts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != at || c.acts == nil || c.people+len(f.part) > maxCheckinCopyPeople {
		c.at, c.acts, c.people = at, map[int64]*checkinFacts{}, 0
	}
	if old, ok := c.acts[f.activity.ID]; ok {
		c.people -= len(old.part)
	}
	c.people += len(f.part)
	c.acts[f.activity.ID] = f
}

// readCheckinFacts reads the check-in facts of some activities in one statement: a row per
// participant (or one with none).
func (db *DB) readCheckinFacts(ctx context.Context, ids []int64) (map[int64]*checkinFacts, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	out := make(map[int64]*checkinFacts, len(ids))
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT a.id, a.org_id, o.path, a.title, a.starts_at, a.ends_at, a.all_day, a.walk_ins,
			a.checkin_opens_at, a.checkin_closes_at, a.status, pp.person_id, pp.invited
			FROM activities a JOIN organizations o ON o.id = a.org_id
			LEFT JOIN participants pp ON pp.activity_id = a.id
			WHERE a.id IN `+inList(len(ids)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var b activity.Activity
		var starts, ends, opens, closes int64
		var person sql.NullInt64
		var invited sql.NullBool
		for rows.Next() {
			if err := rows.Scan(&b.ID, &b.OrgID, &b.OrgPath, &b.Title, &starts, &ends, &b.AllDay, &b.WalkIns,
				&opens, &closes, &b.Status, &person, &invited); err != nil {
				return err
			}
			f := out[b.ID]
			if f == nil {
				b.StartsAt, b.EndsAt, b.CheckinOpens, b.CheckinCloses = fromMS(starts), fromMS(ends), fromMS(opens), fromMS(closes)
				f = &checkinFacts{activity: b, part: map[int64]int{}}
				out[b.ID] = f
			}
			if person.Valid {
				f.part[person.Int64] = activity.ParticipantWalkIn
				if invited.Bool {
					f.part[person.Int64] = activity.ParticipantInvited
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find check-ins: %w", err)
	}
	return out, nil
}

// CheckIn records one person's attendance of one day. A walk-in is added to the participants
// as not invited. With replace, an existing row of the day takes the new late mark, method
// and recorder; without, an existing row wins and CheckIn reports false without writing
// anything, so two phones checking in at once leave exactly one row.
//
// Check-ins that arrive together are written together (groupCommit): one transaction, one
// commit, one hold of the audit chain's lock; one that fails its batch is written alone.
func (db *DB) CheckIn(ctx context.Context, att *activity.Attendance, walkIn, replace bool, rec *audit.Record) (bool, error) {
	it := &checkinItem{att: att, walkIn: walkIn, replace: replace, rec: rec}
	if err := db.checkins.do(ctx, db, it, maxCheckinBatch, db.writeCheckins); err != nil {
		return false, err
	}
	return it.added, nil
}

type checkinItem struct {
	att             *activity.Attendance
	walkIn, replace bool
	rec             *audit.Record
	added           bool
}

// maxCheckinBatch bounds one transaction of check-ins.
const maxCheckinBatch = 128

// writeCheckins writes a batch of check-ins in one transaction: those that replace one by one,
// the others together, and the audit records of all last, so that the chain's lock comes
// after every other lock the batch takes (the activity version's, for walk-ins). On
// PostgreSQL a batch of scanned check-ins only (the rush at the start of a meeting) is
// pipelined (checkInPipelined).
func (db *DB) writeCheckins(ctx context.Context, batch []*checkinItem) error {
	if db.Dialect == Postgres && !slices.ContainsFunc(batch, func(it *checkinItem) bool { return it.replace }) {
		return retrying(ctx, func() error { return db.checkInPipelined(ctx, batch) })
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var scanned []*checkinItem
		var recs []*audit.Record
		for _, it := range batch {
			it.added = false
			if !it.replace {
				scanned = append(scanned, it)
				continue
			}
			added, err := tx.checkIn(ctx, it)
			if err != nil {
				return err
			}
			if it.added = added; added {
				recs = append(recs, it.rec)
			}
		}
		more, err := tx.checkInMany(ctx, scanned)
		if err != nil {
			return err
		}
		return tx.appendAudits(ctx, append(recs, more...))
	})
}

// checkInMany writes scanned check-ins (an existing row of the day wins) in a few statements
// whatever their number: the walk-ins' participations and the attendance rows (the database
// returns those it inserted; of two check-ins of one person and day only the first counts).
// It returns the audit records of those written, for the caller to append.
func (tx *Tx) checkInMany(ctx context.Context, items []*checkinItem) ([]*audit.Record, error) {
	if len(items) == 0 {
		return nil, nil
	}
	w := newCheckinWrite(items)
	if w.walkIns != "" {
		if _, err := tx.exec(ctx, w.walkIns, w.walkInArgs...); err != nil {
			return nil, fmt.Errorf("store: walk-ins: %w", err)
		}
	}
	rows, err := tx.query(ctx, w.attendance, w.attendanceArgs...)
	if err != nil {
		return nil, fmt.Errorf("store: check in: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k attendanceKey
		if err := rows.Scan(&k.activity, &k.person, &k.day); err != nil {
			return nil, err
		}
		w.inserted[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return w.written(), nil
}

// checkInPipelined writes a batch of scanned check-ins on PostgreSQL in two round trips where
// a transaction of statements one after the other takes five: BEGIN, the walk-ins'
// participations, the attendance rows and the lock and read of the audit chain's tail are sent
// together (a pgx batch, one round trip); then, the chain's links computed, the audit records
// and COMMIT. The two writers' batches wait for each other at the chain's lock, which is now
// held for one round trip instead of three (docs/performance.md).
func (db *DB) checkInPipelined(ctx context.Context, items []*checkinItem) error {
	w := newCheckinWrite(items)
	return db.pgConn(ctx, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if w.walkIns != "" {
			b.Queue(db.rebind(w.walkIns), w.walkInArgs...)
		}
		b.Queue(db.rebind(w.attendance), w.attendanceArgs...)
		b.Queue(auditTailLock)
		var lastID int64
		var prev string
		err := sendBatch(ctx, c, b, func(br pgx.BatchResults) error {
			if _, err := br.Exec(); err != nil {
				return err
			}
			if w.walkIns != "" {
				if _, err := br.Exec(); err != nil {
					return fmt.Errorf("store: walk-ins: %w", err)
				}
			}
			rows, err := br.Query()
			if err != nil {
				return fmt.Errorf("store: check in: %w", err)
			}
			for rows.Next() {
				var k attendanceKey
				if err := rows.Scan(&k.activity, &k.person, &k.day); err != nil {
					rows.Close()
					return err
				}
				w.inserted[k] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: check in: %w", err)
			}
			if err := br.QueryRow().Scan(&lastID, &prev); err != nil {
				return fmt.Errorf("store: audit tail: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		b = &pgx.Batch{}
		if recs := w.written(); len(recs) > 0 {
			q, args := chainAudits(recs, lastID, tailHash(prev), db.Now())
			b.Queue(db.rebind(q), args...)
		}
		b.Queue("COMMIT")
		return sendBatch(ctx, c, b, func(br pgx.BatchResults) error {
			for range b.Len() - 1 {
				if _, err := br.Exec(); err != nil {
					return fmt.Errorf("store: audit append: %w", err)
				}
			}
			tag, err := br.Exec()
			if err == nil && tag.String() != "COMMIT" { // PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
				err = fmt.Errorf("store: check in: transaction ended by %s", tag)
			}
			return err
		})
	})
}

// checkinWrite is what a batch of scanned check-ins writes: the statements and arguments of
// the walk-ins' participations (none when there is no walk-in) and of the attendance rows,
// and the keys of the rows the database reported inserted.
type checkinWrite struct {
	items                      []*checkinItem
	walkIns, attendance        string
	walkInArgs, attendanceArgs []any
	inserted                   map[attendanceKey]bool
}

type attendanceKey struct {
	activity, person int64
	day              string
}

func newCheckinWrite(items []*checkinItem) *checkinWrite {
	w := &checkinWrite{items: items, inserted: make(map[attendanceKey]bool, len(items))}
	for _, it := range items {
		if it.walkIn {
			now := ms(it.att.At)
			w.walkInArgs = append(w.walkInArgs, it.att.ActivityID, it.att.PersonID, false, now, now)
		}
	}
	if len(w.walkInArgs) > 0 {
		w.walkIns = `INSERT INTO participants (activity_id, person_id, invited, created_at, updated_at) VALUES ` +
			placeholders(len(w.walkInArgs)/5, 5) + ` ON CONFLICT (activity_id, person_id) DO NOTHING`
	}
	w.attendanceArgs = make([]any, 0, len(items)*8)
	for _, it := range items {
		att := it.att
		w.attendanceArgs = append(w.attendanceArgs, att.ActivityID, att.PersonID, att.Day, att.Late, att.Method,
			nullInt(att.ByUser), att.ByName, ms(att.At))
	}
	w.attendance = `INSERT INTO attendance (activity_id, person_id, day, late, method, by_user, by_name, at) VALUES ` +
		placeholders(len(items), 8) + ` ON CONFLICT (activity_id, person_id, day) DO NOTHING RETURNING activity_id, person_id, day`
	return w
}

// written marks each check-in added or not by the rows inserted, and returns the audit
// records of those added. Of two check-ins of one person and day in the batch only the first
// counts.
func (w *checkinWrite) written() []*audit.Record {
	var recs []*audit.Record
	for _, it := range w.items {
		k := attendanceKey{it.att.ActivityID, it.att.PersonID, it.att.Day}
		it.added = w.inserted[k]
		if it.added {
			delete(w.inserted, k)
			recs = append(recs, it.rec)
		}
	}
	return recs
}

// checkIn writes one check-in inside tx and reports whether a row was written; the caller
// appends its audit record.
func (tx *Tx) checkIn(ctx context.Context, it *checkinItem) (bool, error) {
	att, now := it.att, ms(it.att.At)
	if it.walkIn {
		if _, err := tx.exec(ctx, `INSERT INTO participants (activity_id, person_id, invited, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (activity_id, person_id) DO NOTHING`, att.ActivityID, att.PersonID, false, now, now); err != nil {
			return false, fmt.Errorf("store: walk-in: %w", err)
		}
	}
	conflict := " ON CONFLICT (activity_id, person_id, day) DO NOTHING"
	if it.replace {
		conflict = ` ON CONFLICT (activity_id, person_id, day) DO UPDATE SET late = excluded.late, method = excluded.method,
			by_user = excluded.by_user, by_name = excluded.by_name, at = excluded.at`
	}
	res, err := tx.exec(ctx, `INSERT INTO attendance (activity_id, person_id, day, late, method, by_user, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+conflict, att.ActivityID, att.PersonID, att.Day, att.Late, att.Method,
		nullInt(att.ByUser), att.ByName, now)
	if err != nil {
		return false, fmt.Errorf("store: check in: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, nil
}

// UndoCheckIn removes one attendance row; not found when there is none.
func (db *DB) UndoCheckIn(ctx context.Context, activityID, personID int64, day string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM attendance WHERE activity_id = ? AND person_id = ? AND day = ?", activityID, personID, day)
		if err != nil {
			return fmt.Errorf("store: undo check-in: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return mapErrNone(err)
		}
		return tx.appendAudit(ctx, rec)
	})
}

// mapErrNone returns err, or not found when a statement touched no row.
func mapErrNone(err error) error {
	if err != nil {
		return err
	}
	return apperr.ErrNotFound
}
