package store

import (
	"context"
	"fmt"

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
	v, err := db.versions(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := db.intake.get([2]int64{v.tree, v.categories})
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
		var v versions
		if err := scanVersions(tx.queryRow(ctx, versionsQuery), &v); err != nil {
			return err
		}
		c.tree, c.cats = v.tree, v.categories
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
		db.intake.keep([2]int64{c.tree, c.cats}, c)
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
