// Package jobs runs dangjian's background work on river, with its SQLite or PostgreSQL
// driver. River locks each job as it fetches it, so a job runs once even when several
// dangjian processes share one PostgreSQL database.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// ImportArgs is the job that writes a previewed roster import.
type ImportArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind names the job for river.
func (ImportArgs) Kind() string { return "people_import" }

// InsertOpts makes the job unique per import, so starting an import twice queues it once.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	orgs *org.Service
}

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	err := w.orgs.RunImport(ctx, job.Args.ImportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// No attempt is left: record the failure for the user instead of a running import.
		if ferr := w.orgs.AbandonImport(context.WithoutCancel(ctx), job.Args.ImportID); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return 15 * time.Minute }

// Runner owns the river client.
type Runner struct {
	client      *river.Client[*sql.Tx]
	log         *slog.Logger
	done        *prometheus.CounterVec
	unsubscribe func()
	periodic    []string // IDs of the periodic jobs
}

// New builds the runner and its workers, and those the options add (WithReminders); Start
// begins working jobs.
func New(db *store.DB, orgs *org.Service, log *slog.Logger, opts ...Option) (*Runner, error) {
	r := &Runner{log: log, done: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dangjian_jobs_total",
		Help: "Background jobs finished, by kind and result."}, []string{"kind", "result"})}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &importWorker{orgs: orgs}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	periodic, ids, err := apply(workers, log, opts)
	if err != nil {
		return nil, err
	}
	r.periodic = ids
	client, err := river.NewClient(db.JobDriver(), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           workers,
		Logger:            log.With("component", "jobs"),
		FetchPollInterval: 500 * time.Millisecond,
		PeriodicJobs:      periodic,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.client = client
	return r, nil
}

// Collectors returns the job metrics for /metrics.
func (r *Runner) Collectors() []prometheus.Collector { return []prometheus.Collector{r.done} }

// Start works jobs until Stop; it also counts finished jobs for the metrics.
func (r *Runner) Start(ctx context.Context) error {
	events, cancel := r.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	r.unsubscribe = cancel
	go func() {
		for ev := range events {
			r.done.WithLabelValues(ev.Job.Kind, string(ev.Kind)).Inc()
			if ev.Kind != river.EventKindJobCompleted {
				r.log.Warn("job did not complete", "kind", ev.Job.Kind, "job_id", ev.Job.ID, "event", string(ev.Kind),
					"attempt", ev.Job.Attempt)
			}
		}
	}()
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (up to the context's deadline).
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if r.unsubscribe != nil {
		r.unsubscribe()
	}
	return err
}

// EnqueueImport queues the job of an import.
func (r *Runner) EnqueueImport(ctx context.Context, importID int64) error {
	if _, err := r.client.Insert(ctx, ImportArgs{ImportID: importID}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue import %d: %w", importID, err)
	}
	return nil
}
