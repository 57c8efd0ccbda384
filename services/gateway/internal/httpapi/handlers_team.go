package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/contracts"
)

type inviteBody struct {
	Email string         `json:"email"`
	Role  contracts.Role `json:"role"`
}

func (a *API) createInvite(c *gin.Context) {
	var b inviteBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityInviteCreate, contracts.InviteCreateRequest{Principal: principal(c), Email: b.Email, Role: b.Role}, http.StatusCreated)
}

func (a *API) listInvites(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityInviteList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) revokeInvite(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityInviteRevoke, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusNoContent)
}

type acceptBody struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
}

func (a *API) acceptInvite(c *gin.Context) {
	var b acceptBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respondTokens(a, c, contracts.IdentityInviteAccept, contracts.InviteAcceptRequest{
		Token: c.Param("token"), Name: b.Name, Password: b.Password, ClientIP: c.ClientIP(),
		Locale: localeOf(c, b.Locale),
	}, http.StatusOK, authRefresh)
}

func (a *API) listMembers(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityMemberList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

type memberBody struct {
	Role contracts.Role `json:"role"`
}

func (a *API) updateMember(c *gin.Context) {
	var b memberBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityMemberUpdate, contracts.MemberUpdateRequest{Principal: principal(c), ID: c.Param("id"), Role: b.Role}, http.StatusOK)
}

func (a *API) removeMember(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityMemberDelete, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusNoContent)
}

type tenantBody struct {
	Name *string `json:"name"`
}

func (a *API) getTenant(c *gin.Context) {
	respond(c, a.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) updateTenant(c *gin.Context) {
	var b tenantBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.TenantUpdate, contracts.TenantUpdateRequest{Principal: principal(c), Name: b.Name}, http.StatusOK)
}
