package notify

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Options configure the notice service.
type Options struct {
	// Mailer sends emails; nil: notices are shown in the app only.
	Mailer Mailer
	// BaseURL is the public URL of the installation, for links in emails; empty: emails
	// carry no link.
	BaseURL string
	// Zone is the zone times are written in (Asia/Shanghai by default).
	Zone *time.Location
	// Lead is how long before an activity starts its invitees are told; RecordAfter how long
	// after it ended its recorder is reminded of the record. Both default to 24 hours.
	Lead        time.Duration
	RecordAfter time.Duration
	Now         func() time.Time
}

// RecordWindow bounds the reminder to the recorder: activities that ended longer ago than
// this (beyond RecordAfter) get none, so that installing or upgrading dangjian does not remind
// anyone of last year's meetings. Overdue records stay visible on the compliance pages.
const RecordWindow = 30 * 24 * time.Hour

// Email sending: an email is tried at most MaxEmailAttempts times, and not at all once it is
// older than EmailMaxAge (a reminder that comes a day late is no reminder).
const (
	MaxEmailAttempts = 3
	EmailMaxAge      = 24 * time.Hour
)

// Service lists and marks a user's notices and makes the due ones.
type Service struct {
	store Store
	opts  Options
}

// NewService returns the notice service.
func NewService(store Store, opts Options) *Service {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if opts.Lead <= 0 {
		opts.Lead = 24 * time.Hour
	}
	if opts.RecordAfter <= 0 {
		opts.RecordAfter = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Service{store: store, opts: opts}
}

// Emailing reports whether notices are also emailed.
func (s *Service) Emailing() bool { return s.opts.Mailer != nil }

// DefaultPageSize is the number of notices a page lists.
const DefaultPageSize = 30

// recipient returns the filter of the actor's own notices.
func recipient(a *auth.Actor) (Filter, error) {
	if a == nil || a.UserID == 0 {
		return Filter{}, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	return Filter{PersonID: a.PersonID, UserID: a.UserID}, nil
}

// mine reports whether a notice is to the actor: to the actor's account, or to the person the
// account is linked to.
func mine(a *auth.Actor, n *Notification) bool {
	return (n.UserID != 0 && n.UserID == a.UserID) || (n.PersonID != 0 && n.PersonID == a.PersonID)
}

// Notifications returns the actor's own notices, newest first, and their total. Nobody sees
// another's notices, administrators included.
func (s *Service) Notifications(ctx context.Context, a *auth.Actor, limit, offset int) ([]*Notification, int, error) {
	f, err := recipient(a)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 200 {
		limit = DefaultPageSize
	}
	f.Limit, f.Offset = limit, max(offset, 0)
	return s.store.FindNotifications(ctx, f)
}

// Unread counts the actor's unread notices.
func (s *Service) Unread(ctx context.Context, a *auth.Actor) (int, error) {
	f, err := recipient(a)
	if err != nil {
		return 0, err
	}
	return s.store.CountUnread(ctx, f)
}

// MarkRead marks one of the actor's notices read; another's notice is not found.
func (s *Service) MarkRead(ctx context.Context, a *auth.Actor, id int64) error {
	f, err := recipient(a)
	if err != nil {
		return err
	}
	n, err := s.store.FindNotificationByID(ctx, id)
	if err != nil {
		return err
	}
	if !mine(a, n) {
		return apperr.ErrNotFound
	}
	if !n.Unread() {
		return nil
	}
	_, err = s.store.MarkNotificationsRead(ctx, f, id, s.opts.Now())
	return err
}

// MarkAllRead marks all the actor's notices read and returns how many were unread.
func (s *Service) MarkAllRead(ctx context.Context, a *auth.Actor) (int, error) {
	f, err := recipient(a)
	if err != nil {
		return 0, err
	}
	return s.store.MarkNotificationsRead(ctx, f, 0, s.opts.Now())
}

// Email returns the actor's own address for notices.
func (s *Service) Email(ctx context.Context, a *auth.Actor) (string, error) {
	if _, err := recipient(a); err != nil {
		return "", err
	}
	return s.store.FindUserEmail(ctx, a.UserID)
}

// maxEmailLength is the longest address SMTP carries (RFC 5321, 4.5.3.1.3).
const maxEmailLength = 254

// SetEmail changes the actor's own address for notices; empty removes it. Only a plain
// address is taken (name@example.org, no display name).
func (s *Service) SetEmail(ctx context.Context, a *auth.Actor, email string) error {
	if _, err := recipient(a); err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	if email != "" {
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email || addr.Name != "" || len(email) > maxEmailLength {
			return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"email": "notify.error.email"}}
		}
	}
	old, err := s.store.FindUserEmail(ctx, a.UserID)
	if err != nil {
		return err
	}
	if old == email {
		return nil
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "user.email", ObjectType: "user",
		ObjectID: a.UserID, PersonID: a.PersonID, IP: a.IP}
	// The address itself stays out of the append-only trail: it is personal, and may be
	// changed or removed.
	rec.Before = audit.JSON(map[string]any{"email": old != ""})
	rec.After = audit.JSON(map[string]any{"email": email != ""})
	return s.store.SetUserEmail(ctx, a.UserID, email, rec)
}
