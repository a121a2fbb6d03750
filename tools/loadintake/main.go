// Command loadintake measures the public report form (POST /report/{org}: validation,
// category, working-day deadlines, tracking codes, the similarity index, the audit trail)
// against a bare one-row INSERT handler on the same database, at many concurrent connections
// on 127.0.0.1. It boots the real application on a fresh SQLite folder (or a throwaway
// PostgreSQL cluster with --pg) behind a trusted proxy, so that each request may come from its
// own client address as it would from the internet (the per-address limit stays on), and
// prints requests per second, p50, p99, errors and the ratio.
//
//	go run ./tools/loadintake --conns 64 --duration 12s
//	go run ./tools/loadintake --conns 64 --duration 12s --pg
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/tools/internal/loadtest"
)

type options struct {
	loadtest.Flags
}

func main() {
	var o options
	o.Register(flag.CommandLine, "intake")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadintake:", err)
		os.Exit(1)
	}
}

// Fragments of what merchants write, so that reports differ and the similarity index grows
// as it would.
var (
	places   = []string{"东门", "西门", "A区", "B区", "C区", "二楼走廊", "三楼", "停车场", "电梯口", "消防通道"}
	problems = []string{"停车位太少", "太热没有空调", "宽带经常断网", "被货物堵住了", "有人卖假珍珠", "灯不亮", "漏水", "垃圾没人清运"}
	details  = []string{"已经好几天了", "影响生意", "顾客投诉很多", "希望尽快解决", "中午温度超过40度", ""}
)

func run(ctx context.Context, o options) error {
	a, closeApp, err := loadtest.Boot(ctx, "loadintake", o.PG, func(c *config.Config) { c.TrustedProxies = "127.0.0.1" })
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.System("loadintake")
	committee := &org.Organization{Kind: org.KindCommittee, Name: "压测党委"}
	if err := a.Org.CreateOrganization(ctx, sys, committee); err != nil {
		return err
	}
	branch := &org.Organization{Kind: org.KindBranch, Name: "压测支部", ParentID: committee.ID}
	if err := a.Org.CreateOrganization(ctx, sys, branch); err != nil {
		return err
	}
	cats, err := a.Masswork.UseDefaultCategories(ctx, sys, committee.ID)
	if err != nil {
		return err
	}
	if _, err := a.DB.SQL().ExecContext(ctx, "CREATE TABLE load_bare (k BIGINT PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		return err
	}
	defer loadtest.Serve(a)()
	bare, err := serveBare(a.DB)
	if err != nil {
		return err
	}
	defer bare.Close()
	formURL := "http://" + a.Addr() + "/report/" + strconv.FormatInt(branch.ID, 10)
	forms := reportForms(cats)
	var client atomic.Int64
	var bareNext atomic.Int64
	targets := []*loadtest.Target{
		{Name: "bare", Desc: "bare INSERT of one row (same write pool, no form)",
			Request: func(worker, n int) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, "http://"+bare.Addr().String()+"/?k="+strconv.FormatInt(bareNext.Add(1), 10), nil)
				return req
			}, OK: http.StatusNoContent},
		{Name: "intake", Desc: "POST /report/{org} (public form, multipart, new matter)",
			Request: func(worker, n int) *http.Request {
				f := forms[(worker*7919+n)%len(forms)]
				req, _ := http.NewRequest(http.MethodPost, formURL, bytes.NewReader(f.body))
				req.Header.Set("Content-Type", f.contentType)
				req.Header.Set("Origin", "http://"+a.Addr())
				// Every request from its own client, as over the internet.
				c := client.Add(1)
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", c>>16&255, c>>8&255, c&255))
				return req
			}, OK: http.StatusSeeOther},
	}
	fmt.Printf("database: %s; GOMAXPROCS=%d, NumCPU=%d, %s; %d connections; %s warm-up, %s measured in %d rounds per target\n\n",
		a.DB.Dialect, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), o.Conns, o.Warmup, o.Duration, o.Rounds)
	if err := o.Run(ctx, targets, "intake"); err != nil {
		return err
	}
	var problems, matters int
	if err := a.DB.SQL().QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM problems), (SELECT COUNT(*) FROM matters)").Scan(&problems, &matters); err != nil {
		return err
	}
	loadtest.Report(os.Stdout, string(a.DB.Dialect), targets)
	fmt.Printf("\nreports written: %d in %d matters\n", problems, matters)
	return nil
}

// form is a report form as a phone posts it.
type form struct {
	body        []byte
	contentType string
}

// reportForms makes the forms the load sends, made before the run so that the load
// generator, which shares the machine with the server, spends as little as it can on each.
func reportForms(cats []*masswork.Category) []form {
	rng := rand.New(rand.NewPCG(7, 11))
	out := make([]form, 4096)
	for i := range out {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		cat := cats[rng.IntN(len(cats))]
		mw.WriteField("category", strconv.FormatInt(cat.ID, 10))
		mw.WriteField("description", places[rng.IntN(len(places))]+problems[rng.IntN(len(problems))]+"，"+details[rng.IntN(len(details))])
		mw.WriteField("zone", places[rng.IntN(5)])
		if rng.IntN(3) == 0 {
			mw.WriteField("anonymous", "1")
		} else {
			mw.WriteField("name", "商户"+strconv.Itoa(rng.IntN(1000)))
		}
		mw.WriteField("confirm", "1") // past the compare step, as after looking at the suggestions
		mw.Close()
		out[i] = form{body: body.Bytes(), contentType: mw.FormDataContentType()}
	}
	return out
}

// serveBare answers POST /?k=N with one INSERT of a row of about a report's size on the app's
// write pool.
func serveBare(db *store.DB) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pool := db.SQL()
	q := "INSERT INTO load_bare (k, v) VALUES (?, ?)"
	if db.Dialect == store.Postgres {
		q = "INSERT INTO load_bare (k, v) VALUES ($1, $2)"
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, _ := strconv.ParseInt(r.URL.Query().Get("k"), 10, 64)
		if _, err := pool.ExecContext(r.Context(), q, k, "东门停车位太少，已经好几天了"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return l, nil
}
