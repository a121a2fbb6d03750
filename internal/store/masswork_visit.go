package store

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
)

func (db *DB) CreateVisit(ctx context.Context, v *masswork.Visit, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) FindVisits(ctx context.Context, f masswork.VisitFilter) ([]*masswork.Visit, int, error) {
	return nil, 0, errNotBuilt
}

func (db *DB) FindVisitByID(ctx context.Context, id int64) (*masswork.Visit, error) {
	return nil, errNotBuilt
}

func (db *DB) Coverage(ctx context.Context, q masswork.CoverageQuery) ([]*masswork.CoverageRow, error) {
	return nil, errNotBuilt
}

func (db *DB) Reserve(ctx context.Context, contactIDs []int64, r masswork.Reservation, now time.Time) (int, error) {
	return 0, errNotBuilt
}

func (db *DB) Release(ctx context.Context, contactIDs []int64, userID int64) error {
	return errNotBuilt
}

func (db *DB) ReleaseExpired(ctx context.Context, now time.Time) (int, error) {
	return 0, errNotBuilt
}
