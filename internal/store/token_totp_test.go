package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestTokenFollowsAdminTOTP: when administrators must use a second factor, an administrator's
// token works only once the factor is on; a member's token is not concerned.
func TestTokenFollowsAdminTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		svc := auth.NewService(db, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour, LockoutAttempts: 5,
			LockoutFor: time.Minute, AdminTOTP: true}, time.Now)
		sys := auth.System("test")
		if _, err := svc.CreateUser(ctx, sys, auth.NewUser{Username: "root", Password: "long enough pw", SysAdmin: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUser(ctx, sys, auth.NewUser{Username: "plain", Password: "long enough pw"}); err != nil {
			t.Fatal(err)
		}
		adminToken, _, err := svc.CreateTokenForUsername(ctx, sys, "root", "t")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateToken(ctx, adminToken, ""); !errors.Is(err, auth.ErrTokenNeedsTOTP) {
			t.Fatalf("administrator token without a second factor: err = %v", err)
		}
		plainToken, _, err := svc.CreateTokenForUsername(ctx, sys, "plain", "t")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := svc.AuthenticateToken(ctx, plainToken, ""); err != nil || a.Username != "plain" {
			t.Fatalf("ordinary token: %v, %v", a, err)
		}
		// A new password revokes the account's tokens, as it ends its sessions.
		if err := svc.SetPasswordByName(ctx, "plain", "another long password"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateToken(ctx, plainToken, ""); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Fatalf("token after a password change: err = %v", err)
		}
	})
}
