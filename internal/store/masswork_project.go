package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
)

const projectColumns = `p.id, p.org_id, o.name, o.path, p.title, p.description, COALESCE(p.owner_person_id, 0), p.owner_name,
	p.status, p.public, p.starts_on, p.due_on, p.created_at, p.updated_at, p.version`

const projectFrom = ` FROM projects p JOIN organizations o ON o.id = p.org_id`

func scanProject(row interface{ Scan(...any) error }) (*masswork.Project, error) {
	var p masswork.Project
	var created, updated int64
	if err := row.Scan(&p.ID, &p.OrgID, &p.OrgName, &p.OrgPath, &p.Title, &p.Description, &p.OwnerID, &p.OwnerName,
		&p.Status, &p.Public, &p.StartsOn, &p.DueOn, &created, &updated, &p.Version); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// FindProjects returns the projects of organizations in the subtrees (only the public ones
// when publicOnly), with their milestones: active ones first, then by due date and title.
// No roots, no projects.
func (db *DB) FindProjects(ctx context.Context, roots []string, publicOnly bool) ([]*masswork.Project, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var scope []string
	var args []any
	for _, root := range roots {
		c, a := db.underPath("o.path", root)
		scope, args = append(scope, c), append(args, a...)
	}
	where := " WHERE (" + strings.Join(scope, " OR ") + ")"
	if publicOnly {
		where += " AND p.public = ?"
		args = append(args, true)
	}
	var out []*masswork.Project
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+projectColumns+projectFrom+where+
			` ORDER BY CASE p.status WHEN 'active' THEN 0 WHEN 'done' THEN 1 ELSE 2 END, p.due_on, p.title, p.id LIMIT 1000`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProject(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return tx.projectMilestones(ctx, out)
	})
	return out, err
}

// FindProjectByID returns one project with its milestones and the matters it adopts.
func (db *DB) FindProjectByID(ctx context.Context, id int64) (*masswork.Project, error) {
	var p *masswork.Project
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		if p, err = scanProject(tx.queryRow(ctx, "SELECT "+projectColumns+projectFrom+" WHERE p.id = ?", id)); err != nil {
			return err
		}
		if err := tx.projectMilestones(ctx, []*masswork.Project{p}); err != nil {
			return err
		}
		p.Matters, err = tx.projectMatters(ctx, p.ID)
		return err
	})
	return p, err
}

// projectMilestones fills the milestones of projects in their order.
func (tx *Tx) projectMilestones(ctx context.Context, ps []*masswork.Project) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*masswork.Project, len(ps))
	ids := make([]any, 0, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	rows, err := tx.query(ctx, `SELECT id, project_id, title, weight, progress, due_on, done_on, sort_order
		FROM project_milestones WHERE project_id IN `+placeholders(1, len(ids))+` ORDER BY project_id, sort_order, id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m masswork.Milestone
		if err := rows.Scan(&m.ID, &m.ProjectID, &m.Title, &m.Weight, &m.Progress, &m.DueOn, &m.DoneOn, &m.SortOrder); err != nil {
			return err
		}
		p := byID[m.ProjectID]
		p.Milestones = append(p.Milestones, &m)
	}
	return rows.Err()
}

// projectMatters returns the matters a project adopts, with the fields a public page may
// show and those staff need to link them: never a report or a reporter.
func (tx *Tx) projectMatters(ctx context.Context, projectID int64) ([]*masswork.Matter, error) {
	rows, err := tx.query(ctx, `SELECT m.id, m.code, m.org_id, o.name, o.path, m.category_id, c.code, c.name_zh, c.name_en,
		m.title, m.summary, m.withheld, m.status, m.zone, m.people, m.rank_key, m.created_at, m.resolved_at, m.closed_at, m.version
		FROM project_matters pm JOIN matters m ON m.id = pm.matter_id JOIN organizations o ON o.id = m.org_id
		JOIN problem_categories c ON c.id = m.category_id
		WHERE pm.project_id = ? ORDER BY m.created_at, m.id`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*masswork.Matter
	for rows.Next() {
		var m masswork.Matter
		var created, resolved, closed int64
		if err := rows.Scan(&m.ID, &m.Code, &m.OrgID, &m.OrgName, &m.OrgPath, &m.CategoryID, &m.CategoryCode, &m.CategoryName,
			&m.CategoryNameEn, &m.Title, &m.Summary, &m.Withheld, &m.Status, &m.Zone, &m.People, &m.RankKey, &created,
			&resolved, &closed, &m.Version); err != nil {
			return nil, err
		}
		m.CreatedAt, m.ResolvedAt, m.ClosedAt = fromMS(created), fromMS(resolved), fromMS(closed)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// SaveProject creates a project (p.ID 0) or rewrites one if its version is still p.Version
// (else apperr.ErrStale), with its milestones and adopted matters replaced by p's.
func (db *DB) SaveProject(ctx context.Context, p *masswork.Project, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.Now()
		if p.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO projects (org_id, title, description, owner_person_id, owner_name, status,
				public, starts_on, due_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.OrgID, p.Title, p.Description, nullInt(p.OwnerID), p.OwnerName, p.Status, p.Public, p.StartsOn, p.DueOn,
				ms(now), ms(now))
			if err != nil {
				return fmt.Errorf("store: create project: %w", err)
			}
			p.ID, p.CreatedAt, p.Version = id, now, 1
		} else {
			err := tx.updateVersioned(ctx, `UPDATE projects SET org_id = ?, title = ?, description = ?, owner_person_id = ?,
				owner_name = ?, status = ?, public = ?, starts_on = ?, due_on = ?, updated_at = ?, version = version + 1
				WHERE id = ? AND version = ?`, p.OrgID, p.Title, p.Description, nullInt(p.OwnerID), p.OwnerName, p.Status,
				p.Public, p.StartsOn, p.DueOn, ms(now), p.ID, p.Version)
			if err != nil {
				return err
			}
			p.Version++
			for _, q := range []string{"DELETE FROM project_milestones WHERE project_id = ?", "DELETE FROM project_matters WHERE project_id = ?"} {
				if _, err := tx.exec(ctx, q, p.ID); err != nil {
					return fmt.Errorf("store: save project: %w", err)
				}
			}
		}
		p.UpdatedAt = now
		for i, m := range p.Milestones {
			id, err := tx.insert(ctx, `INSERT INTO project_milestones (project_id, title, weight, progress, due_on, done_on, sort_order)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ID, m.Title, m.Weight, m.Progress, m.DueOn, m.DoneOn, i)
			if err != nil {
				return fmt.Errorf("store: project milestone: %w", err)
			}
			m.ID, m.ProjectID, m.SortOrder = id, p.ID, i
		}
		for _, m := range p.Matters {
			if _, err := tx.exec(ctx, "INSERT INTO project_matters (project_id, matter_id) VALUES (?, ?)", p.ID, m.ID); err != nil {
				return fmt.Errorf("store: project matter: %w", err)
			}
		}
		rec.ObjectID = p.ID
		return tx.appendAudit(ctx, rec)
	})
}
