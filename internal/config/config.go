// Package config holds dangjian's settings: defaults, an optional file, DANGJIAN_* environment
// variables and command-line flags, in that order of precedence (flags win).
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration of one dangjian process.
type Config struct {
	Addr     string `json:"addr"`      // listen address
	Data     string `json:"data"`      // data folder: SQLite database, key file, uploads
	DB       string `json:"db"`        // empty for SQLite in Data, or a postgres:// URL
	KeyFile  string `json:"key_file"`  // master key for personal numbers; default Data/master.key
	LogJSON  bool   `json:"log_json"`  // structured logs as JSON instead of text
	Migrate  bool   `json:"migrate"`   // apply pending migrations on serve
	BaseURL  string `json:"base_url"`  // public URL, for links in notices
	Secure   bool   `json:"secure"`    // cookies with the Secure flag and __Host- prefix (behind HTTPS)
	TimeZone string `json:"time_zone"` // display zone; default Asia/Shanghai
	// TrustedProxies are the addresses or networks (CIDR) of reverse proxies in front of
	// dangjian, comma-separated; a request from one of them is taken to come from the address
	// it names in X-Forwarded-For. Empty: the peer address is the client's.
	TrustedProxies string `json:"trusted_proxies"`

	SessionIdle     Duration `json:"session_idle"`     // idle timeout, default 30m
	SessionAbsolute Duration `json:"session_absolute"` // absolute timeout, default 12h
	LockoutAttempts int      `json:"lockout_attempts"` // failed logins before lockout, default 5
	LockoutFor      Duration `json:"lockout_for"`      // lockout duration, default 15m
	AdminTOTP       bool     `json:"admin_totp"`       // administrators must use a second factor

	// Mail for notices. Without SMTPHost notices are shown in the app only.
	SMTPHost     string `json:"smtp_host"`
	SMTPPort     int    `json:"smtp_port"`     // 0: 587 for starttls, 465 for tls, 25 for none
	SMTPUsername string `json:"smtp_username"` // empty: no authentication
	SMTPPassword string `json:"smtp_password"` // secret: masked by Dump
	SMTPFrom     string `json:"smtp_from"`     // sender address, e.g. 党建平台 <notice@example.org>
	SMTPTLS      string `json:"smtp_tls"`      // starttls (default), tls (implicit, port 465) or none

	// Reminders.
	RemindLead     Duration `json:"remind_lead"`      // notify invitees this long before an activity starts, default 24h
	RecordDueAfter Duration `json:"record_due_after"` // remind the recorder this long after an activity ended, default 24h
}

// SMTP TLS modes.
const (
	SMTPStartTLS = "starttls"
	SMTPTLS      = "tls"
	SMTPNoTLS    = "none"
)

// Duration is a time.Duration that reads from JSON strings such as "30m".
type Duration struct{ time.Duration }

// UnmarshalJSON reads "30m" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		d.Duration = v
		return err
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("config: duration: %w", err)
	}
	d.Duration = time.Duration(n * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Data:            "data",
		TimeZone:        "Asia/Shanghai",
		SessionIdle:     Duration{30 * time.Minute},
		SessionAbsolute: Duration{12 * time.Hour},
		LockoutAttempts: 5,
		LockoutFor:      Duration{15 * time.Minute},
		SMTPTLS:         SMTPStartTLS,
		RemindLead:      Duration{24 * time.Hour},
		RecordDueAfter:  Duration{24 * time.Hour},
	}
}

// Flags registers the common flags on fs. Call Load after fs.Parse.
type Flags struct {
	fs     *flag.FlagSet
	config *string
	values map[string]*string
	bools  map[string]*bool
}

var stringOptions = []struct{ name, usage string }{
	{"addr", "listen address (DANGJIAN_ADDR)"},
	{"data", "data folder for SQLite, the key file and uploads (DANGJIAN_DATA)"},
	{"db", "database: empty for SQLite in the data folder, or postgres://... (DANGJIAN_DB)"},
	{"key-file", "master key file for personal numbers (DANGJIAN_KEY_FILE)"},
	{"base-url", "public base URL (DANGJIAN_BASE_URL)"},
	{"time-zone", "display time zone (DANGJIAN_TIME_ZONE)"},
	{"trusted-proxies", "reverse proxies whose X-Forwarded-For is believed, e.g. 127.0.0.1,10.0.0.0/8 (DANGJIAN_TRUSTED_PROXIES)"},
	{"session-idle", "session idle timeout, e.g. 30m (DANGJIAN_SESSION_IDLE)"},
	{"session-absolute", "session absolute timeout, e.g. 12h (DANGJIAN_SESSION_ABSOLUTE)"},
	{"lockout-for", "lockout duration after failed logins (DANGJIAN_LOCKOUT_FOR)"},
	{"lockout-attempts", "failed logins before lockout (DANGJIAN_LOCKOUT_ATTEMPTS)"},
	{"smtp-host", "SMTP server for emailed notices; empty: notices in the app only (DANGJIAN_SMTP_HOST)"},
	{"smtp-port", "SMTP port; default by TLS mode: 587, 465 or 25 (DANGJIAN_SMTP_PORT)"},
	{"smtp-username", "SMTP user name (DANGJIAN_SMTP_USERNAME)"},
	{"smtp-password", "SMTP password; prefer the environment or the file (DANGJIAN_SMTP_PASSWORD)"},
	{"smtp-from", "sender address of notices (DANGJIAN_SMTP_FROM)"},
	{"smtp-tls", "SMTP TLS: starttls, tls or none (DANGJIAN_SMTP_TLS)"},
	{"remind-lead", "notify invitees this long before an activity starts, e.g. 24h (DANGJIAN_REMIND_LEAD)"},
	{"record-due-after", "remind the recorder this long after an activity ended (DANGJIAN_RECORD_DUE_AFTER)"},
}

var boolOptions = []struct{ name, usage string }{
	{"log-json", "write logs as JSON (DANGJIAN_LOG_JSON)"},
	{"secure", "serve behind HTTPS: Secure cookies (DANGJIAN_SECURE)"},
	{"admin-totp", "require a second factor for administrators (DANGJIAN_ADMIN_TOTP)"},
}

// RegisterFlags adds the common flags to fs.
func RegisterFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs, values: map[string]*string{}, bools: map[string]*bool{}}
	f.config = fs.String("config", "", "configuration file, JSON (DANGJIAN_CONFIG)")
	for _, o := range stringOptions {
		f.values[o.name] = fs.String(o.name, "", o.usage)
	}
	for _, o := range boolOptions {
		f.bools[o.name] = fs.Bool(o.name, false, o.usage)
	}
	return f
}

// Load builds the configuration: defaults, then the file, then the environment, then flags
// that were set on the command line. getenv is os.Getenv outside tests.
func (f *Flags) Load(getenv func(string) string) (Config, error) {
	c := Default()
	path := *f.config
	if path == "" {
		path = getenv("DANGJIAN_CONFIG")
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, o := range stringOptions {
		v := getenv(envName(o.name))
		if set[o.name] {
			v = *f.values[o.name]
		}
		if v == "" {
			continue
		}
		if err := c.setString(o.name, v); err != nil {
			return c, err
		}
	}
	for _, o := range boolOptions {
		v, ok := getenv(envName(o.name)), set[o.name]
		on := *f.bools[o.name]
		if !ok {
			if v == "" {
				continue
			}
			on = v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
		}
		switch o.name {
		case "log-json":
			c.LogJSON = on
		case "secure":
			c.Secure = on
		case "admin-totp":
			c.AdminTOTP = on
		}
	}
	return c, c.Validate()
}

func envName(flagName string) string {
	return "DANGJIAN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (c *Config) setString(name, v string) error {
	dur := func(d *Duration) error {
		x, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
		d.Duration = x
		return nil
	}
	switch name {
	case "addr":
		c.Addr = v
	case "data":
		c.Data = v
	case "db":
		c.DB = v
	case "key-file":
		c.KeyFile = v
	case "base-url":
		c.BaseURL = v
	case "time-zone":
		c.TimeZone = v
	case "trusted-proxies":
		c.TrustedProxies = v
	case "session-idle":
		return dur(&c.SessionIdle)
	case "session-absolute":
		return dur(&c.SessionAbsolute)
	case "lockout-for":
		return dur(&c.LockoutFor)
	case "lockout-attempts":
		if _, err := fmt.Sscan(v, &c.LockoutAttempts); err != nil {
			return fmt.Errorf("config: lockout-attempts: %w", err)
		}
	case "smtp-host":
		c.SMTPHost = v
	case "smtp-port":
		if _, err := fmt.Sscan(v, &c.SMTPPort); err != nil {
			return fmt.Errorf("config: smtp-port: %w", err)
		}
	case "smtp-username":
		c.SMTPUsername = v
	case "smtp-password":
		c.SMTPPassword = v
	case "smtp-from":
		c.SMTPFrom = v
	case "smtp-tls":
		c.SMTPTLS = v
	case "remind-lead":
		return dur(&c.RemindLead)
	case "record-due-after":
		return dur(&c.RecordDueAfter)
	}
	return nil
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("config: addr is empty"))
	}
	if c.DB == "" && c.Data == "" {
		errs = append(errs, errors.New("config: data folder is empty"))
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, errors.New("config: db must be a postgres:// URL (leave it empty for SQLite)"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("config: time zone: %w", err))
	}
	if c.SessionIdle.Duration <= 0 || c.SessionAbsolute.Duration <= 0 {
		errs = append(errs, errors.New("config: session timeouts must be positive"))
	}
	if c.LockoutAttempts < 1 || c.LockoutFor.Duration <= 0 {
		errs = append(errs, errors.New("config: lockout settings must be positive"))
	}
	if _, err := c.Proxies(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateMail()...)
	return errors.Join(errs...)
}

// Proxies parses TrustedProxies into networks; a single address is a network of one.
func (c *Config) Proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("config: trusted-proxies: %q is neither an address nor a network", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// KeyPath returns the master key file path.
func (c *Config) KeyPath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.Data, "master.key")
}

// validateMail checks the SMTP and reminder settings.
func (c *Config) validateMail() []error {
	var errs []error
	switch c.SMTPTLS {
	case SMTPStartTLS, SMTPTLS, SMTPNoTLS:
	default:
		errs = append(errs, fmt.Errorf("config: smtp-tls must be starttls, tls or none, not %q", c.SMTPTLS))
	}
	if c.SMTPPort < 0 || c.SMTPPort > 65535 {
		errs = append(errs, errors.New("config: smtp-port must be between 1 and 65535"))
	}
	if c.SMTPHost != "" {
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			errs = append(errs, fmt.Errorf("config: smtp-from must be an email address when smtp-host is set: %w", err))
		}
	}
	if c.RemindLead.Duration <= 0 || c.RecordDueAfter.Duration <= 0 {
		errs = append(errs, errors.New("config: reminder durations must be positive"))
	}
	return errs
}

// SMTPPortOrDefault returns the SMTP port, or the usual one of the TLS mode.
func (c *Config) SMTPPortOrDefault() int {
	switch {
	case c.SMTPPort != 0:
		return c.SMTPPort
	case c.SMTPTLS == SMTPTLS:
		return 465
	case c.SMTPTLS == SMTPNoTLS:
		return 25
	}
	return 587
}

// Dump returns the configuration as JSON with the database and SMTP passwords masked.
func (c Config) Dump() string {
	if i := strings.Index(c.DB, "@"); i > 0 {
		if j := strings.LastIndex(c.DB[:i], ":"); j > len("postgres://") {
			c.DB = c.DB[:j+1] + "****" + c.DB[i:]
		}
	}
	if c.SMTPPassword != "" {
		c.SMTPPassword = "****"
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return string(b)
}
