package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

type deleteTenantBody struct {
	ConfirmName string `json:"confirm_name"`
}

// deleteTenant closes the workspace for good (owner only, typing its name).
// Tenant marks it deleted and emits tenant.deleted, on which every service
// erases its data and every gateway refuses the tenant's tokens; this
// gateway does so at once, before it answers.
func (a *API) deleteTenant(c *gin.Context) {
	var b deleteTenantBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	p := principal(c)
	if _, err := natsx.Call(c, a.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: p, ConfirmName: b.ConfirmName}); err != nil {
		fail(c, err)
		return
	}
	a.revoked.DeleteTenant(p.TenantID, time.Now().UTC())
	c.Status(http.StatusNoContent)
}
