package masswork

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
)

// LedgerRow is one matter of the matter ledger (群众诉求台账): everything in it comes from the
// matter, its reports and the answers its reporters gave; nothing is typed again. It holds no
// reporter's name or phone.
type LedgerRow struct {
	*Matter
	Channels      []string  // the channels its reports came by, in the order of Channels
	FirstReported time.Time // its earliest report (its creation when it has none left)
	Round         int       // the latest round of answers, 0 when nobody answered
	Ratings       map[string]int
}

// Deadline verdicts of a ledger row.
const (
	DeadlineMet     = "met"
	DeadlineMissed  = "missed"
	DeadlinePending = "pending" // neither met nor missed yet
)

// OnTime tells whether the matter met its deadlines at the instant: the first response by
// its response deadline and, unless it was rejected or merged, the resolution by its
// resolution deadline. A matter with a deadline missed is missed; one with every deadline
// that applies met is met; otherwise it is pending.
func (r *LedgerRow) OnTime(now time.Time) string {
	verdict := func(done, due time.Time) string {
		switch {
		case !done.IsZero():
			if due.IsZero() || !done.After(due) {
				return DeadlineMet
			}
			return DeadlineMissed
		case !due.IsZero() && now.After(due):
			return DeadlineMissed
		}
		return DeadlinePending
	}
	response := verdict(r.RespondedAt, r.ResponseDue)
	resolution := DeadlineMet
	if r.Status != StatusRejected && r.Status != StatusMerged {
		resolution = verdict(r.ResolvedAt, r.ResolveDue)
	}
	switch {
	case response == DeadlineMissed || resolution == DeadlineMissed:
		return DeadlineMissed
	case response == DeadlineMet && resolution == DeadlineMet:
		return DeadlineMet
	}
	return DeadlinePending
}

// maxLedgerRows bounds the matters of one ledger export.
const maxLedgerRows = 100000

// Ledger returns the matters of an organization's subtree opened in the months from–to
// (YYYY-MM, inclusive; the last twelve months when empty) with the months' figures, for
// those who view the organization's confidential pages.
func (s *Service) Ledger(ctx context.Context, a *auth.Actor, orgID int64, from, to string) (*Insight, []*LedgerRow, error) {
	in, err := s.insight(ctx, a, orgID, from, to, true)
	if err != nil {
		return nil, nil, err
	}
	start, end := in.period(s.zone)
	rows, err := s.store.FindMatterLedger(ctx, []string{in.Org.Path}, start, end, maxLedgerRows)
	if err != nil {
		return nil, nil, err
	}
	return in, rows, nil
}
