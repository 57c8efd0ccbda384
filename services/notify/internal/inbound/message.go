package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// maxDepth bounds how deeply multiparts may nest; real mail stays below 5.
const maxDepth = 8

// malformedError says why a message cannot be read.
type malformedError struct{ reason string }

func (e malformedError) Error() string { return "malformed message: " + e.reason }

func malformed(format string, args ...any) error {
	return malformedError{fmt.Sprintf(format, args...)}
}

// message is what Parley reads of an email.
type message struct {
	From      string // the From header's address
	Subject   string
	MessageID string
	Text      string // the whole body as plain text, quotes included
	Automatic bool   // an auto-reply, a bounce or a list mail: never a visitor's answer
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// parseMessage reads a raw RFC 5322 message.
func parseMessage(raw []byte) (message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return message{}, malformed("%v", err)
	}
	var msg message
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	from, err := parser.Parse(m.Header.Get("From"))
	if err != nil {
		return message{}, malformed("no valid From header")
	}
	msg.From = strings.ToLower(from.Address)
	if msg.Subject, err = wordDecoder.DecodeHeader(m.Header.Get("Subject")); err != nil {
		msg.Subject = m.Header.Get("Subject")
	}
	msg.MessageID = strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")
	if msg.MessageID == "" {
		// A stable stand-in, so a retried delivery of the same bytes is
		// still recognised as the same email.
		sum := sha256.Sum256(raw)
		msg.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@inbound.parley"
	}
	msg.Automatic = automatic(m.Header)
	plain, html, err := readPart(textproto.MIMEHeader(m.Header), m.Body, 0)
	if err != nil {
		return message{}, err
	}
	if plain == nil && html == nil {
		return message{}, malformed("no text part")
	}
	if plain != nil {
		msg.Text = *plain
	} else {
		msg.Text = htmlToText(*html)
	}
	return msg, nil
}

// automatic reports whether a message was sent by a machine on its own:
// RFC 3834's Auto-Submitted, the older vacation headers, list and bulk
// precedence, and delivery reports.
func automatic(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "multipart/report"
}

// readPart returns the first inline text/plain and text/html bodies found
// depth first in a part (nil when absent), decoded to UTF-8.
func readPart(h textproto.MIMEHeader, body io.Reader, depth int) (plain, html *string, err error) {
	if depth > maxDepth {
		return nil, nil, malformed("multiparts nested too deeply")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, nil, malformed("bad Content-Type %q", ct)
	}
	if disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); disp == "attachment" {
		return nil, nil, nil
	}
	if strings.HasPrefix(mt, "multipart/") {
		if params["boundary"] == "" {
			return nil, nil, malformed("multipart without boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return plain, html, nil
			}
			if err != nil {
				return nil, nil, malformed("multipart: %v", err)
			}
			pp, ph, err := readPart(p.Header, p, depth+1)
			if err != nil {
				return nil, nil, err
			}
			if plain == nil {
				plain = pp
			}
			if html == nil {
				html = ph
			}
		}
	}
	if mt != "text/plain" && mt != "text/html" {
		return nil, nil, nil
	}
	text, err := decodeBody(h.Get("Content-Transfer-Encoding"), params["charset"], body)
	if err != nil {
		return nil, nil, err
	}
	if mt == "text/html" {
		return nil, &text, nil
	}
	if strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	return &text, nil, nil
}

// decodeBody undoes a part's transfer encoding and charset.
func decodeBody(cte, charset string, body io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	default:
		return "", malformed("unknown Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", malformed("body: %v", err)
	}
	return decodeCharset(charset, b)
}

// decodeCharset turns b into UTF-8. Without a declared charset, valid UTF-8
// is taken as is and anything else as Windows-1252 (which covers Latin-1).
func decodeCharset(charset string, b []byte) (string, error) {
	charset = strings.ToLower(strings.TrimSpace(charset))
	switch {
	case charset == "" || charset == "us-ascii":
		if utf8.Valid(b) {
			return string(b), nil
		}
		charset = "windows-1252"
	case charset == "utf-8" || charset == "utf8":
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return "", malformed("unsupported charset %q", charset)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", malformed("text not in its charset %q", charset)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

// charsetReader decodes encoded words of headers. Like decodeCharset it
// reads Latin-1 as Windows-1252, as mail clients and browsers do.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a
// line ending in a space continues on the next, except the "-- " line, and
// a leading space was added by the sender ("space-stuffing").
func unflow(text string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, line := range lines {
		line = strings.TrimPrefix(line, " ")
		soft := strings.HasSuffix(line, " ") && line != "-- " && i < len(lines)-1
		if soft && delsp {
			line = line[:len(line)-1]
		}
		b.WriteString(line)
		if !soft {
			b.WriteByte('\n')
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
