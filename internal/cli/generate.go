package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/demo"
)

// runGenerate fills the configured database with a large generated register, for load tests
// and for trying dangjian at the size of a district.
func runGenerate(ctx context.Context, e *env, args []string) error {
	fs, cf := flags(e, "generate")
	people := fs.Int("people", 100000, "people on the generated register")
	orgs := fs.Int("orgs", 0, "organizations in the generated tree, all kinds; 0 for one per hundred people")
	seed := fs.Uint64("seed", 1, "seed of the generated data; use another seed to add a second set to the same database")
	batch := fs.Int("batch", 5000, "people per transaction; each transaction writes one audit record")
	migrate := fs.Bool("migrate", false, "apply pending migrations first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	}
	a, err := openApp(ctx, e, cf)
	if err != nil {
		return err
	}
	defer a.Close()
	if *migrate || isFreshSQLite(ctx, a) {
		if _, err := a.DB.Migrate(ctx); err != nil {
			return err
		}
	}
	if err := a.CheckMigrations(ctx); err != nil {
		return err
	}
	start := time.Now()
	g, err := demo.Generate(ctx, a.DB, demo.GenerateOptions{People: *people, Orgs: *orgs, Seed: *seed, Now: a.Now(),
		Batch: *batch, Report: func(done int) {
			fmt.Fprintf(e.stderr, "\r%d / %d people", done, *people)
		}})
	if *people > 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return explain(err)
	}
	took := time.Since(start)
	fmt.Fprintf(e.stdout, "generated %d organizations and %d people in %s (%.0f people/s)\n",
		len(g.Orgs), g.People, took.Round(time.Millisecond), float64(g.People)/took.Seconds())
	fmt.Fprintf(e.stdout, "committee: %s (id %d)\n", g.Committee.Name, g.Committee.ID)
	if g.Largest != nil {
		fmt.Fprintf(e.stdout, "largest branch: %s (id %d, %d people)\n", g.Largest.Name, g.Largest.ID, g.Subtree[g.Largest.ID])
	}
	fmt.Fprintln(e.stdout, "audit: one record per batch of people, not one per person")
	return nil
}
