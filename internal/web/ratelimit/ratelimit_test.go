package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, time.UTC)
	l := New(time.Minute, 3, func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("act %d refused within the burst", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth act in the same instant allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another client refused")
	}
	now = now.Add(time.Minute)
	if !l.Allow("a") {
		t.Fatal("refused after one interval")
	}
	if l.Allow("a") {
		t.Fatal("two acts allowed after one interval")
	}
	now = now.Add(time.Hour)
	l.Allow("c") // sweeps
	l.mu.Lock()
	n := len(l.clients)
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("clients kept after an hour idle = %d, want 1", n)
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
