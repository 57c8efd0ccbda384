// Package mailer writes an email as an RFC 5322 message (multipart/
// alternative text and HTML, threading and List-Unsubscribe headers) and
// hands it to an SMTP server: smtp:// upgrades with STARTTLS whenever the
// server offers it, smtps:// speaks TLS from the first byte.
//
// A failure is either temporary (the server is down, 4xx) and worth a retry,
// or a Rejection (5xx): the server will never take this message.
package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley/services/notify/internal/domain"
)

// timeout bounds one whole SMTP conversation.
const timeout = 30 * time.Second

// Mailer sends email through one SMTP server.
type Mailer struct {
	host, port string
	implicit   bool
	user, pass string
	from       mail.Address
	roots      *x509.CertPool // nil: the system's certificate authorities
}

// Option changes how a Mailer connects.
type Option func(*Mailer)

// WithRootCAs trusts these certificate authorities instead of the system's
// (a private CA, or a test's own certificate).
func WithRootCAs(pool *x509.CertPool) Option { return func(m *Mailer) { m.roots = pool } }

// New parses the server URL (PARLEY_SMTP_URL) and the sender (PARLEY_EMAIL_FROM).
func New(smtpURL, from string, opts ...Option) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("mailer: bad SMTP URL")
	}
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer: bad sender %q: %w", from, err)
	}
	m := &Mailer{host: u.Hostname(), port: u.Port(), implicit: u.Scheme == "smtps", from: *f}
	if m.port == "" {
		m.port = map[bool]string{true: "465", false: "587"}[m.implicit]
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

// tlsConfig checks the server's certificate against its host name.
func (m *Mailer) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12, RootCAs: m.roots}
}

// Domain is the sender's domain, used in Message-IDs.
func (m *Mailer) Domain() string {
	_, d, _ := strings.Cut(m.from.Address, "@")
	return d
}

// Rejection is a permanent refusal by the SMTP server (a 5xx reply).
type Rejection struct{ Err error }

func (r *Rejection) Error() string { return "rejected by the SMTP server: " + r.Err.Error() }
func (r *Rejection) Unwrap() error { return r.Err }

// IsRejection reports whether err is permanent.
func IsRejection(err error) bool {
	var r *Rejection
	return errors.As(err, &r)
}

// Send delivers one email; it returns only once the server accepted it.
func (m *Mailer) Send(ctx context.Context, e domain.Email) error {
	msg, err := Compose(m.from, m.Domain(), e, time.Now())
	if err != nil {
		return &Rejection{Err: err}
	}
	err = m.send(ctx, e.To, msg)
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &Rejection{Err: err}
	}
	return err
}

func (m *Mailer) send(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(m.host, m.port)
	var conn net.Conn
	var err error
	if m.implicit {
		d := tls.Dialer{Config: m.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(helloName(m.Domain())); err != nil {
		return err
	}
	if !m.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tlsConfig()); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if m.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("the SMTP server offers no AUTH, but PARLEY_SMTP_URL has a user")
		}
		if err := c.Auth(smtp.PlainAuth("", m.user, m.pass, m.host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func helloName(domain string) string {
	if domain == "" {
		return "localhost"
	}
	return domain
}

// MessageID is the Message-ID header this mailer gives an email.
func (m *Mailer) MessageID(e domain.Email) string { return MessageID(e, m.Domain()) }
