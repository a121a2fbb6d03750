package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dangjian/dangjian/internal/masswork"
)

// The similarity index (migration 00018). Every matter keeps its distinct grams in one column,
// gram_set; each instance holds an inverted index of the open matters' grams in memory — by
// category and gram, the matters that have it — and follows the database by gram_seq, which
// moves in the transaction that inserts a matter or changes its grams, status or category. A
// suggestion reads what changed since the instance's last read (one small statement, shared
// by the suggestions that arrive meanwhile) and counts the shared grams in memory.
//
// On PostgreSQL the index was a table of (category, gram, matter) rows, some twenty for every
// report, and writing them was the largest part of a report's cost (docs/performance.md).

// packGrams encodes distinct grams as gram_set holds them: ascending, four bytes each,
// big-endian. It is never nil, so that a text without grams is told from a set not yet made.
func packGrams(grams []int32) []byte {
	set := matterDistinct(grams)
	out := make([]byte, 0, 4*len(set))
	for _, g := range set {
		out = binary.BigEndian.AppendUint32(out, uint32(g))
	}
	return out
}

// unpackGrams decodes a gram_set (a trailing partial gram is ignored).
func unpackGrams(b []byte) []int32 {
	out := make([]int32, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		out = append(out, int32(binary.BigEndian.Uint32(b[i:])))
	}
	return out
}

type similarKey struct {
	category int64
	gram     int32
}

type similarEntry struct {
	category int64
	grams    []int32
}

// similarCopy is an instance's copy of the similarity index: the open matters with their
// category and grams, and for each category and gram the matters having it.
type similarCopy struct {
	poll     sync.Mutex // one read of the changes at a time
	reads    groupRead[struct{}, struct{}]
	mu       sync.RWMutex
	loaded   bool
	cursor   int64   // the next read reads the matters whose gram_seq is this or more,
	pending  []int64 // or one of these (PostgreSQL: transactions running at the last read)
	matters  map[int64]similarEntry
	postings map[similarKey][]int64
}

// put replaces what the copy holds of a matter: nothing when it is not open, else its grams
// under its category. Callers hold c.mu.
func (c *similarCopy) put(id int64, open bool, e similarEntry) {
	old, ok := c.matters[id]
	if ok && open && old.category == e.category && slices.Equal(old.grams, e.grams) {
		return // read again unchanged
	}
	if ok {
		for _, g := range old.grams {
			k := similarKey{old.category, g}
			ids := c.postings[k]
			if i := slices.Index(ids, id); i >= 0 {
				ids[i] = ids[len(ids)-1]
				ids = ids[:len(ids)-1]
			}
			if len(ids) == 0 {
				delete(c.postings, k)
			} else {
				c.postings[k] = ids
			}
		}
		delete(c.matters, id)
	}
	if !open {
		return
	}
	c.matters[id] = e
	for _, g := range e.grams {
		k := similarKey{e.category, g}
		c.postings[k] = append(c.postings[k], id)
	}
}

// similarOpen is the SQL list of the statuses whose matters are in the index.
const similarOpen = "('submitted', 'accepted', 'in_progress', 'resolved')"

// similarChanges reads the matters changed since the last read (the first read: every open
// one) with where the next read starts. On PostgreSQL gram_seq is the id of the transaction
// that wrote it, and a read's snapshot says which transactions it cannot see: those from its
// xmax on and those running when it was taken (xip). The next read takes exactly those, so a
// transaction that commits after a later one is not missed, and one that runs long holds back
// only itself. On SQLite, whose writers take turns, the next read starts after the counter.
func (db *DB) similarChanges(ctx context.Context, cursor int64, pending []int64, first bool) (next int64, running []int64, changed []similarRow, err error) {
	var q string
	var args []any
	if db.Dialect == Postgres {
		q = `WITH s AS (SELECT pg_current_snapshot() AS snap)
			SELECT pg_snapshot_xmax(s.snap)::text::bigint,
				(SELECT string_agg(x::text, ',') FROM pg_snapshot_xip(s.snap) x),
				m.id, m.category_id, m.status, m.gram_set
			FROM s LEFT JOIN matters m ON (m.gram_seq >= ? OR m.gram_seq = ANY(?::bigint[]))`
		if pending == nil {
			pending = []int64{}
		}
		args = []any{cursor, pending}
	} else {
		q = `SELECT s.seq + 1, NULL, m.id, m.category_id, m.status, m.gram_set FROM similarity_seq s
			LEFT JOIN matters m ON m.gram_seq >= ?`
		args = []any{cursor}
	}
	if first {
		q += " AND m.status IN " + similarOpen
	}
	if db.Dialect != Postgres {
		q += " WHERE s.id = 1"
	}
	err = db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, category *int64
			var status *string
			var set []byte
			var xip *string
			if err := rows.Scan(&next, &xip, &id, &category, &status, &set); err != nil {
				return err
			}
			if xip != nil && running == nil { // the same on every row
				for _, x := range strings.Split(*xip, ",") {
					n, err := strconv.ParseInt(x, 10, 64)
					if err != nil {
						return err
					}
					running = append(running, n)
				}
			}
			if id != nil {
				changed = append(changed, similarRow{id: *id, category: *category, open: masswork.Open(*status), set: set})
			}
		}
		return rows.Err()
	})
	return next, running, changed, err
}

type similarRow struct {
	id, category int64
	open         bool
	set          []byte // nil: not made (gram_set NULL)
}

// similarFollow brings the instance's copy up to what is committed now.
func (db *DB) similarFollow(ctx context.Context) error {
	// Every caller waits for the same thing, so one read answers all that are queued.
	_, err := db.similar.reads.do(ctx, db, struct{}{}, math.MaxInt32, func(ctx context.Context, _ []struct{}) (map[struct{}]struct{}, error) {
		return map[struct{}]struct{}{{}: {}}, db.similarRead(ctx)
	})
	return err
}

func (db *DB) similarRead(ctx context.Context) error {
	c := &db.similar
	c.poll.Lock()
	defer c.poll.Unlock()
	next, running, changed, err := db.similarChanges(ctx, c.cursor, c.pending, !c.loaded)
	if err != nil {
		return fmt.Errorf("store: similarity index: %w", err)
	}
	var unmade []similarRow
	c.mu.Lock()
	if c.matters == nil {
		c.matters, c.postings = map[int64]similarEntry{}, map[similarKey][]int64{}
	}
	for _, r := range changed {
		if r.open && r.set == nil {
			unmade = append(unmade, r)
			continue
		}
		c.put(r.id, r.open, similarEntry{category: r.category, grams: unpackGrams(r.set)})
	}
	c.mu.Unlock()
	if len(unmade) > 0 {
		// The cursor stays until they are made: what was put is put again next time.
		if err := db.similarMake(ctx, unmade); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.loaded, c.cursor, c.pending = true, next, running
	c.mu.Unlock()
	return nil
}

// similarMake makes the grams of open matters whose gram_set is NULL (emptied by hand: the
// migration packed the others) from their reports' text, writes them and puts them in the copy.
func (db *DB) similarMake(ctx context.Context, rows []similarRow) error {
	const chunk = 500
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		grams := map[int64][]int32{}
		err := db.inTx(ctx, func(tx *Tx) error {
			args := make([]any, len(part))
			for i, r := range part {
				args[i] = r.id
			}
			texts, err := tx.query(ctx, "SELECT matter_id, description FROM problems WHERE matter_id IN "+inList(len(part)), args...)
			if err != nil {
				return err
			}
			defer texts.Close()
			for texts.Next() {
				var id int64
				var text string
				if err := texts.Scan(&id, &text); err != nil {
					return err
				}
				grams[id] = append(grams[id], masswork.Grams(text)...)
			}
			if err := texts.Err(); err != nil {
				return err
			}
			for _, r := range part {
				set := packGrams(grams[r.id])
				grams[r.id] = unpackGrams(set)
				if _, err := tx.exec(ctx, "UPDATE matters SET gram_set = ? WHERE id = ? AND gram_set IS NULL", set, r.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: similarity index: %w", err)
		}
		db.similar.mu.Lock()
		for _, r := range part {
			db.similar.put(r.id, true, similarEntry{category: r.category, grams: grams[r.id]})
		}
		db.similar.mu.Unlock()
	}
	return nil
}

// Similar returns up to limit open matters of the category sharing grams with the given ones,
// with the number shared and their own number of grams, most shared first (the newer first
// among equals). It answers from the instance's copy of the index after reading what changed.
func (db *DB) Similar(ctx context.Context, categoryID int64, grams []int32, limit int) ([]*masswork.Match, error) {
	grams = matterDistinct(grams)
	if len(grams) == 0 || limit <= 0 {
		return nil, nil
	}
	if err := db.similarFollow(ctx); err != nil {
		return nil, err
	}
	c := &db.similar
	c.mu.RLock()
	shared := map[int64]int{}
	for _, g := range grams {
		for _, id := range c.postings[similarKey{categoryID, g}] {
			shared[id]++
		}
	}
	out := make([]*masswork.Match, 0, len(shared))
	for id, n := range shared {
		out = append(out, &masswork.Match{MatterID: id, Shared: n, Grams: len(c.matters[id].grams)})
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b *masswork.Match) int {
		if c := cmp.Compare(b.Shared, a.Shared); c != 0 {
			return c
		}
		return cmp.Compare(b.MatterID, a.MatterID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// matterGrams reads a matter's grams; made is false when its gram_set is NULL.
func (tx *Tx) matterGrams(ctx context.Context, matterID int64) (grams []int32, made bool, err error) {
	var set []byte
	if err := tx.queryRow(ctx, "SELECT gram_set FROM matters WHERE id = ?", matterID).Scan(&set); err != nil {
		return nil, false, fmt.Errorf("store: matter grams: %w", err)
	}
	return unpackGrams(set), set != nil, nil
}

// matterSetGrams writes a matter's grams (and their number into m.Grams when given).
func (tx *Tx) matterSetGrams(ctx context.Context, matterID int64, grams []int32, m *masswork.Matter) error {
	set := packGrams(grams)
	if _, err := tx.exec(ctx, "UPDATE matters SET gram_set = ? WHERE id = ?", set, matterID); err != nil {
		return fmt.Errorf("store: matter grams: %w", err)
	}
	if m != nil {
		m.Grams = len(set) / 4
	}
	return nil
}

// matterAddGrams adds grams to a matter's own (a report joining it brings its words). A matter
// whose gram_set is NULL gets them all from its reports instead, the new ones among them.
func (tx *Tx) matterAddGrams(ctx context.Context, matterID int64, grams []int32, m *masswork.Matter) error {
	have, made, err := tx.matterGrams(ctx, matterID)
	if err != nil {
		return err
	}
	if !made {
		return tx.matterRegram(ctx, matterID, m, grams...)
	}
	all := matterDistinct(append(have, grams...))
	if len(all) == len(have) {
		if m != nil {
			m.Grams = len(have)
		}
		return nil
	}
	return tx.matterSetGrams(ctx, matterID, all, m)
}

// matterRegram makes a matter's grams again from the text of the reports it has now, with
// the grams given.
func (tx *Tx) matterRegram(ctx context.Context, matterID int64, m *masswork.Matter, grams ...int32) error {
	problems, err := tx.matterProblems(ctx, matterID)
	if err != nil {
		return err
	}
	for _, p := range problems {
		grams = append(grams, masswork.Grams(p.Description)...)
	}
	return tx.matterSetGrams(ctx, matterID, grams, m)
}
