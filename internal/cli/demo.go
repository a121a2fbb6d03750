package cli

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/dangjian/dangjian/internal/app"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs, cf := flags(e, "demo")
	password := fs.String("demo-password", "", "password of every demo account; random when empty (DANGJIAN_DEMO_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.Load(e.getenv)
	if err != nil {
		return err
	}
	if *password == "" {
		*password = e.getenv("DANGJIAN_DEMO_PASSWORD")
	}
	dataSet := false
	if cfg.DB == "" {
		// A fresh data folder each time, unless --data names an empty one.
		if isSet(fs, "data") || e.getenv("DANGJIAN_DATA") != "" {
			dataSet = true
			if entries, err := os.ReadDir(cfg.Data); err == nil && len(entries) > 0 {
				return fmt.Errorf("demo needs an empty data folder; %s is not empty", cfg.Data)
			}
		} else {
			dir, err := os.MkdirTemp("", "dangjian-demo-")
			if err != nil {
				return err
			}
			cfg.Data = dir
		}
	}
	a, err := app.Open(ctx, cfg, app.Options{LogOutput: e.stderr})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	if done, err := a.Auth.SetupDone(ctx); err != nil {
		return err
	} else if done {
		return fmt.Errorf("demo needs an empty database; this one already has accounts")
	}
	d, err := a.LoadDemo(ctx, *password)
	if err != nil {
		return err
	}
	if err := a.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "dangjian demo: http://%s/\n", a.Addr())
	if cfg.DB == "" && !dataSet {
		fmt.Fprintf(e.stdout, "data folder: %s (fresh, yours to delete)\n", cfg.Data)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "account\tpassword\trole")
	for _, acc := range d.Accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", acc.Username, acc.Password, acc.Role)
	}
	tw.Flush()
	return a.Serve(ctx)
}
