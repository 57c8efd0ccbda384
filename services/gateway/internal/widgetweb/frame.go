package widgetweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/services/gateway/internal/asset"
)

// frameConfig is what the panel page carries as JSON: its key and the
// origins allowed to host it (the panel checks the host page's origin too).
type frameConfig struct {
	Key     string   `json:"key"`
	Allowed []string `json:"allowed"`
}

// frameCSP is the panel page's policy. Only scripts with this response's
// nonce run ('strict-dynamic'); browsers without it fall back to the hashed
// assets' directory. The page may be framed only by ancestors (the tenant's
// allowed origins, or any site when there are none).
func frameCSP(origin, host, nonce string, ancestors []string) string {
	connect := "'self'"
	if validHost.MatchString(host) {
		connect += " ws://" + host + " wss://" + host
	}
	frameAncestors := "*"
	if len(ancestors) > 0 {
		frameAncestors = strings.Join(ancestors, " ")
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'nonce-" + nonce + "' 'strict-dynamic' " + origin + "/widget/assets/",
		"style-src " + origin + "/widget/assets/",
		"img-src 'self' data: https:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"object-src 'none'",
		"frame-ancestors " + frameAncestors,
	}, "; ")
}

// ancestorSource keeps allowed-domain entries that are valid CSP host
// sources (the tenant service stores normalised origins such as
// https://shop.example.com or https://*.acme.io); anything else is dropped
// rather than allowed to break the policy.
func ancestorSources(allowed []string) []string {
	out := make([]string, 0, len(allowed))
	for _, a := range allowed {
		scheme, host, ok := strings.Cut(a, "://")
		if !ok || (scheme != "http" && scheme != "https") || !validHost.MatchString(strings.TrimPrefix(host, "*.")) {
			continue
		}
		out = append(out, scheme+"://"+host)
	}
	return out
}

// serveFrame serves /widget/<key>/frame, the panel's page.
func (s *server) serveFrame(c *gin.Context) {
	key := c.Param("file")
	if s.frame == nil || s.loader == nil {
		s.page(c, http.StatusServiceUnavailable, "The chat is not available yet.")
		return
	}
	if !validKey.MatchString(key) || s.origin == "" {
		s.page(c, http.StatusNotFound, "This chat is not available.")
		return
	}
	wt, err := s.deps.Resolve(c.Request.Context(), key)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !wt.Settings.Widget.Enabled) {
		s.page(c, http.StatusNotFound, "This chat is not available.")
		return
	}
	if err != nil {
		s.page(c, apperr.As(err).Code.HTTPStatus(), "The chat is not available right now. Please try again later.")
		return
	}
	ancestors := ancestorSources(withSelf(wt.Settings.AllowedDomains, s.origin))
	config, err := json.Marshal(frameConfig{Key: key, Allowed: ancestors})
	if err != nil {
		s.page(c, http.StatusInternalServerError, "The chat is not available right now.")
		return
	}
	nonce := newNonce()
	body := bytes.Replace(s.frame, []byte(frameMarker), append(append([]byte(`<script type="application/json" id="parley-config">`), config...), "</script>"...), 1)
	body = bytes.ReplaceAll(body, []byte(`<script type="module"`), []byte(`<script type="module" nonce="`+nonce+`"`))
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", frameCSP(s.origin, c.Request.Host, nonce, ancestors))
	h.Set("Referrer-Policy", "strict-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	asset.WriteGenerated(c, http.StatusOK, "text/html; charset=utf-8", "no-cache", body)
}

// page is a minimal HTML page for the frame's errors; it runs no script.
func (s *server) page(c *gin.Context, status int, text string) {
	c.Header("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'")
	body := []byte(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat unavailable</title><p>` + text + `</p></html>`)
	asset.WriteGenerated(c, status, "text/html; charset=utf-8", "no-store", body)
}
