package cli

import (
	"context"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/store"
)

// isFreshSQLite reports whether the database is an embedded SQLite file with no migration
// applied yet: a first start creates the schema without asking. An existing database with
// pending migrations still needs --migrate.
func isFreshSQLite(ctx context.Context, a *app.App) bool {
	if a.DB.Dialect != store.SQLite {
		return false
	}
	st, err := a.DB.Migrations(ctx)
	if err != nil {
		return false
	}
	for _, s := range st {
		if s.Applied {
			return false
		}
	}
	return true
}
