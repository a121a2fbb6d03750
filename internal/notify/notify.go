// Package notify is what dangjian tells people without being asked: a notice to everyone
// invited before an activity starts, and to the recorder when an activity's record is due. A
// notice is shown in the app to its recipient; when SMTP is configured it is also emailed to
// the recipient's accounts that have an address. Each notice exists once per recipient, kind,
// activity and occasion, however many job runs or app instances race to make it.
package notify

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
)

// Kinds of notice.
const (
	// KindActivitySoon tells an invitee that an activity starts soon.
	KindActivitySoon = "activity_soon"
	// KindRecordDue asks an activity's recorder to submit its record.
	KindRecordDue = "record_due"
)

// Params are what a notice says, kept as it was said: a later change of the activity makes a
// new notice (when its time changes) but leaves the old ones as they were.
type Params struct {
	Title    string    `json:"title"`
	OrgName  string    `json:"org,omitempty"`
	Place    string    `json:"place,omitempty"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	AllDay   bool      `json:"all_day,omitempty"`
	// Changed reports that the recipient had a notice of the same kind about the activity at
	// another time: the activity was moved.
	Changed bool `json:"changed,omitempty"`
}

// Notification is one notice to a person on the register (seen by the accounts linked to the
// person) or to one account.
type Notification struct {
	ID         int64
	PersonID   int64
	UserID     int64
	Kind       string
	ActivityID int64
	// Occasion is the instant the notice is about: the activity's start for KindActivitySoon,
	// its end for KindRecordDue. A new occasion is a new notice.
	Occasion  time.Time
	Params    Params
	CreatedAt time.Time
	ReadAt    time.Time
}

// Unread reports whether the recipient has not marked the notice read.
func (n *Notification) Unread() bool { return n.ReadAt.IsZero() }

// Email is one email of a notice to one account's address, and what became of it.
type Email struct {
	ID       int64
	UserID   int64
	Address  string
	Locale   string // the account's language: "en" or Chinese
	Subject  string // as sent
	Attempts int
	// ClaimedAt is when an instance took the email to send it; SentAt when the server
	// accepted it; Error why the last attempt failed.
	CreatedAt time.Time
	ClaimedAt time.Time
	SentAt    time.Time
	Error     string
	Notice    *Notification
}

// Filter selects the notices of one recipient: those to the person and those to the account.
type Filter struct {
	PersonID int64
	UserID   int64
	Limit    int
	Offset   int
}

// DueQuery asks for the notices due at Now that do not exist yet.
type DueQuery struct {
	Now time.Time
	// Lead: invitees of activities starting in (Now, Now+Lead] get KindActivitySoon.
	Lead time.Duration
	// RecordAfter and RecordWindow: recorders of activities that ended in
	// (Now-RecordAfter-RecordWindow, Now-RecordAfter] without a submitted or approved record get
	// KindRecordDue.
	RecordAfter  time.Duration
	RecordWindow time.Duration
	Limit        int
}

// Store is what the notice service needs from the database. Each method is one transaction.
type Store interface {
	// FindNotifications returns a recipient's notices, newest first, and their total.
	FindNotifications(ctx context.Context, f Filter) ([]*Notification, int, error)
	// CountUnread counts a recipient's unread notices.
	CountUnread(ctx context.Context, f Filter) (int, error)
	FindNotificationByID(ctx context.Context, id int64) (*Notification, error)
	// MarkNotificationsRead marks a recipient's unread notice id (all of them when id is 0)
	// read at at, and returns how many it marked.
	MarkNotificationsRead(ctx context.Context, f Filter, id int64, at time.Time) (int, error)

	// FindDueNotices returns the notices due by q that no recipient has yet, in the order
	// of kind, activity and recipient: invited participants (without approved leave) of
	// activities that are not cancelled and start within the lead, and the recorders of
	// ended activities whose record was neither submitted nor approved. Params.Changed is set
	// when the recipient had the same kind of notice about the activity at another occasion.
	FindDueNotices(ctx context.Context, q DueQuery) ([]*Notification, error)
	// CreateNotifications inserts the notices that do not exist yet (one per recipient, kind,
	// activity and occasion; the others are skipped, even when another transaction inserts
	// them at the same moment) and returns those it inserted. With emails, it also adds an
	// email of each inserted notice to every enabled account of the recipient that has an
	// address.
	CreateNotifications(ctx context.Context, ns []*Notification, at time.Time, emails bool) ([]*Notification, error)

	// FindPendingEmails returns emails neither sent nor claimed, tried fewer than
	// maxAttempts times, made after since, oldest first, with their notices.
	FindPendingEmails(ctx context.Context, since time.Time, maxAttempts, limit int) ([]*Email, error)
	// ClaimEmail takes a pending email for sending at at; false when another instance took it
	// first.
	ClaimEmail(ctx context.Context, id int64, at time.Time) (bool, error)
	// FinishEmail records the outcome of sending a claimed email: e.SentAt set for sent,
	// else e.Error, which releases the claim for another attempt.
	FinishEmail(ctx context.Context, e *Email) error

	// FindUserEmail returns an account's address for notices ("" when none).
	FindUserEmail(ctx context.Context, userID int64) (string, error)
	// SetUserEmail changes an account's address for notices, with its audit record.
	SetUserEmail(ctx context.Context, userID int64, email string, rec *audit.Record) error
}
