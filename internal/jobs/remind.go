package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dangjian/dangjian/internal/notify"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RemindEvery is how often the reminder job runs.
const RemindEvery = 5 * time.Minute

// RemindArgs is the periodic job that makes the due notices and emails them.
type RemindArgs struct{}

// Kind names the job for river.
func (RemindArgs) Kind() string { return "remind" }

// InsertOpts makes the job unique while it waits or runs, so that a slow run is not joined by
// a second; one attempt, since the next period runs it again anyway.
func (RemindArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled}}}
}

// Reminder is the work of the reminder job: notify.Service.Remind.
type Reminder interface {
	Remind(ctx context.Context) (notify.RemindResult, error)
}

type remindWorker struct {
	river.WorkerDefaults[RemindArgs]
	reminder Reminder
	log      *slog.Logger
}

func (w *remindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	res, err := w.reminder.Remind(ctx)
	if res.Created > 0 || res.Emailed > 0 || res.Failed > 0 {
		w.log.Info("reminders", "job_id", job.ID, "notices", res.Created, "emailed", res.Emailed, "email_failed", res.Failed)
	}
	if err != nil {
		w.log.Error("reminders", "job_id", job.ID, "err", err)
	}
	return err
}

func (w *remindWorker) Timeout(*river.Job[RemindArgs]) time.Duration { return 4 * time.Minute }

// Option adds work to a Runner.
type Option func(*setup) error

// setup collects what options add to the river client.
type setup struct {
	workers  *river.Workers
	periodic []*river.PeriodicJob
	ids      []string // of the periodic jobs
	log      *slog.Logger
}

// WithReminders runs the reminder job every interval. River inserts periodic jobs on the
// elected leader only, so with several instances the job is queued once per period; and
// should two runs overlap all the same, the notices' unique key and the emails' claims keep
// every notice and email single. The job also runs at start.
func WithReminders(r Reminder, every time.Duration) Option {
	return func(s *setup) error {
		if err := river.AddWorkerSafely(s.workers, &remindWorker{reminder: r, log: s.log}); err != nil {
			return fmt.Errorf("jobs: reminders: %w", err)
		}
		s.periodic = append(s.periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return RemindArgs{}, nil },
			&river.PeriodicJobOpts{ID: "remind", RunOnStart: true}))
		s.ids = append(s.ids, "remind")
		return nil
	}
}

// apply runs the options on the workers and returns the periodic jobs they add, and their IDs.
func apply(workers *river.Workers, log *slog.Logger, opts []Option) ([]*river.PeriodicJob, []string, error) {
	s := &setup{workers: workers, log: log}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, nil, err
		}
	}
	return s.periodic, s.ids, nil
}

// EnqueueRemind queues a run of the reminder job now (the command line and tests; the
// schedule queues it by itself).
func (r *Runner) EnqueueRemind(ctx context.Context) error {
	if _, err := r.client.Insert(ctx, RemindArgs{}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue remind: %w", err)
	}
	return nil
}

// PeriodicJobs returns the IDs of the scheduled jobs, for tests and diagnostics.
func (r *Runner) PeriodicJobs() []string { return r.periodic }
