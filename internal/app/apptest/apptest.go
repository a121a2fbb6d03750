// Package apptest boots a whole dangjian for tests, on SQLite or PostgreSQL: a migrated,
// empty application, and the demo data set with an administrator of the First Branch only.
package apptest

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// Options adjust Open.
type Options struct {
	Now       func() time.Time       // clock; time.Now when nil
	Configure func(c *config.Config) // changes to the default configuration
}

// Open returns a migrated, empty application on a fresh database of the dialect, closed when
// the test ends. It does not listen; tests serve a.Web with httptest.
func Open(t testing.TB, d store.Dialect, opts Options) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Data = t.TempDir()
	if d == store.Postgres {
		cfg.DB = storetest.NewMigratedPostgresDB(t)
	} else {
		storetest.NewMigratedSQLite(t, cfg.Data)
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, app.Options{LogOutput: io.Discard, Now: opts.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	// A copy of a migrated database: this finds nothing to do, unless a test's configuration
	// names another database.
	if _, err := a.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// Demo loads the demo data set with every account's password set to password, and adds
// "firstsec", an administrator (with the reveal right) of the First Branch only, for probes
// across organizations.
func Demo(t testing.TB, a *app.App, password string) *demo.Data {
	t.Helper()
	ctx := context.Background()
	data, err := demo.Load(ctx, a.Org, a.Auth, a.Now(), password)
	if err != nil {
		t.Fatal(err)
	}
	sys := auth.System("test")
	u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: "firstsec", Password: password, CanReveal: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Auth.GrantRole(ctx, sys, &auth.Grant{UserID: u.ID, Role: auth.RoleOrgAdmin, OrgID: data.FirstBranch.ID}); err != nil {
		t.Fatal(err)
	}
	return data
}
