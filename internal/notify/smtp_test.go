package notify

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// TestSMTPMessage: the message the SMTP mailer would send is UTF-8 plain text with the
// Chinese subject encoded for mail headers, dated by the clock and marked as automatic. No
// connection is made.
func TestSMTPMessage(t *testing.T) {
	now := time.Date(2023, 7, 11, 7, 0, 0, 0, time.UTC)
	m, err := NewSMTP(SMTPConfig{Host: "smtp.example.org", From: "党建平台 <notice@example.org>", Username: "notice",
		Password: "pw"}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	msg, err := m.build(Message{To: "sec@example.org", Subject: "活动提醒：七月支部党员大会", Body: "活动：七月支部党员大会\n时间：2023-07-12 14:00–16:00\n"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != "活动提醒：七月支部党员大会" {
		t.Errorf("subject %q, %v", subject, err)
	}
	from, err := parsed.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "党建平台" || from[0].Address != "notice@example.org" {
		t.Errorf("from %v, %v", from, err)
	}
	if to := parsed.Header.Get("To"); !strings.Contains(to, "sec@example.org") {
		t.Errorf("to %q", to)
	}
	if d, err := parsed.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("date %v, %v", d, err)
	}
	if got := parsed.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if ct := parsed.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("content type %q", ct)
	}
	for _, bad := range []SMTPConfig{
		{From: "notice@example.org"},
		{Host: "smtp.example.org", From: "not an address"},
		{Host: "smtp.example.org", From: "notice@example.org", TLS: "ssl"},
		{Host: "smtp.example.org", From: "notice@example.org", Port: 70000},
	} {
		if _, err := NewSMTP(bad, nil); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
