package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/dangjian/dangjian/internal/auth"
)

// runAdminToken manages personal access tokens for the JSON API:
//
//	dangjian admin token create --user NAME [--name LABEL]
//	dangjian admin token revoke --id ID
//
// create prints the token alone on standard output, so that a script can capture it; it is
// shown this once and stored only as a hash.
func runAdminToken(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "create", "revoke")
	if err != nil {
		return err
	}
	fs, cf := flags(e, "admin token "+sub)
	user := fs.String("user", "", "username of the account the token acts as (create)")
	name := fs.String("name", "cli", "label of the token, to recognise it later (create)")
	id := fs.Int64("id", 0, "ID of the token to revoke (revoke)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch {
	case sub == "create" && *user == "":
		return errors.New("admin token create: --user is required")
	case sub == "revoke" && *id <= 0:
		return errors.New("admin token revoke: --id is required")
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.CheckMigrations(ctx); err != nil {
		return err
	}
	sys := auth.System("cli")
	if sub == "revoke" {
		if err := a.Auth.RevokeToken(ctx, sys, *id); err != nil {
			return fmt.Errorf("admin token revoke: %w", explain(err))
		}
		fmt.Fprintf(e.stdout, "token %d revoked\n", *id)
		return nil
	}
	token, t, err := a.Auth.CreateTokenForUsername(ctx, sys, *user, *name)
	if err != nil {
		return fmt.Errorf("admin token create: %w", explain(err))
	}
	fmt.Fprintf(e.stderr, "token %d (%s) for %s created; it is shown only now. Send it as \"Authorization: Bearer <token>\".\n",
		t.ID, t.Name, *user)
	fmt.Fprintln(e.stdout, token)
	return nil
}
