// Package ratelimit limits how often one client address may do something open to the
// internet: file a problem on the public form, post to the Open311 API, add a "me too".
package ratelimit

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows each key (a client address) a burst of events and then a steady rate. It
// forgets keys that have been idle long enough to have their full burst back, so its memory
// is bounded by the number of clients active at once.
type Limiter struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter allowing burst events at once and one more every interval after.
func New(every time.Duration, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{every: every, burst: burst, now: now, clients: make(map[string]*client)}
}

// Allow reports whether the key may act now, and counts the act if so.
func (l *Limiter) Allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	c := l.clients[key]
	if c == nil {
		c = &client{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// sweep forgets, at most once a minute, the clients idle for longer than a full refill.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	idle := l.every * time.Duration(l.burst)
	for k, c := range l.clients {
		if now.Sub(c.seen) > idle {
			delete(l.clients, k)
		}
	}
}

// Key returns the limiting key of a client address: the address itself for IPv4, its /64
// network for IPv6 (one household or phone usually holds a whole /64).
func Key(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}
