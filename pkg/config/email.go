package config

import (
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Email is the configuration of the notify service. Outbound email is off
// (nothing is sent or recorded as sent; the status endpoint says so) when
// SMTPURL is empty; the inbound listener is off when InboundSMTPAddr is empty.
type Email struct {
	// SMTPURL is the outbound mail server (PARLEY_SMTP_URL):
	// smtp://user:pass@host:587 (STARTTLS when the server offers it),
	// smtps://user:pass@host:465 (implicit TLS).
	SMTPURL string
	// From is the sender of every email (PARLEY_EMAIL_FROM, default
	// "Parley <no-reply@HOST>" with the public URL's host).
	From string
	// InboundSMTPAddr is where Parley receives replies by email
	// (PARLEY_INBOUND_SMTP_ADDR, host:port, default off).
	InboundSMTPAddr string
	// InboundDomain is the domain of reply addresses, reply+<token>@domain
	// (PARLEY_INBOUND_DOMAIN, default the public URL's host).
	InboundDomain string
	// VisitorDelay is how long an answer may stay unread by its visitor
	// before it is emailed (PARLEY_NOTIFY_VISITOR_DELAY, default 1m).
	VisitorDelay time.Duration
	// DigestInterval is the least time between two emails to one agent
	// about waiting conversations (PARLEY_NOTIFY_DIGEST_INTERVAL, default 5m).
	DigestInterval time.Duration
}

// Enabled reports whether outbound email is configured.
func (e Email) Enabled() bool { return e.SMTPURL != "" }

func loadEmail(r *reader, publicURL string) Email {
	host := "localhost"
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	e := Email{
		SMTPURL:         r.str("PARLEY_SMTP_URL", ""),
		From:            r.str("PARLEY_EMAIL_FROM", "Parley <no-reply@"+host+">"),
		InboundSMTPAddr: r.str("PARLEY_INBOUND_SMTP_ADDR", ""),
		InboundDomain:   strings.ToLower(r.str("PARLEY_INBOUND_DOMAIN", host)),
		VisitorDelay:    r.duration("PARLEY_NOTIFY_VISITOR_DELAY", time.Minute),
		DigestInterval:  r.duration("PARLEY_NOTIFY_DIGEST_INTERVAL", 5*time.Minute),
	}
	if e.SMTPURL != "" {
		u, err := url.Parse(e.SMTPURL)
		switch {
		case err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps"):
			r.fail("PARLEY_SMTP_URL", "must be smtp://[user:pass@]host[:port] or smtps://…")
		case u.Hostname() == "":
			r.fail("PARLEY_SMTP_URL", "has no host")
		}
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		r.fail("PARLEY_EMAIL_FROM", "must be an address such as \"Parley <no-reply@example.com>\", got %q", e.From)
	}
	if e.InboundSMTPAddr != "" {
		if _, _, err := net.SplitHostPort(e.InboundSMTPAddr); err != nil {
			r.fail("PARLEY_INBOUND_SMTP_ADDR", "must be host:port or :port, got %q", e.InboundSMTPAddr)
		}
	}
	if e.InboundDomain == "" || strings.ContainsAny(e.InboundDomain, "@/ :") {
		r.fail("PARLEY_INBOUND_DOMAIN", "must be a domain name, got %q", e.InboundDomain)
	}
	if e.VisitorDelay <= 0 {
		r.fail("PARLEY_NOTIFY_VISITOR_DELAY", "must be positive")
	}
	if e.DigestInterval <= 0 {
		r.fail("PARLEY_NOTIFY_DIGEST_INTERVAL", "must be positive")
	}
	return e
}
