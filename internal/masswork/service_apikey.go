package masswork

import (
	"context"
	"fmt"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Open311 API keys. A key belongs to an organization: requests filed with it go there. The
// clear key (32 random bytes, base64url) is shown once; only its SHA-256 is kept.

// MaxKeyName is the length limit of a key's name, in characters.
const MaxKeyName = 60

// APIKey returns the organization's Open311 key with the clear key's hash, if not revoked.
func (s *Service) APIKey(ctx context.Context, key string) (*APIKey, error) {
	if key == "" || len(key) > 200 {
		return nil, apperr.ErrNotFound
	}
	k, err := s.store.FindAPIKeyByHash(ctx, HashKey(key))
	if err != nil {
		return nil, err
	}
	if !k.RevokedAt.IsZero() {
		return nil, apperr.ErrNotFound
	}
	return k, nil
}

// matterKeyOrg returns the path of an organization the actor administers.
func (s *Service) matterKeyOrg(ctx context.Context, a *auth.Actor, orgID int64) (string, error) {
	if a == nil {
		return "", apperr.New(apperr.Unauthorized, "error.login_required")
	}
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanAdmin(o.Path) {
		return "", apperr.ErrNotFound
	}
	return o.Path, nil
}

// APIKeys lists an organization's Open311 keys.
func (s *Service) APIKeys(ctx context.Context, a *auth.Actor, orgID int64) ([]*APIKey, error) {
	if _, err := s.matterKeyOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	return s.store.FindAPIKeys(ctx, orgID)
}

// CreateAPIKey creates an Open311 key for an organization and returns the clear key (shown once).
func (s *Service) CreateAPIKey(ctx context.Context, a *auth.Actor, orgID int64, name string) (string, error) {
	path, err := s.matterKeyOrg(ctx, a, orgID)
	if err != nil {
		return "", err
	}
	var v apperr.Validation
	name = matterCleanLine(name)
	switch {
	case name == "":
		v.Add("name", "error.required")
	case matterRuneLen(name) > MaxKeyName:
		v.Add("name", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	key, hash := matterNewAPIKey()
	k := &APIKey{OrgID: orgID, OrgPath: path, Name: name, KeyHash: hash, CreatedBy: a.UserID, CreatedAt: s.now()}
	rec := record(a, "open311_key.create", "open311_key")
	rec.OrgPath = path
	rec.After = audit.JSON(struct {
		Name  string
		OrgID int64
	}{name, orgID})
	if err := s.store.CreateAPIKey(ctx, k, rec); err != nil {
		return "", fmt.Errorf("masswork: create api key: %w", err)
	}
	return key, nil
}

// RevokeAPIKey revokes an Open311 key; revoking a revoked key does nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, a *auth.Actor, orgID, keyID int64) error {
	path, err := s.matterKeyOrg(ctx, a, orgID)
	if err != nil {
		return err
	}
	keys, err := s.store.FindAPIKeys(ctx, orgID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID != keyID {
			continue
		}
		if !k.RevokedAt.IsZero() {
			return nil
		}
		rec := record(a, "open311_key.revoke", "open311_key")
		rec.ObjectID, rec.OrgPath = keyID, path
		rec.Before = audit.JSON(struct{ Name string }{k.Name})
		return s.store.RevokeAPIKey(ctx, keyID, s.now(), rec)
	}
	return apperr.ErrNotFound
}
