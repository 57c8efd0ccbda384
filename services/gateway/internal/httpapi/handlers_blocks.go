package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
)

// blockVisitor keeps a visitor, and the networks they started
// conversations from, out of the inbox (the conversation service refuses
// their starts), then revokes their tokens as erasure does, so that their
// sockets close and their sends are refused at once.
func (a *API) blockVisitor(c *gin.Context) {
	id := c.Param("id")
	if !ids.Valid(id) {
		fail(c, apperr.NotFoundf("visitor not found"))
		return
	}
	tenantID := actor(c).TenantID
	out, err := natsx.Call(c, a.nc, contracts.ConversationVisitorBlock, contracts.VisitorDataRequest{Actor: actor(c), VisitorID: id})
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := natsx.Call(c, a.nc, contracts.IdentityVisitorRevokeAll, contracts.VisitorRevokeAllRequest{TenantID: tenantID, VisitorID: id}); err != nil {
		fail(c, err) // blocked, not yet revoked: blocking again revokes
		return
	}
	// Refused here at once; other gateways learn it from identity's event.
	now := time.Now().UTC()
	a.revoked.RevokeVisitor(tenantID, contracts.VisitorRevoked{VisitorID: id, RevokedAt: now, ExpiresAt: now.Add(auth.VisitorRenewTTL)})
	a.hub.CloseVisitor(tenantID, id, "the team blocked this visitor")
	c.JSON(http.StatusOK, out)
}

func (a *API) unblockVisitor(c *gin.Context) {
	id := c.Param("id")
	if !ids.Valid(id) {
		fail(c, apperr.NotFoundf("visitor not found"))
		return
	}
	respond(c, a.nc, contracts.ConversationVisitorUnblock, contracts.VisitorDataRequest{Actor: actor(c), VisitorID: id}, http.StatusNoContent)
}

func (a *API) blockedVisitors(c *gin.Context) {
	respond(c, a.nc, contracts.ConversationBlockedVisitors, contracts.ConversationRequest{Actor: actor(c)}, http.StatusOK)
}
