package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgConn runs fn on a connection of the write pool as pgx's own connection (PostgreSQL only),
// for a transaction that sends several statements in one round trip (a pgx batch: the
// statements are pipelined, and their results read in order). fn begins and ends its
// transaction. When fn leaves one open (it failed on the way), pgConn rolls it back; a
// connection that cannot be rolled back, or that pgx closed, is dropped from the pool.
func (db *DB) pgConn(ctx context.Context, fn func(c *pgx.Conn) error) error {
	sc, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connection: %w", err)
	}
	defer sc.Close()
	return sc.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		err := fn(c)
		if c.IsClosed() {
			return errors.Join(err, driver.ErrBadConn)
		}
		if c.PgConn().TxStatus() != 'I' {
			if err == nil {
				err = errors.New("store: a transaction was left open")
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, rerr := c.Exec(rctx, "ROLLBACK"); rerr != nil {
				return errors.Join(err, rerr, driver.ErrBadConn)
			}
		}
		return err
	})
}

// sendBatch sends the statements of b together and reads their results with read, in the
// order they were queued; then it closes the results (which the connection needs before its
// next use) and returns the first error.
func sendBatch(ctx context.Context, c *pgx.Conn, b *pgx.Batch, read func(br pgx.BatchResults) error) error {
	br := c.SendBatch(ctx, b)
	if err := read(br); err != nil {
		br.Close()
		return err
	}
	return br.Close()
}
