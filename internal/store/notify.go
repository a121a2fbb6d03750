package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/notify"
)

const notificationColumns = `n.id, COALESCE(n.person_id, 0), COALESCE(n.user_id, 0), n.kind, COALESCE(n.activity_id, 0),
	n.occasion, n.params, n.created_at, n.read_at`

func scanNotification(row interface{ Scan(...any) error }, extra ...any) (*notify.Notification, error) {
	var n notify.Notification
	var occasion, created, read int64
	var params string
	dest := append([]any{&n.ID, &n.PersonID, &n.UserID, &n.Kind, &n.ActivityID, &occasion, &params, &created, &read}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
		return nil, fmt.Errorf("notice %d: params: %w", n.ID, err)
	}
	n.Occasion, n.CreatedAt, n.ReadAt = fromMS(occasion), fromMS(created), fromMS(read)
	return &n, nil
}

// recipientWhere selects a recipient's notices: to the person, or to the account. A filter
// without a person matches no person's notice (person ids are never 0).
const recipientWhere = "(n.person_id = ? OR n.user_id = ?)"

// FindNotifications returns a recipient's notices, newest first, and their total.
func (db *DB) FindNotifications(ctx context.Context, f notify.Filter) ([]*notify.Notification, int, error) {
	var out []*notify.Notification
	total := 0
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+notificationColumns+", COUNT(*) OVER() FROM notifications n WHERE "+recipientWhere+
			" ORDER BY n.created_at DESC, n.id DESC LIMIT ? OFFSET ?", f.PersonID, f.UserID, f.Limit, f.Offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotification(rows, &total)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find notifications: %w", err)
	}
	return out, total, nil
}

// CountUnread counts a recipient's unread notices.
func (db *DB) CountUnread(ctx context.Context, f notify.Filter) (int, error) {
	var n int
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM notifications n WHERE "+recipientWhere+" AND n.read_at = 0",
			f.PersonID, f.UserID).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: count unread notifications: %w", err)
	}
	return n, nil
}

// FindNotificationByID returns one notice.
func (db *DB) FindNotificationByID(ctx context.Context, id int64) (*notify.Notification, error) {
	var n *notify.Notification
	err := db.readOnce(ctx, func(tx *Tx) error {
		var err error
		n, err = scanNotification(tx.queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications n WHERE n.id = ?", id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find notification: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a recipient's unread notice id (all when id is 0) read.
func (db *DB) MarkNotificationsRead(ctx context.Context, f notify.Filter, id int64, at time.Time) (int, error) {
	var marked int64
	err := db.inTx(ctx, func(tx *Tx) error {
		q := "UPDATE notifications SET read_at = ? WHERE read_at = 0 AND (person_id = ? OR user_id = ?)"
		args := []any{ms(at), f.PersonID, f.UserID}
		if id != 0 {
			q += " AND id = ?"
			args = append(args, id)
		}
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		marked, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark notifications read: %w", err)
	}
	return int(marked), nil
}

// noticeOf matches the notices of one person, kind and activity, in the terms of the unique
// index notifications_once, so that both databases look them up through it.
const noticeOf = `COALESCE(n.person_id, 0) = %s AND COALESCE(n.user_id, 0) = 0 AND n.kind = ? AND COALESCE(n.activity_id, 0) = a.id`

// dueColumns are an activity's facts that a notice keeps, then whether the person had a notice
// of the kind at another occasion.
const dueColumns = `a.id, a.title, a.place, o.name, a.starts_at, a.ends_at, a.all_day`

// FindDueNotices returns the notices due by q that do not exist yet: invitees of activities
// starting soon (KindActivitySoon, at the start), and recorders of activities whose record is
// due (KindRecordDue, at the end).
func (db *DB) FindDueNotices(ctx context.Context, q notify.DueQuery) ([]*notify.Notification, error) {
	var out []*notify.Notification
	soon := fmt.Sprintf(`SELECT pa.person_id, `+dueColumns+`,
		CASE WHEN EXISTS (SELECT 1 FROM notifications n WHERE `+noticeOf+`) THEN 1 ELSE 0 END
		FROM activities a JOIN organizations o ON o.id = a.org_id JOIN participants pa ON pa.activity_id = a.id
		WHERE a.status <> ? AND a.starts_at > ? AND a.starts_at <= ? AND pa.invited = ? AND pa.response <> ?
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE `+noticeOf+` AND n.occasion = a.starts_at)
		ORDER BY a.id, pa.person_id LIMIT ?`, "pa.person_id", "pa.person_id")
	due := fmt.Sprintf(`SELECT a.recorder_id, `+dueColumns+`,
		CASE WHEN EXISTS (SELECT 1 FROM notifications n WHERE `+noticeOf+`) THEN 1 ELSE 0 END
		FROM activities a JOIN organizations o ON o.id = a.org_id
		WHERE a.status <> ? AND a.recorder_id IS NOT NULL AND a.ends_at <= ? AND a.ends_at > ?
		AND NOT EXISTS (SELECT 1 FROM activity_records r WHERE r.activity_id = a.id AND r.status IN (?, ?))
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE `+noticeOf+` AND n.occasion = a.ends_at)
		ORDER BY a.id LIMIT ?`, "a.recorder_id", "a.recorder_id")
	recordBy := q.Now.Add(-q.RecordAfter)
	err := db.readTx(ctx, func(tx *Tx) error {
		for _, k := range []struct {
			kind, q string
			args    []any
		}{
			{notify.KindActivitySoon, soon, []any{notify.KindActivitySoon, activity.StatusCancelled, ms(q.Now), ms(q.Now.Add(q.Lead)),
				true, activity.ResponseLeaveApproved, notify.KindActivitySoon, q.Limit}},
			{notify.KindRecordDue, due, []any{notify.KindRecordDue, activity.StatusCancelled, ms(recordBy), ms(recordBy.Add(-q.RecordWindow)),
				activity.RecordSubmitted, activity.RecordApproved, notify.KindRecordDue, q.Limit}},
		} {
			rows, err := tx.query(ctx, k.q, k.args...)
			if err != nil {
				return fmt.Errorf("%s: %w", k.kind, err)
			}
			for rows.Next() {
				n := &notify.Notification{Kind: k.kind}
				var starts, ends int64
				var changed int
				if err := rows.Scan(&n.PersonID, &n.ActivityID, &n.Params.Title, &n.Params.Place, &n.Params.OrgName,
					&starts, &ends, &n.Params.AllDay, &changed); err != nil {
					rows.Close()
					return err
				}
				n.Params.StartsAt, n.Params.EndsAt, n.Params.Changed = fromMS(starts), fromMS(ends), changed != 0
				n.Occasion = n.Params.StartsAt
				if k.kind == notify.KindRecordDue {
					n.Occasion = n.Params.EndsAt
				}
				out = append(out, n)
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: find due notices: %w", err)
	}
	return out, nil
}

// CreateNotifications inserts the notices that do not exist yet and returns those inserted.
// ON CONFLICT DO NOTHING on the unique index notifications_once makes a notice that another
// transaction inserts at the same moment wait for it and then be skipped.
func (db *DB) CreateNotifications(ctx context.Context, ns []*notify.Notification, at time.Time, emails bool) ([]*notify.Notification, error) {
	var created []*notify.Notification
	err := db.inTx(ctx, func(tx *Tx) error {
		created = created[:0]
		for _, n := range ns {
			params, err := json.Marshal(n.Params)
			if err != nil {
				return err
			}
			var id int64
			err = tx.queryRow(ctx, `INSERT INTO notifications (person_id, user_id, kind, activity_id, occasion, params, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
				nullInt(n.PersonID), nullInt(n.UserID), n.Kind, nullInt(n.ActivityID), ms(n.Occasion), string(params), ms(at)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // it exists
			}
			if err != nil {
				return err
			}
			n.ID, n.CreatedAt, n.ReadAt = id, at, time.Time{}
			created = append(created, n)
			if !emails {
				continue
			}
			who, arg := "u.person_id = ?", n.PersonID
			if n.PersonID == 0 {
				who, arg = "u.id = ?", n.UserID
			}
			if _, err := tx.exec(ctx, `INSERT INTO notification_emails (notification_id, user_id, address, locale, created_at)
				SELECT CAST(? AS BIGINT), u.id, u.email, u.locale, CAST(? AS BIGINT) FROM users u WHERE `+who+` AND u.email <> '' AND u.disabled = ?`,
				id, ms(at), arg, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: create notifications: %w", err)
	}
	return created, nil
}

// FindPendingEmails returns the emails neither sent nor claimed, with their notices.
func (db *DB) FindPendingEmails(ctx context.Context, since time.Time, maxAttempts, limit int) ([]*notify.Email, error) {
	var out []*notify.Email
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+notificationColumns+`, e.id, COALESCE(e.user_id, 0), e.address, e.locale,
			e.attempts, e.created_at FROM notification_emails e JOIN notifications n ON n.id = e.notification_id
			WHERE e.sent_at = 0 AND e.claimed_at = 0 AND e.attempts < ? AND e.created_at > ? ORDER BY e.id LIMIT ?`,
			maxAttempts, ms(since), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e notify.Email
			var created int64
			n, err := scanNotification(rows, &e.ID, &e.UserID, &e.Address, &e.Locale, &e.Attempts, &created)
			if err != nil {
				return err
			}
			e.CreatedAt, e.Notice = fromMS(created), n
			out = append(out, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find pending emails: %w", err)
	}
	return out, nil
}

// ClaimEmail takes a pending email for sending. The update is conditional on the email being
// unclaimed, so that of two instances only one changes the row: on PostgreSQL the second
// waits for the first's commit and then finds the condition false.
func (db *DB) ClaimEmail(ctx context.Context, id int64, at time.Time) (bool, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notification_emails SET claimed_at = ?, attempts = attempts + 1
			WHERE id = ? AND claimed_at = 0 AND sent_at = 0`, ms(at), id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: claim email: %w", err)
	}
	return n == 1, nil
}

// FinishEmail records how sending a claimed email went; a failure releases the claim.
func (db *DB) FinishEmail(ctx context.Context, e *notify.Email) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		if !e.SentAt.IsZero() {
			_, err := tx.exec(ctx, "UPDATE notification_emails SET sent_at = ?, subject = ?, error = '' WHERE id = ?",
				ms(e.SentAt), e.Subject, e.ID)
			return err
		}
		_, err := tx.exec(ctx, "UPDATE notification_emails SET claimed_at = 0, subject = ?, error = ? WHERE id = ?",
			e.Subject, e.Error, e.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish email: %w", err)
	}
	return nil
}

// FindNotificationEmails returns the emails of a notice, oldest first: what was sent to whom.
func (db *DB) FindNotificationEmails(ctx context.Context, notificationID int64) ([]*notify.Email, error) {
	var out []*notify.Email
	err := db.readOnce(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, COALESCE(user_id, 0), address, locale, subject, attempts, created_at, claimed_at,
			sent_at, error FROM notification_emails WHERE notification_id = ? ORDER BY id`, notificationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e notify.Email
			var created, claimed, sent int64
			if err := rows.Scan(&e.ID, &e.UserID, &e.Address, &e.Locale, &e.Subject, &e.Attempts, &created, &claimed,
				&sent, &e.Error); err != nil {
				return err
			}
			e.CreatedAt, e.ClaimedAt, e.SentAt = fromMS(created), fromMS(claimed), fromMS(sent)
			out = append(out, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find notification emails: %w", err)
	}
	return out, nil
}

// FindUserEmail returns an account's address for notices.
func (db *DB) FindUserEmail(ctx context.Context, userID int64) (string, error) {
	var email string
	err := db.readOnce(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT email FROM users WHERE id = ?", userID).Scan(&email)
	})
	if err != nil {
		return "", fmt.Errorf("store: find user email: %w", err)
	}
	return email, nil
}

// SetUserEmail changes an account's address for notices, with its audit record.
func (db *DB) SetUserEmail(ctx context.Context, userID int64, email string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE users SET email = ?, updated_at = ? WHERE id = ?", email, ms(db.Now()), userID)
		if err != nil {
			return fmt.Errorf("store: set user email: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("store: set user email: %w", sql.ErrNoRows)
		}
		return tx.appendAudit(ctx, rec)
	})
}
