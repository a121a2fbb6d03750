package store

import (
	"context"
	"runtime"

	"github.com/dangjian/dangjian/internal/apperr"
)

// groupRead answers small reads that arrive together with one statement, as groupCommit
// writes: the first caller starts a reader that takes every key queued meanwhile (up to max)
// and loads them at once. On PostgreSQL a read of one row costs mostly its round trip and the
// server's work per statement, which a statement for dozens of keys pays once. A read starts
// after its callers arrived, so it sees everything committed before they asked.
type groupRead[K comparable, V any] struct {
	queue batchQueue[*readItem[K, V]]
}

type readItem[K comparable, V any] struct {
	key  K
	v    V
	err  error
	done chan struct{}
}

// do queues key and waits for its value; a key load does not return is not found. Every
// caller of one groupRead passes the same load.
func (g *groupRead[K, V]) do(ctx context.Context, db *DB, key K, max int, load func(ctx context.Context, keys []K) (map[K]V, error)) (V, error) {
	it := &readItem[K, V]{key: key, done: make(chan struct{})}
	if g.queue.push(it, db.groupWriters()) {
		go g.drain(max, load)
	}
	select {
	case <-it.done:
		return it.v, it.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// drain loads queued keys in batches until the queue is empty, then stops. It first lets the
// goroutines that are ready run: requests already under way reach the queue before the first
// batch is taken. Check-in lookups on PostgreSQL came in batches of about three without it and
// about six with it, and the check-in rate rose by about a tenth (docs/performance.md).
func (g *groupRead[K, V]) drain(max int, load func(ctx context.Context, keys []K) (map[K]V, error)) {
	runtime.Gosched()
	for batch := g.queue.take(max); len(batch) > 0; batch = g.queue.take(max) {
		ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
		keys := make([]K, 0, len(batch))
		for _, it := range batch {
			keys = append(keys, it.key)
		}
		found, err := load(ctx, keys)
		cancel()
		for _, it := range batch {
			v, ok := found[it.key]
			switch {
			case err != nil:
				it.err = err
			case !ok:
				it.err = apperr.ErrNotFound
			default:
				it.v = v
			}
			close(it.done)
		}
	}
}
