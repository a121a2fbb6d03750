package auth

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// testSecret is the RFC 6238 test key "12345678901234567890" in base32.
const testSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func mustCode(t *testing.T, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(testSecret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestVerifyTOTPWindow(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 10, 0, time.UTC)
	cur := totpStep(now)
	tests := []struct {
		name     string
		codeAt   time.Time
		lastStep int64
		want     codeResult
		wantStep int64
	}{
		{"current step", now, 0, codeOK, cur},
		{"one step late", now.Add(-30 * time.Second), 0, codeOK, cur - 1},
		{"one step early", now.Add(30 * time.Second), 0, codeOK, cur + 1},
		{"two steps late", now.Add(-60 * time.Second), 0, codeBad, 0},
		{"two steps early", now.Add(60 * time.Second), 0, codeBad, 0},
		{"current step used", now, cur, codeUsed, 0},
		{"earlier step used", now.Add(-30 * time.Second), cur, codeUsed, 0},
		{"later step after a used one", now.Add(30 * time.Second), cur, codeOK, cur + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, got := verifyTOTP(testSecret, mustCode(t, tt.codeAt), now, tt.lastStep)
			if got != tt.want || step != tt.wantStep {
				t.Errorf("verifyTOTP = %d, %v; want %d, %v", step, got, tt.wantStep, tt.want)
			}
		})
	}
}

// TestVerifyTOTPVectors checks the code generation against RFC 6238 appendix B (SHA-1, the
// last six of its eight digits).
func TestVerifyTOTPVectors(t *testing.T) {
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		now := time.Unix(unix, 0)
		if _, got := verifyTOTP(testSecret, want, now, 0); got != codeOK {
			t.Errorf("at %d: code %s refused", unix, want)
		}
	}
}

func TestNormaliseCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{" 123 456 ", "123456", true},
		{"123-456", "123456", true},
		{"１２３４５６", "123456", true}, // full-width, from a Chinese input method
		{"12345", "", false},
		{"1234567", "", false},
		{"12345a", "", false},
		{"", "", false},
		{"١٢٣٤٥٦", "", false}, // other scripts' digits are not codes
	}
	for _, tt := range tests {
		got, ok := normaliseCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normaliseCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEnrolmentKey(t *testing.T) {
	secret, err := newTOTPSecret("zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 {
		t.Errorf("secret %q: %d characters, want 32 (160 bits)", secret, len(secret))
	}
	en, err := enrolmentFor("zhangsan", secret)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(en.URL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/dangjian:zhangsan" || q.Get("issuer") != "dangjian" ||
		q.Get("secret") != secret || q.Get("period") != "30" || q.Get("digits") != "6" || q.Get("algorithm") != "SHA1" {
		t.Errorf("key URL = %s", en.URL())
	}
	if en.Account() != "zhangsan" {
		t.Errorf("account = %q", en.Account())
	}
	groups := strings.Fields(en.GroupedSecret())
	if len(groups) != 8 || strings.Join(groups, "") != secret {
		t.Errorf("grouped secret = %q", en.GroupedSecret())
	}
	for _, g := range groups {
		if len(g) != 4 {
			t.Errorf("group %q: want 4 characters", g)
		}
	}
	img, err := en.Image(240)
	if err != nil || img.Bounds().Dx() != 240 || img.Bounds().Dy() != 240 {
		t.Errorf("image = %v, %v", img.Bounds(), err)
	}
}
