package store

import (
	"database/sql"
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
	dsn  string
	conn *sql.DB // opened at the first tick: a database open for less than that needs none
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer starts checkpoints of the database at dsn.
func startCheckpointer(dsn string) *checkpointer {
	c := &checkpointer{dsn: dsn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
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
			// A failed checkpoint (the database busy with another process's checkpoint, or the
			// connection not opened) is tried again at the next tick; the writer's safety net
			// bounds the log meanwhile.
			if c.conn == nil {
				conn, err := sqlitedriver.Open(c.dsn, sqliteConn)
				if err != nil {
					continue
				}
				conn.SetMaxOpenConns(1)
				conn.SetMaxIdleConns(1)
				conn.SetConnMaxLifetime(0)
				c.conn = conn
			}
			var busy, log, done int
			c.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
		}
	}
}

// close stops the checkpoints and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}
