package activity

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestTokenRoundTrip(t *testing.T) {
	now := time.Unix(1689382800, 0)
	tests := []struct {
		name  string
		kind  byte
		age   time.Duration
		key   []byte
		want  error
		alter func(string) string
	}{
		{name: "fresh code", kind: kindQR},
		{name: "code at its last second", kind: kindQR, age: QRTokenTTL},
		{name: "expired code", kind: kindQR, age: QRTokenTTL + time.Second, want: ErrTokenExpired},
		{name: "pass after five minutes", kind: kindPass, age: 5 * time.Minute},
		{name: "expired pass", kind: kindPass, age: PassTTL + time.Second, want: ErrTokenExpired},
		{name: "from the future", kind: kindQR, age: -time.Minute, want: ErrTokenInvalid},
		{name: "another installation's key", kind: kindQR, key: []byte("another key of thirty-two bytes!"), want: ErrTokenInvalid},
		{name: "one character changed", kind: kindQR, want: ErrTokenInvalid, alter: func(s string) string {
			b := []byte(s)
			if b[20] == 'A' {
				b[20] = 'B'
			} else {
				b[20] = 'A'
			}
			return string(b)
		}},
		{name: "truncated", kind: kindQR, want: ErrTokenInvalid, alter: func(s string) string { return s[:len(s)-1] }},
		{name: "padded", kind: kindQR, want: ErrTokenInvalid, alter: func(s string) string { return s + "=" }},
	}
	for _, tt := range tests {
		key := testKey
		if tt.key != nil {
			key = tt.key
		}
		tok := signToken(key, tt.kind, 42, now.Add(-tt.age))
		if tt.alter != nil {
			tok = tt.alter(tok)
		}
		got, err := parseToken(testKey, tok, now)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
			continue
		}
		if err == nil && (got.activityID != 42 || got.kind != tt.kind) {
			t.Errorf("%s: parsed %+v", tt.name, got)
		}
	}
	if tok := signToken(testKey, kindQR, 42, now); len(tok) != 46 || strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not 46 URL-safe characters", tok)
	}
}

// FuzzParseToken feeds the check-in token parser what a scanner or a forger might send: it
// must never panic, and whatever it accepts must be exactly what was signed.
func FuzzParseToken(f *testing.F) {
	now := time.Unix(1689382800, 0)
	f.Add(signToken(testKey, kindQR, 1, now))
	f.Add(signToken(testKey, kindPass, 1<<40, now.Add(-time.Minute)))
	f.Add("")
	f.Add("not-a-token")
	f.Add(strings.Repeat("A", 46))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseToken(testKey, s, now)
		if err != nil {
			return
		}
		if again := signToken(testKey, got.kind, got.activityID, got.issued); again != s {
			t.Fatalf("accepted %q, which signs as %q", s, again)
		}
	})
}
