package cli_test

import (
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestGenerate fills a fresh database from the shell and refuses a second set with the same
// seed, whose ID numbers are taken.
func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		args := []string{"generate", "--data", t.TempDir(), "--people", "300", "--orgs", "12", "--batch", "100"}
		if d == store.Postgres {
			args = append(args, "--db", storetest.NewPostgresDB(t), "--migrate")
		}
		code, out, stderr := run(t, args...)
		if code != 0 || !strings.Contains(out, "12 organizations and 300 people") || !strings.Contains(out, "one record per batch") {
			t.Fatalf("generate: %d %q %q", code, out, stderr)
		}
		if code, _, stderr := run(t, args...); code != 1 || !strings.Contains(stderr, "another seed") {
			t.Fatalf("second generate with the same seed: %d %q", code, stderr)
		}
		if code, out, _ := run(t, append(args, "--seed", "2")...); code != 0 || !strings.Contains(out, "300 people") {
			t.Fatalf("generate with another seed: %d %q", code, out)
		}
	})
}
