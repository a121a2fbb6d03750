package cli

import (
	"context"
	"fmt"
)

// runAdminTOTPOff turns off the second factor of an account whose owner lost the phone; the
// owner turns it on again from the account page. The change is audited.
func runAdminTOTPOff(ctx context.Context, e *env, args []string) error {
	fs, cf := flags(e, "admin totp-off")
	username := fs.String("username", "", "the account whose second factor to turn off")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" {
		return fmt.Errorf("--username is required")
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.CheckMigrations(ctx); err != nil {
		return err
	}
	if err := a.Auth.DisableTOTPByName(ctx, *username); err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "second factor of %s turned off: the password alone logs in until it is turned on again\n", *username)
	return nil
}
