package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// TokenPrefix starts every personal access token, so that people and secret scanners
// recognise one in a log or a pasted script.
const TokenPrefix = "dj_"

// maxTokenName caps a token's label, in characters.
const maxTokenName = 50

// APIToken is a personal access token for the JSON API. The token itself is shown once, when
// created; the database keeps only its SHA-256.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Revoked reports whether the token has been revoked.
func (t *APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// TokenStore is what personal access tokens need from the database. The store that backs the
// Service implements it beside Store.
type TokenStore interface {
	CreateAPIToken(ctx context.Context, t *APIToken, rec *audit.Record) error
	FindAPITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	FindAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	RevokeAPIToken(ctx context.Context, id int64, at time.Time, rec *audit.Record) error
	FindAPITokenByID(ctx context.Context, id int64) (*APIToken, error)
}

// Errors of token authentication, as message keys.
var (
	ErrTokenMissing = apperr.New(apperr.Unauthorized, "api.token_required")
	ErrTokenInvalid = apperr.New(apperr.Unauthorized, "api.token_invalid")
	// ErrTokenNeedsTOTP refuses the token of an administrator who must turn on a second
	// factor first.
	ErrTokenNeedsTOTP = apperr.New(apperr.Unauthorized, "api.token_needs_totp")
)

// newAPIToken returns a random 256-bit token with its prefix, and its stored hash.
func newAPIToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// cleanTokenName trims a token's label and refuses control and invisible characters.
func cleanTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	var v apperr.Validation
	if name == "" {
		v.Add("name", "error.required")
	}
	if utf8.RuneCountInString(name) > maxTokenName {
		v.Add("name", "error.too_long")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			v.Add("name", "api.token_name")
			break
		}
	}
	return name, v.Err()
}

// CreateToken creates a personal access token for the user with the given ID and returns the
// token, which is never shown again. Users create tokens for themselves; a system
// administrator (and the command line) for anyone. A disabled account gets none.
func (s *Service) CreateToken(ctx context.Context, a *Actor, userID int64, name string) (string, *APIToken, error) {
	if a == nil || (a.UserID != userID && !a.SysAdmin) {
		return "", nil, apperr.ErrDenied
	}
	name, err := cleanTokenName(name)
	if err != nil {
		return "", nil, err
	}
	u, err := s.store.FindUserByID(ctx, userID)
	if err != nil {
		return "", nil, fmt.Errorf("auth: create token: %w", err)
	}
	if u.Disabled {
		return "", nil, apperr.New(apperr.Invalid, "api.user_disabled")
	}
	token, hash := newAPIToken()
	t := &APIToken{UserID: u.ID, Name: name, TokenHash: hash, CreatedAt: s.now()}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "api_token.create", ObjectType: "api_token",
		IP: a.IP, After: audit.JSON(map[string]any{"user_id": u.ID, "username": u.Username, "name": name})}
	if err := s.store.CreateAPIToken(ctx, t, rec); err != nil {
		return "", nil, fmt.Errorf("auth: create token: %w", err)
	}
	return token, t, nil
}

// CreateTokenForUsername creates a personal access token for the account with the given
// username; it is how the command line issues tokens.
func (s *Service) CreateTokenForUsername(ctx context.Context, a *Actor, username, name string) (string, *APIToken, error) {
	login, ok := NormaliseUsername(username)
	if !ok {
		return "", nil, apperr.ErrNotFound
	}
	u, err := s.store.FindUserByLogin(ctx, login, "")
	if err != nil {
		return "", nil, err
	}
	return s.CreateToken(ctx, a, u.ID, name)
}

// AuthenticateToken resolves a personal access token into an actor. Unknown and revoked
// tokens, and tokens of disabled accounts, are refused alike.
func (s *Service) AuthenticateToken(ctx context.Context, token, ip string) (*Actor, error) {
	if token == "" {
		return nil, ErrTokenMissing
	}
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return nil, ErrTokenInvalid
	}
	t, err := s.store.FindAPITokenByHash(ctx, HashToken(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("auth: token: %w", err)
	}
	if t.Revoked() {
		return nil, ErrTokenInvalid
	}
	u, err := s.store.FindUserByID(ctx, t.UserID)
	if err != nil {
		return nil, fmt.Errorf("auth: token user: %w", err)
	}
	if u.Disabled {
		return nil, ErrTokenInvalid
	}
	// Write the last-used time at most once a minute: reads stay reads.
	if now := s.now(); now.Sub(t.LastUsedAt) > time.Minute {
		if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			return nil, fmt.Errorf("auth: token: %w", err)
		}
	}
	a, err := s.ActorFor(ctx, u, ip)
	if err != nil {
		return nil, err
	}
	// An administrator whom the installation requires to use a second factor reaches the
	// API only once it is on: a token must not be a way around it.
	if a.TOTPRequired && !a.TOTPEnabled {
		return nil, ErrTokenNeedsTOTP
	}
	return a, nil
}

// Tokens lists the actor's own personal access tokens, revoked ones included, newest first.
func (s *Service) Tokens(ctx context.Context, a *Actor) ([]*APIToken, error) {
	if a == nil || a.UserID == 0 {
		return nil, apperr.ErrDenied
	}
	return s.store.FindAPITokens(ctx, a.UserID)
}

// RevokeToken revokes a personal access token: its owner or a system administrator may.
// Another user's token is reported as not found. Revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, a *Actor, id int64) error {
	if a == nil {
		return apperr.ErrDenied
	}
	t, err := s.store.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != a.UserID && !a.SysAdmin {
		return apperr.ErrNotFound
	}
	if t.Revoked() {
		return nil
	}
	rec := &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: "api_token.revoke", ObjectType: "api_token",
		ObjectID: t.ID, IP: a.IP, Before: audit.JSON(map[string]any{"user_id": t.UserID, "name": t.Name})}
	if err := s.store.RevokeAPIToken(ctx, t.ID, s.now(), rec); err != nil {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}
