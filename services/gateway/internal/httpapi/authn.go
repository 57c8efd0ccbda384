package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
)

const (
	principalKey = "principal"
	actorKey     = "actor"
)

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// member verifies an access token and applies revocations and role changes.
func (a *API) member(token string) (contracts.Principal, string, error) {
	var claims auth.AgentClaims
	if err := auth.Verify(token, auth.AudienceAPI, a.keys.Key, &claims); err != nil {
		return contracts.Principal{}, "", err
	}
	p, ok := a.revoked.Check(claims.Principal())
	if !ok {
		return p, "", apperr.New(apperr.Unauthenticated, "this session has ended; sign in again")
	}
	return p, claims.Name, nil
}

// requireMember authenticates an agent, admin or owner by access token. The
// principal carries the member's name and the client's IP (behind trusted
// proxies only, see PARLEY_TRUSTED_PROXIES) for the audit log.
func (a *API) requireMember(c *gin.Context) {
	p, name, err := a.member(bearer(c))
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="parley"`)
		fail(c, err)
		return
	}
	p.Name, p.IP = name, c.ClientIP()
	c.Set(principalKey, p)
	c.Set(actorKey, memberActor(p))
	c.Next()
}

// memberActor is a member as a conversation actor.
func memberActor(p contracts.Principal) contracts.Actor {
	return contracts.Actor{TenantID: p.TenantID, Type: contracts.AuthorAgent, ID: p.UserID, Role: p.Role, Name: p.Name, IP: p.IP}
}

// requireAdmin lets only owners and admins through.
func requireAdmin(c *gin.Context) {
	if !principal(c).Role.CanAdminister() {
		fail(c, apperr.New(apperr.Forbidden, "only owners and admins can do this"))
		return
	}
	c.Next()
}

func principal(c *gin.Context) contracts.Principal {
	p, _ := c.Get(principalKey)
	return p.(contracts.Principal)
}

// actor is the verified caller of a conversation route.
func actor(c *gin.Context) contracts.Actor {
	a, _ := c.Get(actorKey)
	return a.(contracts.Actor)
}

// visitor verifies a visitor token, and that it was not revoked.
func (a *API) visitor(token string) (contracts.Actor, error) {
	var claims auth.VisitorClaims
	if err := auth.Verify(token, auth.AudienceWidget, a.keys.Key, &claims); err != nil {
		return contracts.Actor{}, err
	}
	return a.unrevoked(claims)
}

// unrevoked is the actor of a visitor token's verified claims, unless the
// token was revoked.
func (a *API) unrevoked(claims auth.VisitorClaims) (contracts.Actor, error) {
	if claims.IssuedAt == nil || a.revoked.VisitorRevoked(claims.TenantID, claims.Subject, claims.IssuedAt.Time) {
		return contracts.Actor{}, apperr.New(apperr.Unauthenticated, "this visitor session has ended")
	}
	return claims.Actor(), nil
}

// widgetOpen checks that the tenant's widget is enabled and that the
// request comes from one of its allowed origins.
func (a *API) widgetOpen(c *gin.Context, tenantID string) error {
	settings, err := a.widgets.Settings(c, tenantID)
	if err != nil {
		return err
	}
	if !settings.Widget.Enabled {
		return apperr.NotFoundf("this chat widget is disabled")
	}
	if !a.originAllowed(c, settings) {
		return apperr.New(apperr.Forbidden, "this website is not allowed to use this chat widget")
	}
	return nil
}

// requireVisitor authenticates a visitor by visitor token and enforces the
// tenant's allowed origins.
func (a *API) requireVisitor(c *gin.Context) {
	v, err := a.visitor(bearer(c))
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="parley-widget"`)
		fail(c, err)
		return
	}
	if err := a.widgetOpen(c, v.TenantID); err != nil {
		fail(c, err)
		return
	}
	v.IP = c.ClientIP()
	c.Set(actorKey, v)
	c.Next()
}
