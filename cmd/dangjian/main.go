// Command dangjian is a self-hosted work platform for grassroots Party organizations.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/dangjian/dangjian/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
