package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// widgetRevoke ends the caller's visitor token (Parley('reset')). An
// expired token that could still be renewed is revoked too. A token
// revoked already is refused like any revoked token (401); the widget
// forgets it either way. No origin check: ending one's own session is
// harmless from anywhere.
func (a *API) widgetRevoke(c *gin.Context) {
	tok := bearer(c)
	var claims auth.VisitorClaims
	err := auth.VerifyRenewal(tok, a.keys.Key, &claims, time.Now())
	var v contracts.Actor
	if err == nil {
		v, err = a.unrevoked(claims)
	}
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="parley-widget"`)
		fail(c, apperr.New(apperr.Unauthenticated, "missing, invalid, expired or revoked visitor token"))
		return
	}
	if _, err := natsx.Call(c, a.nc, contracts.IdentityVisitorRevoke, contracts.VisitorRevokeRequest{TenantID: v.TenantID, VisitorToken: tok}); err != nil {
		fail(c, err)
		return
	}
	// Refused here at once, and its sockets closed; other gateways learn it
	// from identity's event.
	now := time.Now().UTC()
	a.revoked.RevokeVisitor(v.TenantID, contracts.VisitorRevoked{VisitorID: v.ID, RevokedAt: now, ExpiresAt: now.Add(auth.VisitorRenewTTL)})
	a.hub.Recheck()
	c.Status(http.StatusNoContent)
}
