package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

func runAdmin(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "create", "passwd", "token", "totp-off")
	if err != nil {
		return err
	}
	if sub == "token" {
		return runAdminToken(ctx, e, rest)
	}
	if sub == "totp-off" {
		return runAdminTOTPOff(ctx, e, rest)
	}
	fs, cf := flags(e, "admin "+sub)
	username := fs.String("username", "admin", "username")
	name := fs.String("name", "", "display name")
	password := fs.String("password", "", "password; read from standard input when empty")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		fmt.Fprint(e.stderr, "password: ")
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given (use --password or standard input)")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.CheckMigrations(ctx); err != nil {
		if !isFreshSQLite(ctx, a) {
			return err
		}
		if _, err := a.DB.Migrate(ctx); err != nil {
			return err
		}
	}
	if sub == "passwd" {
		if err := a.Auth.SetPasswordByName(ctx, *username, pw); err != nil {
			return explain(err)
		}
		fmt.Fprintf(e.stdout, "password of %s changed; its sessions are ended\n", *username)
		return nil
	}
	u, err := a.Auth.CreateUser(ctx, auth.System("cli"), auth.NewUser{Username: *username, DisplayName: *name, Password: pw, SysAdmin: true})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "system administrator %s created\n", u.Username)
	return nil
}

// explain turns an application error into a line for the terminal.
func explain(err error) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	if len(e.Fields) > 0 {
		var parts []string
		for f, k := range e.Fields {
			parts = append(parts, f+": "+k)
		}
		return fmt.Errorf("%s", strings.Join(parts, "; "))
	}
	return fmt.Errorf("%s", e.Key)
}
