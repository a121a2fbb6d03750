package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/cli"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	_ "github.com/ncruces/go-sqlite3/driver"
)

// TestAdminAndAudit: create the first administrator from the shell, change its password, turn
// its second factor off, check the audit chain; bad input fails with a clear line.
func TestAdminAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		common := []string{"--data", t.TempDir()}
		if d == store.Postgres {
			common = append(common, "--db", storetest.NewPostgresDB(t))
			if code, _, stderr := run(t, append([]string{"migrate", "up"}, common...)...); code != 0 {
				t.Fatalf("migrate up: %s", stderr)
			}
		}
		with := func(args ...string) []string { return append(args, common...) }
		if code, out, stderr := run(t, with("admin", "create", "--username", "root", "--password", "红色教育基地2023")...); code != 0 || !strings.Contains(out, "root created") {
			t.Fatalf("admin create: %d %q %q", code, out, stderr)
		}
		if code, _, stderr := run(t, with("admin", "create", "--username", "root", "--password", "another long one")...); code != 1 || !strings.Contains(stderr, "username") {
			t.Fatalf("second admin create with the same name: %d %q", code, stderr)
		}
		if code, _, stderr := run(t, with("admin", "passwd", "--username", "root", "--password", "123")...); code != 1 || !strings.Contains(stderr, "password_short") {
			t.Fatalf("short password: %d %q", code, stderr)
		}
		if code, out, _ := run(t, with("admin", "passwd", "--username", "root", "--password", "新的密码也很长很长")...); code != 0 || !strings.Contains(out, "changed") {
			t.Fatalf("passwd: %d %q", code, out)
		}
		if code, out, stderr := run(t, with("admin", "totp-off", "--username", "root")...); code != 0 || !strings.Contains(out, "turned off") {
			t.Fatalf("totp-off: %d %q %q", code, out, stderr)
		}
		if code, out, stderr := run(t, with("audit", "verify")...); code != 0 || !strings.Contains(out, "intact") {
			t.Fatalf("audit verify: %d %q %q", code, out, stderr)
		}
		if code, out, _ := run(t, with("migrate", "status")...); code != 0 || !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
			t.Fatalf("migrate status: %d %q", code, out)
		}
	})
}

// TestServeRefusesPendingMigrations: an existing database behind the binary is not served
// until it is migrated, and the refusal says so in one line.
func TestServeRefusesPendingMigrations(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "migrate", "up", "--data", dir); code != 0 {
		t.Fatal(stderr)
	}
	db, err := sql.Open("sqlite3", "file:"+dir+"/dangjian.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, _, stderr := run(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "pending migration") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("serve on a database with a pending migration: %d %q", code, stderr)
	}
}

// TestDemo starts `dangjian demo` as the README says, reads the accounts it prints, logs in
// over HTTP and stops it.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--demo-password", "demo-password-1"},
			strings.NewReader(""), pw, io.Discard, func(string) string { return "" })
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base string
	accounts := 0
	for accounts < 4 && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "dangjian demo: ") {
			base = strings.TrimSuffix(strings.TrimPrefix(line, "dangjian demo: "), "/")
		}
		for _, name := range []string{"admin ", "secretary ", "member ", "inspector "} {
			if strings.HasPrefix(line, name) && strings.Contains(line, "demo-password-1") {
				accounts++
			}
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" || accounts != 4 {
		t.Fatalf("demo printed base %q and %d accounts", base, accounts)
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", map[string][]string{"login": {"secretary"}, "password": {"demo-password-1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("demo exited with %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop")
	}
}
