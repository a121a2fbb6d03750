package masswork

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// CoverageRequest asks for the coverage of an organization's subtree, or of one area of it.
type CoverageRequest struct {
	OrgID  int64  // 0: every subtree the actor may read
	Zone   string // an area; empty: the summary of every area
	Months int    // the window; 0: DefaultCoverageMonths
	// Mine selects the contacts the actor has reserved instead of an area.
	Mine bool
}

// Coverage is who of an area was visited in the window and who never was, with the
// reservations; or, without an area, the summary of each area.
type Coverage struct {
	OrgID   int64
	OrgName string
	Zone    string
	Mine    bool
	Months  int
	Since   time.Time
	Areas   []*AreaCoverage
	Rows    []*CoverageRow
	// Counts of Rows: contacts, visited in the window, visited before it only, never visited,
	// reserved by someone (not expired).
	Contacts, Visited, Lapsed, Never, Reserved int
	// CanReserve reports whether the actor may reserve contacts to visit.
	CanReserve bool
}

// Percent returns the share of contacts visited in the window, in percent.
func (c *Coverage) Percent() float64 {
	if c.Contacts == 0 {
		return 0
	}
	return float64(c.Visited) * 100 / float64(c.Contacts)
}

// Coverage returns the coverage of an area: the contacts (the masses on the register) of the
// organization's subtree whose zone is the area, who visited them in the last months and how
// often, who never was visited, and who reserved whom. It reads each list in one query.
func (s *Service) Coverage(ctx context.Context, a *auth.Actor, req CoverageRequest) (*Coverage, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	roots := a.ReadRoots()
	if len(roots) == 0 {
		return nil, apperr.ErrDenied
	}
	c := &Coverage{Zone: visitClean(req.Zone, false), Months: req.Months, Mine: req.Mine, CanReserve: a.IsAdmin()}
	if c.Months <= 0 {
		c.Months = DefaultCoverageMonths
	}
	c.Months = min(c.Months, MaxCoverageMonths)
	if req.OrgID != 0 {
		o, err := s.orgs.FindOrganizationByID(ctx, req.OrgID)
		if err != nil {
			return nil, err
		}
		if !a.CanView(o.Path) {
			return nil, apperr.ErrNotFound
		}
		c.OrgID, c.OrgName, roots = o.ID, o.Name, []string{o.Path}
	}
	now := s.now()
	c.Since = now.In(s.zone).AddDate(0, -c.Months, 0)
	q := CoverageQuery{Roots: roots, Zone: c.Zone, Since: c.Since, Now: now}
	var err error
	switch {
	case c.Mine:
		q.ReservedBy = a.UserID
		c.Rows, err = s.store.Coverage(ctx, q)
	case c.Zone != "":
		c.Rows, err = s.store.Coverage(ctx, q)
	default:
		c.Areas, err = s.store.Areas(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	for _, r := range c.Rows {
		c.Contacts++
		switch {
		case r.Visits > 0:
			c.Visited++
		case r.EverVisited:
			c.Lapsed++
		default:
			c.Never++
		}
		if r.ReservedByID != 0 {
			c.Reserved++
		}
	}
	for _, ar := range c.Areas {
		c.Contacts += ar.Contacts
		c.Visited += ar.Visited
	}
	return c, nil
}

// Reserve reserves contacts for the actor to visit, for ReservationDays. Contacts reserved by
// someone else and not expired are left to them; the actor's own reservations are renewed.
// It returns how many were reserved and how many were not (held by someone else, or not
// found).
func (s *Service) Reserve(ctx context.Context, a *auth.Actor, contactIDs []int64) (reserved, taken int, err error) {
	if a == nil {
		return 0, 0, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	if !a.IsAdmin() {
		return 0, 0, apperr.ErrDenied
	}
	ids := visitIDs(contactIDs)
	if len(ids) == 0 {
		return 0, 0, apperr.New(apperr.Invalid, "visit.error.none_chosen")
	}
	if len(ids) > MaxReserve {
		return 0, 0, apperr.New(apperr.Invalid, "visit.error.too_many_chosen")
	}
	now := s.now()
	name := a.Name
	if name == "" {
		name = a.Username
	}
	r := Reservation{UserID: a.UserID, UserName: name, ReservedAt: now, ExpiresAt: now.AddDate(0, 0, ReservationDays)}
	n, err := s.store.Reserve(ctx, a.ReadRoots(), ids, r, now)
	if err != nil {
		return 0, 0, err
	}
	return n, len(ids) - n, nil
}

// Release releases the actor's own reservations of the contacts, or all of them when
// contactIDs is nil.
func (s *Service) Release(ctx context.Context, a *auth.Actor, contactIDs []int64) error {
	if a == nil {
		return apperr.New(apperr.Unauthorized, "error.login_required")
	}
	if contactIDs == nil {
		return s.store.Release(ctx, nil, a.UserID)
	}
	ids := visitIDs(contactIDs)
	if len(ids) == 0 {
		return apperr.New(apperr.Invalid, "visit.error.none_chosen")
	}
	if len(ids) > MaxReserve {
		return apperr.New(apperr.Invalid, "visit.error.too_many_chosen")
	}
	return s.store.Release(ctx, ids, a.UserID)
}

// visitIDs returns the positive IDs, each once.
func visitIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ReleaseReservations releases the visit reservations past their expiry; it is run by a
// periodic job and returns how many it released.
func (s *Service) ReleaseReservations(ctx context.Context) (int, error) {
	return s.store.ReleaseExpired(ctx, s.now())
}
