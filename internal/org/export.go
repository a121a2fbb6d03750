package org

import (
	"context"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// MaxExport caps the rows of one export.
const MaxExport = 50000

// Secrets are a person's clear personal numbers.
type Secrets struct {
	IDNumber string
	Phone    string
}

// Export returns the people matching f for a spreadsheet, with their clear numbers when
// reveal is asked and allowed: the exporter has the reveal right and administers every
// exported person's organization. Every export is audited, with whether numbers were clear.
func (s *Service) Export(ctx context.Context, a *auth.Actor, f PeopleFilter, reveal bool) ([]*Person, map[int64]Secrets, error) {
	f.Roots = a.ReadRoots()
	if len(f.Roots) == 0 {
		return nil, nil, apperr.ErrDenied
	}
	if f.OrgPath != "" && !a.CanView(f.OrgPath) {
		return nil, nil, apperr.ErrNotFound
	}
	f.Offset, f.Limit = 0, MaxExport
	f.Query = cleanText(f.Query, false)
	people, total, err := s.store.FindPeople(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	if total > MaxExport {
		return nil, nil, apperr.New(apperr.Invalid, "error.export_too_many")
	}
	if reveal && !(a.CanReveal || a.SysAdmin) {
		return nil, nil, apperr.ErrDenied
	}
	ids := make([]int64, 0, len(people))
	for _, p := range people {
		if reveal && !a.CanAdmin(p.OrgPath) {
			return nil, nil, apperr.ErrDenied
		}
		ids = append(ids, p.ID)
	}
	rec := record(a, "person.export", "person")
	rec.OrgPath = f.OrgPath
	if rec.OrgPath == "" && len(f.Roots) == 1 {
		rec.OrgPath = f.Roots[0]
	}
	rec.After = audit.JSON(map[string]any{"rows": len(people), "revealed": reveal, "query": f.Query, "stage": f.Stage,
		"status": f.Status, "tag": f.Tag})
	if !reveal {
		return people, nil, s.audit.AppendAudit(ctx, rec)
	}
	secrets, err := s.store.RevealPeople(ctx, ids, rec)
	return people, secrets, err
}
