package httpapi

import (
	"net"
	"net/http"
	"net/netip"
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

// trustedNets parses PARLEY_TRUSTED_PROXIES (config validated each entry is
// an IP or a CIDR).
func trustedNets(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// fromTrustedProxy says whether the request's peer is a trusted proxy, whose
// X-Forwarded-* headers say how the browser reached Parley.
func (a *API) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range a.proxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// requestOrigin is the origin the browser used to reach this gateway: the
// request's own scheme and Host, or, behind a trusted proxy, what its
// X-Forwarded-Proto and X-Forwarded-Host say (a client's own X-Forwarded-*
// headers count for nothing).
func (a *API) requestOrigin(r *http.Request) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if a.fromTrustedProxy(r) {
		if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	return strings.ToLower(scheme + "://" + host)
}

// firstValue is the first entry of a comma-separated forwarded header (the
// one the outermost proxy set).
func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

// dashboardOrigin says whether a browser Origin is where the dashboard is
// served: Parley's public URL, or the address this request was sent to (the
// dashboard opened at http://127.0.0.1:8080 when the public URL says
// localhost). A cross-site page never matches: its Origin is its own site,
// not the Host it sends the request to.
func (a *API) dashboardOrigin(r *http.Request, origin string) bool {
	return strings.EqualFold(origin, a.origin) || strings.EqualFold(origin, a.requestOrigin(r))
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
	h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
}
