package mailer

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/parley-chat/parley/services/notify/internal/domain"
)

// MessageID is the Message-ID of an email: stable, from its id.
func MessageID(e domain.Email, host string) string { return "<" + e.ID + "@" + host + ">" }

// ThreadID is the message id every email of one conversation refers to.
func ThreadID(thread, host string) string { return "<" + thread + "@" + host + ">" }

// Compose writes the whole message. Every header value passes through
// clean or MIME word encoding, so no field can inject another header.
func Compose(from mail.Address, host string, e domain.Email, now time.Time) ([]byte, error) {
	if _, err := mail.ParseAddress(e.To); err != nil {
		return nil, fmt.Errorf("bad recipient %q: %w", e.To, err)
	}
	if e.FromName != "" {
		from.Name = e.FromName
	}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + clean(v) + "\r\n") }
	h("From", from.String())
	h("To", (&mail.Address{Name: clean(e.ToName), Address: e.To}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", clean(e.Subject)))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", MessageID(e, host))
	if e.Thread != "" {
		t := ThreadID(e.Thread, host)
		h("In-Reply-To", t)
		h("References", t)
	}
	if e.ReplyTo != "" {
		h("Reply-To", (&mail.Address{Name: clean(e.FromName), Address: e.ReplyTo}).String())
	}
	if e.Unsubscribe != "" {
		h("List-Unsubscribe", "<"+e.Unsubscribe+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h("Auto-Submitted", "auto-generated")
	h("X-Parley-Kind", string(e.Kind))
	h("MIME-Version", "1.0")
	mw := multipart.NewWriter(&b)
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// clean drops line breaks, which would end a header early.
func clean(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
