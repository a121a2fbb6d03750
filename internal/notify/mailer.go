package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends email. The SMTP implementation is the real one; tests use a fake, since
// nothing may leave the machine in a test.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTP TLS modes, as in the configuration.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must be offered
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: a relay on the same machine or network only
)

// SMTPConfig is where and how the SMTP mailer sends.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	From     string // sender, e.g. "党建平台 <notice@example.org>"
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	Timeout  time.Duration
}

// SMTP sends email through an SMTP server with github.com/wneessen/go-mail, one connection per
// message.
type SMTP struct {
	host string
	from *mail.Address
	opts []gomail.Option
	now  func() time.Time
}

// NewSMTP returns an SMTP mailer; now dates the messages.
func NewSMTP(cfg SMTPConfig, now func() time.Time) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("notify: smtp: no host")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp: from address: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case TLSStartTLS, "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithPort(orDefault(cfg.Port, gomail.DefaultPortTLS)))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(orDefault(cfg.Port, gomail.DefaultPortSSL)))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithPort(orDefault(cfg.Port, gomail.DefaultPort)))
	default:
		return nil, fmt.Errorf("notify: smtp: unknown TLS mode %q", cfg.TLS)
	}
	if cfg.Username != "" {
		// The strongest mechanism the server offers; go-mail refuses PLAIN and LOGIN without
		// encryption.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password))
	}
	// The options are checked once here, so that a bad setting shows at start-up rather than
	// at the first reminder.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("notify: smtp: %w", err)
	}
	return &SMTP{host: cfg.Host, from: from, opts: opts, now: now}, nil
}

func orDefault(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

// Send delivers one message.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("notify: smtp: send to %s: %w", s.host, err)
	}
	return nil
}

// build makes the MIME message: UTF-8 plain text, quoted-printable, marked as sent
// automatically (RFC 3834) so that auto-responders stay quiet.
func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, fmt.Errorf("notify: smtp: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("notify: smtp: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageID()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}
