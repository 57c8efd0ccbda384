package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Browsers keep the refresh token where scripts cannot read it: a request
// with "X-Parley-Refresh: cookie" gets it in an httpOnly, SameSite=Strict
// cookie scoped to /api/v1/auth instead of in the body, and a refresh or
// logout with that header uses the cookie. The custom header also means a
// cross-site form cannot trigger a refresh (it would need a CORS preflight,
// which these routes never grant).
const (
	refreshHeader = "X-Parley-Refresh"
	refreshCookie = "parley_refresh"
	cookiePath    = "/api/v1/auth"
	cookieMaxAge  = 30 * 24 * 3600
)

func cookieMode(c *gin.Context) bool { return strings.EqualFold(c.GetHeader(refreshHeader), "cookie") }

// The cookie is Secure when Parley is public over https, except for a page
// that the browser itself says is plain http (the dashboard opened at
// http://127.0.0.1:8080): a browser drops a Secure cookie set there, and the
// session would end at the first refresh.
func (a *API) setRefreshCookie(c *gin.Context, token string, maxAge int) {
	secure := strings.HasPrefix(a.cfg.PublicURL, "https://") && !strings.HasPrefix(strings.ToLower(c.GetHeader("Origin")), "http://")
	http.SetCookie(c.Writer, &http.Cookie{
		Name: refreshCookie, Value: token, Path: cookiePath, MaxAge: maxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode,
	})
}

// A browser that signed in keeps a device cookie (OWASP "device cookies"):
// httpOnly, sent only to the login route, renewed at every login. Identity
// gives a login from a known device its own failure allowance, so failures
// from elsewhere cannot lock the owner of an email out.
const (
	deviceCookie = "parley_device"
	devicePath   = "/api/v1/auth/login"
	deviceMaxAge = 365 * 24 * 3600
	newDeviceKey = "new_device_token" // the gin key of the cookie a successful login sets
)

func (a *API) setDeviceCookie(c *gin.Context, token string) {
	secure := strings.HasPrefix(a.cfg.PublicURL, "https://") && !strings.HasPrefix(strings.ToLower(c.GetHeader("Origin")), "http://")
	http.SetCookie(c.Writer, &http.Cookie{
		Name: deviceCookie, Value: token, Path: devicePath, MaxAge: deviceMaxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode,
	})
}

// respondTokens answers an endpoint that issues a token pair, moving the
// refresh token into the cookie in cookie mode.
func respondTokens[Req, Resp any](a *API, c *gin.Context, ep contracts.Endpoint[Req, Resp], req Req, status int, refresh func(Resp) string) {
	out, err := natsx.Call(c, a.nc, ep, req)
	if r, ok := any(out).(contracts.AuthResult); ok && err == nil && a.revoked.TenantDeleted(r.User.TenantID) {
		// Identity erases a deleted workspace's sessions when the event
		// reaches it; until then its tokens are not handed out here.
		err = apperr.New(apperr.Unauthenticated, "this workspace has been deleted")
	}
	if err != nil {
		if cookieMode(c) && apperr.Is(err, apperr.Unauthenticated) {
			a.setRefreshCookie(c, "", -1) // a dead refresh token is no use to keep
		}
		fail(c, err)
		return
	}
	if t := c.GetString(newDeviceKey); t != "" {
		a.setDeviceCookie(c, t)
	}
	if !cookieMode(c) {
		c.JSON(status, out)
		return
	}
	a.setRefreshCookie(c, refresh(out), cookieMaxAge)
	raw, _ := json.Marshal(out)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	delete(body, "refresh_token")
	c.JSON(status, body)
}
