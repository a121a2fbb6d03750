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

// migrateJobs applies river's own migrations.
func (db *DB) migrateJobs(ctx context.Context) (int, error) {
	m, err := db.jobMigrator()
	if err != nil {
		return 0, err
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
