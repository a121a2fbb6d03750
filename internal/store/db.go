// Package store is dangjian's only database code. It opens SQLite (github.com/ncruces/go-sqlite3,
// pure Go) or PostgreSQL (pgx), applies the embedded migrations of each dialect, and implements
// the store interfaces of the domain packages with portable SQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/ncruces/go-sqlite3"
	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
)

// Dialect names the SQL dialect of an open database.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open dangjian database. On SQLite, writes go through a single connection and reads
// through a pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// Prepared statements of the SQLite pools; nil on PostgreSQL.
	readStmts, writeStmts *stmtCache
	sealer                *pii.Sealer
	now                   func() time.Time
	names                 copyAt[int64, namesTree]        // the organizations of one tree version (FindOrganizationNamesAt)
	checkins              groupCommit[*checkinItem]       // check-ins waiting to be written together (activity_attendance.go)
	checkinReads          groupRead[int64, *checkinFacts] // check-in facts of activities read together (activity_attendance.go)
	checkinCopies         checkinCopies                   // the check-in facts of activities checked into lately (activity_attendance.go)
	similar               similarCopy                     // the similarity index of the open matters (masswork_similar.go)
	versionsReader        versionsReader                  // shared reads of the versions of what is kept in memory (versions.go)
	sessions              sessionCache                    // authenticated sessions with their accounts and scopes (session_cache.go)
	intake                copyAt[[2]int64, intakeCopy]    // the organizations and categories of intake without an account (masswork_lookup.go)
	checkpointer          *checkpointer                   // SQLite: copies the write-ahead log in the background (checkpoint.go)
	newMatters            groupCommit[*newMatter]         // reports opening matters, written together (masswork.go)
}

// Options configure Open.
type Options struct {
	URL    string           // postgres://... or empty for SQLite
	Path   string           // SQLite database file when URL is empty
	Sealer *pii.Sealer      // encrypts personal numbers
	Now    func() time.Time // clock; time.Now when nil
}

// Open opens the database described by opts; it does not migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	db := &DB{sealer: opts.Sealer, now: now}
	if opts.URL != "" {
		pool, err := sql.Open("pgx", opts.URL)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		db.Dialect, db.write, db.read = Postgres, pool, pool
		return db, nil
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// busy_timeout comes before journal_mode so that switching to WAL waits for other
	// processes; synchronous=full keeps acknowledged writes through a power loss.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=synchronous(full)"
	base := "file:" + (&url.URL{Path: opts.Path}).EscapedPath() + "?" + pragmas
	w, err := sqlitedriver.Open(base+"&_txlock=immediate"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walSafetyPages), sqliteConn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", opts.Path, err)
	}
	r, err := sqlitedriver.Open(base+"&_pragma=query_only(1)", sqliteConn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.Dialect, db.write, db.read, db.checkpointer = SQLite, w, r, startCheckpointer(base)
	db.readStmts, db.writeStmts = newStmtCache(r), newStmtCache(w)
	return db, nil
}

// sqliteConn sets up each new SQLite connection. The query planner stability guarantee keeps
// the plan of a prepared statement from depending on its bound values, so that SQLite does
// not prepare a cached statement again at each execution.
func sqliteConn(c *sqlite3.Conn) error {
	_, err := c.Config(sqlite3.DBCONFIG_ENABLE_QPSG, true)
	return err
}

// Close closes the pools.
func (db *DB) Close() error {
	db.readStmts.close()
	db.writeStmts.close()
	var err error
	if db.checkpointer != nil {
		err = db.checkpointer.close()
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Now returns the store's clock reading in UTC.
func (db *DB) Now() time.Time { return db.now().UTC() }

// SQL returns the write pool for tools that need raw access (tests, benchmarks).
func (db *DB) SQL() *sql.DB { return db.write }

// MigrationsFS returns the embedded migrations of the database's dialect.
func (db *DB) MigrationsFS() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	return sub
}

// rebind turns ? placeholders into $1, $2, ... for PostgreSQL. Queries never contain a literal
// question mark outside placeholders.
func (db *DB) rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Tx is a transaction with placeholder rebinding.
type Tx struct {
	db    *DB
	tx    *sql.Tx
	cache *stmtCache // statements of the transaction's pool (SQLite only)
	// auditTail is the chain's tail as this transaction holds it (locked, then moved by its
	// own appends): further appends in the same transaction need not read it again.
	auditTail *audit.Record
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if tx.tx == nil {
		return nil, errors.New("store: write outside a transaction")
	}
	q = tx.db.rebind(q)
	if s := tx.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, q, args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if tx.tx == nil {
		return tx.db.readQuery(ctx, q, args...)
	}
	q = tx.db.rebind(q)
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if tx.tx == nil {
		return tx.db.readRow(ctx, q, args...)
	}
	q = tx.db.rebind(q)
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// insert runs an INSERT ... RETURNING id and returns the new id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// update runs an UPDATE guarded by a version and reports apperr.ErrStale when no row matched.
func (tx *Tx) updateVersioned(ctx context.Context, q string, args ...any) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.ErrStale
	}
	return nil
}

// inTx runs fn in a write transaction, retrying when SQLite reports the database busy or
// PostgreSQL a serialization failure.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	defer forgetVersions(ctx)
	return retrying(ctx, func() error { return db.tryTx(ctx, fn) })
}

// retrying runs a transaction (try) again, a few times and a little later each time, while it
// fails for a reason that trying again can cure: a deadlock, a serialization failure, a busy
// SQLite database.
func retrying(ctx context.Context, try func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = try()
		if !retryable(err) {
			return mapErr(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return mapErr(err)
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqltx, cache: db.writeStmts}
	if err := fn(tx); err != nil {
		sqltx.Rollback()
		return err
	}
	return sqltx.Commit()
}

// readOnce runs fn with reads straight on the read pool, without a transaction: for reads
// of one statement, which see one snapshot anyway and need no BEGIN and ROLLBACK around them.
// fn must not write.
func (db *DB) readOnce(ctx context.Context, fn func(tx *Tx) error) error {
	return mapErr(fn(&Tx{db: db}))
}

// readTx runs fn in a read-only transaction on the read pool, so that a page's several queries
// see one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Dialect == Postgres})
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	defer sqltx.Rollback()
	return mapErr(fn(&Tx{db: db, tx: sqltx, cache: db.readStmts}))
}

func retryable(err error) bool {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.BUSY || c == sqlite3.LOCKED
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// mapErr turns driver errors into apperr kinds: no rows into not found, unique violations into
// conflicts. Other errors pass unchanged.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	var se *sqlite3.Error
	if errors.As(err, &se) && (se.ExtendedCode() == sqlite3.CONSTRAINT_UNIQUE || se.ExtendedCode() == sqlite3.CONSTRAINT_PRIMARYKEY) {
		return apperr.Wrap(apperr.Conflict, "error.conflict", err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return apperr.Wrap(apperr.Conflict, "error.conflict", err)
	}
	return err
}

// ms converts an instant to the stored form: milliseconds since the Unix epoch, UTC.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts a stored instant back to time.Time in UTC.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// likeEscape escapes LIKE wildcards in user input; queries use ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
