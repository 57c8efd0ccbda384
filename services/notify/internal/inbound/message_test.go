package inbound

import (
	"errors"
	"strings"
	"testing"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseMessage(t *testing.T) {
	cases := []struct {
		name                string
		raw                 string
		from, subject, text string
		messageID           string
	}{
		{
			name: "gmail multipart/alternative, quoted-printable utf-8",
			raw: `From: =?UTF-8?Q?Ren=C3=A9e_Dupont?= <Renee@Example.fr>
To: Acme <reply+tok@in.parley.test>
Subject: =?UTF-8?Q?Re:_Votre_commande_=C3=A0_livrer?=
Message-ID: <CAF=abc123@mail.gmail.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000b1"

--000000000000b1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Tr=C3=A8s bien, merci =E2=80=94 =C3=A0 jeudi.

Le mar. 1 d=C3=A9c. 2026 =C3=A0 10:04, Acme <reply+tok@in.parley.test> a =C3=
=A9crit :
> Votre commande part jeudi.

--000000000000b1
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">HTML version</div>

--000000000000b1--
`,
			from: "renee@example.fr", subject: "Re: Votre commande à livrer", messageID: "CAF=abc123@mail.gmail.com",
			text: "Très bien, merci — à jeudi.\n\nLe mar. 1 déc. 2026 à 10:04, Acme <reply+tok@in.parley.test> a écrit :\n> Votre commande part jeudi.\n",
		},
		{
			name: "base64 latin-1 single part",
			raw: "From: hans@example.de\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: base64\n\n" +
				"R3L832UgYXVzIE38bmNoZW4=\n",
			from: "hans@example.de", subject: "Grüße",
			text: "Grüße aus München",
		},
		{
			name: "8bit latin-1 without a charset",
			raw:  "From: a@example.com\nSubject: x\n\nCaf\xe9 ouvert\n",
			from: "a@example.com", subject: "x", text: "Café ouvert\n",
		},
		{
			name: "html only, Gmail quote as blockquote",
			raw: `From: a@example.com
Subject: Re: hi
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style></head><body><div dir="ltr">Yes &amp; thanks!<br>Bob</div><br><div class="gmail_quote"><div class="gmail_attr">On Tue, Dec 1, 2026 at 10:04 AM Acme wrote:<br></div><blockquote class="gmail_quote"><p>Is it fixed?</p></blockquote></div><script>alert(1)</script></body></html>
`,
			from: "a@example.com", subject: "Re: hi",
			text: "Yes & thanks!\nBob\n\nOn Tue, Dec 1, 2026 at 10:04 AM Acme wrote:\n\n> Is it fixed?",
		},
		{
			name: "mixed with an attachment, body in nested alternative",
			raw: `From: a@example.com
Subject: photo
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=utf-8

See the photo.
--inner--
--outer
Content-Type: text/plain; name=notes.txt
Content-Disposition: attachment; filename=notes.txt

not the body
--outer--
`,
			from: "a@example.com", subject: "photo", text: "See the photo.",
		},
		{
			name: "format=flowed",
			raw:  "From: a@example.com\nSubject: f\nContent-Type: text/plain; charset=utf-8; format=flowed\n\nThis is a long line that \nwas wrapped by the client.\n>From the start\n",
			from: "a@example.com", subject: "f", text: "This is a long line that was wrapped by the client.\n>From the start\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseMessage(crlf(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(m.Text, "\r\n", "\n")
			if m.From != tc.from || m.Subject != tc.subject || text != tc.text {
				t.Fatalf("got from %q subject %q text %q\nwant from %q subject %q text %q", m.From, m.Subject, text, tc.from, tc.subject, tc.text)
			}
			if tc.messageID != "" && m.MessageID != tc.messageID {
				t.Fatalf("MessageID %q, want %q", m.MessageID, tc.messageID)
			}
			if m.Automatic {
				t.Fatal("a person's reply taken for an automatic one")
			}
		})
	}
}

func TestParseMessageWithoutMessageIDIsStable(t *testing.T) {
	raw := crlf("From: a@example.com\nSubject: x\n\nhello\n")
	a, err := parseMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parseMessage(raw)
	c, _ := parseMessage(crlf("From: a@example.com\nSubject: x\n\nhello again\n"))
	if a.MessageID == "" || a.MessageID != b.MessageID || a.MessageID == c.MessageID {
		t.Fatalf("stand-in ids %q %q %q: want stable per content and distinct across", a.MessageID, b.MessageID, c.MessageID)
	}
}

func TestParseMessageMalformed(t *testing.T) {
	cases := map[string]string{
		"no header end":           "this is not an email",
		"no From":                 "Subject: x\n\nhello\n",
		"unparsable From":         "From: <<<\nSubject: x\n\nhello\n",
		"bad Content-Type":        "From: a@example.com\nContent-Type: text/\n\nhello\n",
		"multipart sans boundary": "From: a@example.com\nContent-Type: multipart/alternative\n\nhello\n",
		"broken multipart":        "From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nunterminated",
		"bad base64":              "From: a@example.com\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n",
		"unknown encoding":        "From: a@example.com\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644\n",
		"unknown charset":         "From: a@example.com\nContent-Type: text/plain; charset=x-klingon\n\nhello\n",
		"no text part":            "From: a@example.com\nContent-Type: image/png\n\nPNG\n",
		"nested too deeply": "From: a@example.com\nContent-Type: multipart/mixed; boundary=b0\n\n" +
			strings.Repeat("--b0\nContent-Type: multipart/mixed; boundary=b0\n\n", 10),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parseMessage(crlf(raw))
			var bad malformedError
			if !errors.As(err, &bad) {
				t.Fatalf("err = %v, want a malformedError", err)
			}
		})
	}
}

func TestAutomaticMessages(t *testing.T) {
	for name, header := range map[string]string{
		"RFC 3834 auto-reply": "Auto-Submitted: auto-replied",
		"vacation":            "X-Autoreply: yes",
		"bulk":                "Precedence: bulk",
		"delivery report":     "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
	} {
		t.Run(name, func(t *testing.T) {
			raw := "From: a@example.com\nSubject: Out of office\n" + header + "\n\n--r\nContent-Type: text/plain\n\nI am away.\n--r--\n"
			if !strings.Contains(header, "boundary") {
				raw = "From: a@example.com\nSubject: Out of office\n" + header + "\n\nI am away.\n"
			}
			m, err := parseMessage(crlf(raw))
			if err != nil {
				t.Fatal(err)
			}
			if !m.Automatic {
				t.Fatal("not recognised as automatic")
			}
		})
	}
	m, err := parseMessage(crlf("From: a@example.com\nAuto-Submitted: no\n\nhi\n"))
	if err != nil || m.Automatic {
		t.Fatalf("Auto-Submitted: no taken as automatic (%v)", err)
	}
}
