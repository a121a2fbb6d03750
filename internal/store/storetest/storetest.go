// Package storetest opens throwaway dangjian databases for tests: a SQLite file in a temporary
// folder, and a PostgreSQL database in a cluster that DANGJIAN_TEST_POSTGRES names or that the
// package starts with initdb and pg_ctl.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/pii"
	"github.com/dangjian/dangjian/internal/store"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Dialects lists the dialects that tests run on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a subtest once per dialect. The PostgreSQL subtest is skipped when no server
// can be had, unless DANGJIAN_REQUIRE_POSTGRES=1, when it fails.
func Each(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// Key is the master key used by test databases.
var Key = []byte("dangjian-test-master-key-32bytes")

// Sealer returns the sealer of test databases.
func Sealer(t testing.TB) *pii.Sealer {
	s, err := pii.NewSealer(Key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Open returns a migrated, empty database of the dialect, closed when the test ends.
func Open(t testing.TB, d store.Dialect, now func() time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	opts := store.Options{Sealer: Sealer(t), Now: now}
	if d == store.Postgres {
		opts.URL = NewMigratedPostgresDB(t)
	} else {
		opts.Path = NewMigratedSQLite(t, t.TempDir())
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

var (
	pgOnce    sync.Once
	pgBaseURL string
	pgErr     error
	pgStop    func()
	dbCounter atomic.Int64
)

// NewPostgresDB creates a fresh empty database and returns its URL.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	requirePostgres(t)
	name := fmt.Sprintf("dj_%d_%d", os.Getpid(), dbCounter.Add(1))
	if err := createPostgresDB(name, ""); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { dropPostgresDB(name) })
	return pgBaseURL + "/" + name + "?sslmode=disable"
}

// Migrated databases are copies of one database migrated once per test process: migrating
// was a fifth of a test fixture's time under the race detector (SQLite parses every statement
// of every migration, and PostgreSQL runs them), and tests make hundreds of fixtures. The
// copies are what migrating gives (migrations are plain SQL, written for any clock and key);
// a test that needs an empty database (migrations themselves, several instances) takes
// NewPostgresDB or a folder of its own.
var (
	sqliteTemplateOnce sync.Once
	sqliteTemplateDir  string
	sqliteTemplateErr  error

	pgTemplateOnce sync.Once
	pgTemplate     string // database name
	pgTemplateErr  error
)

// NewMigratedSQLite writes a migrated SQLite database into dir, as dangjian.db, and returns
// its path.
func NewMigratedSQLite(t testing.TB, dir string) string {
	t.Helper()
	sqliteTemplateOnce.Do(func() { sqliteTemplateDir, sqliteTemplateErr = migrateSQLiteTemplate() })
	if sqliteTemplateErr != nil {
		t.Fatalf("migrated SQLite: %v", sqliteTemplateErr)
	}
	path := filepath.Join(dir, "dangjian.db")
	// The template was closed cleanly, its log folded into the file; a log left beside it is
	// copied too.
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(sqliteTemplateDir, "dangjian.db"+suffix))
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func migrateSQLiteTemplate() (string, error) {
	reapSQLiteTemplates()
	dir, err := os.MkdirTemp("", fmt.Sprintf("dangjian-sqlite-template-%d-", os.Getpid()))
	if err != nil {
		return "", err
	}
	if err := migrateTemplate(store.Options{Path: filepath.Join(dir, "dangjian.db")}); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// reapSQLiteTemplates removes the template folders of test processes that died without
// removing them (killed, or timed out).
func reapSQLiteTemplates() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "dangjian-sqlite-template-*"))
	for _, dir := range dirs {
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(filepath.Base(dir), "dangjian-sqlite-template-"), "-", 2)[0])
		if err == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(dir)
		}
	}
}

// NewMigratedPostgresDB creates a fresh migrated database and returns its URL.
func NewMigratedPostgresDB(t testing.TB) string {
	t.Helper()
	requirePostgres(t)
	pgTemplateOnce.Do(func() {
		pgTemplate = fmt.Sprintf("dj_%d_template", os.Getpid())
		dropPostgresDB(pgTemplate) // left on a shared server by a dead process of the same id
		pgTemplateErr = createPostgresDB(pgTemplate, "")
		if pgTemplateErr == nil {
			pgTemplateErr = migrateTemplate(store.Options{URL: pgBaseURL + "/" + pgTemplate + "?sslmode=disable"})
		}
	})
	if pgTemplateErr != nil {
		t.Fatalf("migrated PostgreSQL: %v", pgTemplateErr)
	}
	name := fmt.Sprintf("dj_%d_%d", os.Getpid(), dbCounter.Add(1))
	if err := createPostgresDB(name, pgTemplate); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { dropPostgresDB(name) })
	return pgBaseURL + "/" + name + "?sslmode=disable"
}

// migrateTemplate migrates the database of opts and closes it.
func migrateTemplate(opts store.Options) error {
	ctx := context.Background()
	opts.Sealer, _ = pii.NewSealer(Key)
	db, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// requirePostgres starts the test server once, or skips the test when there is none (fails
// it when DANGJIAN_REQUIRE_POSTGRES=1).
func requirePostgres(t testing.TB) {
	t.Helper()
	pgOnce.Do(func() { pgBaseURL, pgStop, pgErr = startPostgres() })
	if pgErr != nil {
		if os.Getenv("DANGJIAN_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (DANGJIAN_REQUIRE_POSTGRES=1): %v", pgErr)
		}
		t.Skipf("no PostgreSQL (set DANGJIAN_TEST_POSTGRES or install the server): %v", pgErr)
	}
}

// createPostgresDB creates a database, a copy of template when one is named.
func createPostgresDB(name, template string) error {
	admin, err := sql.Open("pgx", pgBaseURL+"/postgres?sslmode=disable")
	if err != nil {
		return err
	}
	defer admin.Close()
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	_, err = admin.Exec(q)
	return err
}

// dropPostgresDB drops a database, closing its connections.
func dropPostgresDB(name string) {
	if a, err := sql.Open("pgx", pgBaseURL+"/postgres?sslmode=disable"); err == nil {
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		a.Close()
	}
}

// Main runs a package's tests and stops a PostgreSQL cluster that the package started, and
// removes the migrated templates.
func Main(m *testing.M) {
	code := m.Run()
	if sqliteTemplateDir != "" {
		os.RemoveAll(sqliteTemplateDir)
	}
	if pgTemplate != "" && pgStop == nil {
		dropPostgresDB(pgTemplate) // on a server of DANGJIAN_TEST_POSTGRES, kept otherwise
	}
	if pgStop != nil {
		pgStop()
	}
	os.Exit(code)
}

// startPostgres returns postgres://user@host:port of a server to use, starting a throwaway
// cluster when DANGJIAN_TEST_POSTGRES is not set.
func startPostgres() (string, func(), error) {
	if u := os.Getenv("DANGJIAN_TEST_POSTGRES"); u != "" {
		return u, nil, nil
	}
	bin, err := pgBinDir()
	if err != nil {
		return "", nil, err
	}
	reapOrphans()
	dir, err := os.MkdirTemp("", "dangjian-pg-")
	if err != nil {
		return "", nil, err
	}
	// The owner's process id lets a later run stop this cluster if the test process dies
	// without stopping it (killed, or timed out).
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return "", nil, err
	}
	// PostgreSQL refuses to run as root; as root, run it as the postgres user.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			u, err = user.Lookup("nobody")
		}
		if err != nil {
			return "", nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", nil, err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='%s' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d", port), stop, nil
}

func pgBinDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				return filepath.Dir(real), nil
			}
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", errors.New("pg_ctl and initdb not found")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// reapOrphans stops the throwaway clusters of test processes that died without stopping
// them, and removes their folders. A cluster whose owner still runs is left alone.
func reapOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "dangjian-pg-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || owner <= 0 || syscall.Kill(owner, 0) != syscall.ESRCH {
			continue
		}
		if pm, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pm), "\n", 2)[0])); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGINT)
				for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		os.RemoveAll(dir)
	}
}
