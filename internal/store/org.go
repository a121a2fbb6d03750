package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

const orgColumns = `o.id, COALESCE(o.parent_id, 0), o.path, o.kind, o.name, o.unit_name, o.unit_kind, o.sort_order,
	o.term_start, o.term_end, o.version, o.created_at, o.updated_at`

func scanOrg(row interface{ Scan(...any) error }, extra ...any) (*org.Organization, error) {
	var o org.Organization
	var created, updated int64
	dest := append([]any{&o.ID, &o.ParentID, &o.Path, &o.Kind, &o.Name, &o.UnitName, &o.UnitKind, &o.SortOrder,
		&o.TermStart, &o.TermEnd, &o.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
	o.Depth = strings.Count(o.Path, "/") - 2
	return &o, nil
}

// FindOrganizationByID returns one organization that is not dissolved.
func (db *DB) FindOrganizationByID(ctx context.Context, id int64) (*org.Organization, error) {
	var o *org.Organization
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		o, err = tx.findOrganization(ctx, id)
		return err
	})
	return o, err
}

func (tx *Tx) findOrganization(ctx context.Context, id int64) (*org.Organization, error) {
	return scanOrg(tx.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations o WHERE o.id = ? AND o.dissolved_at = 0", id))
}

// FindOrganizations returns the organizations under the given subtree roots, in tree order
// (parents before children, siblings by sort order and name), with the people and party
// members of each whole subtree.
func (db *DB) FindOrganizations(ctx context.Context, roots []string) ([]*org.Organization, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var ors []string
	var args []any
	for _, r := range roots {
		c, a := db.underPath("o.path", r)
		ors = append(ors, c)
		args = append(args, a...)
	}
	// Each organization's own people come from the counters; rollUpCounts adds them up the tree.
	q := `SELECT ` + orgColumns + `,
		(SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_people_counts c
			WHERE c.org_id = o.id AND c.status = 'normal'),
		(SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_people_counts c
			WHERE c.org_id = o.id AND c.status = 'normal' AND c.stage IN ('full', 'probationary'))
		FROM organizations o WHERE o.dissolved_at = 0 AND (` + strings.Join(ors, " OR ") + `)`
	var list []*org.Organization
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o *org.Organization
			var people, members int
			if o, err = scanOrg(rows, &people, &members); err != nil {
				return err
			}
			o.PeopleCount, o.MemberCount = people, members
			list = append(list, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find organizations: %w", err)
	}
	rollUpCounts(list)
	return treeOrder(list), nil
}

// FindOrganizationNames returns the organizations under the roots in tree order, without
// counts: what a filter or a choice of organization needs.
func (db *DB) FindOrganizationNames(ctx context.Context, roots []string) ([]*org.Organization, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var ors []string
	var args []any
	for _, r := range roots {
		c, a := db.underPath("o.path", r)
		ors = append(ors, c)
		args = append(args, a...)
	}
	var list []*org.Organization
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+orgColumns+" FROM organizations o WHERE o.dissolved_at = 0 AND ("+
			strings.Join(ors, " OR ")+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				return err
			}
			list = append(list, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find organization names: %w", err)
	}
	return treeOrder(list), nil
}

// FindOrganizationNamesAt is FindOrganizationNames for a caller that knows the version of the
// tree in its snapshot (auth.Actor.TreeVersion, read with its session): while that is the
// version of the copy this instance keeps, the copy answers, and the database is not asked.
// Any change to organizations changes the version in the same transaction (migration
// 00011_tree_version), so the copy is never older than the caller's snapshot; a caller at
// another version reads the whole tree again with its version, in one statement, which then
// becomes the copy. Version 0 (unknown) always reads the database.
func (db *DB) FindOrganizationNamesAt(ctx context.Context, roots []string, version int64) ([]*org.Organization, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	if version == 0 {
		return db.FindOrganizationNames(ctx, roots)
	}
	t := db.names.get(version)
	if t == nil {
		var err error
		if t, err = db.loadNames(ctx); err != nil {
			return nil, err
		}
	}
	return t.subtrees(roots), nil
}

// loadNames reads every live organization in tree order with the tree's version, from one
// snapshot, and keeps them as the instance's copy.
func (db *DB) loadNames(ctx context.Context) (*namesTree, error) {
	var list []*org.Organization
	var version int64
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+orgColumns+", COALESCE((SELECT v FROM tree_version WHERE id = 1), 0)"+
			" FROM organizations o WHERE o.dissolved_at = 0")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrg(rows, &version)
			if err != nil {
				return err
			}
			list = append(list, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find organization names: %w", err)
	}
	list = treeOrder(list)
	t := &namesTree{all: make([]org.Organization, len(list)), at: make(map[string]int, len(list))}
	for i, o := range list {
		t.all[i] = *o
		t.at[o.Path] = i
	}
	if version != 0 {
		db.names.keep(version, t)
	}
	return t, nil
}

// namesTree is a copy of the live organizations in tree order, never changed once made.
type namesTree struct {
	all []org.Organization
	at  map[string]int // index in all by path
}

// subtrees returns copies of the organizations under the roots, in tree order: callers may
// change what they get. In tree order a subtree follows its root without a gap.
func (t *namesTree) subtrees(roots []string) []*org.Organization {
	var blocks [][]org.Organization
	n := 0
	for k, r := range roots {
		if coveredBy(k, roots) {
			continue
		}
		var b []org.Organization
		if r == "/" {
			b = t.all
		} else if i, ok := t.at[r]; ok {
			j := i + 1
			for j < len(t.all) && strings.HasPrefix(t.all[j].Path, r) {
				j++
			}
			b = t.all[i:j]
		}
		blocks = append(blocks, b)
		n += len(b)
	}
	if len(blocks) == 1 {
		// One subtree of a list in tree order is in tree order already.
		return copyOrgs(blocks[0])
	}
	// Several roots, none under another: their subtrees do not overlap.
	var all []org.Organization
	if slices.Contains(roots, "/") {
		all = t.all
	} else {
		all = make([]org.Organization, 0, n)
		for _, b := range blocks {
			all = append(all, b...)
		}
	}
	return treeOrder(copyOrgs(all))
}

// coveredBy reports whether roots[k] lies under another of roots, or repeats an earlier one.
func coveredBy(k int, roots []string) bool {
	for j, r := range roots {
		if r == roots[k] && j < k || r != roots[k] && strings.HasPrefix(roots[k], r) {
			return true
		}
	}
	return false
}

func copyOrgs(list []org.Organization) []*org.Organization {
	block := slices.Clone(list)
	out := make([]*org.Organization, len(block))
	for i := range block {
		out[i] = &block[i]
	}
	return out
}

// rollUpCounts turns each organization's own counts into the counts of its whole subtree. A
// listed organization's subtree is listed with it (the roots are subtrees), apart from
// dissolved organizations, which hold no one.
func rollUpCounts(list []*org.Organization) {
	byPath := make(map[string]*org.Organization, len(list))
	own := make(map[*org.Organization][2]int, len(list))
	for _, o := range list {
		byPath[o.Path] = o
		own[o] = [2]int{o.PeopleCount, o.MemberCount}
	}
	for _, o := range list {
		c := own[o]
		// Every proper prefix of /1/4/9/ that ends in a slash is an ancestor's path.
		for i := len(o.Path) - 2; i > 0; i-- {
			if o.Path[i] != '/' {
				continue
			}
			if a := byPath[o.Path[:i+1]]; a != nil {
				a.PeopleCount += c[0]
				a.MemberCount += c[1]
			}
		}
	}
}

// treeOrder sorts organizations depth-first: each parent followed by its children ordered by
// sort order, then name.
func treeOrder(list []*org.Organization) []*org.Organization {
	children := map[int64][]*org.Organization{}
	present := map[int64]bool{}
	for _, o := range list {
		present[o.ID] = true
	}
	var tops []*org.Organization
	for _, o := range list {
		if o.ParentID != 0 && present[o.ParentID] {
			children[o.ParentID] = append(children[o.ParentID], o)
		} else {
			tops = append(tops, o)
		}
	}
	less := func(a, b *org.Organization) int {
		if a.SortOrder != b.SortOrder {
			return a.SortOrder - b.SortOrder
		}
		return strings.Compare(a.Name, b.Name)
	}
	out := make([]*org.Organization, 0, len(list))
	var walk func([]*org.Organization)
	walk = func(level []*org.Organization) {
		slices.SortFunc(level, less)
		for _, o := range level {
			out = append(out, o)
			walk(children[o.ID])
		}
	}
	walk(tops)
	return out
}

// CreateOrganization inserts o under o.Path (the parent's path, or "/") and sets its ID and
// full path.
func (db *DB) CreateOrganization(ctx context.Context, o *org.Organization, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := ms(db.Now())
		id, err := tx.insert(ctx, `INSERT INTO organizations (parent_id, path, kind, name, unit_name, unit_kind,
			sort_order, term_start, term_end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nullInt(o.ParentID), "pending", o.Kind, o.Name, o.UnitName, o.UnitKind, o.SortOrder, o.TermStart, o.TermEnd, now, now)
		if err != nil {
			return fmt.Errorf("store: create organization: %w", err)
		}
		o.ID = id
		o.Path = o.Path + strconv.FormatInt(id, 10) + "/"
		o.Version = 1
		if _, err := tx.exec(ctx, "UPDATE organizations SET path = ? WHERE id = ?", o.Path, id); err != nil {
			return err
		}
		rec.ObjectID, rec.OrgPath = id, o.Path
		return tx.appendAudit(ctx, rec)
	})
}

// UpdateOrganization saves an organization's own fields if its version is unchanged.
func (db *DB) UpdateOrganization(ctx context.Context, o *org.Organization, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		err := tx.updateVersioned(ctx, `UPDATE organizations SET name = ?, unit_name = ?, unit_kind = ?, sort_order = ?,
			term_start = ?, term_end = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			o.Name, o.UnitName, o.UnitKind, o.SortOrder, o.TermStart, o.TermEnd, ms(db.Now()), o.ID, o.Version)
		if err != nil {
			return err
		}
		o.Version++
		rec.ObjectID, rec.OrgPath = o.ID, o.Path
		return tx.appendAudit(ctx, rec)
	})
}

// FindPositions returns an organization's committee, current terms first.
func (db *DB) FindPositions(ctx context.Context, orgID int64) ([]*org.Position, error) {
	var out []*org.Position
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT ps.id, ps.org_id, ps.person_id, p.name, ps.position, ps.term_start, ps.term_end
			FROM positions ps JOIN people p ON p.id = ps.person_id WHERE ps.org_id = ?
			ORDER BY ps.term_end DESC, ps.id`, orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p org.Position
			if err := rows.Scan(&p.ID, &p.OrgID, &p.PersonID, &p.PersonName, &p.Position, &p.TermStart, &p.TermEnd); err != nil {
				return err
			}
			out = append(out, &p)
		}
		return rows.Err()
	})
	return out, err
}

// CreatePosition records a committee position.
func (db *DB) CreatePosition(ctx context.Context, p *org.Position, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.insert(ctx, `INSERT INTO positions (org_id, person_id, position, term_start, term_end, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, p.OrgID, p.PersonID, p.Position, p.TermStart, p.TermEnd, ms(db.Now()))
		if err != nil {
			return fmt.Errorf("store: create position: %w", err)
		}
		p.ID, rec.ObjectID = id, id
		return tx.appendAudit(ctx, rec)
	})
}
