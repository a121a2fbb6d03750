package store

import (
	"context"
	"slices"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
)

// FindMatterLedger returns the matters of the subtrees opened in [from, to), oldest first,
// each with the channels its reports came by, its earliest report and the ratings of its
// latest round of answers: three queries over the same matters, none per matter. More than
// limit matters is an apperr Invalid (error.insight_too_many).
func (db *DB) FindMatterLedger(ctx context.Context, roots []string, from, to time.Time, limit int) ([]*masswork.LedgerRow, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	scope, args := db.insightScope("o.path", roots)
	where := " WHERE " + scope + " AND m.created_at >= ? AND m.created_at < ?"
	args = append(args, ms(from), ms(to))
	const matters = " FROM matters m JOIN organizations o ON o.id = m.org_id"
	var out []*masswork.LedgerRow
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT m.id, m.code, m.org_id, o.name, o.path, m.category_id, c.code, c.name_zh, c.name_en,
			m.title, m.summary, m.withheld, m.status, m.zone, m.booth, m.address, COALESCE(m.assignee_person_id, 0), m.assignee_name,
			m.people, m.response_due, m.resolve_due, m.responded_at, m.accepted_at, m.resolved_at, m.closed_at, m.close_reason,
			m.reject_reason, COALESCE(m.merged_into, 0), COALESCE(mi.code, ''), COALESCE(m.escalated_org_id, 0), COALESCE(eo.name, ''),
			m.escalations, m.round, m.created_at, m.updated_at, m.version`+matters+`
			JOIN problem_categories c ON c.id = m.category_id
			LEFT JOIN matters mi ON mi.id = m.merged_into LEFT JOIN organizations eo ON eo.id = m.escalated_org_id`+
			where+" ORDER BY m.created_at, m.id LIMIT ?", append(args, limit+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[int64]*masswork.LedgerRow{}
		for rows.Next() {
			var m masswork.Matter
			var respDue, resDue, responded, accepted, resolved, closed, created, updated int64
			if err := rows.Scan(&m.ID, &m.Code, &m.OrgID, &m.OrgName, &m.OrgPath, &m.CategoryID, &m.CategoryCode, &m.CategoryName,
				&m.CategoryNameEn, &m.Title, &m.Summary, &m.Withheld, &m.Status, &m.Zone, &m.Booth, &m.Address, &m.AssigneeID,
				&m.AssigneeName, &m.People, &respDue, &resDue, &responded, &accepted, &resolved, &closed, &m.CloseReason,
				&m.RejectReason, &m.MergedInto, &m.MergedIntoCode, &m.EscalatedOrgID, &m.EscalatedOrg, &m.Escalations, &m.Round,
				&created, &updated, &m.Version); err != nil {
				return err
			}
			m.ResponseDue, m.ResolveDue, m.RespondedAt, m.AcceptedAt = fromMS(respDue), fromMS(resDue), fromMS(responded), fromMS(accepted)
			m.ResolvedAt, m.ClosedAt, m.CreatedAt, m.UpdatedAt = fromMS(resolved), fromMS(closed), fromMS(created), fromMS(updated)
			row := &masswork.LedgerRow{Matter: &m, FirstReported: m.CreatedAt, Ratings: map[string]int{}}
			out = append(out, row)
			byID[m.ID] = row
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) > limit {
			return apperr.New(apperr.Invalid, "error.insight_too_many")
		}

		// Channels and the earliest report.
		rows, err = tx.query(ctx, "SELECT p.matter_id, p.channel, MIN(p.created_at) FROM problems p JOIN matters m ON m.id = p.matter_id"+
			" JOIN organizations o ON o.id = m.org_id"+where+" GROUP BY p.matter_id, p.channel", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, first int64
			var channel string
			if err := rows.Scan(&id, &channel, &first); err != nil {
				return err
			}
			row := byID[id]
			if row == nil {
				continue
			}
			row.Channels = append(row.Channels, channel)
			if t := fromMS(first); t.Before(row.FirstReported) {
				row.FirstReported = t
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()

		// The answers of each matter's latest round with any.
		rows, err = tx.query(ctx, "SELECT f.matter_id, f.round, f.rating FROM matter_feedback f JOIN matters m ON m.id = f.matter_id"+
			" JOIN organizations o ON o.id = m.org_id"+where+" AND f.answered_at > 0", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var round int
			var rating string
			if err := rows.Scan(&id, &round, &rating); err != nil {
				return err
			}
			row := byID[id]
			switch {
			case row == nil || round < row.Round:
				continue
			case round > row.Round:
				row.Round, row.Ratings = round, map[string]int{}
			}
			row.Ratings[rating]++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, row := range out {
			slices.SortFunc(row.Channels, func(a, b string) int {
				return slices.Index(masswork.Channels, a) - slices.Index(masswork.Channels, b)
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
