package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// JobDriver returns the river driver of the database: riversqlite on the single SQLite
// writer connection (river's advice for SQLite), riverdatabasesql on the PostgreSQL pool.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if db.Dialect == Postgres {
		return riverdatabasesql.New(db.write)
	}
	return riversqlite.New(db.write)
}

func (db *DB) jobMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(db.JobDriver(), nil)
	if err != nil {
		return nil, fmt.Errorf("store: job migrations: %w", err)
	}
	return m, nil
}

// jobMigrationsLock is the key of the PostgreSQL advisory lock held while river's migrations
// run.
const jobMigrationsLock = 0x646a6a6f6273 // "djjobs"

// migrateJobs applies river's own migrations. On PostgreSQL several serve processes may start
// together: river's migrations take no lock of their own (two processes creating the same
// function collide), so they run under an advisory lock held on a connection of its own, and a
// process that waited finds them applied.
func (db *DB) migrateJobs(ctx context.Context) (int, error) {
	m, err := db.jobMigrator()
	if err != nil {
		return 0, err
	}
	if db.Dialect == Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("store: job migrations: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(jobMigrationsLock)); err != nil {
			return 0, fmt.Errorf("store: job migrations lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(jobMigrationsLock))
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("store: job migrations: %w", err)
	}
	return len(res.Versions), nil
}

// pendingJobMigrations counts river migrations not yet applied.
func (db *DB) pendingJobMigrations(ctx context.Context) (int, error) {
	m, err := db.jobMigrator()
	if err != nil {
		return 0, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		// Before the first migration river's table does not exist yet.
		return len(m.AllVersions()), nil
	}
	return len(m.AllVersions()) - len(existing), nil
}
