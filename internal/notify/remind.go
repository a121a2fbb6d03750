package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// RemindResult counts what one run of Remind did.
type RemindResult struct {
	Created int // notices made
	Emailed int // emails the server accepted
	Failed  int // emails that failed this time
}

// dueBatch is the most notices one run makes; the rest are made by the next run.
const dueBatch = 5000

// emailBatch is the most emails one run sends.
const emailBatch = 500

// Remind makes the notices due now and emails the pending ones. It is the work of the
// periodic reminder job, and safe to run on several instances at once: each notice is made
// once (the database's unique key decides), and each email is claimed by one instance before
// it is sent. A failed email is tried again by a later run, up to MaxEmailAttempts times.
func (s *Service) Remind(ctx context.Context) (RemindResult, error) {
	var res RemindResult
	now := s.opts.Now()
	due, err := s.store.FindDueNotices(ctx, DueQuery{Now: now, Lead: s.opts.Lead, RecordAfter: s.opts.RecordAfter,
		RecordWindow: RecordWindow, Limit: dueBatch})
	if err != nil {
		return res, fmt.Errorf("notify: remind: %w", err)
	}
	if len(due) > 0 {
		created, err := s.store.CreateNotifications(ctx, due, now, s.Emailing())
		if err != nil {
			return res, fmt.Errorf("notify: remind: %w", err)
		}
		res.Created = len(created)
	}
	if !s.Emailing() {
		return res, nil
	}
	err = s.sendEmails(ctx, now, &res)
	return res, err
}

// sendEmails sends the pending emails one by one, each after claiming it.
func (s *Service) sendEmails(ctx context.Context, now time.Time, res *RemindResult) error {
	pending, err := s.store.FindPendingEmails(ctx, now.Add(-EmailMaxAge), MaxEmailAttempts, emailBatch)
	if err != nil {
		return fmt.Errorf("notify: emails: %w", err)
	}
	var errs []error
	for _, e := range pending {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, err := s.store.ClaimEmail(ctx, e.ID, now)
		if err != nil {
			return fmt.Errorf("notify: claim email %d: %w", e.ID, err)
		}
		if !ok {
			continue // another instance sends it
		}
		msg := s.Compose(e.Notice, e.Locale, e.Address)
		e.Subject = msg.Subject
		if err := s.opts.Mailer.Send(ctx, msg); err != nil {
			res.Failed++
			e.Error = truncate(err.Error(), 500)
			errs = append(errs, fmt.Errorf("notify: email %d: %w", e.ID, err))
		} else {
			res.Emailed++
			e.SentAt = s.opts.Now()
		}
		// The outcome is written even when the job's context has ended, so that a sent email is
		// never taken for an unsent one.
		if err := s.store.FinishEmail(context.WithoutCancel(ctx), e); err != nil {
			return fmt.Errorf("notify: email %d: %w", e.ID, err)
		}
	}
	return errors.Join(errs...)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
