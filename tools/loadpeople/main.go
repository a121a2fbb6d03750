// Command loadpeople measures the people list page under load. It boots the real application
// on 127.0.0.1 with a generated register (dangjian generate), logs in as a system administrator
// and as the administrator of the largest general branch, and serves beside it, in the same
// process and on the same database pool, a bare handler that runs the page's SELECT of 20 rows
// with no login, scope, count or template (and the same handler with its statement prepared
// once, which on SQLite is faster: database/sql prepares a pool statement at every call). It
// then drives the same number of keep-alive connections against each target in turn and
// prints requests per second, p50 and p99 latency, errors, and the ratios to both handlers.
//
//	go run ./tools/loadpeople --people 100000 --conns 64 --duration 20s          # SQLite
//	go run ./tools/loadpeople --people 100000 --conns 64 --duration 20s --pg     # throwaway PostgreSQL
//	go run ./tools/loadpeople --db postgres://user@127.0.0.1/dj                  # an existing database
//
// See docs/performance.md for the figures and how to read them.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/tools/internal/loadtest"
)

type options struct {
	people, orgs, conns int
	duration, warmup    time.Duration
	maxRequests, rounds int
	db, data            string
	pg                  bool
	query               string
	only                string
	cpuprofile          string
	logFile             string
}

func main() {
	var o options
	flag.IntVar(&o.people, "people", 100000, "people to generate when the database has none")
	flag.IntVar(&o.orgs, "orgs", 0, "organizations to generate; 0 for one per hundred people")
	flag.IntVar(&o.conns, "conns", 64, "concurrent keep-alive connections")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time per target, in all rounds together")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time per target before the first round")
	flag.IntVar(&o.maxRequests, "max-requests", 5_000_000, "stop a target after this many measured requests")
	flag.IntVar(&o.rounds, "rounds", 4, "interleaved rounds: each target is measured duration/rounds at a time, in turn")
	flag.StringVar(&o.db, "db", "", "postgres:// URL of a database to use (generated into when empty of people)")
	flag.BoolVar(&o.pg, "pg", false, "start a throwaway PostgreSQL cluster (or use DANGJIAN_TEST_POSTGRES)")
	flag.StringVar(&o.data, "data", "", "SQLite data folder to use and keep (default: a fresh temporary one)")
	flag.StringVar(&o.query, "q", "ly", "pinyin initials searched by the search target")
	flag.StringVar(&o.only, "only", "", "comma-separated targets to run (default all): bare,prepared,people,admin,search,page50")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "folder to write one CPU profile per target into")
	flag.StringVar(&o.logFile, "log", "", "file for the application's request log (default: discarded)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatalf("loadpeople: %v", err)
	}
}

func run(ctx context.Context, o options) error {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.SessionIdle.Duration = 2 * time.Hour
	dir, err := os.MkdirTemp("", "dangjian-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.Data = dir
	switch {
	case o.db != "":
		cfg.DB = o.db
	case o.pg:
		base, stopPG, err := storetest.StartPostgres()
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if stopPG != nil {
			defer stopPG()
		}
		name := fmt.Sprintf("loadpeople_%d", os.Getpid())
		if cfg.DB, err = storetest.CreateDatabase(base, name); err != nil {
			return err
		}
		if stopPG == nil {
			// A server of someone else's (DANGJIAN_TEST_POSTGRES): leave it as it was.
			defer storetest.DropDatabase(base, name)
		}
	case o.data != "":
		cfg.Data = o.data
	}
	if cfg.DB != "" && o.data != "" {
		// The key that encrypted the register lives in the data folder.
		cfg.Data = o.data
	}
	var logOut io.Writer = io.Discard
	if o.logFile != "" {
		f, err := os.Create(o.logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		logOut = f
	}
	a, err := app.Open(ctx, cfg, app.Options{LogOutput: logOut})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	if err := generate(ctx, a, o); err != nil {
		return err
	}
	scope, scopePeople, err := largestBranch(ctx, a.DB.SQL())
	if err != nil {
		return err
	}
	sys := auth.System("loadpeople")
	password := auth.RandomPassword()
	if err := ensureUser(ctx, a, sys, "load-admin", password, true, 0); err != nil {
		return err
	}
	if err := ensureUser(ctx, a, sys, "load-branch", password, false, scope); err != nil {
		return err
	}

	if err := a.Listen(); err != nil {
		return err
	}
	serveCtx, stopServe := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(serveCtx) }()
	defer func() { stopServe(); <-served }()

	bare, err := serveBare(a.DB)
	if err != nil {
		return err
	}
	defer bare.Close()

	appURL := "http://" + a.Addr()
	adminCookie, err := loadtest.Login(appURL, "load-admin", password)
	if err != nil {
		return err
	}
	branchCookie, err := loadtest.Login(appURL, "load-branch", password)
	if err != nil {
		return err
	}
	targets := []target{
		{name: "bare", desc: "bare SELECT ... LIMIT 20 (same pool, no login)", url: "http://" + bare.Addr().String() + "/"},
		{name: "prepared", desc: "the same, its statement prepared once", url: "http://" + bare.Addr().String() + "/prepared"},
		{name: "people", desc: "GET /people (branch admin)", url: appURL + "/people", cookie: branchCookie},
		{name: "admin", desc: "GET /people (system admin)", url: appURL + "/people", cookie: adminCookie},
		{name: "search", desc: "GET /people?q=" + o.query + " (branch admin)", url: appURL + "/people?q=" + url.QueryEscape(o.query), cookie: branchCookie},
		{name: "page50", desc: "GET /people?page=50 (branch admin)", url: appURL + "/people?page=50", cookie: branchCookie},
	}
	if o.only != "" {
		want := strings.Split(o.only, ",")
		targets = slices.DeleteFunc(targets, func(t target) bool { return !slices.Contains(want, t.name) })
	}
	var total int
	if err := a.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM people").Scan(&total); err != nil {
		return err
	}
	fmt.Printf("database: %s; people: %d; branch admin scope: %d people; GOMAXPROCS=%d, NumCPU=%d, %s\n",
		a.DB.Dialect, total, scopePeople, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())
	fmt.Printf("%d connections; per target %s warm-up, then %s measured in %d interleaved rounds\n\n", o.conns, o.warmup, o.duration, max(o.rounds, 1))

	results, err := drive(ctx, o, targets, o.cpuprofile, a.DB.Dialect)
	if err != nil {
		return err
	}
	report(os.Stdout, a.DB.Dialect, results)
	return nil
}

// generate fills an empty register; a database that has people already is used as it is.
func generate(ctx context.Context, a *app.App, o options) error {
	var n int
	if err := a.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM people").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		fmt.Printf("using the %d people already in the database\n", n)
	} else {
		start := time.Now()
		g, err := demo.Generate(ctx, a.DB, demo.GenerateOptions{People: o.people, Orgs: o.orgs, Seed: 1, Now: a.Now()})
		if err != nil {
			return err
		}
		fmt.Printf("generated %d organizations and %d people in %s\n", len(g.Orgs), g.People, time.Since(start).Round(time.Millisecond))
	}
	if a.DB.Dialect == store.Postgres {
		return vacuum(ctx, a.DB.SQL())
	}
	return nil
}

// vacuum does what autovacuum does shortly after a bulk load: statistics, and the visibility
// map, without which every index-only read of people visits the table too. A VACUUM run while
// another transaction is open (the job queue's, starting up) cannot mark the new rows visible
// to all, so it is repeated until the map covers the table, for up to half a minute.
func vacuum(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	for range 30 {
		var pages, visible int64
		if err := db.QueryRowContext(ctx, "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'people'").Scan(&pages, &visible); err != nil {
			return err
		}
		if visible*10 >= pages*9 {
			return nil
		}
		time.Sleep(time.Second)
		if _, err := db.ExecContext(ctx, "VACUUM people, org_people_counts, organizations"); err != nil {
			return err
		}
	}
	fmt.Println("warning: the visibility map of people stays incomplete (a long transaction is open?)")
	return nil
}

// largestBranch returns the branch (党支部; failing one, the general branch) whose subtree
// holds the most people, and that number.
func largestBranch(ctx context.Context, db *sql.DB) (int64, int, error) {
	rows, err := db.QueryContext(ctx, `SELECT o.id, o.path, o.kind, COUNT(p.id) FROM organizations o
		LEFT JOIN people p ON p.org_id = o.id GROUP BY o.id, o.path, o.kind`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	type node struct {
		id         int64
		path, kind string
		own        int
	}
	var nodes []node
	for rows.Next() {
		var n node
		if err := rows.Scan(&n.id, &n.path, &n.kind, &n.own); err != nil {
			return 0, 0, err
		}
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	best, bestN := int64(0), -1
	for _, kind := range []string{"branch", "general_branch"} {
		for _, n := range nodes {
			if n.kind != kind {
				continue
			}
			sum := 0
			for _, c := range nodes {
				if strings.HasPrefix(c.path, n.path) {
					sum += c.own
				}
			}
			if sum > bestN {
				best, bestN = n.id, sum
			}
		}
		if best != 0 {
			return best, bestN, nil
		}
	}
	return 0, 0, errors.New("no branch in the database")
}

// ensureUser creates the account or resets its password when it exists already.
func ensureUser(ctx context.Context, a *app.App, sys *auth.Actor, name, password string, sysadmin bool, adminOf int64) error {
	u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: name, Password: password, SysAdmin: sysadmin})
	if apperr.KindOf(err) == apperr.Conflict {
		return a.Auth.SetPasswordByName(ctx, name, password)
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	if adminOf != 0 {
		return a.Auth.GrantRole(ctx, sys, &auth.Grant{UserID: u.ID, Role: auth.RoleOrgAdmin, OrgID: adminOf})
	}
	return nil
}

// bareQuery is what the people page reads for its first page, without the scope and the
// count: the same columns, join and order.
const bareQuery = `SELECT p.id, p.org_id, o.name, o.path, p.name, p.name_pinyin, p.name_initials, p.gender, p.ethnicity,
	p.birth_date, p.id_number_mask, p.phone_mask, p.education, p.work_unit, p.post, p.native_place, p.address,
	p.zone, p.booth, p.stage, p.applied_on, p.activist_on, p.target_on, p.admitted_on, p.full_on, p.status,
	p.tags, p.notes, p.version, p.created_at, p.updated_at
	FROM people p JOIN organizations o ON o.id = p.org_id ORDER BY p.name_pinyin, p.id LIMIT 20`

// serveBare serves the bare handler on 127.0.0.1 on the application's read pool.
func serveBare(db *store.DB) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pool := db.ReadSQL()
	// The same query prepared once: database/sql prepares a statement run on the pool itself
	// at every call, which on SQLite is about a third of the bare handler's time (pgx keeps
	// its prepared statements, so on PostgreSQL both are the same).
	prepared, err := pool.Prepare(bareQuery)
	if err != nil {
		l.Close()
		return nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rows *sql.Rows
		var err error
		if r.URL.Path == "/prepared" {
			rows, err = prepared.QueryContext(r.Context())
		} else {
			rows, err = pool.QueryContext(r.Context(), bareQuery)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		var b strings.Builder
		b.WriteString("<!doctype html><ul>\n")
		var id, orgID, version, created, updated int64
		var s [26]string // o.name, o.path, p.name, ... p.notes, as in bareQuery
		dest := []any{&id, &orgID}
		for i := range s {
			dest = append(dest, &s[i])
		}
		dest = append(dest, &version, &created, &updated)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(&b, "<li><a href=\"/people/%d\">%s</a> %s %s %s %s</li>\n", id, html.EscapeString(s[2]),
				html.EscapeString(s[17]), html.EscapeString(s[0]), s[9], s[8])
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b.WriteString("</ul>\n")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, b.String())
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return l, nil
}

type target struct {
	name, desc, url, cookie string
}

// check fetches the target once and makes sure it answers with a full list.
func (t target) check() error {
	req, _ := http.NewRequest(http.MethodGet, t.url, nil)
	if t.cookie != "" {
		req.Header.Set("Cookie", t.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", t.name, resp.StatusCode)
	}
	if n := strings.Count(string(body), `href="/people/`) - strings.Count(string(body), `href="/people/new`); n < 20 {
		return fmt.Errorf("%s: %d people links on the page, want at least 20", t.name, n)
	}
	return nil
}

type result struct {
	target
	latencies []time.Duration
	errors    int
	elapsed   time.Duration
	p50, p99  time.Duration
}

// runner drives one target over keep-alive connections that last across rounds.
type runner struct {
	target
	client *http.Client
	tr     *http.Transport
	res    result
}

func newRunner(t target, conns int) *runner {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	return &runner{target: t, tr: tr, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, res: result{target: t}}
}

// slice runs conns workers, each on its own keep-alive connection, for d, or until the
// target has max measured requests. With measure false it only warms up.
func (r *runner) slice(ctx context.Context, conns int, d time.Duration, max int, measure bool) {
	start := time.Now()
	until := start.Add(d)
	var (
		mu   sync.Mutex
		done = len(r.res.latencies)
		wg   sync.WaitGroup
	)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(until) {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
				if r.cookie != "" {
					req.Header.Set("Cookie", r.cookie)
				}
				resp, err := r.client.Do(req)
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if !measure {
					continue
				}
				if !ok {
					bad++
				}
				mine = append(mine, time.Since(t0))
				mu.Lock()
				done++
				stop := done >= max
				mu.Unlock()
				if stop {
					break
				}
			}
			mu.Lock()
			r.res.latencies = append(r.res.latencies, mine...)
			r.res.errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	if measure {
		r.res.elapsed += min(time.Since(start), d)
	}
}

// drive measures every target for o.duration, in o.rounds interleaved slices, so that other
// load on the machine falls on all targets alike. Each target is warmed up first.
func drive(ctx context.Context, o options, targets []target, profiles string, dialect store.Dialect) ([]result, error) {
	runners := make([]*runner, len(targets))
	for i, t := range targets {
		if err := t.check(); err != nil {
			return nil, err
		}
		runners[i] = newRunner(t, o.conns)
		defer runners[i].tr.CloseIdleConnections()
		runners[i].slice(ctx, o.conns, o.warmup, o.maxRequests, false)
	}
	rounds := max(o.rounds, 1)
	for round := 0; round < rounds && ctx.Err() == nil; round++ {
		for _, r := range runners {
			var prof *os.File
			// One CPU profile per target, of its last round.
			if profiles != "" && round == rounds-1 {
				if err := os.MkdirAll(profiles, 0o755); err != nil {
					return nil, err
				}
				f, err := os.Create(filepath.Join(profiles, string(dialect)+"-"+r.name+".pprof"))
				if err != nil {
					return nil, err
				}
				prof = f
				pprof.StartCPUProfile(prof)
			}
			r.slice(ctx, o.conns, o.duration/time.Duration(rounds), o.maxRequests, true)
			if prof != nil {
				pprof.StopCPUProfile()
				prof.Close()
			}
		}
	}
	out := make([]result, len(runners))
	for i, r := range runners {
		res := r.res
		slices.Sort(res.latencies)
		if n := len(res.latencies); n > 0 {
			res.p50, res.p99 = res.latencies[n/2], res.latencies[min(n-1, n*99/100)]
		}
		out[i] = res
	}
	return out, nil
}

func report(w io.Writer, d store.Dialect, results []result) {
	rate := map[string]float64{}
	for _, r := range results {
		rate[r.name] = float64(len(r.latencies)) / r.elapsed.Seconds()
	}
	ratio := func(rps float64, base string) string {
		if rate[base] == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", rps/rate[base])
	}
	fmt.Fprintf(w, "| %s: target | requests | req/s | p50 ms | p99 ms | errors | vs bare | vs prepared |\n", d)
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		rps := rate[r.name]
		fmt.Fprintf(w, "| %s | %d | %.0f | %.1f | %.1f | %d | %s | %s |\n", r.desc, len(r.latencies), rps,
			float64(r.p50.Microseconds())/1000, float64(r.p99.Microseconds())/1000, r.errors, ratio(rps, "bare"), ratio(rps, "prepared"))
	}
}
