package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// pendingLifetime bounds a login that waits for its second factor: long enough to install
// an authenticator app when one must be set up, short enough that a stolen password alone
// holds nothing for long.
const pendingLifetime = 15 * time.Minute

// SecondFactorRequired is returned by Login when the password was right but the account must
// still give a code from its authenticator app, or first set one up (Enrol) because the
// installation requires a second factor of administrators. Token is that of a pending session:
// Authenticate refuses it; only PendingLogin and CompleteLogin accept it.
type SecondFactorRequired struct {
	Token string
	Enrol bool
}

// Error describes the partial login; callers that do not handle it see a failed login.
func (e *SecondFactorRequired) Error() string { return "auth: second factor required" }

// secondFactor reports whether a login of u must give a code (need) and whether it must first
// set up its authenticator (enrol).
func (s *Service) secondFactor(ctx context.Context, u *User) (need, enrol bool, err error) {
	if u.TOTPEnabled {
		return true, false, nil
	}
	if !s.policy.AdminTOTP {
		return false, false, nil
	}
	if u.SysAdmin {
		return true, true, nil
	}
	today := s.now().In(s.policy.Zone).Format(time.DateOnly)
	sc, err := s.store.ResolveScope(ctx, u.ID, u.PersonID, today)
	if err != nil {
		return false, false, fmt.Errorf("auth: scope: %w", err)
	}
	req := s.totpRequired(u, sc)
	return req, req, nil
}

// PendingLogin is a login that waits for its second factor.
type PendingLogin struct {
	User *User
	// Enrol is set when the account must first set up an authenticator; Enrolment then holds
	// the key to add.
	Enrol     bool
	Enrolment *Enrolment
}

// pending returns the pending session of token and its user, or an unauthorized error.
func (s *Service) pending(ctx context.Context, token string) (*Session, *User, error) {
	gone := apperr.New(apperr.Unauthorized, "totp.error.pending_gone")
	if token == "" {
		return nil, nil, gone
	}
	hash := HashToken(token)
	sess, err := s.store.FindSession(ctx, hash)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, gone
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: pending session: %w", err)
	}
	if !sess.MFAPending {
		return nil, nil, gone
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.policy.IdleTimeout {
		s.store.DeleteSession(ctx, hash)
		return nil, nil, gone
	}
	u, err := s.store.FindUserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: pending user: %w", err)
	}
	if u.Disabled {
		s.store.DeleteSession(ctx, hash)
		return nil, nil, gone
	}
	return sess, u, nil
}

// PendingLogin returns the login waiting on token. When the account has no second factor yet
// (an administrator who must set one up), it carries the key to add, created the first time.
func (s *Service) PendingLogin(ctx context.Context, token string) (*PendingLogin, error) {
	_, u, err := s.pending(ctx, token)
	if err != nil {
		return nil, err
	}
	p := &PendingLogin{User: u, Enrol: !u.TOTPEnabled}
	if p.Enrol {
		if p.Enrolment, err = s.enrolment(ctx, u.ID, u.Username); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CompleteLogin checks the code of a pending login. A right code ends the pending session and
// returns the token of a new, full session (ASVS 5.0 7.2.4: a new token at authentication); for
// an account setting up its authenticator, it also turns the second factor on. Wrong codes
// count into the same lockout as wrong passwords (ASVS 5.0 6.3.1); at the limit the pending
// session ends too.
func (s *Service) CompleteLogin(ctx context.Context, token, code, ip, userAgent string) (string, error) {
	sess, u, err := s.pending(ctx, token)
	if err != nil {
		return "", err
	}
	now := s.now()
	if now.Before(u.LockedUntil) {
		s.store.DeleteSession(ctx, sess.TokenHash)
		s.store.AppendAudit(ctx, &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "login.while_locked",
			ObjectType: "user", ObjectID: u.ID, IP: ip})
		return "", lockedError(u.LockedUntil, now)
	}
	st, err := s.store.FindTOTP(ctx, u.ID)
	if err != nil {
		return "", fmt.Errorf("auth: totp: %w", err)
	}
	enrol := !st.Enabled
	if st.Secret == "" {
		return "", ErrTOTPNone
	}
	if _, ok := normaliseCode(code); !ok {
		return "", codeError(apperr.Invalid, "totp.error.code_format")
	}
	attempts := 0
	if !enrol {
		// Count the attempt before checking the code: parallel guesses are each counted, and
		// the ones past the limit are refused unchecked.
		n, locked, err := s.store.ReserveCodeAttempt(ctx, u.ID, now)
		if err != nil {
			return "", fmt.Errorf("auth: totp attempt: %w", err)
		}
		if locked || n > s.policy.LockoutAttempts {
			return "", s.lockForCodes(ctx, sess, u, now, ip)
		}
		attempts = n
	}
	step, res := verifyTOTP(st.Secret, code, now, st.LastStep)
	if res != codeOK {
		return "", s.codeFailed(ctx, sess, u, res, enrol, attempts, ip)
	}
	newToken, newHash := NewToken()
	full := &Session{TokenHash: newHash, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.policy.AbsoluteTimeout), IP: ip, UserAgent: truncate(userAgent, 200)}
	var recs []*audit.Record
	if enrol {
		recs = append(recs, &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "totp.enable",
			ObjectType: "user", ObjectID: u.ID, IP: ip})
	}
	recs = append(recs, &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: "login.success",
		ObjectType: "user", ObjectID: u.ID, IP: ip, After: audit.JSON(map[string]any{"factor": "totp"})})
	err = s.store.CompleteSecondFactor(ctx, sess.TokenHash, full, step, enrol, recs...)
	if errors.Is(err, ErrCodeUsed) {
		// The same code won a race in another request.
		return "", codeError(apperr.Unauthorized, "totp.error.used_code")
	}
	if err != nil {
		return "", fmt.Errorf("auth: complete login: %w", err)
	}
	return newToken, nil
}

// codeFailed records a refused code. While an authenticator is being set up the code guards
// nothing the password has not opened, so it is only audited; at login it counts as a failed
// attempt.
func (s *Service) codeFailed(ctx context.Context, sess *Session, u *User, res codeResult, enrol bool, attempts int, ip string) error {
	key, action := "totp.error.bad_code", "totp.failed"
	if res == codeUsed {
		key, action = "totp.error.used_code", "totp.replay"
	}
	rec := &audit.Record{ActorID: u.ID, ActorName: u.Username, Action: action, ObjectType: "user", ObjectID: u.ID, IP: ip}
	if enrol {
		rec.After = audit.JSON(map[string]any{"stage": "enrol"})
	}
	if err := s.store.AppendAudit(ctx, rec); err != nil {
		return fmt.Errorf("auth: audit: %w", err)
	}
	// The attempt was counted before the check (ReserveCodeAttempt); the last one allowed locks.
	if !enrol && attempts >= s.policy.LockoutAttempts {
		return s.lockForCodes(ctx, sess, u, s.now(), ip)
	}
	return codeError(apperr.Unauthorized, key)
}

// lockForCodes locks an account after too many wrong codes and ends the pending login.
func (s *Service) lockForCodes(ctx context.Context, sess *Session, u *User, now time.Time, ip string) error {
	until := now.Add(s.policy.LockoutFor)
	if u.LockedUntil.After(now) {
		until = u.LockedUntil
	} else if err := s.store.LockUser(ctx, u.ID, until, &audit.Record{ActorID: u.ID, ActorName: u.Username,
		Action: "login.locked", ObjectType: "user", ObjectID: u.ID, IP: ip}); err != nil {
		return fmt.Errorf("auth: lock: %w", err)
	}
	s.store.DeleteSession(ctx, sess.TokenHash)
	return lockedError(until, now)
}
