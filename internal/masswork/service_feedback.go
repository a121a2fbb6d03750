package masswork

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// The people's say. A resolved matter asks every reporter "solved? satisfied?". A
// dissatisfied answer reopens it (in progress again, with a new resolution deadline); when
// every answer is in and none is dissatisfied it closes. Answers come through the reporter's
// private link (via link) or from staff calling them back (via call).

// Ways an answer comes in.
const (
	ViaLink = "link"
	ViaCall = "call"
)

// Ratings lists the satisfaction ratings, best first.
var Ratings = []string{RatingSatisfied, RatingBasic, RatingDissatisfied}

// MaxComment is the length limit of an answer's comment, in characters.
const MaxComment = 1000

// matterAnswerTries is how often an answer is tried again when another answer to the same
// matter was written at the same moment.
const matterAnswerTries = 3

var (
	errMatterNotAsked = apperr.New(apperr.Invalid, "matter.error.not_asked")
	errMatterAnswered = apperr.New(apperr.Conflict, "matter.error.answered")
)

// Answer records the reporter's say through their private link: only the holder of the key
// of the report's link, while the matter is resolved and the report was asked in this round.
func (s *Service) Answer(ctx context.Context, code, key string, solved bool, rating, comment string) error {
	comment, err := matterCheckAnswer(rating, comment)
	if err != nil {
		return err
	}
	c, ok := ParseCode(code)
	if !ok {
		return apperr.ErrNotFound
	}
	p, err := s.store.FindProblemByCode(ctx, c)
	if err != nil {
		return err
	}
	if !KeyMatches(key, p.SecretHash) {
		return apperr.ErrNotFound
	}
	return s.matterAnswer(ctx, nil, p.MatterID, func(fb *Feedback) bool { return fb.ProblemID == p.ID }, solved, rating, comment)
}

// RecordFeedback records a reporter's say that staff collected by calling back.
func (s *Service) RecordFeedback(ctx context.Context, a *auth.Actor, feedbackID int64, solved bool, rating, comment string) error {
	if a == nil {
		return apperr.New(apperr.Unauthorized, "error.login_required")
	}
	comment, err := matterCheckAnswer(rating, comment)
	if err != nil {
		return err
	}
	matterID, err := s.store.FindFeedbackMatterID(ctx, feedbackID)
	if err != nil {
		return err
	}
	m, err := s.store.FindMatterByID(ctx, matterID)
	if err != nil {
		return err
	}
	if !s.matterCanRead(ctx, a, m) {
		return apperr.ErrNotFound
	}
	if !s.matterCanHandle(ctx, a, m) && !matterIsAssignee(a, m) {
		return apperr.ErrDenied
	}
	return s.matterAnswer(ctx, a, m.ID, func(fb *Feedback) bool { return fb.ID == feedbackID }, solved, rating, comment)
}

func matterCheckAnswer(rating, comment string) (string, error) {
	var v apperr.Validation
	if !matterContains(Ratings, rating) {
		v.Add("rating", "matter.error.rating")
	}
	comment = matterCleanText(comment)
	if matterRuneLen(comment) > MaxComment {
		v.Add("comment", "error.too_long")
	}
	return comment, v.Err()
}

// matterAnswer writes the answer to the feedback row of the matter's current round that
// pick chooses, and reopens or closes the matter as the answers say. a is nil for the
// reporter's own answer.
func (s *Service) matterAnswer(ctx context.Context, a *auth.Actor, matterID int64, pick func(*Feedback) bool, solved bool, rating, comment string) error {
	for try := 1; ; try++ {
		err := s.matterAnswerOnce(ctx, a, matterID, pick, solved, rating, comment)
		if errors.Is(err, apperr.ErrStale) && try < matterAnswerTries {
			continue // another answer to the matter came in at the same moment: read again
		}
		return err
	}
}

func (s *Service) matterAnswerOnce(ctx context.Context, a *auth.Actor, matterID int64, pick func(*Feedback) bool, solved bool, rating, comment string) error {
	m, err := s.store.FindMatterByID(ctx, matterID)
	if err != nil {
		return err
	}
	if m.Status != StatusResolved {
		return errMatterNotAsked
	}
	round, err := s.store.FindFeedback(ctx, m.ID, m.Round)
	if err != nil {
		return fmt.Errorf("masswork: answer: %w", err)
	}
	var fb *Feedback
	for _, f := range round {
		if pick(f) {
			fb = f
		}
	}
	switch {
	case fb == nil:
		return errMatterNotAsked
	case !fb.AnsweredAt.IsZero():
		return errMatterAnswered
	}
	now := s.now()
	fb.AnsweredAt, fb.Solved, fb.Rating, fb.Comment, fb.Via = now, solved, rating, comment, ViaLink
	rec := matterSystemRecord(ActorPublic, "answer", m)
	if a != nil {
		fb.Via, fb.ByUser = ViaCall, a.UserID
		rec = matterRecord(a, "answer", m)
	}
	rec.After = audit.JSON(struct {
		Problem, Rating, Via string
		Solved               bool
		Round                int
	}{fb.ProblemCode, rating, fb.Via, solved, m.Round})
	from := m.Status
	evs := []*Event{matterEvent(a, m, EventFeedback, true, rating, "", now)}
	// The matter's next step: reopened by a dissatisfied answer, closed when all are in.
	all := true
	for _, f := range round {
		all = all && (f == fb || !f.AnsweredAt.IsZero())
	}
	switch {
	case rating == RatingDissatisfied:
		cat, err := s.store.FindCategoryByID(ctx, m.CategoryID)
		if err != nil {
			return fmt.Errorf("masswork: answer: %w", err)
		}
		due, err := s.Deadline(ctx, now, cat.ResolveDays)
		if err != nil {
			return err
		}
		if err := matterTransit(m, ActReopen); err != nil {
			return err
		}
		m.ResolvedAt, m.ResolveDue = time.Time{}, due
		// The new resolution deadline is escalated again when missed (the level of a missed
		// resolution is 2; a missed first response stays recorded as 1).
		m.Escalations = min(m.Escalations, 1)
		evs = append(evs, matterEvent(a, m, EventReopened, true, "", from, now))
	case all:
		if err := matterTransit(m, ActClose); err != nil {
			return err
		}
		m.ClosedAt, m.CloseReason = now, CloseAnswered
		evs = append(evs, matterEvent(a, m, EventClosed, true, CloseAnswered, from, now))
	}
	m.UpdatedAt = now
	if err := s.store.AnswerFeedback(ctx, fb, m, evs, rec); err != nil {
		return fmt.Errorf("masswork: answer: %w", err)
	}
	return nil
}
