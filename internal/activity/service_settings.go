package activity

import (
	"context"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// CanSetOrgSettings reports whether the actor may change an organization's activity settings:
// they say who approves its records, so they belong to the organization above it (a branch
// cannot release itself from its committee's approval); a root organization's belong to the
// system administrator.
func CanSetOrgSettings(a *auth.Actor, o *org.Organization) bool {
	return a.CanAdmin(parentPath(o.Path))
}

// OrgSettings returns an organization's activity settings, with the organization, to whoever
// may see it.
func (s *Service) OrgSettings(ctx context.Context, a *auth.Actor, orgID int64) (*OrgSettings, *org.Organization, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	if !a.CanSee(o.Path) {
		return nil, nil, apperr.ErrNotFound
	}
	set, err := s.store.FindOrgSettings(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	return set, o, nil
}

// SetOrgSettings changes an organization's activity settings. Approval by the organization
// above needs one.
func (s *Service) SetOrgSettings(ctx context.Context, a *auth.Actor, set OrgSettings) error {
	old, o, err := s.OrgSettings(ctx, a, set.OrgID)
	if err != nil {
		return err
	}
	if !CanSetOrgSettings(a, o) {
		return apperr.ErrDenied
	}
	var v apperr.Validation
	switch set.RecordApprover {
	case ApproverSelf:
	case ApproverParent:
		if parentPath(o.Path) == "" {
			v.Add("record_approver", "error.no_parent_org")
		}
	default:
		v.Add("record_approver", "error.choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	rec := record(a, "org.activity_settings", "organization")
	rec.OrgPath, rec.ObjectID = o.Path, o.ID
	rec.Before = audit.JSON(map[string]any{"record_approver": old.RecordApprover, "require_photos": old.RequirePhotos})
	rec.After = audit.JSON(map[string]any{"record_approver": set.RecordApprover, "require_photos": set.RequirePhotos})
	return s.store.SaveOrgSettings(ctx, &set, a.UserID, rec)
}
