package cli

import (
	"context"
	"fmt"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs, cf := flags(e, "serve")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving (DANGJIAN_MIGRATE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if *migrate || e.getenv("DANGJIAN_MIGRATE") == "1" || a.Config.Migrate || isFreshSQLite(ctx, a) {
		n, err := a.DB.Migrate(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			a.Log.Info("migrations applied", "count", n)
		}
	}
	if err := a.CheckMigrations(ctx); err != nil {
		return err
	}
	done, err := a.Auth.SetupDone(ctx)
	if err != nil {
		return err
	}
	if err := a.Listen(); err != nil {
		return err
	}
	if !done {
		fmt.Fprintf(e.stdout, "No administrator yet: open http://%s/setup to create one, or run `dangjian admin create`.\n", a.Addr())
	}
	return a.Serve(ctx)
}
