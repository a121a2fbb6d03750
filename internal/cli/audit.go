package cli

import (
	"context"
	"fmt"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	_, rest, err := subcommand(args, "verify")
	if err != nil {
		return err
	}
	fs, cf := flags(e, "audit verify")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	problem, n, err := a.DB.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("audit trail broken at record %d (%s); %d records read", problem.ID, problem.Reason, n)
	}
	fmt.Fprintf(e.stdout, "audit trail intact: %d records\n", n)
	return nil
}
