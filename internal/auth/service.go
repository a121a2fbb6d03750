package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"golang.org/x/text/unicode/norm"
)

// Session is a server-side login session. The cookie holds a random token; the database holds
// only its SHA-256.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end
	IP         string
	UserAgent  string
	// MFAPending marks a session whose password was right but whose second factor is still
	// owed: Authenticate treats it as not logged in.
	MFAPending bool
}

// Scope is what the store resolves of a user's rights.
type Scope struct {
	AdminPaths []string
	ViewPaths  []string
	MemberPath string
	// TreeVersion is the version of the organization tree in the snapshot the scope was read
	// from, when the store read it with the scope (FindSessionScope); 0 otherwise.
	TreeVersion int64
}

// Store is what the auth service needs from the database.
type Store interface {
	TOTPStore
	TokenStore
	AdminStore
	SetupDone(ctx context.Context) (bool, error)
	CreateFirstAdmin(ctx context.Context, u *User, rec *audit.Record) error
	CreateUser(ctx context.Context, u *User, rec *audit.Record) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByLogin(ctx context.Context, login, phoneHash string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	SetPassword(ctx context.Context, userID int64, hash string, rec *audit.Record) error
	SetLocale(ctx context.Context, userID int64, locale string) error
	LoginFailed(ctx context.Context, userID int64, maxAttempts int, lockUntil time.Time, rec *audit.Record) (locked bool, err error)
	LoginSucceeded(ctx context.Context, s *Session, rec *audit.Record) error
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// FindSessionScope returns a session, its account and the account's scope on the day
	// today, with the tree version, from one snapshot.
	FindSessionScope(ctx context.Context, tokenHash, today string) (*Session, *User, Scope, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64, rec *audit.Record) error
	ResolveScope(ctx context.Context, userID, personID int64, today string) (Scope, error)
	Grant(ctx context.Context, g *Grant, rec *audit.Record) error
	FindGrants(ctx context.Context, userID int64) ([]*Grant, error)
	AppendAudit(ctx context.Context, rec *audit.Record) error
	PhoneIndex(phone string) string
}

// Policy holds the configurable session and lockout settings.
type Policy struct {
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	LockoutAttempts int
	LockoutFor      time.Duration
	Zone            *time.Location
	AdminTOTP       bool // administrators must use a TOTP second factor
}

// Service logs users in and out and resolves their scope.
type Service struct {
	store  Store
	policy Policy
	now    func() time.Time
}

// NewService returns an auth service.
func NewService(store Store, policy Policy, now func() time.Time) *Service {
	if policy.Zone == nil {
		policy.Zone = time.UTC
	}
	return &Service{store: store, policy: policy, now: now}
}

// Policy returns the session and lockout settings.
func (s *Service) Policy() Policy { return s.policy }

// Errors of Login, as message keys.
var (
	ErrBadLogin = apperr.New(apperr.Unauthorized, "error.bad_login")
	ErrLocked   = apperr.New(apperr.Locked, "error.locked")
)

// NormaliseUsername folds width and case and refuses invisible or control characters.
func NormaliseUsername(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
	if s == "" || len([]rune(s)) > 40 {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return "", false
		}
	}
	return s, true
}

// NewToken returns a random 256-bit token and its stored hash.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Login checks a username or phone number and a password. On success it returns a new session
// token. Five failures in a row lock the account for the configured time.
func (s *Service) Login(ctx context.Context, login, password, ip, userAgent string) (string, *User, error) {
	now := s.now()
	name, _ := NormaliseUsername(login)
	u, err := s.store.FindUserByLogin(ctx, name, s.store.PhoneIndex(login))
	if errors.Is(err, apperr.ErrNotFound) {
		CheckPassword(dummyHash, password)
		s.store.AppendAudit(ctx, &audit.Record{ActorName: truncate(name, 40), Action: "login.unknown_user", IP: ip})
		return "", nil, ErrBadLogin
	}
	if err != nil {
		return "", nil, err
	}
	if u.Disabled {
		CheckPassword(dummyHash, password)
		return "", nil, ErrBadLogin
	}
	if now.Before(u.LockedUntil) {
		s.store.AppendAudit(ctx, &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "login.while_locked", ObjectType: "user", ObjectID: u.ID, IP: ip})
		return "", nil, lockedError(u.LockedUntil, now)
	}
	if !CheckPassword(u.PasswordHash, password) {
		rec := &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "login.failed", ObjectType: "user", ObjectID: u.ID, IP: ip}
		locked, err := s.store.LoginFailed(ctx, u.ID, s.policy.LockoutAttempts, now.Add(s.policy.LockoutFor), rec)
		if err != nil {
			return "", nil, err
		}
		if locked {
			return "", nil, lockedError(now.Add(s.policy.LockoutFor), now)
		}
		return "", nil, ErrBadLogin
	}
	token, hash := NewToken()
	sess := &Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.policy.AbsoluteTimeout), IP: ip, UserAgent: truncate(userAgent, 200)}
	rec := &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "login.success", ObjectType: "user", ObjectID: u.ID, IP: ip}
	needTOTP, enrol, err := s.secondFactor(ctx, u)
	if err != nil {
		return "", nil, err
	}
	if needTOTP {
		// The session waits for the code; the failure counter is not reset until it comes.
		sess.MFAPending, rec.Action = true, "login.mfa_pending"
		sess.ExpiresAt = now.Add(min(pendingLifetime, s.policy.AbsoluteTimeout))
	}
	if err := s.store.LoginSucceeded(ctx, sess, rec); err != nil {
		return "", nil, err
	}
	if needTOTP {
		return "", u, &SecondFactorRequired{Token: token, Enrol: enrol}
	}
	return token, u, nil
}

func lockedError(until, now time.Time) error {
	mins := int(until.Sub(now).Minutes()) + 1
	return &apperr.Error{Kind: apperr.Locked, Key: "error.locked", Args: map[string]any{"Minutes": mins}}
}

// Authenticate resolves a session token into an actor. Expired sessions, idle or absolute,
// are deleted and reported as unauthorized.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (*Actor, error) {
	if token == "" {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	hash := HashToken(token)
	// Session, account and scope come in one statement: a page is then one round trip to the
	// database for its caller, whatever the database.
	sess, u, sc, err := s.store.FindSessionScope(ctx, hash, s.today())
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.policy.IdleTimeout {
		s.store.DeleteSession(ctx, hash)
		return nil, apperr.New(apperr.Unauthorized, "error.session_expired")
	}
	if sess.MFAPending {
		// Only the code page (PendingLogin, CompleteLogin) accepts a session owing its code.
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	// Write the last-seen time at most once a minute: reads stay reads.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, hash, now); err != nil {
			return nil, err
		}
	}
	if u.Disabled {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	a := s.actor(u, sc, ip)
	if a.TOTPRequired && !a.TOTPEnabled {
		// An administrator without a second factor where one is required (the rule was turned
		// on, or the role granted, after this login) logs in again and sets one up.
		s.store.DeleteSession(ctx, hash)
		return nil, apperr.New(apperr.Unauthorized, "totp.error.enrol_required")
	}
	return a, nil
}

// today is the date in the installation's zone, which committee terms are compared with.
func (s *Service) today() string { return s.now().In(s.policy.Zone).Format(time.DateOnly) }

// ActorFor resolves the scope of a user.
func (s *Service) ActorFor(ctx context.Context, u *User, ip string) (*Actor, error) {
	sc, err := s.store.ResolveScope(ctx, u.ID, u.PersonID, s.today())
	if err != nil {
		return nil, err
	}
	return s.actor(u, sc, ip), nil
}

// actor builds the actor of an account and its resolved scope.
func (s *Service) actor(u *User, sc Scope, ip string) *Actor {
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	return &Actor{UserID: u.ID, Username: u.Username, Name: name, PersonID: u.PersonID, SysAdmin: u.SysAdmin,
		CanReveal: u.CanReveal, Locale: u.Locale, AdminPaths: Collapse(sc.AdminPaths), ViewPaths: Collapse(sc.ViewPaths),
		MemberPath: sc.MemberPath, IP: ip, TOTPEnabled: u.TOTPEnabled, TOTPRequired: s.totpRequired(u, sc),
		TreeVersion: sc.TreeVersion}
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, HashToken(token))
}

// LogoutEverywhere ends every session of the actor.
func (s *Service) LogoutEverywhere(ctx context.Context, a *Actor) error {
	return s.store.DeleteUserSessions(ctx, a.UserID, &audit.Record{ActorID: a.UserID, ActorName: a.Username,
		Action: "session.logout_all", ObjectType: "user", ObjectID: a.UserID, IP: a.IP})
}

// SetupDone reports whether the first administrator exists.
func (s *Service) SetupDone(ctx context.Context) (bool, error) { return s.store.SetupDone(ctx) }

// NewUser describes an account to create.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	PersonID    int64
	SysAdmin    bool
	CanReveal   bool
}

func (s *Service) prepare(n NewUser) (*User, error) {
	var v apperr.Validation
	name, ok := NormaliseUsername(n.Username)
	if !ok {
		v.Add("username", "error.username")
	}
	if err := ValidatePassword(n.Password); err != nil {
		v.Add("password", err.Error())
	}
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if len([]rune(n.DisplayName)) > 50 {
		v.Add("display_name", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &User{Username: name, DisplayName: n.DisplayName, PersonID: n.PersonID, PasswordHash: HashPassword(n.Password),
		SysAdmin: n.SysAdmin, CanReveal: n.CanReveal || n.SysAdmin}, nil
}

// CreateFirstAdmin creates the first system administrator; it fails with a conflict once
// one exists, so the setup page closes for good.
func (s *Service) CreateFirstAdmin(ctx context.Context, n NewUser, ip string) (*User, error) {
	n.SysAdmin = true
	u, err := s.prepare(n)
	if err != nil {
		return nil, err
	}
	rec := &audit.Record{ActorName: u.Username, Action: "user.setup_admin", ObjectType: "user", IP: ip,
		After: audit.JSON(map[string]any{"username": u.Username, "sysadmin": true})}
	return u, s.store.CreateFirstAdmin(ctx, u, rec)
}

// CreateUser creates an account; only a system administrator may.
func (s *Service) CreateUser(ctx context.Context, a *Actor, n NewUser) (*User, error) {
	if !a.SysAdmin {
		return nil, apperr.ErrDenied
	}
	u, err := s.prepare(n)
	if err != nil {
		return nil, err
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "user.create", ObjectType: "user", IP: a.IP,
		After: audit.JSON(map[string]any{"username": u.Username, "sysadmin": u.SysAdmin, "person_id": u.PersonID, "can_reveal": u.CanReveal})}
	return u, s.store.CreateUser(ctx, u, rec)
}

// Users lists every account; only a system administrator may.
func (s *Service) Users(ctx context.Context, a *Actor) ([]*User, error) {
	if !a.SysAdmin {
		return nil, apperr.ErrDenied
	}
	return s.store.FindUsers(ctx)
}

// GrantRole gives a user a role on an organization subtree; only a system administrator may.
func (s *Service) GrantRole(ctx context.Context, a *Actor, g *Grant) error {
	if !a.SysAdmin {
		return apperr.ErrDenied
	}
	if g.Role != RoleOrgAdmin && g.Role != RoleViewer {
		return apperr.New(apperr.Invalid, "error.choice")
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "user.grant", ObjectType: "user", ObjectID: g.UserID,
		IP: a.IP, After: audit.JSON(g)}
	return s.store.Grant(ctx, g, rec)
}

// ChangePassword sets a new password after checking the current one, and ends the user's
// other sessions.
func (s *Service) ChangePassword(ctx context.Context, a *Actor, current, next string) error {
	u, err := s.store.FindUserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	var v apperr.Validation
	if err := s.recheckPassword(ctx, a, u, current); err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			return err
		}
		v.Add("current", "error.bad_password")
	}
	if err := ValidatePassword(next); err != nil {
		v.Add("password", err.Error())
	}
	if err := v.Err(); err != nil {
		return err
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "user.password", ObjectType: "user", ObjectID: a.UserID, IP: a.IP}
	return s.store.SetPassword(ctx, a.UserID, HashPassword(next), rec)
}

// SetPasswordByName sets a user's password from the command line.
func (s *Service) SetPasswordByName(ctx context.Context, username, password string) error {
	name, _ := NormaliseUsername(username)
	u, err := s.store.FindUserByLogin(ctx, name, "")
	if err != nil {
		return err
	}
	if err := ValidatePassword(password); err != nil {
		return apperr.New(apperr.Invalid, err.Error())
	}
	rec := &audit.Record{ActorName: "cli", Action: "user.password_reset", ObjectType: "user", ObjectID: u.ID}
	return s.store.SetPassword(ctx, u.ID, HashPassword(password), rec)
}

// SetLocale stores the actor's language preference: "zh-CN", "en" or "" for the browser's.
func (s *Service) SetLocale(ctx context.Context, a *Actor, locale string) error {
	if locale != "" && locale != "zh-CN" && locale != "en" {
		return apperr.New(apperr.Invalid, "error.choice")
	}
	return s.store.SetLocale(ctx, a.UserID, locale)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Grants lists a user's granted roles; only a system administrator may.
func (s *Service) Grants(ctx context.Context, a *Actor, userID int64) ([]*Grant, error) {
	if !a.SysAdmin {
		return nil, apperr.ErrDenied
	}
	return s.store.FindGrants(ctx, userID)
}

// recheckPassword checks the password of a logged-in user before a sensitive change. Wrong
// passwords count towards the same lockout as at login, so a taken-over session cannot be
// used to guess the password without limit.
func (s *Service) recheckPassword(ctx context.Context, a *Actor, u *User, password string) error {
	now := s.now()
	if now.Before(u.LockedUntil) {
		return lockedError(u.LockedUntil, now)
	}
	if CheckPassword(u.PasswordHash, password) {
		return nil
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "user.recheck_failed", ObjectType: "user",
		ObjectID: a.UserID, IP: a.IP}
	locked, err := s.store.LoginFailed(ctx, u.ID, s.policy.LockoutAttempts, now.Add(s.policy.LockoutFor), rec)
	if err != nil {
		return err
	}
	if locked {
		return lockedError(now.Add(s.policy.LockoutFor), now)
	}
	return apperr.New(apperr.Invalid, "error.bad_password")
}
