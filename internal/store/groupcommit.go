package store

import (
	"context"
	"sync"
	"time"
)

// batchQueue is where the items of a groupCommit or a groupRead wait: up to a few workers take
// them in batches, and the last stops when the queue is empty.
type batchQueue[I any] struct {
	mu      sync.Mutex
	items   []I
	running int // workers at work
}

// push queues it and reports whether the caller must start a worker: fewer than workers are
// at work.
func (q *batchQueue[I]) push(it I, workers int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, it)
	if q.running < workers {
		q.running++
		return true
	}
	return false
}

// take returns up to max queued items; none means the queue is empty and the worker, counted
// out, stops.
func (q *batchQueue[I]) take(max int) []I {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.items
	if len(batch) > max {
		batch = batch[:max]
	}
	q.items = q.items[len(batch):]
	if len(batch) == 0 {
		q.running--
	}
	return batch
}

// groupWriters is how many batches are written (or read) at once: one on SQLite, which has one
// writer anyway; two on PostgreSQL, where transactions run side by side and wait for each other
// only at the audit chain's lock, taken last, just before their commits (four and eight
// measured no better on two cores).
func (db *DB) groupWriters() int {
	if db.Dialect == Postgres {
		return 2
	}
	return 1
}

// groupCommit writes what arrives together in one transaction: the first caller starts a
// writer that takes everything queued meanwhile (up to max a transaction) and writes it with
// one commit and one hold of the audit chain's lock. Under load, many writes share the cost of
// a commit (on SQLite a sync of the log to disk, on PostgreSQL the round trips of BEGIN and
// COMMIT and the wait for the audit lock); alone, a write is written at once, as before.
//
// A batch that fails is written again one item at a time, so that one bad item fails alone. The
// write function must therefore set every output of an item afresh each time it runs (IDs,
// defaults), never keep what a failed attempt left.
type groupCommit[T any] struct {
	queue batchQueue[*groupItem[T]]
}

type groupItem[T any] struct {
	v    T
	err  error
	done chan struct{}
}

// groupTimeout bounds the writing of one batch: the writer runs on its own context, so that a
// caller that stops waiting does not undo the others' writes.
const groupTimeout = 30 * time.Second

// do queues v and waits until write has written it (in a batch of at most max items, in one
// transaction that write begins and commits) or ctx is done. The item is written even when
// the caller stopped waiting: what was submitted happened. Every caller of one queue passes
// the same write.
func (g *groupCommit[T]) do(ctx context.Context, db *DB, v T, max int, write func(ctx context.Context, batch []T) error) error {
	defer forgetVersions(ctx)
	it := &groupItem[T]{v: v, done: make(chan struct{})}
	if g.queue.push(it, db.groupWriters()) {
		go g.drain(max, write)
	}
	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain writes queued items in batches until the queue is empty, then stops.
func (g *groupCommit[T]) drain(max int, write func(ctx context.Context, batch []T) error) {
	for batch := g.queue.take(max); len(batch) > 0; batch = g.queue.take(max) {
		g.write(batch, write)
	}
}

func (g *groupCommit[T]) write(batch []*groupItem[T], write func(ctx context.Context, batch []T) error) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	vs := make([]T, len(batch))
	for i, it := range batch {
		vs[i] = it.v
	}
	err := write(ctx, vs)
	if err != nil && len(batch) > 1 {
		for _, it := range batch {
			g.write([]*groupItem[T]{it}, write)
		}
		return
	}
	for _, it := range batch {
		it.err = err
		close(it.done)
	}
}
