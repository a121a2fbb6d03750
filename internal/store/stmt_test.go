package store

import (
	"context"
	"path/filepath"
	"testing"

	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
)

// TestStmtCache: a statement is cached at its second use, never at its first (one-off SQL
// such as a batch's IN list takes no slot), and preparing does not hold the cache's lock
// while every connection of the pool is busy in a transaction.
func TestStmtCache(t *testing.T) {
	pool, err := sqlitedriver.Open("file:"+filepath.Join(t.TempDir(), "c.db"), sqliteConn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	c := newStmtCache(pool)
	defer c.close()
	ctx := context.Background()
	if s, err := c.get(ctx, "SELECT 1"); err != nil || s != nil {
		t.Fatalf("first use: %v, %v", s, err)
	}
	if s, err := c.get(ctx, "SELECT 1"); err != nil || s == nil {
		t.Fatalf("second use: %v, %v", s, err)
	}
	// The only connection is held by a transaction; a lookup of a new statement from inside
	// it returns at once (its preparation waits in the background).
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if s := c.lookup("SELECT 2"); s != nil {
			t.Fatalf("lookup %d inside the transaction returned a statement", i)
		}
	}
	if s := c.lookup("SELECT 1"); s == nil {
		t.Fatal("cached statement not found inside the transaction")
	}
	var n int
	if err := tx.StmtContext(ctx, c.lookup("SELECT 1")).QueryRowContext(ctx).Scan(&n); err != nil || n != 1 {
		t.Fatalf("cached statement in the transaction: %d, %v", n, err)
	}
	tx.Rollback()
}
