package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/pquerna/otp/totp"
)

// totpClock is a clock the test moves and the server reads from its own goroutines.
type totpClock struct{ ns atomic.Int64 }

func (c *totpClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *totpClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// newTOTPFixture is the demo fixture on a settable clock, optionally with second factors
// required of administrators. No client is logged in but "anonymous".
func newTOTPFixture(t *testing.T, d store.Dialect, adminTOTP bool) (*fixture, *totpClock) {
	t.Helper()
	ctx := context.Background()
	clk := &totpClock{}
	clk.ns.Store(time.Date(2026, 11, 25, 8, 0, 10, 0, time.UTC).UnixNano())
	a := apptest.Open(t, d, apptest.Options{Now: clk.Now, Configure: func(c *config.Config) { c.AdminTOTP = adminTOTP }})
	data, err := demo.Load(ctx, a.Org, a.Auth, clk.Now(), password)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, app: a, demo: data, clients: map[string]*http.Client{"anonymous": newClient()}}
	f.srv = newServer(t, a)
	return f, clk
}

// reply is a response reduced to what the TOTP scenarios check.
type reply struct {
	status   int
	location string
	body     string
}

// do sends one request as user and returns the reply without following redirects.
func (f *fixture) do(t *testing.T, user, method, path string, form url.Values) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err := f.clients[user].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

// startLogin gives a new client for user the right password and returns the reply.
func (f *fixture) startLogin(t *testing.T, user, client string) reply {
	t.Helper()
	f.clients[client] = newClient()
	return f.do(t, client, "POST", "/login", url.Values{"login": {user}, "password": {password}})
}

func (f *fixture) cookie(client, name string) string {
	u, _ := url.Parse(f.srv.URL)
	for _, c := range f.clients[client].Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var secretOnPage = regexp.MustCompile(`<dd class="mono">([A-Z2-7 ]+)</dd>`)

// secretOf reads the key for manual entry off an enrolment page.
func secretOf(t *testing.T, page string) string {
	t.Helper()
	m := secretOnPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no key on the page:\n%s", excerpt(page))
	}
	return strings.ReplaceAll(m[1], " ", "")
}

func codeAt(t *testing.T, secret string, clk *totpClock, steps int) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, clk.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// badCode returns six digits that no accepted step produces.
func badCode(t *testing.T, secret string, clk *totpClock) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != codeAt(t, secret, clk, -1) && c != codeAt(t, secret, clk, 0) && c != codeAt(t, secret, clk, 1) {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

func (r reply) check(t *testing.T, what string, status int, location string, want ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d\n%s", what, r.status, status, excerpt(r.body))
	}
	if location != "" && r.location != location {
		t.Errorf("%s: location %q, want %q", what, r.location, location)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: missing %q\n%s", what, w, excerpt(r.body))
		}
	}
}

// TestTOTPEnrolAndLogin: a member turns the second factor on from the account page, logs in
// with it on a phone, cannot replay a code, is locked out by guessing, and turns it off.
func TestTOTPEnrolAndLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f, clk := newTOTPFixture(t, d, false)
		f.clients["member"] = f.login("member")
		f.run(t, scenario{name: "account card", user: "member", path: "/account", status: http.StatusOK,
			want: []string{"动态验证码（两步验证）", "未开启", `href="/account/totp"`}})
		page := f.run(t, scenario{name: "enrolment page", user: "member", path: "/account/totp", status: http.StatusOK,
			want: []string{`src="data:image/png;base64,`, `href="otpauth://totp/dangjian:member?`, `inputmode="numeric"`,
				`autocomplete="one-time-code"`, "请打开身份验证器应用（如 Microsoft Authenticator、Google 身份验证器）扫描二维码"}})
		secret := secretOf(t, page)
		if len(secret) != 32 {
			t.Fatalf("secret %q", secret)
		}
		f.run(t, scenario{name: "enrolment page again, same key", user: "member", path: "/account/totp", status: http.StatusOK,
			want: []string{secret[:4] + " " + secret[4:8]}})
		f.run(t, scenario{name: "anonymous enrolment", user: "anonymous", path: "/account/totp", status: http.StatusSeeOther})
		f.run(t, scenario{name: "wrong first code", user: "member", method: "POST", path: "/account/totp", status: http.StatusUnprocessableEntity,
			form: url.Values{"code": {badCode(t, secret, clk)}}, want: []string{"动态验证码不正确", `aria-invalid="true"`, `src="data:image/png;base64,`}})
		enrolCode := codeAt(t, secret, clk, 0)
		f.run(t, scenario{name: "cross-site enable", user: "member", method: "POST", path: "/account/totp", status: http.StatusForbidden,
			form: url.Values{"code": {enrolCode}}, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
		f.do(t, "member", "POST", "/account/totp", url.Values{"code": {enrolCode}}).
			check(t, "enable", http.StatusSeeOther, "/account?flash=flash.totp_enabled")
		f.run(t, scenario{name: "account card on", user: "member", path: "/account", status: http.StatusOK,
			want: []string{"已开启", `action="/account/totp/disable"`}, notWant: []string{`href="/account/totp"`}})
		f.run(t, scenario{name: "enrolment page when on", user: "member", path: "/account/totp", status: http.StatusSeeOther})

		// On the phone: the password leads to the code page, and nowhere else.
		f.startLogin(t, "member", "phone").check(t, "password", http.StatusSeeOther, "/login/totp?next=%2F")
		pending := f.cookie("phone", "dj_session_mfa")
		if pending == "" || f.cookie("phone", "dj_session") != "" {
			t.Fatalf("cookies after the password: pending %q, session %q", pending, f.cookie("phone", "dj_session"))
		}
		f.do(t, "phone", "GET", "/", nil).check(t, "home while pending", http.StatusSeeOther, "/login?next=%2F")
		f.do(t, "phone", "GET", "/people", nil).check(t, "people while pending", http.StatusSeeOther, "/login?next=%2Fpeople")
		f.do(t, "phone", "POST", "/account/logout-all", url.Values{}).check(t, "post while pending", http.StatusUnauthorized, "")
		f.do(t, "phone", "GET", "/login?next=%2Fpeople", nil).check(t, "login page while pending", http.StatusSeeOther, "/login/totp?next=%2Fpeople")
		f.run(t, scenario{name: "code page", user: "phone", path: "/login/totp?next=%2Fpeople", status: http.StatusOK,
			want:    []string{"输入动态验证码", `inputmode="numeric"`, `autocomplete="one-time-code"`, `name="next" value="/people"`},
			notWant: []string{`href="/account"`, "data:image/png"}})
		f.do(t, "phone", "POST", "/login/totp", url.Values{"code": {enrolCode}, "next": {"/people"}}).
			check(t, "the enrolment's code again", http.StatusUnauthorized, "", "这个验证码已经用过了")
		f.do(t, "phone", "POST", "/login/totp", url.Values{"code": {badCode(t, secret, clk)}, "next": {"/people"}}).
			check(t, "wrong code", http.StatusUnauthorized, "", "动态验证码不正确")
		clk.Add(30 * time.Second)
		phoneCode := codeAt(t, secret, clk, 0)
		f.do(t, "phone", "POST", "/login/totp", url.Values{"code": {" " + phoneCode[:3] + " " + phoneCode[3:]}, "next": {"/people"}}).
			check(t, "right code", http.StatusSeeOther, "/people")
		if s := f.cookie("phone", "dj_session"); s == "" || s == pending || f.cookie("phone", "dj_session_mfa") != "" {
			t.Fatalf("cookies after the code: session %q (pending was %q), pending %q", s, pending, f.cookie("phone", "dj_session_mfa"))
		}
		f.run(t, scenario{name: "logged in", user: "phone", path: "/account", status: http.StatusOK, want: []string{"已开启"}})

		// The same code is refused on another device.
		f.startLogin(t, "member", "laptop")
		f.do(t, "laptop", "POST", "/login/totp", url.Values{"code": {phoneCode}}).
			check(t, "replayed code", http.StatusUnauthorized, "", "这个验证码已经用过了")
		// Giving up goes back to the password.
		f.do(t, "laptop", "POST", "/login/totp/cancel", url.Values{}).check(t, "cancel", http.StatusSeeOther, "/login")
		f.run(t, scenario{name: "login form after cancel", user: "laptop", path: "/login", status: http.StatusOK, want: []string{`action="/login"`}})
		f.run(t, scenario{name: "code page after cancel", user: "laptop", path: "/login/totp", status: http.StatusSeeOther})

		// Guessing: five wrong codes in a row lock the account and end the pending login. The
		// replay on the laptop was the first; a new password login does not reset the count.
		f.startLogin(t, "member", "thief")
		wrong := badCode(t, secret, clk)
		for i := 2; i < 5; i++ {
			f.do(t, "thief", "POST", "/login/totp", url.Values{"code": {wrong}}).check(t, "guess", http.StatusUnauthorized, "")
		}
		f.do(t, "thief", "POST", "/login/totp", url.Values{"code": {wrong}}).
			check(t, "fifth wrong code", http.StatusTooManyRequests, "", "账号已锁定", `action="/login"`)
		f.do(t, "thief", "GET", "/login/totp", nil).check(t, "code page after lockout", http.StatusSeeOther, "/login?next=%2F")
		f.startLogin(t, "member", "thief").check(t, "password while locked", http.StatusTooManyRequests, "", "账号已锁定")

		// Turning it off needs the current password, and waits for the lockout to end: a
		// taken-over session does not get to guess the password meanwhile.
		f.do(t, "phone", "POST", "/account/totp/disable", url.Values{"totp_password": {password}}).
			check(t, "disable while locked", http.StatusTooManyRequests, "")
		clk.Add(16 * time.Minute)
		f.do(t, "phone", "POST", "/account/totp/disable", url.Values{"totp_password": {"wrong password"}}).
			check(t, "disable with a wrong password", http.StatusUnprocessableEntity, "", "当前密码不对", `id="e-totp_password"`)
		f.do(t, "phone", "POST", "/account/totp/disable", url.Values{"totp_password": {password}}).
			check(t, "disable", http.StatusSeeOther, "/account?flash=flash.totp_disabled")
		f.run(t, scenario{name: "account card off", user: "phone", path: "/account", status: http.StatusOK, want: []string{"未开启"}})

		// Every change is in the audit trail.
		f.clients["admin"] = f.login("admin")
		f.run(t, scenario{name: "audit", user: "admin", path: "/audit", status: http.StatusOK,
			want: []string{"开启动态验证码", "关闭动态验证码", "动态验证码错误", "重复使用动态验证码", "连续登录失败，账号锁定"}})
	})
}

// TestTOTPRequiredForAdmins: with --admin-totp, an administrator's every page leads to the
// set-up page until an authenticator is added; members log in as before.
func TestTOTPRequiredForAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f, clk := newTOTPFixture(t, d, true)
		f.clients["member"] = f.login("member")
		f.run(t, scenario{name: "member", user: "member", path: "/", status: http.StatusOK})

		f.startLogin(t, "admin", "admin").check(t, "admin password", http.StatusSeeOther, "/login/totp?next=%2F")
		for _, path := range []string{"/", "/orgs", "/people", "/audit", "/admin/users", "/account", "/login"} {
			r, where := f.follow(t, "admin", path)
			r.check(t, "admin "+path, http.StatusOK, "", "本系统要求管理员使用动态验证码", `src="data:image/png;base64,`,
				`href="otpauth://totp/dangjian:admin?`)
			if !strings.HasPrefix(where, "/login/totp") {
				t.Errorf("admin %s: ended at %s, want the set-up page", path, where)
			}
		}
		f.do(t, "admin", "POST", "/orgs", url.Values{"kind": {"committee"}, "name": {"不该建成"}}).
			check(t, "admin post while pending", http.StatusUnauthorized, "")
		page := f.do(t, "admin", "GET", "/login/totp", nil).body
		secret := secretOf(t, page)
		f.do(t, "admin", "POST", "/login/totp", url.Values{"code": {badCode(t, secret, clk)}, "next": {"/orgs"}}).
			check(t, "wrong set-up code", http.StatusUnauthorized, "", "动态验证码不正确", `src="data:image/png;base64,`)
		f.do(t, "admin", "POST", "/login/totp", url.Values{"code": {codeAt(t, secret, clk, 0)}, "next": {"/orgs"}}).
			check(t, "set-up code", http.StatusSeeOther, "/orgs")
		f.run(t, scenario{name: "admin in", user: "admin", path: "/orgs", status: http.StatusOK})
		f.run(t, scenario{name: "admin account", user: "admin", path: "/account", status: http.StatusOK,
			want: []string{"已开启", "不能关闭"}, notWant: []string{`action="/account/totp/disable"`}})
		f.run(t, scenario{name: "admin disable", user: "admin", method: "POST", path: "/account/totp/disable", status: http.StatusForbidden,
			form: url.Values{"totp_password": {password}}, want: []string{"不能关闭"}})

		// The branch secretary administers through a committee position: required too.
		f.startLogin(t, "secretary", "secretary").check(t, "secretary password", http.StatusSeeOther, "/login/totp?next=%2F")
		f.run(t, scenario{name: "secretary set-up", user: "secretary", path: "/login/totp", status: http.StatusOK,
			want: []string{"本系统要求管理员使用动态验证码"}})
		// The next login of the administrator asks for a code, not a set-up.
		clk.Add(time.Minute)
		f.startLogin(t, "admin", "admin2")
		f.run(t, scenario{name: "admin code page", user: "admin2", path: "/login/totp", status: http.StatusOK,
			want: []string{"输入动态验证码"}, notWant: []string{"data:image/png"}})
	})
}

// follow sends GET path as user and follows redirects; it returns the last reply and where.
func (f *fixture) follow(t *testing.T, user, path string) (reply, string) {
	t.Helper()
	for range 5 {
		r := f.do(t, user, "GET", path, nil)
		if r.status != http.StatusSeeOther && r.status != http.StatusFound {
			return r, path
		}
		path = r.location
	}
	t.Fatalf("%s: too many redirects", path)
	return reply{}, ""
}

// TestTOTPSetupWithAdminRule: the first administrator of a fresh installation that requires
// second factors sets one up right after the setup form.
func TestTOTPSetupWithAdminRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Open(t, d, apptest.Options{Configure: func(c *config.Config) { c.AdminTOTP = true }})
		f := &fixture{t: t, app: a, clients: map[string]*http.Client{"first": newClient()}}
		f.srv = newServer(t, a)
		f.do(t, "first", "POST", "/setup", url.Values{"username": {"root"}, "password": {"红色教育基地2023"}, "password2": {"红色教育基地2023"}}).
			check(t, "setup", http.StatusSeeOther, "/login/totp?next=%2Forgs")
		f.run(t, scenario{name: "set-up page", user: "first", path: "/login/totp?next=%2Forgs", status: http.StatusOK,
			want: []string{"本系统要求管理员使用动态验证码", `name="next" value="/orgs"`}})
		f.run(t, scenario{name: "orgs", user: "first", path: "/orgs", status: http.StatusSeeOther})
	})
}
