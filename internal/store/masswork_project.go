package store

import (
	"context"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
)

func (db *DB) FindProjects(ctx context.Context, roots []string, publicOnly bool) ([]*masswork.Project, error) {
	return nil, errNotBuilt
}

func (db *DB) FindProjectByID(ctx context.Context, id int64) (*masswork.Project, error) {
	return nil, errNotBuilt
}

func (db *DB) SaveProject(ctx context.Context, p *masswork.Project, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) Stats(ctx context.Context, q masswork.StatsQuery) ([]*masswork.MonthStats, error) {
	return nil, errNotBuilt
}
