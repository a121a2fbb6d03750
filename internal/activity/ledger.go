package activity

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// LedgerRow is one activity of an organization's year ledger (台账) with its attendance
// counted: everything comes from the activity and its check-ins, nothing is typed again.
type LedgerRow struct {
	*Activity
	Expected int
	Present  int
	Leave    int
	WalkIns  int
}

// Absent returns the invited who neither came nor had leave.
func (r *LedgerRow) Absent() int { return max(0, r.Expected-r.Present-r.Leave) }

// Rate returns present/expected, 0 when nobody was expected.
func (r *LedgerRow) Rate() float64 {
	if r.Expected == 0 {
		return 0
	}
	return float64(r.Present) / float64(r.Expected)
}

// LedgerStore reads the ledger.
type LedgerStore interface {
	// FindLedger returns an organization's own activities starting in [from, to), oldest
	// first, with types and attendance counts.
	FindLedger(ctx context.Context, orgID int64, from, to time.Time) ([]*LedgerRow, error)
}

// Ledger returns an organization's activities of a year with their attendance, for those who
// view the organization.
func (s *Service) Ledger(ctx context.Context, a *auth.Actor, orgID int64, year int) (*org.Organization, []*LedgerRow, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	if !a.CanView(o.Path) {
		if a.CanSee(o.Path) {
			return nil, nil, apperr.ErrDenied
		}
		return nil, nil, apperr.ErrNotFound
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.zone)
	rows, err := s.store.FindLedger(ctx, o.ID, from, from.AddDate(1, 0, 0))
	return o, rows, err
}
