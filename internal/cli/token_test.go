package cli_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/cli"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// run runs one command line and returns its exit code, standard output and standard error.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

// TestAdminTokenCreate issues a token from the shell, on both databases, and uses it on the
// API; then revokes it from the shell.
func TestAdminTokenCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		dir := t.TempDir()
		common := []string{"--data", dir}
		if d == store.Postgres {
			common = append(common, "--db", storetest.NewPostgresDB(t))
		}
		with := func(args ...string) []string { return append(args, common...) }
		if code, _, stderr := run(t, with("migrate", "up")...); code != 0 {
			t.Fatalf("migrate: %d %s", code, stderr)
		}
		if code, _, stderr := run(t, with("admin", "create", "--username", "boss", "--password", "cli-test-pass-2023")...); code != 0 {
			t.Fatalf("admin create: %d %s", code, stderr)
		}
		code, stdout, stderr := run(t, with("admin", "token", "create", "--user", "boss", "--name", "nightly export")...)
		token := strings.TrimSpace(stdout)
		if code != 0 || !strings.HasPrefix(token, auth.TokenPrefix) || strings.Count(stdout, "\n") != 1 {
			t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "nightly export") || strings.Contains(stderr, token) {
			t.Errorf("token create: stderr %q", stderr)
		}

		// The printed token works on the API.
		cfg := config.Default()
		cfg.Data = dir
		if d == store.Postgres {
			cfg.DB = common[3]
		}
		a, err := app.Open(context.Background(), cfg, app.Options{LogOutput: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		srv := httptest.NewServer(a.Web)
		defer srv.Close()
		get := func() int {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/organizations", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := get(); got != http.StatusOK {
			t.Errorf("API with the printed token: %d, want 200", got)
		}
		tokenActor, err := a.Auth.AuthenticateToken(context.Background(), token, "")
		if err != nil {
			t.Fatal(err)
		}
		list, err := a.Auth.Tokens(context.Background(), tokenActor)
		if err != nil || len(list) != 1 || list[0].Name != "nightly export" {
			t.Fatalf("tokens: %v %+v", err, list)
		}

		// Revoked from the shell, it stops working.
		if code, stdout, stderr := run(t, with("admin", "token", "revoke", "--id", id(list[0].ID))...); code != 0 || !strings.Contains(stdout, "revoked") {
			t.Errorf("token revoke: exit %d, %q %q", code, stdout, stderr)
		}
		if got := get(); got != http.StatusUnauthorized {
			t.Errorf("API with the revoked token: %d, want 401", got)
		}

		for _, bad := range [][]string{
			{"admin", "token", "create", "--user", "nobody"},
			{"admin", "token", "create"},
			{"admin", "token", "create", "--user", "boss", "--name", ""},
			{"admin", "token", "revoke"},
			{"admin", "token", "list"},
		} {
			if code, stdout, _ := run(t, with(bad...)...); code == 0 || stdout != "" {
				t.Errorf("%v: exit %d, stdout %q; want a failure", bad, code, stdout)
			}
		}
	})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }
