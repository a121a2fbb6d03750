package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache; queries built with a variable number of
// placeholders beyond it are prepared each time.
const maxCachedStatements = 512

// stmtCache keeps prepared statements of one SQLite pool by their SQL text: SQLite otherwise
// parses and plans every query anew, which costs more than running a small one. (pgx caches
// prepared statements itself, so PostgreSQL pools have no cache here.)
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	seen    map[string]bool // statements met once: only a second use is worth caching
	closed  bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}, seen: map[string]bool{}}
}

// secondSight reports whether q was met before, remembering it otherwise. Queries built with
// a count of placeholders (IN lists of a batch) are met once and so never take a cache slot.
// The caller holds c.mu.
func (c *stmtCache) secondSight(q string) bool {
	if c.seen[q] {
		delete(c.seen, q)
		return true
	}
	if len(c.seen) >= 4*maxCachedStatements {
		clear(c.seen)
	}
	c.seen[q] = true
	return false
}

// lookup returns the prepared statement of q if there is one. Otherwise it prepares q in the
// background for next time and returns nil: a caller inside a transaction holds a connection,
// and preparing on the pool waits for another one (with one writer connection, forever).
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s
	}
	if c.closed || c.pending[q] || len(c.m)+len(c.pending) >= maxCachedStatements || !c.secondSight(q) {
		return nil
	}
	c.pending[q] = true
	go func() {
		s, err := c.pool.PrepareContext(context.Background(), q)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, q)
		if err != nil {
			return
		}
		if c.closed {
			s.Close()
			return
		}
		c.m[q] = s
	}()
	return nil
}

// get returns the prepared statement of q, preparing it now, or nil when the cache is full.
// Only callers that hold no connection of the pool may use it. The lock is not held while
// preparing: preparing waits for a free connection, and transactions holding connections
// need the lock to look their statements up.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	if s, ok := c.m[q]; ok {
		c.mu.Unlock()
		return s, nil
	}
	skip := c.closed || len(c.m)+len(c.pending) >= maxCachedStatements || !c.secondSight(q)
	c.mu.Unlock()
	if skip {
		return nil, nil
	}
	s, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		s.Close()
		return prev, nil
	}
	if c.closed {
		s.Close()
		return nil, nil
	}
	c.m[q] = s
	return s, nil
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, s := range c.m {
		s.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// readQuery runs a query on the read pool outside a transaction.
func (db *DB) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = db.rebind(q)
	if s, err := db.readStmts.get(ctx, q); err != nil {
		return nil, err
	} else if s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, q, args...)
}

// readRow runs a one-row query on the read pool outside a transaction.
func (db *DB) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = db.rebind(q)
	if s, err := db.readStmts.get(ctx, q); err == nil && s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, q, args...)
}

// stmt returns q prepared for this transaction's connection when the pool's cache has it.
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	s := tx.cache.lookup(q)
	if s == nil {
		return nil
	}
	return tx.tx.StmtContext(ctx, s)
}
