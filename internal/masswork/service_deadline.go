package masswork

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// What the periodic job does: escalate matters past a deadline and close resolved matters
// whose reporters did not answer.

// ActorSystem is the actor name of the jobs' audit records.
const ActorSystem = "system"

// FeedbackWait is how long a resolved matter waits for its reporters' answers before it
// closes without them.
const FeedbackWait = 7 * 24 * time.Hour

// matterJobBatch is how many matters one run of a job handles; the next run takes the rest.
const matterJobBatch = 200

// Escalation levels: a missed first response escalates a matter once (level 1), a missed
// resolution once more (level 2). Matter.Escalations holds the level reached.
const (
	EscalatedResponse = 1
	EscalatedResolve  = 2
)

// EscalationLevel returns the level a matter being handled should be escalated to at the
// instant: EscalatedResolve when its resolution is overdue, EscalatedResponse when its first
// response is, else 0. A resolved, closed, rejected or merged matter is escalated no further.
func EscalationLevel(m *Matter, now time.Time) int {
	if m.Status != StatusSubmitted && m.Status != StatusAccepted && m.Status != StatusInProgress {
		return 0
	}
	overdue := func(due, done time.Time) bool { return !due.IsZero() && done.IsZero() && now.After(due) }
	switch {
	case overdue(m.ResolveDue, m.ResolvedAt):
		return EscalatedResolve
	case overdue(m.ResponseDue, m.RespondedAt):
		return EscalatedResponse
	}
	return 0
}

// Escalate passes every matter whose deadline has passed to the organization above the one
// handling it (or above the one it was escalated to before): once for a missed first
// response, once more for a missed resolution (see EscalationLevel). At the top of the tree
// the escalation is recorded without a new organization. It is run by a periodic job and
// returns how many it escalated.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.store.DueMatters(ctx, now, matterJobBatch)
	if err != nil {
		return 0, fmt.Errorf("masswork: escalate: %w", err)
	}
	n := 0
	var errs []error
	for _, m := range due {
		level := EscalationLevel(m, now)
		if level <= m.Escalations {
			continue
		}
		err := s.matterEscalate(ctx, m, level, now)
		switch {
		case err == nil:
			n++
		case errors.Is(err, apperr.ErrStale):
			// Changed meanwhile (accepted, resolved): the next run looks again.
		default:
			errs = append(errs, fmt.Errorf("matter %d: %w", m.ID, err))
		}
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("masswork: escalate: %w", errors.Join(errs...))
	}
	return n, nil
}

func (s *Service) matterEscalate(ctx context.Context, m *Matter, level int, now time.Time) error {
	base := m.EscalatedOrgID
	if base == 0 {
		base = m.OrgID
	}
	o, err := s.orgs.FindOrganizationByID(ctx, base)
	if err != nil {
		return err
	}
	rec := matterSystemRecord(ActorSystem, "escalate", m)
	to := o
	if o.ParentID != 0 {
		if to, err = s.orgs.FindOrganizationByID(ctx, o.ParentID); err != nil {
			return err
		}
	}
	m.EscalatedOrgID, m.EscalatedOrg = to.ID, to.Name
	m.Escalations = level
	return s.matterUpdate(ctx, m, rec, matterEvent(nil, m, EventEscalated, false, to.Name, "", now))
}

// CloseUnanswered closes resolved matters whose reporters gave no answer within seven days,
// with "no reply" recorded (or "answered", when some answered, all of them content). It is
// run by a periodic job.
func (s *Service) CloseUnanswered(ctx context.Context) (int, error) {
	now := s.now()
	stale, err := s.store.StaleResolved(ctx, now.Add(-FeedbackWait), matterJobBatch)
	if err != nil {
		return 0, fmt.Errorf("masswork: close unanswered: %w", err)
	}
	n := 0
	var errs []error
	for _, m := range stale {
		err := s.matterCloseUnanswered(ctx, m, now)
		switch {
		case err == nil:
			n++
		case errors.Is(err, apperr.ErrStale), errors.Is(err, errMatterTransition):
			// An answer came in meanwhile.
		default:
			errs = append(errs, fmt.Errorf("matter %d: %w", m.ID, err))
		}
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("masswork: close unanswered: %w", errors.Join(errs...))
	}
	return n, nil
}

func (s *Service) matterCloseUnanswered(ctx context.Context, m *Matter, now time.Time) error {
	if m.Status != StatusResolved || m.ResolvedAt.After(now.Add(-FeedbackWait)) {
		return errMatterTransition
	}
	round, err := s.store.FindFeedback(ctx, m.ID, m.Round)
	if err != nil {
		return err
	}
	answered, dissatisfied := false, false
	for _, f := range round {
		if !f.AnsweredAt.IsZero() {
			answered = true
			dissatisfied = dissatisfied || f.Rating == RatingDissatisfied
		}
	}
	reason := CloseNoReply
	if answered && !dissatisfied {
		reason = CloseAnswered
	}
	rec, from := matterSystemRecord(ActorSystem, "close", m), m.Status
	if err := matterTransit(m, ActClose); err != nil {
		return err
	}
	m.ClosedAt, m.CloseReason = now, reason
	rec.After = audit.JSON(matterAudit(m))
	return s.matterUpdate(ctx, m, rec, matterEvent(nil, m, EventClosed, true, reason, from, now))
}
