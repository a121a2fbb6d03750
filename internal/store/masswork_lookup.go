package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
)

// FindProblemMatterID returns the matter a report belongs to now (after merges and splits).
func (db *DB) FindProblemMatterID(ctx context.Context, problemID int64) (int64, error) {
	var id int64
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT matter_id FROM problems WHERE id = ?", problemID).Scan(&id)
	})
	return id, err
}

// FindFeedbackMatterID returns the matter a feedback row was asked for.
func (db *DB) FindFeedbackMatterID(ctx context.Context, feedbackID int64) (int64, error) {
	var id int64
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT matter_id FROM matter_feedback WHERE id = ?", feedbackID).Scan(&id)
	})
	return id, err
}

// FindIntakeOrg returns a live organization and every category, active or not, in display
// order (sort order, then id), for a report filed without an account: the public form and the
// Open311 API read them for every report. They come from this instance's copy while the
// versions of the tree and of the categories (migrations 00011 and 00013: bumped in the same
// transaction as any change) are those the copy was read at, so one small read stands for
// three; as soon as either differs, the copy is read again from one snapshot. Callers may
// change what they get. A dissolved organization is not found.
func (db *DB) FindIntakeOrg(ctx context.Context, orgID int64) (*org.Organization, []*masswork.Category, error) {
	tree, cats, err := db.intakeVersions(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := db.intake.at(tree, cats)
	if c == nil {
		if c, err = db.loadIntake(ctx); err != nil {
			return nil, nil, err
		}
	}
	o, ok := c.orgs[orgID]
	if !ok {
		return nil, nil, apperr.ErrNotFound
	}
	list := make([]*masswork.Category, len(c.categories))
	for i := range c.categories {
		cat := c.categories[i]
		list[i] = &cat
	}
	return &o, list, nil
}

// loadIntake reads the live organizations and the categories with their versions from one
// snapshot, and keeps them as the instance's copy.
func (db *DB) loadIntake(ctx context.Context) (*intakeCopy, error) {
	c := &intakeCopy{orgs: map[int64]org.Organization{}}
	err := db.readTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, intakeVersionsQuery).Scan(&c.tree, &c.cats); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+orgColumns+" FROM organizations o WHERE o.dissolved_at = 0")
		if err != nil {
			return err
		}
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				rows.Close()
				return err
			}
			c.orgs[o.ID] = *o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, "SELECT "+categoryColumns+categoryFrom+" ORDER BY c.sort_order, c.id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			cat, err := scanCategory(rows)
			if err != nil {
				return err
			}
			c.categories = append(c.categories, *cat)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: intake organizations and categories: %w", err)
	}
	if c.tree != 0 && c.cats != 0 {
		db.intake.keep(c)
	}
	return c, nil
}

// intakeCopy is a copy of the live organizations and the categories at two versions, never
// changed once made.
type intakeCopy struct {
	tree, cats int64
	orgs       map[int64]org.Organization
	categories []masswork.Category
}

const intakeVersionsQuery = `SELECT COALESCE((SELECT v FROM tree_version WHERE id = 1), 0),
	COALESCE((SELECT v FROM category_version WHERE id = 1), 0)`

// intakeCache holds the instance's intakeCopy, and the reads of the versions it is checked
// against.
type intakeCache struct {
	mu   sync.Mutex
	copy *intakeCopy

	versions struct {
		sync.Mutex
		flying bool          // a read is on its way
		next   *versionsRead // the read the callers who came meanwhile wait for
	}
}

// versionsRead is one read of the two versions, shared by the callers waiting for it.
type versionsRead struct {
	done       chan struct{}
	tree, cats int64
	err        error
}

// intakeVersions reads the versions of the tree and of the categories. Callers that arrive
// while a read is on its way wait for the next one, which starts as soon as that one is back:
// a read that began before a caller arrived could miss a change the caller has already seen,
// one that begins after cannot. Under load one read answers everyone who came during the
// previous one, instead of one read each.
func (db *DB) intakeVersions(ctx context.Context) (tree, cats int64, err error) {
	g := &db.intake.versions
	g.Lock()
	r := g.next
	if r == nil {
		r = &versionsRead{done: make(chan struct{})}
		g.next = r
	}
	if !g.flying {
		g.flying, g.next = true, nil
		go db.readVersions(r)
	}
	g.Unlock()
	select {
	case <-r.done:
		return r.tree, r.cats, r.err
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
}

// readVersions answers r, then the reads asked for meanwhile, one after the other, until
// none is waiting.
func (db *DB) readVersions(r *versionsRead) {
	g := &db.intake.versions
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := db.readRow(ctx, intakeVersionsQuery).Scan(&r.tree, &r.cats); err != nil {
			r.err = fmt.Errorf("store: intake versions: %w", mapErr(err))
		}
		cancel()
		close(r.done)
		g.Lock()
		r = g.next
		if r == nil {
			g.flying = false
			g.Unlock()
			return
		}
		g.next = nil
		g.Unlock()
	}
}

// at returns the copy if it was read at the versions given, or nil.
func (c *intakeCache) at(tree, cats int64) *intakeCopy {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.copy == nil || c.copy.tree != tree || c.copy.cats != cats {
		return nil
	}
	return c.copy
}

func (c *intakeCache) keep(fresh *intakeCopy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.copy = fresh
}
