// Command loadcheckin measures the check-in request against a bare one-row INSERT ... ON
// CONFLICT DO NOTHING handler on the same database, at many concurrent connections on
// 127.0.0.1. It boots the real application on a fresh SQLite folder (or a throwaway
// PostgreSQL cluster with --pg), makes a branch with one logged-in member per connection and
// enough open activities that every request checks someone in anew, then drives both targets
// in interleaved rounds and prints requests per second, p50, p99, errors and the ratio.
//
//	go run ./tools/loadcheckin --conns 64 --duration 12s
//	go run ./tools/loadcheckin --conns 64 --duration 12s --pg
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/tools/internal/loadtest"
)

type options struct {
	conns      int
	duration   time.Duration
	warmup     time.Duration
	rounds     int
	activities int
	pg         bool
	cpuprofile string
}

func main() {
	var o options
	flag.IntVar(&o.conns, "conns", 64, "concurrent keep-alive connections (one member each)")
	flag.DurationVar(&o.duration, "duration", 12*time.Second, "measured time per target")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up per target")
	flag.IntVar(&o.rounds, "rounds", 4, "interleaved rounds the measured time is split into")
	flag.IntVar(&o.activities, "activities", 1500, "open activities each member can check into")
	flag.BoolVar(&o.pg, "pg", false, "run on a throwaway PostgreSQL cluster instead of SQLite")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the check-in target's last round to this file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadcheckin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.SessionIdle.Duration = 2 * time.Hour
	dir, err := os.MkdirTemp("", "dangjian-loadcheckin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.Data = dir
	if o.pg {
		base, stopPG, err := storetest.StartPostgres()
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if stopPG != nil {
			defer stopPG()
		}
		name := fmt.Sprintf("loadcheckin_%d", os.Getpid())
		if cfg.DB, err = storetest.CreateDatabase(base, name); err != nil {
			return err
		}
		if stopPG == nil {
			defer storetest.DropDatabase(base, name)
		}
	}
	a, err := app.Open(ctx, cfg, app.Options{LogOutput: io.Discard})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	passes, users, password, err := setup(ctx, a, o)
	if err != nil {
		return err
	}
	fmt.Printf("set up %d members and %d open activities in %s\n", len(users), len(passes), time.Since(start).Round(time.Millisecond))
	if err := a.Listen(); err != nil {
		return err
	}
	serveCtx, stopServe := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(serveCtx) }()
	defer func() { stopServe(); <-served }()
	bare, err := serveBare(ctx, a.DB)
	if err != nil {
		return err
	}
	defer bare.Close()
	appURL := "http://" + a.Addr()
	cookies := make([]string, len(users))
	for i, u := range users {
		if cookies[i], err = loadtest.Login(appURL, u, password); err != nil {
			return err
		}
	}
	var bareNext atomic.Int64
	targets := []*target{
		{name: "bare", desc: "bare INSERT ... ON CONFLICT DO NOTHING (same write pool, no login)",
			request: func(worker, n int) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, "http://"+bare.Addr().String()+"/?k="+strconv.FormatInt(bareNext.Add(1), 10), nil)
				return req
			}, ok: http.StatusNoContent},
		{name: "checkin", desc: "POST /c/{token} (member: session, token, insert, audit)",
			request: func(worker, n int) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, appURL+"/c/"+passes[(worker*37+n)%len(passes)], nil)
				req.Header.Set("Cookie", cookies[worker])
				return req
			}, ok: http.StatusSeeOther},
	}
	fmt.Printf("database: %s; GOMAXPROCS=%d, NumCPU=%d, %s; %d connections; %s warm-up, %s measured in %d rounds per target\n\n",
		a.DB.Dialect, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), o.conns, o.warmup, o.duration, o.rounds)
	for _, t := range targets {
		t.slice(ctx, o.conns, o.warmup, false)
	}
	for round := 0; round < o.rounds && ctx.Err() == nil; round++ {
		for _, t := range targets {
			var prof *os.File
			if o.cpuprofile != "" && t.name == "checkin" && round == o.rounds-1 {
				if prof, err = os.Create(o.cpuprofile); err != nil {
					return err
				}
				pprof.StartCPUProfile(prof)
			}
			t.slice(ctx, o.conns, o.duration/time.Duration(o.rounds), true)
			if prof != nil {
				pprof.StopCPUProfile()
				prof.Close()
			}
		}
	}
	var rows int
	if err := a.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance").Scan(&rows); err != nil {
		return err
	}
	report(os.Stdout, a.DB.Dialect, targets)
	fmt.Printf("\nattendance rows written: %d\n", rows)
	return nil
}

// setup makes a branch with one member and account per connection, and open all-day
// activities (written in bulk) to which the branch is invited; it returns a pass token per
// activity, the usernames and their password.
func setup(ctx context.Context, a *app.App, o options) ([]string, []string, string, error) {
	sys := auth.System("loadcheckin")
	branch := &org.Organization{Kind: org.KindBranch, Name: "压测支部"}
	if err := a.Org.CreateOrganization(ctx, sys, branch); err != nil {
		return nil, nil, "", err
	}
	password := auth.RandomPassword()
	var users []string
	var people []int64
	for i := 0; i < o.conns; i++ {
		p := &org.Person{OrgID: branch.ID, Name: fmt.Sprintf("党员%03d", i+1), Stage: org.StageFull}
		if err := a.Org.CreatePerson(ctx, sys, p); err != nil {
			return nil, nil, "", err
		}
		name := fmt.Sprintf("load%03d", i+1)
		if _, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: name, Password: password, PersonID: p.ID}); err != nil {
			return nil, nil, "", err
		}
		users, people = append(users, name), append(people, p.ID)
	}
	// The first activity through the service, the others copied from it in bulk.
	today := time.Now().In(a.Zone).Format(time.DateOnly)
	first, err := a.Activity.CreateActivity(ctx, sys, activity.Plan{OrgID: branch.ID, Types: []string{"theme_day"},
		Title: "压测主题党日", StartDate: today, AllDay: true})
	if err != nil {
		return nil, nil, "", err
	}
	db := a.DB.SQL()
	pg := a.DB.Dialect == store.Postgres
	now := time.Now().UnixMilli()
	var acts, links, parts [][]any
	ids := []int64{first.ID}
	for i := 1; i < o.activities; i++ {
		id := first.ID + int64(i)*1000 + 1_000_000
		ids = append(ids, id)
		acts = append(acts, []any{id, branch.ID, fmt.Sprintf("压测活动%d", i), first.StartsAt.UnixMilli(), first.EndsAt.UnixMilli(),
			first.CheckinOpens.UnixMilli(), first.CheckinCloses.UnixMilli(), true, now, now})
		links = append(links, []any{id, "theme_day"})
	}
	for _, id := range ids {
		for _, p := range people {
			parts = append(parts, []any{id, p, true, now, now})
		}
	}
	if err := storetest.BulkInsert(db, pg, "INSERT INTO activities (id, org_id, title, starts_at, ends_at, checkin_opens_at, checkin_closes_at, all_day, created_at, updated_at) VALUES ", acts); err != nil {
		return nil, nil, "", err
	}
	if err := storetest.BulkInsert(db, pg, "INSERT INTO activity_type_links (activity_id, type_code) VALUES ", links); err != nil {
		return nil, nil, "", err
	}
	if err := storetest.BulkInsert(db, pg, "INSERT INTO participants (activity_id, person_id, invited, created_at, updated_at) VALUES ", parts); err != nil {
		return nil, nil, "", err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE load_bare (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)"); err != nil {
		return nil, nil, "", err
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, nil, "", err
	}
	passes := make([]string, len(ids))
	for i, id := range ids {
		qr, _, err := a.Activity.QRToken(ctx, sys, id)
		if err != nil {
			return nil, nil, "", err
		}
		if passes[i], err = a.Activity.Pass(qr); err != nil {
			return nil, nil, "", err
		}
	}
	return passes, users, password, nil
}

// serveBare answers POST /?k=N with one INSERT ... ON CONFLICT DO NOTHING on the app's write
// pool, in its own transaction like a check-in's.
func serveBare(ctx context.Context, db *store.DB) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pool := db.SQL()
	q := "INSERT INTO load_bare (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING"
	if db.Dialect == store.Postgres {
		q = "INSERT INTO load_bare (k, v) VALUES ($1, $2) ON CONFLICT DO NOTHING"
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, _ := strconv.ParseInt(r.URL.Query().Get("k"), 10, 64)
		if _, err := pool.ExecContext(r.Context(), q, k, time.Now().UnixMilli()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return l, nil
}

type target struct {
	name, desc string
	request    func(worker, n int) *http.Request
	ok         int

	clients   []*http.Client
	sent      []int
	latencies []time.Duration
	errors    int
	elapsed   time.Duration
}

// slice runs conns workers, each with its own keep-alive connection, for d.
func (t *target) slice(ctx context.Context, conns int, d time.Duration, measure bool) {
	if t.clients == nil {
		for range conns {
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
			t.clients = append(t.clients, &http.Client{Transport: tr, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }})
		}
		t.sent = make([]int, conns)
	}
	start := time.Now()
	until := start.Add(d)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil && time.Now().Before(until) {
				req := t.request(w, t.sent[w])
				t.sent[w]++
				t0 := time.Now()
				resp, err := t.clients[w].Do(req.WithContext(ctx))
				good := err == nil && resp.StatusCode == t.ok
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if measure {
					mine = append(mine, time.Since(t0))
					if !good {
						bad++
					}
				}
			}
			mu.Lock()
			t.latencies = append(t.latencies, mine...)
			t.errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	if measure {
		t.elapsed += min(time.Since(start), d)
	}
}

func report(w io.Writer, d store.Dialect, targets []*target) {
	var bareRPS float64
	fmt.Fprintf(w, "| %s: target | requests | req/s | p50 ms | p99 ms | errors | vs bare |\n|---|---:|---:|---:|---:|---:|---:|\n", d)
	for _, t := range targets {
		slices.Sort(t.latencies)
		n := len(t.latencies)
		rps := float64(n) / t.elapsed.Seconds()
		if t.name == "bare" {
			bareRPS = rps
		}
		var p50, p99 time.Duration
		if n > 0 {
			p50, p99 = t.latencies[n/2], t.latencies[min(n-1, n*99/100)]
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %.1f | %.1f | %d | %.2f |\n", t.desc, n, rps,
			float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000, t.errors, rps/bareRPS)
	}
}
