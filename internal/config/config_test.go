package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Load(func(k string) string { return env[k] })
}

// TestPrecedence: defaults, then the file, then the environment, then flags.
func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dangjian.json")
	os.WriteFile(file, []byte(`{"addr": "127.0.0.1:9000", "data": "from-file", "session_idle": "10m", "lockout_attempts": 3}`), 0o600)
	c, err := load(t, []string{"--config", file, "--data", "from-flag"}, map[string]string{"DANGJIAN_ADDR": "127.0.0.1:9100",
		"DANGJIAN_DATA": "from-env", "DANGJIAN_LOG_JSON": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.Data != "from-flag" || c.SessionIdle.Duration != 10*time.Minute ||
		c.LockoutAttempts != 3 || !c.LogJSON || c.SessionAbsolute.Duration != 12*time.Hour || c.TimeZone != "Asia/Shanghai" {
		t.Fatalf("config = %+v", c)
	}
	if c.KeyPath() != filepath.Join("from-flag", "master.key") {
		t.Fatalf("key path = %q", c.KeyPath())
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--db", "mysql://x"}, nil, "postgres://"},
		{[]string{"--time-zone", "Mars/Olympus"}, nil, "time zone"},
		{[]string{"--session-idle", "0s"}, nil, "positive"},
		{nil, map[string]string{"DANGJIAN_LOCKOUT_FOR": "soon"}, "lockout-for"},
	} {
		if _, err := load(t, tc.args, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err = %v, want %q", tc.args, tc.env, err, tc.want)
		}
	}
	file := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(file, []byte(`{"adress": "typo"}`), 0o600)
	if _, err := load(t, []string{"--config", file}, nil); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Errorf("unknown key in the file: err = %v", err)
	}
}

func TestDumpMasksPassword(t *testing.T) {
	c := Default()
	c.DB = "postgres://dangjian:s3cret@db.local:5432/dangjian"
	if d := c.Dump(); strings.Contains(d, "s3cret") || !strings.Contains(d, "dangjian:****@db.local") {
		t.Fatalf("dump = %s", d)
	}
}

// TestSMTP: the SMTP settings come from the environment, the port defaults by TLS mode, bad
// settings are refused, and the password never shows in a dump.
func TestSMTP(t *testing.T) {
	c, err := load(t, []string{"--smtp-tls", "tls"}, map[string]string{"DANGJIAN_SMTP_HOST": "smtp.example.org",
		"DANGJIAN_SMTP_USERNAME": "notice", "DANGJIAN_SMTP_PASSWORD": "mail-s3cret", "DANGJIAN_SMTP_FROM": "党建平台 <notice@example.org>",
		"DANGJIAN_REMIND_LEAD": "12h"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPHost != "smtp.example.org" || c.SMTPUsername != "notice" || c.SMTPPassword != "mail-s3cret" ||
		c.SMTPTLS != SMTPTLS || c.SMTPPortOrDefault() != 465 || c.RemindLead.Duration != 12*time.Hour ||
		c.RecordDueAfter.Duration != 24*time.Hour {
		t.Fatalf("config = %+v", c)
	}
	if d := c.Dump(); strings.Contains(d, "mail-s3cret") || !strings.Contains(d, `"smtp_password": "****"`) {
		t.Fatalf("dump = %s", d)
	}
	for mode, port := range map[string]int{SMTPStartTLS: 587, SMTPNoTLS: 25} {
		c.SMTPTLS = mode
		if got := c.SMTPPortOrDefault(); got != port {
			t.Errorf("%s: port %d, want %d", mode, got, port)
		}
	}
	if d := Default(); d.SMTPHost != "" || d.SMTPTLS != SMTPStartTLS || d.Validate() != nil {
		t.Fatalf("default: %+v, %v", d, d.Validate())
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DANGJIAN_SMTP_HOST": "smtp.example.org"}, "smtp-from"},
		{map[string]string{"DANGJIAN_SMTP_HOST": "smtp.example.org", "DANGJIAN_SMTP_FROM": "not an address"}, "smtp-from"},
		{map[string]string{"DANGJIAN_SMTP_TLS": "ssl"}, "smtp-tls"},
		{map[string]string{"DANGJIAN_SMTP_PORT": "http"}, "smtp-port"},
		{map[string]string{"DANGJIAN_SMTP_PORT": "70000"}, "smtp-port"},
		{map[string]string{"DANGJIAN_REMIND_LEAD": "0s"}, "reminder"},
	} {
		if _, err := load(t, nil, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.env, err, tc.want)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	c := Default()
	c.TrustedProxies = "127.0.0.1, 10.0.0.0/8 ,::1"
	got, err := c.Proxies()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].String() != "127.0.0.1/32" || got[1].String() != "10.0.0.0/8" || got[2].String() != "::1/128" {
		t.Errorf("Proxies() = %v", got)
	}
	c.TrustedProxies = "127.0.0.1,nginx"
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted a proxy that is not an address")
	}
}
