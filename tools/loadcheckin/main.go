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
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
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
	loadtest.Flags
	activities int
}

func main() {
	var o options
	o.Register(flag.CommandLine, "checkin")
	flag.IntVar(&o.activities, "activities", 1500, "open activities each member can check into")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadcheckin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	a, closeApp, err := loadtest.Boot(ctx, "loadcheckin", o.PG, func(c *config.Config) { c.SessionIdle.Duration = 2 * time.Hour })
	if err != nil {
		return err
	}
	defer closeApp()
	start := time.Now()
	passes, users, password, err := setup(ctx, a, o)
	if err != nil {
		return err
	}
	fmt.Printf("set up %d members and %d open activities in %s\n", len(users), len(passes), time.Since(start).Round(time.Millisecond))
	defer loadtest.Serve(a)()
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
	targets := []*loadtest.Target{
		{Name: "bare", Desc: "bare INSERT ... ON CONFLICT DO NOTHING (same write pool, no login)",
			Request: func(worker, n int) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, "http://"+bare.Addr().String()+"/?k="+strconv.FormatInt(bareNext.Add(1), 10), nil)
				return req
			}, OK: http.StatusNoContent},
		{Name: "checkin", Desc: "POST /c/{token} (member: session, token, insert, audit)",
			Request: func(worker, n int) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, appURL+"/c/"+passes[(worker*37+n)%len(passes)], nil)
				req.Header.Set("Cookie", cookies[worker])
				return req
			}, OK: http.StatusSeeOther},
	}
	fmt.Printf("database: %s; GOMAXPROCS=%d, NumCPU=%d, %s; %d connections; %s warm-up, %s measured in %d rounds per target\n\n",
		a.DB.Dialect, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), o.Conns, o.Warmup, o.Duration, o.Rounds)
	if err := o.Run(ctx, targets, "checkin"); err != nil {
		return err
	}
	var rows int
	if err := a.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance").Scan(&rows); err != nil {
		return err
	}
	loadtest.Report(os.Stdout, string(a.DB.Dialect), targets)
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
	for i := 0; i < o.Conns; i++ {
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
