package inbound

import (
	"strings"
	"testing"
)

// FuzzHTMLToText: any markup becomes text that is at most a few times its
// size (a line holds at most maxQuoteDepth quote marks), and no <script
// survives from the markup — script content is dropped, never shown.
// Entities ("&lt;script") and the elements whose content is literal text
// (xmp, textarea, plaintext) may spell "<script" as text; inputs without
// them must not.
func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>Thanks!</p><blockquote><p>On Monday you wrote:</p><p>hi</p></blockquote>")
	f.Add("<script>alert(1)</script><style>p{}</style><b>ok</b>")
	f.Add("<script/><script>alert(1)</script>")
	f.Add(strings.Repeat("<blockquote>", 100) + strings.Repeat("<p>x", 100))
	f.Fuzz(func(t *testing.T, src string) {
		out := htmlToText(src)
		if len(out) > 6*len(src)+16 {
			t.Fatalf("htmlToText of %d bytes gave %d bytes", len(src), len(out))
		}
		lower := strings.ToLower(src)
		if strings.Contains(strings.ToLower(out), "<script") &&
			!strings.Contains(lower, "&") && !strings.Contains(lower, "<xmp") && !strings.Contains(lower, "<textarea") && !strings.Contains(lower, "<plaintext") {
			t.Fatalf("htmlToText(%q) = %q keeps a script", src, out)
		}
	})
}

// FuzzParseMessage: no raw message makes parseMessage panic, an accepted
// one has a From address, and its text is bounded by the size of the
// message (a charset may triple a byte, markup to text adds quote marks).
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("From: Ana <ana@example.com>\r\nSubject: Re: hi\r\n\r\nThanks!\r\n"))
	f.Add([]byte("From: a@example.com\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>caf=E9</p><script>x</script>\r\n--b--\r\n"))
	f.Add([]byte("From: a@example.com\r\nSubject: =?utf-8?b?w6k=?=\r\nContent-Type: text/plain; format=flowed; delsp=yes\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\n"))
	f.Add([]byte("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := parseMessage(raw)
		if err != nil {
			return
		}
		if msg.From == "" {
			t.Fatalf("accepted a message without a From address: %q", raw)
		}
		if len(msg.Text) > 18*len(raw)+64 || len(msg.Subject) > 3*len(raw)+64 {
			t.Fatalf("a message of %d bytes gave %d bytes of text, %d of subject", len(raw), len(msg.Text), len(msg.Subject))
		}
	})
}

// Regressions found by FuzzHTMLToText: "<script/>" (which the tokenizer
// still reads as raw text up to "</script>") let script content through as
// text, and nested blockquotes made output quadratic in the input.
func TestHTMLToTextRegressions(t *testing.T) {
	for _, src := range []string{"<script/><script>alert(1)</script>ok", "<iframe><script>alert(1)</script></iframe>ok", "<style/>p{}</style>ok"} {
		if got := htmlToText(src); got != "ok" {
			t.Errorf("htmlToText(%q) = %q, want \"ok\"", src, got)
		}
	}
	src := strings.Repeat("<blockquote>", 100) + "<p>x"
	if got, want := htmlToText(src), strings.Repeat("> ", maxQuoteDepth)+"x"; got != want {
		t.Errorf("deep quote = %q, want %q", got, want)
	}
}
