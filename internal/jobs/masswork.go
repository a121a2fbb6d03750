package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// MassWorkEvery is how often the mass-work job runs.
const MassWorkEvery = 5 * time.Minute

// MassWorkArgs is the periodic job of mass work: escalating matters past a deadline, closing
// resolved matters nobody answered within seven days, and releasing stale visit reservations.
type MassWorkArgs struct{}

// Kind names the job for river.
func (MassWorkArgs) Kind() string { return "masswork" }

// InsertOpts makes the job unique while it waits or runs, as the reminders are; one attempt,
// since the next period runs it again.
func (MassWorkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled}}}
}

// MassWork is the work of the mass-work job: masswork.Service's methods of the same names.
type MassWork interface {
	Escalate(ctx context.Context) (int, error)
	CloseUnanswered(ctx context.Context) (int, error)
	ReleaseReservations(ctx context.Context) (int, error)
}

type massWorker struct {
	river.WorkerDefaults[MassWorkArgs]
	work MassWork
	log  *slog.Logger
}

// Work runs the three tasks one after the other; one failing does not keep the others from
// running. Each is safe to run twice at once (the matters' versions and the reservations'
// expiry decide), so a run overlapping another on a second instance changes nothing twice.
func (w *massWorker) Work(ctx context.Context, job *river.Job[MassWorkArgs]) error {
	var errs []error
	for _, task := range []struct {
		name string
		run  func(context.Context) (int, error)
	}{
		{"escalated", w.work.Escalate},
		{"closed_unanswered", w.work.CloseUnanswered},
		{"reservations_released", w.work.ReleaseReservations},
	} {
		n, err := task.run(ctx)
		if n > 0 {
			w.log.Info("mass work", "job_id", job.ID, task.name, n)
		}
		if err != nil {
			w.log.Error("mass work", "job_id", job.ID, "task", task.name, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", task.name, err))
		}
	}
	return errors.Join(errs...)
}

func (w *massWorker) Timeout(*river.Job[MassWorkArgs]) time.Duration { return 4 * time.Minute }

// WithMassWork runs the mass-work job every interval, and at start.
func WithMassWork(m MassWork, every time.Duration) Option {
	return func(s *setup) error {
		if err := river.AddWorkerSafely(s.workers, &massWorker{work: m, log: s.log}); err != nil {
			return fmt.Errorf("jobs: mass work: %w", err)
		}
		s.periodic = append(s.periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return MassWorkArgs{}, nil },
			&river.PeriodicJobOpts{ID: "masswork", RunOnStart: true}))
		s.ids = append(s.ids, "masswork")
		return nil
	}
}

// EnqueueMassWork queues a run of the mass-work job now (the command line and tests).
func (r *Runner) EnqueueMassWork(ctx context.Context) error {
	if _, err := r.client.Insert(ctx, MassWorkArgs{}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue mass work: %w", err)
	}
	return nil
}
