package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/contracts"
)

// originOf is the browser origin of Parley's public URL, where the widget
// frame and the dashboard live (config validated it is an http(s) URL).
func originOf(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// originAllowed checks a widget request's Origin against the tenant's
// allowed domains. Parley's own origin (the widget's iframe) is always
// allowed — the frame itself may only be embedded on allowed domains — and
// so is a request without Origin (not a browser). When the origin is
// allowed, CORS headers name it (never "*", never a reflected stranger).
func (a *API) originAllowed(c *gin.Context, s contracts.Settings) bool {
	origin := c.GetHeader("Origin")
	if origin == "" {
		return true
	}
	if strings.EqualFold(origin, a.origin) {
		return true
	}
	if !s.AllowsOrigin(origin) {
		return false
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id")
	return true
}

// widgetPreflight answers CORS preflights of the visitor API. A preflight
// carries no token, so it cannot know the tenant; it permits the request
// shape, and the real request is then checked against the tenant's list.
func widgetPreflight(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" {
		c.Status(http.StatusNoContent)
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
}
