package auth

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image"
	"strings"
	"time"
	"unicode"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/text/unicode/norm"
)

// TOTPIssuer names dangjian in authenticator apps.
const TOTPIssuer = "dangjian"

// TOTP parameters, the ones every authenticator app understands: SHA-1, six digits, a new
// code every 30 seconds (ASVS 5.0 6.5.5: a TOTP lives at most 30 seconds). A code of the
// step before or after the current one is accepted for clock drift and typing time, and no
// other.
const (
	totpPeriod     = 30
	totpSkew       = 1
	totpDigits     = otp.DigitsSix
	totpSecretSize = 20 // bytes: 160 bits, as RFC 4226 recommends
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// TOTPState is a user's stored second factor.
type TOTPState struct {
	Secret   string // base32; "" when the user has none, set but not confirmed when !Enabled
	Enabled  bool
	LastStep int64 // the time step of the last code accepted: a code works once (ASVS 5.0 6.5.1)
}

// TOTPStore is what the TOTP second factor needs from the database. The store that backs
// the Service implements it beside Store.
type TOTPStore interface {
	// FindTOTP returns the user's second factor, its secret decrypted.
	FindTOTP(ctx context.Context, userID int64) (*TOTPState, error)
	// BeginTOTP stores a new, unconfirmed secret unless the user already has one.
	BeginTOTP(ctx context.Context, userID int64, secret string) error
	// EnableTOTP turns the stored secret on, remembering the step of the confirming code.
	EnableTOTP(ctx context.Context, userID, step int64, rec *audit.Record) error
	// DisableTOTP turns the second factor off and forgets its secret.
	DisableTOTP(ctx context.Context, userID int64, rec *audit.Record) error
	// CompleteSecondFactor uses the step of an accepted code (or, when enable is set, turns
	// the factor on with it), deletes the pending session, resets the failure counter and
	// stores the new full session, in one transaction. A step not above the last used one
	// fails with ErrCodeUsed; a pending session already gone, with an unauthorized error.
	CompleteSecondFactor(ctx context.Context, pendingHash string, s *Session, step int64, enable bool, recs ...*audit.Record) error
	// ReserveCodeAttempt counts an attempt at a code before it is checked; it returns the
	// attempts since the last success and whether the account is locked.
	ReserveCodeAttempt(ctx context.Context, userID int64, now time.Time) (int, bool, error)
	// LockUser locks an account until a time and starts its failure count again.
	LockUser(ctx context.Context, userID int64, until time.Time, rec *audit.Record) error
}

// Errors of the second factor, as message keys.
var (
	ErrTOTPOn   = apperr.New(apperr.Conflict, "totp.error.already_on")
	ErrTOTPNone = apperr.New(apperr.Invalid, "totp.error.no_key")
	// ErrTOTPRequired refuses to turn off the second factor of an administrator when the
	// installation requires one.
	ErrTOTPRequired = apperr.New(apperr.Forbidden, "totp.error.required")
	// ErrCodeUsed is returned by the store when a code's step was already used.
	ErrCodeUsed = apperr.New(apperr.Unauthorized, "totp.error.used_code")
)

// codeError is a refused code, reported beside the code field.
func codeError(kind apperr.Kind, key string) error {
	return &apperr.Error{Kind: kind, Key: key, Fields: map[string]string{"code": key}}
}

// Enrolment is an authenticator key being set up: the otpauth:// URL that its QR code
// carries, and the secret for typing in by hand.
type Enrolment struct {
	key *otp.Key
}

// URL returns the otpauth:// URL of the key.
func (e *Enrolment) URL() string { return e.key.URL() }

// Account returns the account name the app shows beside dangjian: the username.
func (e *Enrolment) Account() string { return e.key.AccountName() }

// Secret returns the base32 secret.
func (e *Enrolment) Secret() string { return e.key.Secret() }

// GroupedSecret returns the secret in groups of four characters, for typing in by hand.
func (e *Enrolment) GroupedSecret() string {
	s := e.key.Secret()
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// Image returns the QR code of the key, size pixels square.
func (e *Enrolment) Image(size int) (image.Image, error) {
	img, err := e.key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	return img, nil
}

// newTOTPSecret returns a fresh random secret in base32.
func newTOTPSecret(username string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: username, Period: totpPeriod,
		SecretSize: totpSecretSize, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", fmt.Errorf("auth: totp secret: %w", err)
	}
	return key.Secret(), nil
}

// enrolmentFor rebuilds the key of a stored secret for the user.
func enrolmentFor(username, secret string) (*Enrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("auth: stored totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: username, Period: totpPeriod,
		Secret: raw, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("auth: totp key: %w", err)
	}
	return &Enrolment{key: key}, nil
}

// codeResult is the outcome of checking a code.
type codeResult int

const (
	codeBad  codeResult = iota // wrong, or not six digits
	codeOK                     // right, and its step not used before
	codeUsed                   // right, but its step was already used: a replay
)

// normaliseCode folds full-width digits (typed with a Chinese input method) and drops the
// spaces and dashes some apps show inside a code. It reports false unless six digits remain.
func normaliseCode(code string) (string, bool) {
	code = norm.NFKC.String(code)
	var b strings.Builder
	for _, r := range code {
		switch {
		case r == ' ' || r == '-' || unicode.IsSpace(r):
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != totpDigits.Length() {
		return "", false
	}
	return b.String(), true
}

// totpStep returns the time step of an instant.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// verifyTOTP checks code against the codes of the current step and its neighbours. It
// returns the step the code belongs to when that step is later than lastStep.
func verifyTOTP(secret, code string, now time.Time, lastStep int64) (int64, codeResult) {
	code, ok := normaliseCode(code)
	if !ok {
		return 0, codeBad
	}
	cur := totpStep(now)
	var step int64
	result := codeBad
	// Every candidate is compared, in constant time, so the answer's timing does not tell
	// which step matched.
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((cur+d)*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, codeBad
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if cur+d > lastStep {
			step, result = cur+d, codeOK
		} else if result != codeOK {
			result = codeUsed
		}
	}
	return step, result
}

// TOTPEnrolment returns the key the actor is to add to an authenticator app, creating one
// the first time. It fails when the actor's second factor is already on.
func (s *Service) TOTPEnrolment(ctx context.Context, a *Actor) (*Enrolment, error) {
	if a == nil || a.UserID == 0 {
		return nil, apperr.ErrDenied
	}
	return s.enrolment(ctx, a.UserID, a.Username)
}

// enrolment returns the unconfirmed key of a user, creating it if there is none.
func (s *Service) enrolment(ctx context.Context, userID int64, username string) (*Enrolment, error) {
	st, err := s.store.FindTOTP(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: totp: %w", err)
	}
	if st.Enabled {
		return nil, ErrTOTPOn
	}
	if st.Secret == "" {
		secret, err := newTOTPSecret(username)
		if err != nil {
			return nil, err
		}
		// Two pages opened at once keep the first secret: the store writes only over none.
		if err := s.store.BeginTOTP(ctx, userID, secret); err != nil {
			return nil, fmt.Errorf("auth: totp begin: %w", err)
		}
		if st, err = s.store.FindTOTP(ctx, userID); err != nil {
			return nil, fmt.Errorf("auth: totp: %w", err)
		}
		if st.Enabled {
			return nil, ErrTOTPOn
		}
	}
	return enrolmentFor(username, st.Secret)
}

// EnableTOTP turns on the actor's second factor once the first code from the authenticator
// app matches the key shown by TOTPEnrolment.
func (s *Service) EnableTOTP(ctx context.Context, a *Actor, code string) error {
	if a == nil || a.UserID == 0 {
		return apperr.ErrDenied
	}
	st, err := s.store.FindTOTP(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("auth: totp: %w", err)
	}
	if st.Enabled {
		return ErrTOTPOn
	}
	if st.Secret == "" {
		return ErrTOTPNone
	}
	step, res := verifyTOTP(st.Secret, code, s.now(), st.LastStep)
	if res != codeOK {
		s.store.AppendAudit(ctx, &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "totp.failed",
			ObjectType: "user", ObjectID: a.UserID, IP: a.IP, After: audit.JSON(map[string]any{"stage": "enrol"})})
		return codeError(apperr.Invalid, "totp.error.bad_code")
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "totp.enable", ObjectType: "user",
		ObjectID: a.UserID, IP: a.IP}
	if err := s.store.EnableTOTP(ctx, a.UserID, step, rec); err != nil {
		return fmt.Errorf("auth: totp enable: %w", err)
	}
	return nil
}

// DisableTOTP turns off the actor's second factor after checking the current password. An
// administrator cannot while the installation requires a second factor of administrators.
func (s *Service) DisableTOTP(ctx context.Context, a *Actor, password string) error {
	if a == nil || a.UserID == 0 {
		return apperr.ErrDenied
	}
	if a.TOTPRequired {
		return ErrTOTPRequired
	}
	u, err := s.store.FindUserByID(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("auth: totp disable: %w", err)
	}
	if err := s.recheckPassword(ctx, a, u, password); err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			return err
		}
		var v apperr.Validation
		v.Add("totp_password", "error.bad_password")
		return v.Err()
	}
	if !u.TOTPEnabled {
		return nil
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "totp.disable", ObjectType: "user",
		ObjectID: a.UserID, IP: a.IP}
	if err := s.store.DisableTOTP(ctx, a.UserID, rec); err != nil {
		return fmt.Errorf("auth: totp disable: %w", err)
	}
	return nil
}

// DisableTOTPByName turns off a user's second factor from the command line, for someone who
// lost the phone that held it.
func (s *Service) DisableTOTPByName(ctx context.Context, username string) error {
	name, _ := NormaliseUsername(username)
	u, err := s.store.FindUserByLogin(ctx, name, "")
	if err != nil {
		return err
	}
	rec := &audit.Record{ActorName: "cli", Action: "totp.disable", ObjectType: "user", ObjectID: u.ID}
	if err := s.store.DisableTOTP(ctx, u.ID, rec); err != nil {
		return fmt.Errorf("auth: totp disable: %w", err)
	}
	return nil
}

// totpRequired reports whether the installation requires a second factor of this account:
// when AdminTOTP is on, of every administrator.
func (s *Service) totpRequired(u *User, sc Scope) bool {
	return s.policy.AdminTOTP && (u.SysAdmin || len(sc.AdminPaths) > 0)
}
