package store

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
)

// FindStudyAttendance returns the activities of a study type starting in [from, to) that a
// person attended (cancelled ones aside), oldest first, with the days attended.
func (db *DB) FindStudyAttendance(ctx context.Context, personID int64, from, to time.Time) ([]*activity.StudyAttendance, error) {
	var out []*activity.StudyAttendance
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT a.id, a.title, a.starts_at, a.ends_at, a.all_day, a.study_hours, COUNT(t.id)
			FROM attendance t JOIN activities a ON a.id = t.activity_id
			WHERE t.person_id = ? AND a.starts_at >= ? AND a.starts_at < ? AND a.status <> 'cancelled'
				AND EXISTS (SELECT 1 FROM activity_type_links l JOIN activity_types ty ON ty.code = l.type_code
					WHERE l.activity_id = a.id AND ty.study = ?)
			GROUP BY a.id, a.title, a.starts_at, a.ends_at, a.all_day, a.study_hours
			ORDER BY a.starts_at, a.id`, personID, ms(from), ms(to), true)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sa activity.StudyAttendance
			var starts, ends int64
			if err := rows.Scan(&sa.ActivityID, &sa.Title, &starts, &ends, &sa.AllDay, &sa.StudyHours, &sa.DaysAttended); err != nil {
				return err
			}
			sa.StartsAt, sa.EndsAt = fromMS(starts), fromMS(ends)
			out = append(out, &sa)
		}
		return rows.Err()
	})
	return out, err
}
