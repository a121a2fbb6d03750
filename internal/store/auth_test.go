package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }

func TestLoginLockoutAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}
		db := storetest.Open(t, d, clk.Now)
		svc := auth.NewService(db, auth.Policy{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
			LockoutAttempts: 5, LockoutFor: 15 * time.Minute}, clk.Now)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "Admin", Password: "correct horse"}, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "second", Password: "correct horse"}, ""); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second setup: err = %v, want conflict", err)
		}
		token, u, err := svc.Login(ctx, "admin", "correct horse", "127.0.0.1", "test")
		if err != nil || u.Username != "admin" || len(token) < 22 {
			t.Fatalf("login = %q, %v, %v", token, u, err)
		}
		a, err := svc.Authenticate(ctx, token, "")
		if err != nil || !a.SysAdmin {
			t.Fatalf("authenticate = %+v, %v", a, err)
		}
		// Idle for 31 minutes: the session is gone.
		clk.Add(31 * time.Minute)
		if _, err := svc.Authenticate(ctx, token, ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("after idle: err = %v", err)
		}
		// Five wrong passwords lock the account, even for the right password.
		for i := 0; i < 4; i++ {
			if _, _, err := svc.Login(ctx, "admin", "wrong", "", ""); !errors.Is(err, auth.ErrBadLogin) {
				t.Fatalf("attempt %d: err = %v", i+1, err)
			}
		}
		if _, _, err := svc.Login(ctx, "admin", "wrong", "", ""); apperr.KindOf(err) != apperr.Locked {
			t.Fatalf("fifth attempt: err = %v, want locked", err)
		}
		if _, _, err := svc.Login(ctx, "admin", "correct horse", "", ""); apperr.KindOf(err) != apperr.Locked {
			t.Fatalf("while locked: err = %v, want locked", err)
		}
		clk.Add(16 * time.Minute)
		if _, _, err := svc.Login(ctx, "admin", "correct horse", "", ""); err != nil {
			t.Fatalf("after lockout: %v", err)
		}
	})
}
