package org

import (
	"context"
	"errors"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Tree returns the organizations the actor may see, in tree order: the subtrees it administers
// or views, and its own organization.
func (s *Service) Tree(ctx context.Context, a *auth.Actor) ([]*Organization, error) {
	roots := a.ReadRoots()
	if a.MemberPath != "" && !a.CanView(a.MemberPath) {
		roots = append(roots, a.MemberPath)
	}
	if len(roots) == 0 {
		return nil, nil
	}
	all, err := s.store.FindOrganizations(ctx, roots)
	if err != nil {
		return nil, err
	}
	// A member sees its own organization but not the groups below it.
	out := all[:0]
	for _, o := range all {
		if a.CanView(o.Path) || o.Path == a.MemberPath {
			out = append(out, o)
		}
	}
	return out, nil
}

// Choices returns the organizations whose rosters the actor may read, in tree order and
// without counts: for filters and pickers, which show names only. When the actor carries the
// tree version its scope was read at and the store can answer for a version, it does: an
// instance then keeps the names of the current tree instead of reading them on every page.
func (s *Service) Choices(ctx context.Context, a *auth.Actor) ([]*Organization, error) {
	if vs, ok := s.store.(versionedNames); ok && a != nil && a.TreeVersion != 0 {
		return vs.FindOrganizationNamesAt(ctx, a.ReadRoots(), a.TreeVersion)
	}
	return s.store.FindOrganizationNames(ctx, a.ReadRoots())
}

// versionedNames is the part of a store that answers FindOrganizationNames for a given
// version of the tree (see auth.Actor.TreeVersion), from a copy it keeps while the version
// stays the same. It is optional: a store without it is asked every time.
type versionedNames interface {
	FindOrganizationNamesAt(ctx context.Context, roots []string, version int64) ([]*Organization, error)
}

// Organization returns one organization the actor may see. An organization outside the
// actor's scope is reported as not found, so that guessing IDs reveals nothing.
func (s *Service) Organization(ctx context.Context, a *auth.Actor, id int64) (*Organization, error) {
	o, err := s.store.FindOrganizationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(o.Path) {
		return nil, apperr.ErrNotFound
	}
	return o, nil
}

// CreateOrganization adds an organization under its parent. Only a system administrator may
// create a top-level organization.
func (s *Service) CreateOrganization(ctx context.Context, a *auth.Actor, o *Organization) error {
	if err := normaliseOrganization(o); err != nil {
		return err
	}
	if o.ParentID == 0 {
		if !a.SysAdmin {
			return apperr.ErrDenied
		}
		o.Path = "/"
	} else {
		parent, err := s.store.FindOrganizationByID(ctx, o.ParentID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanSee(parent.Path)) {
			return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"parent_id": "error.choice"}}
		}
		if err != nil {
			return err
		}
		if !a.CanAdmin(parent.Path) {
			return apperr.ErrDenied
		}
		if parent.Kind == KindGroup || kindRank(o.Kind) < kindRank(parent.Kind) {
			return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"kind": "error.kind_under_parent"}}
		}
		o.Path = parent.Path
	}
	rec := record(a, "organization.create", "organization")
	rec.After = audit.JSON(orgAudit(o))
	return s.store.CreateOrganization(ctx, o, rec)
}

// UpdateOrganization renames an organization or changes its unit and term. The update carries
// the version the editor saw; a concurrent change makes it fail with a conflict.
func (s *Service) UpdateOrganization(ctx context.Context, a *auth.Actor, upd *Organization) error {
	cur, err := s.Organization(ctx, a, upd.ID)
	if err != nil {
		return err
	}
	if !a.CanAdmin(cur.Path) {
		return apperr.ErrDenied
	}
	upd.Kind = cur.Kind
	if err := normaliseOrganization(upd); err != nil {
		return err
	}
	next := *cur
	next.Name, next.UnitName, next.UnitKind = upd.Name, upd.UnitName, upd.UnitKind
	next.TermStart, next.TermEnd, next.SortOrder, next.Version = upd.TermStart, upd.TermEnd, upd.SortOrder, upd.Version
	rec := record(a, "organization.update", "organization")
	rec.Before, rec.After = audit.JSON(orgAudit(cur)), audit.JSON(orgAudit(&next))
	if err := s.store.UpdateOrganization(ctx, &next, rec); err != nil {
		return err
	}
	*upd = next
	return nil
}

// Positions returns the committee of an organization whose confidential pages the actor may
// read.
func (s *Service) Positions(ctx context.Context, a *auth.Actor, orgID int64) ([]*Position, error) {
	o, err := s.Organization(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if !a.CanView(o.Path) {
		return nil, apperr.ErrDenied
	}
	return s.store.FindPositions(ctx, orgID)
}

// AddPosition records a person holding a committee position.
func (s *Service) AddPosition(ctx context.Context, a *auth.Actor, p *Position) error {
	o, err := s.Organization(ctx, a, p.OrgID)
	if err != nil {
		return err
	}
	if !a.CanAdmin(o.Path) {
		return apperr.ErrDenied
	}
	person, err := s.Person(ctx, a, p.PersonID)
	if err != nil {
		return err
	}
	var v apperr.Validation
	if !IsMember(person.Stage) {
		v.Add("person_id", "error.position_needs_member")
	}
	if !containsString(Positions, p.Position) {
		v.Add("position", "error.choice")
	}
	checkDate(&v, "term_start", p.TermStart)
	checkDate(&v, "term_end", p.TermEnd)
	if err := v.Err(); err != nil {
		return err
	}
	rec := record(a, "position.create", "position")
	rec.OrgPath, rec.PersonID = o.Path, p.PersonID
	rec.After = audit.JSON(p)
	return s.store.CreatePosition(ctx, p, rec)
}

// TermWarning says how close a committee's term is to its end: "" when more than six months
// remain or no term is recorded, "6m" within six months, "1m" within one month, "ended" after.
// Branch committees serve terms of three years (中国共产党支部工作条例（试行）第二十一条).
func TermWarning(o *Organization, today time.Time) string {
	if o.TermEnd == "" {
		return ""
	}
	end, err := time.Parse(time.DateOnly, o.TermEnd)
	if err != nil {
		return ""
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case today.After(end):
		return "ended"
	case !today.AddDate(0, 1, 0).Before(end):
		return "1m"
	case !today.AddDate(0, 6, 0).Before(end):
		return "6m"
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type orgAuditView struct {
	Name, Kind, UnitName, TermStart, TermEnd string
	ParentID                                 int64
}

func orgAudit(o *Organization) orgAuditView {
	return orgAuditView{Name: o.Name, Kind: o.Kind, UnitName: o.UnitName, TermStart: o.TermStart, TermEnd: o.TermEnd, ParentID: o.ParentID}
}
