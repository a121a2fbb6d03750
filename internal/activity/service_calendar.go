package activity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Kinds of calendar feed.
const (
	FeedPerson = "person" // a user's own activities, at a private URL
	FeedOrg    = "org"    // an organization's activities, public or at a private URL
)

// How far a feed reaches back and ahead of today.
const (
	FeedPast   = 1 // years
	FeedFuture = 2 // years
)

// maxFeedActivities caps one feed: three years of a busy branch stay well below it.
const maxFeedActivities = 2000

// CalendarFeed is a calendar subscription: a user's private feed of the activities they are
// invited to, or an organization's feed with its public switch. The URL of a private feed
// carries a random token of 256 bits; only its SHA-256 is kept, so the URL is shown once,
// when made, and a lost one is replaced by resetting it.
type CalendarFeed struct {
	ID        int64
	Kind      string
	UserID    int64 // person feeds
	OrgID     int64 // organization feeds
	TokenHash string
	Public    bool // organization feeds: served without a token
	CreatedAt time.Time
	UpdatedAt time.Time

	// Filled by FindCalendarFeedByToken for person feeds: the user's register entry and
	// settings.
	PersonID     int64
	OwnerName    string
	Locale       string
	UserDisabled bool
}

// HasToken reports whether the feed has a private URL.
func (f *CalendarFeed) HasToken() bool { return f != nil && f.TokenHash != "" }

// CalendarQuery selects the activities of a feed: those a person takes part in, or those of
// one organization (not its subtree), overlapping [From, To).
type CalendarQuery struct {
	PersonID int64
	OrgID    int64
	From, To time.Time
	Limit    int
}

// PersonFeed returns the actor's own feed; not found when they never made one.
func (s *Service) PersonFeed(ctx context.Context, a *auth.Actor) (*CalendarFeed, error) {
	if a == nil || a.UserID == 0 {
		return nil, apperr.ErrNotFound
	}
	return s.store.FindCalendarFeed(ctx, FeedPerson, a.UserID)
}

// ResetPersonFeed makes the actor's private feed, or gives it a new token so that the old URL
// stops working. It returns the token, which is shown this once.
func (s *Service) ResetPersonFeed(ctx context.Context, a *auth.Actor) (string, error) {
	if a == nil || a.UserID == 0 {
		return "", apperr.New(apperr.Unauthorized, "error.login_required")
	}
	if a.PersonID == 0 {
		return "", apperr.New(apperr.Invalid, "calendar.error.no_person")
	}
	f, err := s.store.FindCalendarFeed(ctx, FeedPerson, a.UserID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		f = &CalendarFeed{Kind: FeedPerson, UserID: a.UserID}
	case err != nil:
		return "", err
	}
	token, hash := auth.NewToken()
	action := "calendar.create"
	if f.HasToken() {
		action = "calendar.reset"
	}
	f.TokenHash = hash
	rec := record(a, action, "calendar_feed")
	rec.After = audit.JSON(map[string]any{"kind": FeedPerson, "user_id": a.UserID})
	if err := s.store.SaveCalendarFeed(ctx, f, rec); err != nil {
		return "", err
	}
	return token, nil
}

// OrgFeed returns the feed settings of an organization the actor sees; an organization that
// never set them has a private feed without a token.
func (s *Service) OrgFeed(ctx context.Context, a *auth.Actor, orgID int64) (*CalendarFeed, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if a == nil || !a.CanSee(o.Path) {
		return nil, apperr.ErrNotFound
	}
	f, err := s.store.FindCalendarFeed(ctx, FeedOrg, orgID)
	if errors.Is(err, apperr.ErrNotFound) {
		return &CalendarFeed{Kind: FeedOrg, OrgID: orgID}, nil
	}
	return f, err
}

// adminOrgFeed returns an organization's feed for a change by one of its administrators.
func (s *Service) adminOrgFeed(ctx context.Context, a *auth.Actor, orgID int64) (*CalendarFeed, string, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, "", err
	}
	if a == nil || !a.CanSee(o.Path) {
		return nil, "", apperr.ErrNotFound
	}
	if !a.CanAdmin(o.Path) {
		return nil, "", apperr.ErrDenied
	}
	f, err := s.store.FindCalendarFeed(ctx, FeedOrg, orgID)
	if errors.Is(err, apperr.ErrNotFound) {
		return &CalendarFeed{Kind: FeedOrg, OrgID: orgID}, o.Path, nil
	}
	return f, o.Path, err
}

// SetOrgFeedPublic makes an organization's feed public (served to anyone at its plain URL)
// or private (only at the URL with its token).
func (s *Service) SetOrgFeedPublic(ctx context.Context, a *auth.Actor, orgID int64, public bool) error {
	f, path, err := s.adminOrgFeed(ctx, a, orgID)
	if err != nil {
		return err
	}
	if f.ID != 0 && f.Public == public {
		return nil
	}
	before := f.Public
	f.Public = public
	rec := record(a, "calendar.org_public", "calendar_feed")
	rec.OrgPath = path
	rec.Before = audit.JSON(map[string]any{"org_id": orgID, "public": before})
	rec.After = audit.JSON(map[string]any{"org_id": orgID, "public": public})
	return s.store.SaveCalendarFeed(ctx, f, rec)
}

// ResetOrgFeedToken gives an organization's feed a private URL, or a new one in place of the
// old. It returns the token, which is shown this once.
func (s *Service) ResetOrgFeedToken(ctx context.Context, a *auth.Actor, orgID int64) (string, error) {
	f, path, err := s.adminOrgFeed(ctx, a, orgID)
	if err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	action := "calendar.create"
	if f.HasToken() {
		action = "calendar.reset"
	}
	f.TokenHash = hash
	rec := record(a, action, "calendar_feed")
	rec.OrgPath = path
	rec.After = audit.JSON(map[string]any{"kind": FeedOrg, "org_id": orgID})
	if err := s.store.SaveCalendarFeed(ctx, f, rec); err != nil {
		return "", err
	}
	return token, nil
}

// PersonCalendar returns the calendar at a person feed's URL: the activities its owner is
// invited to or attended, a year back and two ahead, cancelled ones included. An unknown or
// replaced token, or a disabled account, is not found.
func (s *Service) PersonCalendar(ctx context.Context, token string) (*Calendar, *CalendarFeed, error) {
	if token == "" {
		return nil, nil, apperr.ErrNotFound
	}
	f, err := s.store.FindCalendarFeedByToken(ctx, auth.HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if f.Kind != FeedPerson || f.UserDisabled || f.PersonID == 0 {
		return nil, nil, apperr.ErrNotFound
	}
	cal, err := s.calendar(ctx, CalendarQuery{PersonID: f.PersonID}, f)
	return cal, f, err
}

// OrgCalendar returns the calendar of an organization's own activities, a year back and two
// ahead. Without a token the feed must be public; with one it must be the feed's current
// token.
func (s *Service) OrgCalendar(ctx context.Context, orgID int64, token string) (*Calendar, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var f *CalendarFeed
	if token == "" {
		f, err = s.store.FindCalendarFeed(ctx, FeedOrg, orgID)
		if err == nil && !f.Public {
			err = apperr.ErrNotFound
		}
	} else {
		f, err = s.store.FindCalendarFeedByToken(ctx, auth.HashToken(token))
		if err == nil && (f.Kind != FeedOrg || f.OrgID != orgID) {
			err = apperr.ErrNotFound
		}
	}
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx, CalendarQuery{OrgID: orgID}, f)
	if err != nil {
		return nil, err
	}
	cal.Name = o.Name
	return cal, nil
}

// calendar reads the activities of a feed within its window.
func (s *Service) calendar(ctx context.Context, q CalendarQuery, f *CalendarFeed) (*Calendar, error) {
	today := s.now().In(s.zone)
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, s.zone)
	q.From, q.To, q.Limit = midnight.AddDate(-FeedPast, 0, 0), midnight.AddDate(FeedFuture, 0, 0), maxFeedActivities
	acts, changed, err := s.store.FindCalendarActivities(ctx, q)
	if err != nil {
		return nil, err
	}
	types, err := s.store.FindActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	cal := &Calendar{Zone: s.zone, UIDDomain: s.uidDomain(), Types: types, Activities: acts, Locale: f.Locale}
	cal.Modified = latest(f.UpdatedAt, changed)
	for _, a := range acts {
		cal.Modified = latest(cal.Modified, a.UpdatedAt)
	}
	return cal, nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// uidDomain names this installation in event UIDs: derived from its key, so UIDs stay the same
// when the server's address changes and differ between installations.
func (s *Service) uidDomain() string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("dangjian calendar uid"))
	return hex.EncodeToString(m.Sum(nil)[:8]) + ".dangjian"
}
