package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

type fakeMassWork struct {
	calls []string
	fail  map[string]error
}

func (f *fakeMassWork) run(name string) (int, error) {
	f.calls = append(f.calls, name)
	return 1, f.fail[name]
}

func (f *fakeMassWork) Escalate(context.Context) (int, error)        { return f.run("escalate") }
func (f *fakeMassWork) CloseUnanswered(context.Context) (int, error) { return f.run("close") }
func (f *fakeMassWork) ReleaseReservations(context.Context) (int, error) {
	return f.run("release")
}

// TestMassWorkerRunsEveryTask: a task that fails neither stops the others nor goes unreported.
func TestMassWorkerRunsEveryTask(t *testing.T) {
	broken := errors.New("masswork: not built yet")
	f := &fakeMassWork{fail: map[string]error{"escalate": broken}}
	w := &massWorker{work: f, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := w.Work(context.Background(), &river.Job[MassWorkArgs]{JobRow: &rivertype.JobRow{ID: 7}})
	if !errors.Is(err, broken) {
		t.Errorf("error %v", err)
	}
	if len(f.calls) != 3 || f.calls[2] != "release" {
		t.Errorf("ran %v", f.calls)
	}
	f = &fakeMassWork{}
	w.work = f
	if err := w.Work(context.Background(), &river.Job[MassWorkArgs]{JobRow: &rivertype.JobRow{ID: 8}}); err != nil || len(f.calls) != 3 {
		t.Errorf("ran %v: %v", f.calls, err)
	}
}
