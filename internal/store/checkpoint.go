package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
)

// SQLite writes commits to its write-ahead log and copies the log into the database file at a
// checkpoint. Left to itself, the connection that commits runs the checkpoint whenever the log
// passes 1,000 pages, inside that commit: under load, the requests whose batch happened to cross
// the mark wait for the copy and its disk syncs, which is most of the write path's worst
// latency. So a connection of its own copies the log in the background, a few times a second,
// without waiting for readers or the writer (a passive checkpoint); the writer keeps an
// automatic checkpoint only as a safety net, at walSafetyPages.
const (
	checkpointEvery = 250 * time.Millisecond
	walSafetyPages  = 10000 // about 40 MB of log
)

// checkpointer runs passive checkpoints until stopped.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the checkpointer's connection on the database at dsn.
func startCheckpointer(ctx context.Context, dsn string) (*checkpointer, error) {
	conn, err := sqlitedriver.Open(dsn, sqliteConn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// A failed checkpoint (the database busy with another process's checkpoint) is
			// tried again at the next tick; the writer's safety net bounds the log meanwhile.
			var busy, log, done int
			c.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
		}
	}
}

// close stops the checkpoints and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
