package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The versions of what an instance keeps copies of: the organization tree (migration 00011),
// the problem categories (00013), what an authenticated request's actor is made of (00015)
// and what a check-in needs of an activity (00017):
// single rows whose numbers change, by triggers, in the same transaction as any change to
// what they cover. A copy read at the versions of the moment is current while they stay.
const versionsQuery = `SELECT COALESCE((SELECT v FROM tree_version WHERE id = 1), 0),
	COALESCE((SELECT v FROM category_version WHERE id = 1), 0),
	COALESCE((SELECT v FROM auth_version WHERE id = 1), 0),
	COALESCE((SELECT v FROM activity_version WHERE id = 1), 0)`

type versions struct {
	tree, categories, auth, activities int64
}

// scanVersions scans a row of versionsQuery.
func scanVersions(row interface{ Scan(...any) error }, v *versions) error {
	return row.Scan(&v.tree, &v.categories, &v.auth, &v.activities)
}

// versionsReader shares reads of the versions among the requests that wait at once.
type versionsReader struct {
	mu     sync.Mutex
	flying bool          // a read is on its way
	next   *versionsRead // the read the callers who came meanwhile wait for
}

// versionsRead is one read of the versions, shared by the callers waiting for it.
type versionsRead struct {
	done chan struct{}
	v    versions
	err  error
}

// RequestContext returns the context of one request, in which the versions are read once:
// every copy the request uses (its session, the organization tree, the intake's categories,
// the check-in facts) is then taken at the same versions, for one shared read instead of one
// each. A write through the context (inTx, a group commit) forgets them, so that what the
// request reads after its own change is read at versions that include it. A request sees
// the copies as they were when it first read the versions, as it would a snapshot: fit for
// requests, not for contexts that live on after them.
func (db *DB) RequestContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, versionsMemoKey{}, &versionsMemo{})
}

type versionsMemoKey struct{}

// versionsMemo holds the versions a request read.
type versionsMemo struct {
	mu sync.Mutex
	v  versions
	ok bool
}

// forgetVersions drops the versions the request of ctx read, after it wrote.
func forgetVersions(ctx context.Context) {
	if m, _ := ctx.Value(versionsMemoKey{}).(*versionsMemo); m != nil {
		m.mu.Lock()
		m.ok = false
		m.mu.Unlock()
	}
}

// versions returns the versions: those the request of ctx read already, or a read shared
// with the requests that wait at the same time (readShared).
func (db *DB) versions(ctx context.Context) (versions, error) {
	m, _ := ctx.Value(versionsMemoKey{}).(*versionsMemo)
	if m != nil {
		m.mu.Lock()
		v, ok := m.v, m.ok
		m.mu.Unlock()
		if ok {
			return v, nil
		}
	}
	v, err := db.readShared(ctx)
	if err == nil && m != nil {
		m.mu.Lock()
		m.v, m.ok = v, true
		m.mu.Unlock()
	}
	return v, err
}

// readShared reads the versions. Callers that arrive while a read is on its way wait for the
// next one, which starts as soon as that one is back: a read that began before a caller
// arrived could miss a change the caller has already seen, one that begins after cannot.
// Under load one read answers everyone who came during the previous one, instead of one read
// each.
func (db *DB) readShared(ctx context.Context) (versions, error) {
	g := &db.versionsReader
	g.mu.Lock()
	r := g.next
	if r == nil {
		r = &versionsRead{done: make(chan struct{})}
		g.next = r
	}
	if !g.flying {
		g.flying, g.next = true, nil
		go db.readVersions(r)
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.v, r.err
	case <-ctx.Done():
		return versions{}, ctx.Err()
	}
}

// readVersions answers r, then the reads asked for meanwhile, one after the other, until
// none is waiting.
func (db *DB) readVersions(r *versionsRead) {
	g := &db.versionsReader
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := scanVersions(db.readRow(ctx, versionsQuery), &r.v); err != nil {
			r.err = fmt.Errorf("store: versions: %w", mapErr(err))
		}
		cancel()
		close(r.done)
		g.mu.Lock()
		r = g.next
		if r == nil {
			g.flying = false
			g.mu.Unlock()
			return
		}
		g.next = nil
		g.mu.Unlock()
	}
}

// copyAt holds an instance's copy of something read at a version (or a pair of versions, K):
// the copy serves while the versions read now are those it was read at. The last copy read
// replaces the one kept: it is the one most requests will ask for. A copy is never changed
// once kept.
type copyAt[K comparable, V any] struct {
	mu   sync.Mutex
	at   K
	copy *V
}

// get returns the copy if it was read at the version given, or nil.
func (c *copyAt[K, V]) get(at K) *V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.copy == nil || c.at != at {
		return nil
	}
	return c.copy
}

// keep stores a copy read at the version given in place of the one kept.
func (c *copyAt[K, V]) keep(at K, v *V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.copy = at, v
}
