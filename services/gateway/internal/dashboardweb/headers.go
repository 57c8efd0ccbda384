package dashboardweb

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// policy is the dashboard's Content-Security-Policy. script is the
// script-src source list; host, when valid, adds the same-origin WebSocket
// URLs to connect-src (CSP3 browsers already let 'self' match them; older
// ones need them spelled out).
func policy(script, host string) string {
	connect := "'self'"
	if validHost.MatchString(host) {
		connect += " ws://" + host + " wss://" + host
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + script,
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src " + connect,
		"frame-src 'self'",
		"media-src 'self' data:",
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// validHost is a host[:port] with nothing that could break out of a CSP
// source expression (the Host header is client input).
var validHost = regexp.MustCompile(`^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

// staticCSP is sent with assets and other non-document responses.
var staticCSP = policy("'self'", "")

// documentCSP is sent with HTML documents: only scripts carrying this
// response's nonce run, and those may load others ('strict-dynamic'), so an
// injected <script> — even one pointing at this origin — does not run.
// 'self' is the fallback for browsers without 'strict-dynamic'.
func documentCSP(host, nonce string) string {
	return policy("'self' 'nonce-"+nonce+"' 'strict-dynamic'", host)
}

// setSecurityHeaders sets the headers every dashboard response carries.
func setSecurityHeaders(c *gin.Context, csp string) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// withNonce adds the nonce to the document's script and module-preload tags
// (Vite writes both; module preloads are fetched under script-src).
func withNonce(html []byte, nonce string) []byte {
	attr := []byte(` nonce="` + nonce + `"`)
	out := bytes.ReplaceAll(html, []byte("<script"), append([]byte("<script"), attr...))
	return bytes.ReplaceAll(out, []byte(`<link rel="modulepreload"`), append([]byte(`<link rel="modulepreload"`), attr...))
}
