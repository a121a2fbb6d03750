// Package cli is dangjian's command line: one file per subcommand.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/config"
)

// Version is set at build time with -ldflags "-X github.com/dangjian/dangjian/internal/cli.Version=...".
var Version = "dev"

// env carries the standard streams and the environment of one invocation.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name, usage string
	run         func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "run the server on a fresh data folder with the demo data set", runDemo},
		{"generate", "fill the database with a large generated register (--people 100000)", runGenerate},
		{"migrate", "status | up: show or apply database migrations", runMigrate},
		{"admin", "create | passwd | totp-off | token create|revoke: manage accounts from the shell", runAdmin},
		{"audit", "verify: check the audit trail's hash chain", runAudit},
		{"version", "print the version", func(ctx context.Context, e *env, args []string) error {
			fmt.Fprintln(e.stdout, "dangjian", Version)
			return nil
		}},
	}
}

// Run runs one command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, e, args[1:]); err != nil {
				if err == flag.ErrHelp {
					return 0
				}
				fmt.Fprintln(stderr, "dangjian:", err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "dangjian: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: dangjian <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun `dangjian <command> -h` for the flags of a command.")
}

// flags returns a flag set with the common flags registered.
func flags(e *env, name string) (*flag.FlagSet, *config.Flags) {
	fs := flag.NewFlagSet("dangjian "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs, config.RegisterFlags(fs)
}

// openApp loads the configuration and opens the app.
func openApp(ctx context.Context, e *env, cf *config.Flags) (*app.App, error) {
	cfg, err := cf.Load(e.getenv)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, app.Options{LogOutput: e.stderr})
}

// subcommand splits "admin create ..." into "create" and the rest.
func subcommand(args []string, allowed ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, fmt.Errorf("missing subcommand: %s", strings.Join(allowed, " | "))
	}
	for _, a := range allowed {
		if a == args[0] {
			return a, args[1:], nil
		}
	}
	return "", nil, fmt.Errorf("unknown subcommand %q: want %s", args[0], strings.Join(allowed, " | "))
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
