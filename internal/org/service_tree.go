package org

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// TreeStore changes the shape of the tree.
type TreeStore interface {
	MoveOrganization(ctx context.Context, o *Organization, newParent *Organization, rec *audit.Record) error
	DissolveOrganization(ctx context.Context, o *Organization, rec *audit.Record) error
	CountOrganizationContents(ctx context.Context, orgID int64) (children, people int, err error)
	MovePeople(ctx context.Context, from, to *Organization, rec func(p *Person) *audit.Record) (int, error)
	EndPosition(ctx context.Context, id int64, orgID int64, end string, rec *audit.Record) error
}

// MoveOrganization moves an organization with its whole subtree under another parent. The
// actor must administer both the organization and the new parent; a system administrator
// may make it top-level (newParentID 0).
func (s *Service) MoveOrganization(ctx context.Context, a *auth.Actor, id, newParentID int64, version int) error {
	o, err := s.Organization(ctx, a, id)
	if err != nil {
		return err
	}
	if !a.CanAdmin(o.Path) {
		return apperr.ErrDenied
	}
	o.Version = version
	fieldErr := func(key string) error {
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"parent_id": key}}
	}
	var parent *Organization
	if newParentID == 0 {
		if !a.SysAdmin {
			return apperr.ErrDenied
		}
	} else {
		parent, err = s.store.FindOrganizationByID(ctx, newParentID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(parent.Path)) {
			return fieldErr("error.org_out_of_scope")
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(parent.Path, o.Path) {
			return fieldErr("error.move_into_itself")
		}
		if parent.Kind == KindGroup || kindRank(o.Kind) < kindRank(parent.Kind) {
			return fieldErr("error.kind_under_parent")
		}
	}
	if parent == nil && o.ParentID == 0 || parent != nil && parent.ID == o.ParentID {
		return nil
	}
	rec := record(a, "organization.move", "organization")
	rec.Before = audit.JSON(map[string]any{"parent_id": o.ParentID, "path": o.Path})
	return s.store.MoveOrganization(ctx, o, parent, rec)
}

// DissolveOrganization removes an organization from the tree. It must be empty: no
// organizations below and nobody on its register (move them first).
func (s *Service) DissolveOrganization(ctx context.Context, a *auth.Actor, id int64, version int) error {
	o, err := s.Organization(ctx, a, id)
	if err != nil {
		return err
	}
	if !a.CanAdmin(o.Path) || (o.ParentID == 0 && !a.SysAdmin) {
		return apperr.ErrDenied
	}
	children, people, err := s.store.CountOrganizationContents(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case children > 0:
		return apperr.New(apperr.Invalid, "error.dissolve_has_children")
	case people > 0:
		return apperr.New(apperr.Invalid, "error.dissolve_has_people")
	}
	o.Version = version
	rec := record(a, "organization.dissolve", "organization")
	rec.Before = audit.JSON(orgAudit(o))
	return s.store.DissolveOrganization(ctx, o, rec)
}

// Contents returns how many organizations sit directly below an organization and how many
// people are on its own register.
func (s *Service) Contents(ctx context.Context, a *auth.Actor, id int64) (children, people int, err error) {
	if _, err := s.Organization(ctx, a, id); err != nil {
		return 0, 0, err
	}
	return s.store.CountOrganizationContents(ctx, id)
}

// MovePeople moves everyone on an organization's own register to another organization, each
// with an audit record; it returns how many moved.
func (s *Service) MovePeople(ctx context.Context, a *auth.Actor, fromID, toID int64) (int, error) {
	from, err := s.Organization(ctx, a, fromID)
	if err != nil {
		return 0, err
	}
	if !a.CanAdmin(from.Path) {
		return 0, apperr.ErrDenied
	}
	to, err := s.orgForWrite(ctx, a, toID)
	if e := apperr.As(err); e != nil && e.Fields["org_id"] != "" {
		return 0, &apperr.Error{Kind: e.Kind, Key: e.Key, Fields: map[string]string{"to": e.Fields["org_id"]}}
	}
	if err != nil {
		return 0, err
	}
	if to.ID == from.ID {
		return 0, nil
	}
	return s.store.MovePeople(ctx, from, to, func(p *Person) *audit.Record {
		rec := record(a, "person.move", "person")
		rec.OrgPath, rec.PersonID, rec.ObjectID = to.Path, p.ID, p.ID
		rec.Before = audit.JSON(map[string]any{"org_id": from.ID, "org": from.Name})
		rec.After = audit.JSON(map[string]any{"org_id": to.ID, "org": to.Name})
		return rec
	})
}

// EndPosition closes a committee position's term today (in the organization's zone).
func (s *Service) EndPosition(ctx context.Context, a *auth.Actor, orgID, positionID int64, today time.Time) error {
	o, err := s.Organization(ctx, a, orgID)
	if err != nil {
		return err
	}
	if !a.CanAdmin(o.Path) {
		return apperr.ErrDenied
	}
	rec := record(a, "position.end", "position")
	rec.OrgPath, rec.ObjectID = o.Path, positionID
	return s.store.EndPosition(ctx, positionID, orgID, today.Format(time.DateOnly), rec)
}
