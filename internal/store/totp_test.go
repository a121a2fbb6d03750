package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/pquerna/otp/totp"
)

const totpPassword = "correct horse"

func newTOTPService(t *testing.T, d store.Dialect, adminTOTP bool) (*store.DB, *auth.Service, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 25, 8, 0, 10, 0, time.UTC)}
	db := storetest.Open(t, d, clk.Now)
	svc := auth.NewService(db, auth.Policy{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
		LockoutAttempts: 5, LockoutFor: 15 * time.Minute, AdminTOTP: adminTOTP}, clk.Now)
	return db, svc, clk
}

// mustTOTPCode returns the code of secret at the clock's time shifted by steps.
func mustTOTPCode(t *testing.T, secret string, clk *clock, steps int) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, clk.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongCode returns a six-digit code that none of the accepted steps produce.
func wrongCode(t *testing.T, secret string, clk *clock) string {
	t.Helper()
	valid := map[string]bool{}
	for s := -1; s <= 1; s++ {
		valid[mustTOTPCode(t, secret, clk, s)] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// mustPending logs in with the right password and returns the pending token.
func mustPending(t *testing.T, svc *auth.Service, username string, wantEnrol bool) string {
	t.Helper()
	token, _, err := svc.Login(context.Background(), username, totpPassword, "127.0.0.1", "test")
	var sf *auth.SecondFactorRequired
	if !errors.As(err, &sf) || token != "" {
		t.Fatalf("login %s = %q, %v; want a second factor required", username, token, err)
	}
	if sf.Enrol != wantEnrol {
		t.Fatalf("login %s: enrol = %v, want %v", username, sf.Enrol, wantEnrol)
	}
	if _, err := svc.Authenticate(context.Background(), sf.Token, ""); apperr.KindOf(err) != apperr.Unauthorized {
		t.Fatalf("pending session authenticated: %v", err)
	}
	return sf.Token
}

func mustActor(t *testing.T, svc *auth.Service, username string) *auth.Actor {
	t.Helper()
	token, _, err := svc.Login(context.Background(), username, totpPassword, "", "")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	a, err := svc.Authenticate(context.Background(), token, "")
	if err != nil {
		t.Fatalf("authenticate %s: %v", username, err)
	}
	return a
}

func auditActions(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	recs, err := db.FindAudit(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range recs {
		n[r.Action]++
	}
	return n
}

func wantKey(t *testing.T, err error, kind apperr.Kind, key string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Kind != kind || e.Key != key {
		t.Fatalf("err = %v, want %s %s", err, kind, key)
	}
}

func TestTOTPEnrolLoginReplayAndSkew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, svc, clk := newTOTPService(t, d, false)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "admin", Password: totpPassword}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUser(ctx, auth.System("test"), auth.NewUser{Username: "member", Password: totpPassword}); err != nil {
			t.Fatal(err)
		}
		a := mustActor(t, svc, "member")
		if a.TOTPEnabled || a.TOTPRequired {
			t.Fatalf("actor = %+v, want no second factor", a)
		}

		// Enrolment: the key is made once and shown again until confirmed.
		en, err := svc.TOTPEnrolment(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		again, err := svc.TOTPEnrolment(ctx, a)
		if err != nil || again.Secret() != en.Secret() {
			t.Fatalf("second enrolment = %v, %v; want the same key", again, err)
		}
		secret := en.Secret()
		if err := svc.EnableTOTP(ctx, a, wrongCode(t, secret, clk)); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.bad_code" {
			t.Fatalf("enable with a wrong code: %v", err)
		}
		enrolCode := mustTOTPCode(t, secret, clk, 0)
		if err := svc.EnableTOTP(ctx, a, enrolCode); err != nil {
			t.Fatalf("enable: %v", err)
		}
		if err := svc.EnableTOTP(ctx, a, enrolCode); !errors.Is(err, auth.ErrTOTPOn) {
			t.Fatalf("enable twice: %v", err)
		}
		if _, err := svc.TOTPEnrolment(ctx, a); !errors.Is(err, auth.ErrTOTPOn) {
			t.Fatalf("enrolment when on: %v", err)
		}
		// The secret is stored encrypted, not in clear.
		var sealed []byte
		q := "SELECT totp_secret_enc FROM users WHERE username = 'member'"
		if err := db.SQL().QueryRow(q).Scan(&sealed); err != nil || len(sealed) == 0 || string(sealed) == secret {
			t.Fatalf("stored secret = %q, %v", sealed, err)
		}

		// Login: the password alone gives a pending session; the enrolment's code is used up.
		pending := mustPending(t, svc, "member", false)
		if _, err := svc.CompleteLogin(ctx, pending, enrolCode, "", ""); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.used_code" {
			t.Fatalf("replayed enrolment code: %v", err)
		}
		// A step two away either side is refused; one step late is accepted.
		clk.Add(5 * time.Minute)
		for _, steps := range []int{-2, 2} {
			if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, steps), "", ""); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.bad_code" {
				t.Fatalf("code %d steps away: %v", steps, err)
			}
		}
		if _, err := svc.CompleteLogin(ctx, pending, "12a456", "", ""); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.code_format" {
			t.Fatalf("malformed code: %v", err)
		}
		late := mustTOTPCode(t, secret, clk, -1)
		full, err := svc.CompleteLogin(ctx, pending, late, "10.0.0.1", "phone")
		if err != nil {
			t.Fatalf("code one step late: %v", err)
		}
		if full == pending {
			t.Fatal("the session token was not renewed")
		}
		got, err := svc.Authenticate(ctx, full, "")
		if err != nil || !got.TOTPEnabled {
			t.Fatalf("full session = %+v, %v", got, err)
		}
		if _, err := svc.PendingLogin(ctx, pending); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("pending session after the code: %v", err)
		}
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 0), "", ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("second code on an ended pending session: %v", err)
		}

		// Each code works once: the same late code is refused at the next login, a later one
		// (one step early) is accepted, and then the current one, now older, is refused too.
		pending = mustPending(t, svc, "member", false)
		if _, err := svc.CompleteLogin(ctx, pending, late, "", ""); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.used_code" {
			t.Fatalf("replay: %v", err)
		}
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 1), "", ""); err != nil {
			t.Fatalf("code one step early: %v", err)
		}
		pending = mustPending(t, svc, "member", false)
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 0), "", ""); apperr.As(err) == nil || apperr.As(err).Fields["code"] != "totp.error.used_code" {
			t.Fatalf("code older than the last used: %v", err)
		}
		clk.Add(30 * time.Second)
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 1), "", ""); err != nil {
			t.Fatalf("next code: %v", err)
		}

		// Disable needs the current password.
		a = mustActorAfterCode(t, svc, "member", secret, clk)
		if err := svc.DisableTOTP(ctx, a, "wrong password"); apperr.As(err) == nil || apperr.As(err).Fields["totp_password"] != "error.bad_password" {
			t.Fatalf("disable with a wrong password: %v", err)
		}
		if err := svc.DisableTOTP(ctx, a, totpPassword); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if token, _, err := svc.Login(ctx, "member", totpPassword, "", ""); err != nil || token == "" {
			t.Fatalf("login after disable = %q, %v", token, err)
		}
		// A new enrolment makes a new key.
		if en2, err := svc.TOTPEnrolment(ctx, a); err != nil || en2.Secret() == secret {
			t.Fatalf("enrolment after disable = %v, %v; want a new key", en2, err)
		}

		n := auditActions(t, db)
		for action, want := range map[string]int{"totp.enable": 1, "totp.disable": 1, "totp.failed": 3, "totp.replay": 3, "login.mfa_pending": 4} {
			if n[action] != want {
				t.Errorf("audit %s: %d records, want %d (all: %v)", action, n[action], want, n)
			}
		}
	})
}

// mustActorAfterCode logs in with the password and the code one step early, advancing the
// clock first so that the code is unused.
func mustActorAfterCode(t *testing.T, svc *auth.Service, username, secret string, clk *clock) *auth.Actor {
	t.Helper()
	clk.Add(2 * time.Minute)
	pending := mustPending(t, svc, username, false)
	token, err := svc.CompleteLogin(context.Background(), pending, mustTOTPCode(t, secret, clk, 0), "", "")
	if err != nil {
		t.Fatalf("code: %v", err)
	}
	a, err := svc.Authenticate(context.Background(), token, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTOTPLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		_, svc, clk := newTOTPService(t, d, false)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "admin", Password: totpPassword}, ""); err != nil {
			t.Fatal(err)
		}
		a := mustActor(t, svc, "admin")
		en, err := svc.TOTPEnrolment(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		secret := en.Secret()
		if err := svc.EnableTOTP(ctx, a, mustTOTPCode(t, secret, clk, 0)); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		bad := wrongCode(t, secret, clk)

		// Three wrong codes, then a new login with the right password: the counter is not
		// reset by the password, so two more wrong codes lock the account.
		pending := mustPending(t, svc, "admin", false)
		for i := 0; i < 3; i++ {
			if _, err := svc.CompleteLogin(ctx, pending, bad, "", ""); apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("wrong code %d: %v", i+1, err)
			}
		}
		pending = mustPending(t, svc, "admin", false)
		if _, err := svc.CompleteLogin(ctx, pending, bad, "", ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("wrong code 4: %v", err)
		}
		_, err = svc.CompleteLogin(ctx, pending, bad, "", "")
		wantKey(t, err, apperr.Locked, "error.locked")
		// The pending session ended with the lockout; the right code no longer helps.
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 0), "", ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("right code after lockout: %v", err)
		}
		if _, _, err := svc.Login(ctx, "admin", totpPassword, "", ""); apperr.KindOf(err) != apperr.Locked {
			t.Fatalf("password while locked: %v", err)
		}
		clk.Add(16 * time.Minute)
		pending = mustPending(t, svc, "admin", false)
		if _, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 0), "", ""); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		// A right code resets the counter: four wrong codes do not lock again.
		pending = mustPending(t, svc, "admin", false)
		for i := 0; i < 4; i++ {
			if _, err := svc.CompleteLogin(ctx, pending, bad, "", ""); apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("wrong code %d after reset: %v", i+1, err)
			}
		}
	})
}

func TestTOTPPendingExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		_, svc, clk := newTOTPService(t, d, true)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "admin", Password: totpPassword}, ""); err != nil {
			t.Fatal(err)
		}
		pending := mustPending(t, svc, "admin", true)
		clk.Add(16 * time.Minute)
		_, err := svc.PendingLogin(ctx, pending)
		wantKey(t, err, apperr.Unauthorized, "totp.error.pending_gone")
	})
}

func TestTOTPRequiredForAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, svc, clk := newTOTPService(t, d, true)
		// The same database under a policy without the rule, for sessions made before it.
		before := auth.NewService(db, auth.Policy{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
			LockoutAttempts: 5, LockoutFor: 15 * time.Minute}, clk.Now)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "admin", Password: totpPassword}, ""); err != nil {
			t.Fatal(err)
		}
		sys := auth.System("test")
		for _, name := range []string{"member", "branchsec", "oldsession"} {
			if _, err := svc.CreateUser(ctx, sys, auth.NewUser{Username: name, Password: totpPassword}); err != nil {
				t.Fatal(err)
			}
		}
		branch := mustOrg(t, org.NewService(db, db, clk.Now), sys, 0, org.KindBranch, "第二支部")
		for _, name := range []string{"branchsec", "oldsession"} {
			u, err := db.FindUserByLogin(ctx, name, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.GrantRole(ctx, sys, &auth.Grant{UserID: u.ID, Role: auth.RoleOrgAdmin, OrgID: branch.ID}); err != nil {
				t.Fatal(err)
			}
		}

		// A member is not an administrator: the password is enough.
		if a := mustActor(t, svc, "member"); a.TOTPRequired {
			t.Fatal("member: second factor required")
		}

		// The system administrator and a branch administrator must set one up first.
		pending := mustPending(t, svc, "admin", true)
		mustPending(t, svc, "branchsec", true)
		pl, err := svc.PendingLogin(ctx, pending)
		if err != nil || !pl.Enrol || pl.Enrolment == nil || pl.User.Username != "admin" {
			t.Fatalf("pending login = %+v, %v", pl, err)
		}
		secret := pl.Enrolment.Secret()
		// Wrong codes while setting up are audited but not counted: the set-up guards nothing
		// the password has not opened.
		for i := 0; i < 6; i++ {
			if _, err := svc.CompleteLogin(ctx, pending, wrongCode(t, secret, clk), "", ""); apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("wrong set-up code %d: %v", i+1, err)
			}
		}
		token, err := svc.CompleteLogin(ctx, pending, mustTOTPCode(t, secret, clk, 0), "", "")
		if err != nil {
			t.Fatalf("set-up code: %v", err)
		}
		a, err := svc.Authenticate(ctx, token, "")
		if err != nil || !a.TOTPEnabled || !a.TOTPRequired {
			t.Fatalf("admin after set-up = %+v, %v", a, err)
		}
		if err := svc.DisableTOTP(ctx, a, totpPassword); !errors.Is(err, auth.ErrTOTPRequired) {
			t.Fatalf("disable when required: %v", err)
		}
		clk.Add(time.Minute)
		mustPending(t, svc, "admin", false)

		// A session made before the rule applied ends at its next request.
		token, _, err = before.Login(ctx, "oldsession", totpPassword, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := before.Authenticate(ctx, token, ""); err != nil {
			t.Fatalf("without the rule: %v", err)
		}
		_, err = svc.Authenticate(ctx, token, "")
		wantKey(t, err, apperr.Unauthorized, "totp.error.enrol_required")
		if _, err := before.Authenticate(ctx, token, ""); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("the old session was not ended: %v", err)
		}

		n := auditActions(t, db)
		if n["totp.enable"] != 1 || n["totp.failed"] != 6 || n["login.locked"] != 0 {
			t.Errorf("audit = %v", n)
		}
	})
}

// TestTOTPParallelGuesses: wrong codes sent at once are each counted before they are
// checked, so no more than the lockout limit are ever checked and the account ends locked.
func TestTOTPParallelGuesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, svc, clk := newTOTPService(t, d, false)
		if _, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Username: "admin", Password: totpPassword}, ""); err != nil {
			t.Fatal(err)
		}
		a := mustActor(t, svc, "admin")
		en, err := svc.TOTPEnrolment(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.EnableTOTP(ctx, a, mustTOTPCode(t, en.Secret(), clk, 0)); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		bad := wrongCode(t, en.Secret(), clk)
		pending := mustPending(t, svc, "admin", false)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc.CompleteLogin(ctx, pending, bad, "", "")
			}()
		}
		wg.Wait()
		if n := auditActions(t, db)["totp.failed"]; n > 5 {
			t.Fatalf("%d codes were checked, the limit is 5", n)
		}
		if _, _, err := svc.Login(ctx, "admin", totpPassword, "", ""); apperr.KindOf(err) != apperr.Locked {
			t.Fatalf("after the burst the account is not locked: %v", err)
		}
	})
}
