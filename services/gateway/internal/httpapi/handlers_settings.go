package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

type settingsBody struct {
	Widget         *contracts.WidgetSettings     `json:"widget"`
	AllowedDomains *[]string                     `json:"allowed_domains"`
	BusinessHours  *contracts.BusinessHours      `json:"business_hours"`
	OfflineMessage *string                       `json:"offline_message"`
	AgentOpenLimit *int                          `json:"agent_open_limit"`
	RetentionDays  *int                          `json:"retention_days"` // tenant checks 0 or MinRetentionDays–MaxRetentionDays
	Survey         *contracts.SurveySettings     `json:"survey"`
	Attachments    *contracts.AttachmentSettings `json:"attachments"`
}

func (a *API) getSettings(c *gin.Context) {
	respond(c, a.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) updateSettings(c *gin.Context) {
	var b settingsBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{
		Principal: principal(c), Widget: b.Widget, AllowedDomains: b.AllowedDomains, BusinessHours: b.BusinessHours,
		OfflineMessage: b.OfflineMessage, AgentOpenLimit: b.AgentOpenLimit, RetentionDays: b.RetentionDays, Survey: b.Survey,
		Attachments: b.Attachments,
	}, http.StatusOK)
}

func (a *API) revealSecret(c *gin.Context) {
	respond(c, a.nc, contracts.TenantSecretReveal, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

// rotateSecret replaces the identity secret. Every verified visitor's
// token is refused from then on (identity records it for all gateways, from
// tenant's event); here at once, and their sockets closed.
func (a *API) rotateSecret(c *gin.Context) {
	p := principal(c)
	out, err := natsx.Call(c, a.nc, contracts.TenantSecretRotate, contracts.PrincipalRequest{Principal: p})
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now().UTC()
	a.revoked.RevokeVisitor(p.TenantID, contracts.VisitorRevoked{VisitorID: contracts.AllVerifiedVisitors, RevokedAt: now, ExpiresAt: now.Add(auth.VisitorRenewTTL)})
	a.hub.Recheck()
	c.JSON(http.StatusOK, out)
}

type cannedBody struct {
	Shortcut *string `json:"shortcut"`
	Body     *string `json:"body"`
}

func (a *API) listCanned(c *gin.Context) {
	respond(c, a.nc, contracts.TenantCannedList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) createCanned(c *gin.Context) { a.writeCanned(c, "", http.StatusCreated) }

func (a *API) updateCanned(c *gin.Context) { a.writeCanned(c, c.Param("id"), http.StatusOK) }

func (a *API) writeCanned(c *gin.Context, id string, status int) {
	var b cannedBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: principal(c), ID: id, Shortcut: b.Shortcut, Body: b.Body}, status)
}

func (a *API) deleteCanned(c *gin.Context) {
	respond(c, a.nc, contracts.TenantCannedDelete, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusNoContent)
}
