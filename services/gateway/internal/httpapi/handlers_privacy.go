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

// A visitor's rights: everything Parley holds about them, and erasure. Both
// are open to owners and admins (for a request that reached the business)
// and to the visitor themself from the widget.

func (a *API) exportVisitor(c *gin.Context) {
	id := c.Param("id")
	if !ids.Valid(id) {
		fail(c, apperr.NotFoundf("visitor not found"))
		return
	}
	a.visitorExport(c, contracts.VisitorDataRequest{Actor: actor(c), VisitorID: id})
}

func (a *API) widgetExportVisitor(c *gin.Context) {
	v := actor(c)
	a.visitorExport(c, contracts.VisitorDataRequest{Actor: v, VisitorID: v.ID})
}

// visitorExport merges what conversation and notify hold. Both must answer:
// an export missing the emails would look complete and not be.
func (a *API) visitorExport(c *gin.Context, req contracts.VisitorDataRequest) {
	data, err := natsx.Call(c, a.nc, contracts.ConversationVisitorExport, req)
	if err != nil {
		fail(c, err)
		return
	}
	emails, err := natsx.Call(c, a.nc, contracts.NotifyVisitorExport, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="parley-visitor-`+req.VisitorID+`.json"`)
	c.JSON(http.StatusOK, contracts.VisitorExport{ExportedAt: time.Now().UTC(), VisitorData: data, Emails: emails})
}

func (a *API) eraseVisitor(c *gin.Context) {
	id := c.Param("id")
	if !ids.Valid(id) {
		fail(c, apperr.NotFoundf("visitor not found"))
		return
	}
	a.visitorErase(c, contracts.VisitorDataRequest{Actor: actor(c), VisitorID: id})
}

// widgetEraseVisitor erases the caller; the widget then forgets its token.
func (a *API) widgetEraseVisitor(c *gin.Context) {
	v := actor(c)
	a.visitorErase(c, contracts.VisitorDataRequest{Actor: v, VisitorID: v.ID})
}

// visitorErase first revokes every token of the visitor (identity tells
// every gateway), so nothing they hold can reach the data being erased or
// write more of it; only then does conversation delete it. A failed
// revocation stops here, with nothing erased, so a retry does it all.
func (a *API) visitorErase(c *gin.Context, req contracts.VisitorDataRequest) {
	tenantID := req.Actor.TenantID
	if _, err := natsx.Call(c, a.nc, contracts.IdentityVisitorRevokeAll, contracts.VisitorRevokeAllRequest{TenantID: tenantID, VisitorID: req.VisitorID}); err != nil {
		fail(c, err)
		return
	}
	// Refused here at once; other gateways learn it from identity's event.
	now := time.Now().UTC()
	a.revoked.RevokeVisitor(tenantID, contracts.VisitorRevoked{VisitorID: req.VisitorID, RevokedAt: now, ExpiresAt: now.Add(auth.VisitorRenewTTL)})
	a.hub.CloseVisitor(tenantID, req.VisitorID, "this visitor's data was erased")
	respond(c, a.nc, contracts.ConversationVisitorErase, req, http.StatusOK)
}
