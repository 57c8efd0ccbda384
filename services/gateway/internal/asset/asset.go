// Package asset serves the built front ends' files from memory: compressed
// with gzip when the client accepts it and it pays, with a strong ETag so a
// revalidation costs a 304.
package asset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// File is one file in memory with its gzip form.
type File struct {
	Body  []byte
	gz    []byte // nil when compression does not pay
	ctype string
	etag  string
}

// New prepares a file named name (its extension gives the type).
func New(name string, body []byte) *File {
	ctype := contentType(name, body)
	sum := sha256.Sum256(body)
	f := &File{Body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	if compressible(ctype) && len(body) >= 256 {
		if gz := gzipBytes(body); len(gz) < len(body)*9/10 {
			f.gz = gz
		}
	}
	return f
}

// contentType is the Content-Type of a file name, sniffed from the body when
// the extension says nothing.
func contentType(name string, body []byte) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(body)
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json", "application/wasm"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// Write sends f with status 200 (or 304 when the client's copy is current),
// compressed when the client accepts it. Callers set their own security
// headers first.
func (f *File) Write(c *gin.Context, cacheControl string) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", f.etag)
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
	}
	if etagMatches(c.GetHeader("If-None-Match"), f.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := f.Body
	if f.gz != nil && acceptsGzip(c.Request) {
		body = f.gz
		h.Set("Content-Encoding", "gzip")
	}
	send(c, http.StatusOK, f.ctype, body)
}

// WriteGenerated sends a body made for this one request (no validator),
// compressed when the client accepts it and it is worth it.
func WriteGenerated(c *gin.Context, status int, ctype, cacheControl string, body []byte) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	if len(body) >= 256 && acceptsGzip(c.Request) {
		body = gzipBytes(body)
		h.Set("Content-Encoding", "gzip")
	}
	send(c, status, ctype, body)
}

// send writes a body that is already in its final encoding.
func send(c *gin.Context, status int, ctype string, body []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(status)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body)
	}
}

// gzipBytes compresses b at the best level.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// acceptsGzip reads Accept-Encoding: gzip (or *) unless given q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// etagMatches reads an If-None-Match header.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
