package org

import (
	"context"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// AuditTrail lists audit records that the actor administers: a system administrator sees every
// record, an organization administrator the records of its subtrees. Filter by organization or
// person stays within that scope.
func (s *Service) AuditTrail(ctx context.Context, a *auth.Actor, f audit.Filter) ([]*audit.Record, error) {
	if !a.IsAdmin() {
		return nil, apperr.ErrDenied
	}
	if f.OrgPath != "" && !a.CanAdmin(f.OrgPath) {
		return nil, apperr.ErrNotFound
	}
	if f.PersonID != 0 {
		p, err := s.Person(ctx, a, f.PersonID)
		if err != nil {
			return nil, err
		}
		if !a.CanAdmin(p.OrgPath) {
			return nil, apperr.ErrNotFound
		}
	}
	f.OrgRoots = nil
	if !a.SysAdmin {
		f.OrgRoots = a.AdminPaths
	}
	return s.audit.FindAudit(ctx, f)
}
