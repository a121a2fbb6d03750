package cli

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "status", "up")
	if err != nil {
		return err
	}
	fs, cf := flags(e, "migrate "+sub)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "up" {
		n, err := a.DB.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "applied %d migration(s)\n", n)
		return nil
	}
	st, err := a.DB.Migrations(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(e.stdout, "%05d  %-8s %s\n", s.Version, state, s.Name)
	}
	return nil
}
