package mailer_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/mailer"
)

func TestComposeWritesThreadedAlternativeParts(t *testing.T) {
	from := mail.Address{Name: "Parley", Address: "no-reply@parley.test"}
	e := domain.Email{
		ID: "abc", Kind: domain.KindVisitorReply, To: "v@example.com", ToName: "Véra", FromName: "Boot Barn",
		Subject: "Réponse\r\nBcc: victim@example.com", Text: "hello\nthere", HTML: "<p>hello</p>",
		Thread: "conversation-1", ReplyTo: "reply+tok@parley.test", Unsubscribe: "http://parley.test/u?token=x",
	}
	raw, err := mailer.Compose(from, "parley.test", e, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" {
		t.Fatal("a header was injected through the subject")
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	if subject != "Réponse  Bcc: victim@example.com" {
		t.Errorf("subject = %q", subject)
	}
	for k, want := range map[string]string{
		"Message-ID": "<abc@parley.test>", "In-Reply-To": "<conversation-1@parley.test>", "References": "<conversation-1@parley.test>",
		"List-Unsubscribe": "<http://parley.test/u?token=x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := m.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if f, _ := mail.ParseAddress(m.Header.Get("From")); f.Name != "Boot Barn" || f.Address != "no-reply@parley.test" {
		t.Errorf("from = %+v", f)
	}
	if r, _ := mail.ParseAddress(m.Header.Get("Reply-To")); r.Address != "reply+tok@parley.test" {
		t.Errorf("reply-to = %+v", r)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content-type %q", m.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
		bodies = append(bodies, string(b))
	}
	if strings.Join(types, ",") != "text/plain,text/html" || bodies[0] != "hello\r\nthere" || bodies[1] != "<p>hello</p>" {
		t.Errorf("parts %v %q", types, bodies)
	}
}

func TestComposeRefusesABadRecipient(t *testing.T) {
	_, err := mailer.Compose(mail.Address{Address: "a@b.c"}, "b.c", domain.Email{ID: "x", To: "x@y.z\r\nBcc: q@r.s"}, time.Now())
	if err == nil {
		t.Fatal("a recipient with a line break was accepted")
	}
}
