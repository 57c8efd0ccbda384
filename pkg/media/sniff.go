package media

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/pkg/contracts"
)

// SniffLen is how many leading bytes Sniff wants: enough for a tar header
// and for the first entries of an office document's zip.
const SniffLen = 4096

// Type is what a file is, from its content.
type Type struct {
	ContentType string // sniffed from the bytes, never the client's
	Kind        string // contracts.FileKind*
	// Inline: safe to show in a browser (images after re-encoding, PDF,
	// plain text); never HTML, SVG, XML or script.
	Inline bool
}

// Content types of the images this package re-encodes.
const (
	PNG  = "image/png"
	JPEG = "image/jpeg"
	GIF  = "image/gif"
	WebP = "image/webp"
)

const octetStream = "application/octet-stream"

type magic struct {
	offset int
	sig    string
	t      Type
	binary bool // a short signature that text could start with: match only a file with binary bytes
}

func img(ct string) Type              { return Type{ct, contracts.FileKindImage, true} }
func doc(ct string, inline bool) Type { return Type{ct, contracts.FileKindDocument, inline} }
func archive(ct string) Type          { return Type{ct, contracts.FileKindArchive, false} }
func av(ct string) Type               { return Type{ct, contracts.FileKindMedia, false} }
func other(ct string) Type            { return Type{ct, contracts.FileKindOther, false} }

// Signatures checked before net/http's, in order.
var magics = []magic{
	{0, "\x89PNG\r\n\x1a\n", img(PNG), false},
	{0, "\xff\xd8\xff", img(JPEG), false},
	{0, "GIF87a", img(GIF), false},
	{0, "GIF89a", img(GIF), false},
	{0, "%PDF-", doc("application/pdf", true), false},
	{0, "{\\rtf", doc("application/rtf", false), false},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", doc("application/vnd.ms-office", false), false}, // .doc, .xls, .ppt
	{0, "\x1f\x8b", archive("application/gzip"), false},
	{0, "7z\xbc\xaf\x27\x1c", archive("application/x-7z-compressed"), false},
	{0, "Rar!\x1a\x07", archive("application/vnd.rar"), false},
	{0, "BZh", archive("application/x-bzip2"), true},
	{0, "\xfd7zXZ\x00", archive("application/x-xz"), false},
	{0, "\x28\xb5\x2f\xfd", archive("application/zstd"), false},
	{257, "ustar", archive("application/x-tar"), false},
	{0, "fLaC", av("audio/flac"), false},
	{0, "ID3", av("audio/mpeg"), true},
	{0, "OggS", av("audio/ogg"), false},
	{0, "\x1a\x45\xdf\xa3", av("video/webm"), false},
	{0, "BM", other("image/bmp"), true},
	{0, "II*\x00", other("image/tiff"), false},
	{0, "MM\x00*", other("image/tiff"), false},
	{0, "MZ", other("application/x-msdownload"), true},
	{0, "\x7fELF", other("application/x-executable"), false},
	{0, "%!PS", other("application/postscript"), false}, // a program
}

// Sniff tells what head, a file's first SniffLen bytes (or all of a
// shorter file), is. Unknown bytes are kind other, octet-stream.
func Sniff(head []byte) Type {
	if len(head) == 0 {
		return other(octetStream)
	}
	for _, m := range magics {
		if len(head) >= m.offset+len(m.sig) && string(head[m.offset:m.offset+len(m.sig)]) == m.sig &&
			(!m.binary || hasBinary(head)) {
			return m.t
		}
	}
	if t, ok := sniffContainer(head); ok {
		return t
	}
	ct := http.DetectContentType(head)
	if ct == "image/bmp" {
		ct = "text/plain; charset=utf-8" // "BM" and nothing binary: text, such as "BMW …"
	}
	switch {
	case strings.HasPrefix(ct, "text/"):
		return sniffText(head, ct)
	case strings.HasPrefix(ct, "audio/"), strings.HasPrefix(ct, "video/"):
		return av(ct)
	case ct == "application/zip":
		return archive(ct)
	}
	return other(ct)
}

// sniffContainer recognises RIFF, ISO media (ftyp) and zip-based formats,
// and MPEG audio frames.
func sniffContainer(b []byte) (Type, bool) {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF":
		switch string(b[8:12]) {
		case "WEBP":
			return img(WebP), true
		case "WAVE":
			return av("audio/wav"), true
		case "AVI ":
			return av("video/x-msvideo"), true
		}
		return other(octetStream), true
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1":
			return other("image/heic"), true
		case "avif", "avis":
			return other("image/avif"), true
		case "qt  ":
			return av("video/quicktime"), true
		case "M4A ", "M4B ":
			return av("audio/mp4"), true
		case "3gp4", "3gp5", "3gp6", "3g2a":
			return av("video/3gpp"), true
		}
		return av("video/mp4"), true
	case len(b) >= 4 && string(b[:2]) == "PK" && (string(b[2:4]) == "\x03\x04" || string(b[2:4]) == "\x05\x06"):
		return sniffZip(b), true
	case len(b) >= 2 && b[0] == 0xff && (b[1] == 0xfb || b[1] == 0xf3 || b[1] == 0xf2):
		return av("audio/mpeg"), true // an MPEG audio frame without an ID3 tag
	}
	return Type{}, false
}

// sniffZip tells office documents (OOXML, OpenDocument, EPUB) from other
// zips by the entry names in the head.
func sniffZip(b []byte) Type {
	// OpenDocument and EPUB store an uncompressed "mimetype" entry first.
	if len(b) > 38 && string(b[30:38]) == "mimetype" {
		rest := b[38:]
		for _, mime := range []string{
			"application/vnd.oasis.opendocument.text",
			"application/vnd.oasis.opendocument.spreadsheet",
			"application/vnd.oasis.opendocument.presentation",
			"application/epub+zip",
		} {
			if bytes.HasPrefix(rest, []byte(mime)) {
				return doc(mime, false)
			}
		}
	}
	if bytes.Contains(b, []byte("[Content_Types].xml")) {
		switch {
		case bytes.Contains(b, []byte("word/")):
			return doc("application/vnd.openxmlformats-officedocument.wordprocessingml.document", false)
		case bytes.Contains(b, []byte("xl/")):
			return doc("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false)
		case bytes.Contains(b, []byte("ppt/")):
			return doc("application/vnd.openxmlformats-officedocument.presentationml.presentation", false)
		}
	}
	return archive("application/zip")
}

// Markup and script markers: a text file holding any of these is kind
// other, whatever else it holds. Lower case; compared case-insensitively.
var scriptMarkers = []string{
	"<script", "<html", "<svg", "<?xml", "<!doctype", "<iframe", "<object", "<embed",
	"<body", "<head", "<meta", "<link", "<style", "<img", "<form", "<base", "<?php", "<%",
	"javascript:", "vbscript:", "onload=", "onerror=", "document.cookie", "eval(",
	"xmlhttprequest", "fetch(", "window.location", "import(",
}

// Starts of JavaScript (and other program) files.
var scriptStarts = []string{
	"#!", "function ", "function(", "var ", "let ", "const ", "import ", "export ", "(function", "!function",
	"'use strict'", "\"use strict\"", "//", "/*", "window.", "document.", "require(", "module.exports", "define(",
}

// sniffText sorts text into plain text (a document, inline) and markup or
// script (other, download only).
func sniffText(b []byte, ct string) Type {
	if !strings.HasPrefix(ct, "text/plain") {
		if bytes.Contains(bytes.ToLower(b), []byte("<svg")) {
			return other("image/svg+xml")
		}
		return other(ct) // text/html, text/xml
	}
	if strings.Contains(ct, "utf-16") {
		// A byte search cannot see markup in UTF-16: downloaded, not shown.
		return doc(ct, false)
	}
	lower := bytes.ToLower(b)
	start := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n\f")
	if bytes.HasPrefix(start, []byte("<")) {
		if bytes.Contains(lower, []byte("<svg")) {
			return other("image/svg+xml")
		}
		return other("text/xml")
	}
	for _, s := range scriptStarts { // keywords are lower case: "Export" is prose
		if bytes.HasPrefix(start, []byte(s)) {
			return other("text/javascript")
		}
	}
	for _, m := range scriptMarkers {
		if bytes.Contains(lower, []byte(m)) {
			return other(ct)
		}
	}
	return doc(ct, true)
}

// hasBinary reports whether b holds a byte that text never does (as
// net/http's sniffer defines it).
func hasBinary(b []byte) bool {
	for _, c := range b {
		if c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1a) || (c >= 0x1c && c <= 0x1f) {
			return true
		}
	}
	return false
}
