package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
)

// websocket upgrades an agent (access token) or a visitor (visitor token)
// to a socket. Browsers pass the token as ?access_token=, other clients in
// the Authorization header. Agents may connect only from the dashboard's origin;
// visitors from Parley's origin (the widget frame) or an allowed domain.
func (a *API) websocket(c *gin.Context) {
	token := bearer(c)
	if token == "" {
		token = c.Query("access_token")
	}
	origin := c.GetHeader("Origin")
	if p, name, err := a.member(token); err == nil {
		if origin != "" && !a.dashboardOrigin(c.Request, origin) {
			fail(c, apperr.New(apperr.Forbidden, "the inbox socket is only for the Parley dashboard at %s; to serve it at %s, set PARLEY_PUBLIC_URL (or PARLEY_TRUSTED_PROXIES behind a proxy)", a.origin, origin))
			return
		}
		p.Name, p.IP = name, c.ClientIP()
		a.hub.Serve(c.Writer, c.Request, memberActor(p), p.SessionID)
		return
	}
	v, err := a.visitor(token)
	if err != nil {
		fail(c, apperr.New(apperr.Unauthenticated, "missing, invalid or expired credentials"))
		return
	}
	if err := a.widgetOpen(c, v.TenantID); err != nil {
		fail(c, err)
		return
	}
	v.IP = c.ClientIP()
	a.hub.Serve(c.Writer, c.Request, v, "")
}
