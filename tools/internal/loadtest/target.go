package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Target is one kind of request driven at many connections: the application's request or
// the bare handler it is compared with.
type Target struct {
	Name, Desc string
	// Request builds the n-th request of a worker.
	Request func(worker, n int) *http.Request
	OK      int // the status of a good answer

	clients   []*http.Client
	sent      []int
	latencies []time.Duration
	errors    int
	elapsed   time.Duration
}

// Slice runs conns workers, each with its own keep-alive connection, for d; measured slices
// add to the target's figures.
func (t *Target) Slice(ctx context.Context, conns int, d time.Duration, measure bool) {
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
				req := t.Request(w, t.sent[w])
				t.sent[w]++
				t0 := time.Now()
				resp, err := t.clients[w].Do(req.WithContext(ctx))
				good := err == nil && resp.StatusCode == t.OK
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

// Rounds warms every target up, then measures them in interleaved rounds, so that a drift of
// the machine affects each alike. before, when set, is called before each measured slice.
func Rounds(ctx context.Context, targets []*Target, conns int, warmup, duration time.Duration, rounds int, before func(t *Target, round int) func()) {
	for _, t := range targets {
		t.Slice(ctx, conns, warmup, false)
	}
	for round := 0; round < rounds && ctx.Err() == nil; round++ {
		for _, t := range targets {
			var after func()
			if before != nil {
				after = before(t, round)
			}
			t.Slice(ctx, conns, duration/time.Duration(rounds), true)
			if after != nil {
				after()
			}
		}
	}
}

// Report prints a Markdown table of the targets' figures; the first target is the bare one
// the others are compared with.
func Report(w io.Writer, dialect string, targets []*Target) {
	var bareRPS float64
	fmt.Fprintf(w, "| %s: target | requests | req/s | p50 ms | p99 ms | errors | vs bare |\n|---|---:|---:|---:|---:|---:|---:|\n", dialect)
	for i, t := range targets {
		slices.Sort(t.latencies)
		n := len(t.latencies)
		rps := float64(n) / t.elapsed.Seconds()
		if i == 0 {
			bareRPS = rps
		}
		var p50, p99 time.Duration
		if n > 0 {
			p50, p99 = t.latencies[n/2], t.latencies[min(n-1, n*99/100)]
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %.1f | %.1f | %d | %.2f |\n", t.Desc, n, rps,
			float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000, t.errors, rps/bareRPS)
	}
}
