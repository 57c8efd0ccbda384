package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Account flows that go by email: invite lookup, password reset, email
// change, and the member's notification settings (answered by notify; when
// notify does not answer, these are 503 problems like any other dependency).

// accepted calls ep and answers 202 with no body: an email is on its way.
func accepted[Req any](c *gin.Context, nc *nats.Conn, ep contracts.Endpoint[Req, contracts.Empty], req Req) {
	if _, err := natsx.Call(c, nc, ep, req); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusAccepted)
}

func (a *API) lookupInvite(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityInviteLookup, contracts.InviteLookupRequest{Token: c.Query("token")}, http.StatusOK)
}

type forgotBody struct {
	Email string `json:"email"`
}

func (a *API) forgotPassword(c *gin.Context) {
	var b forgotBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	accepted(c, a.nc, contracts.IdentityPasswordForgot, contracts.PasswordForgotRequest{Email: b.Email, ClientIP: c.ClientIP()})
}

type resetBody struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (a *API) resetPassword(c *gin.Context) {
	var b resetBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityPasswordReset, contracts.PasswordResetRequest{Token: b.Token, Password: b.Password}, http.StatusNoContent)
}

type emailChangeBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (a *API) changeEmail(c *gin.Context) {
	var b emailChangeBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	accepted(c, a.nc, contracts.IdentityEmailChange, contracts.EmailChangeRequest{Principal: principal(c), Email: b.Email, Password: b.Password})
}

type emailConfirmBody struct {
	Token string `json:"token"`
}

func (a *API) confirmEmail(c *gin.Context) {
	var b emailConfirmBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityEmailConfirm, contracts.EmailConfirmRequest{Token: b.Token}, http.StatusOK)
}

func (a *API) emailStatus(c *gin.Context) {
	respond(c, a.nc, contracts.NotifyStatusGet, contracts.Empty{}, http.StatusOK)
}

func (a *API) getNotifications(c *gin.Context) {
	respond(c, a.nc, contracts.NotifyPreferencesGet, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

type notificationsBody struct {
	EmailNewConversations *bool `json:"email_new_conversations"`
}

func (a *API) putNotifications(c *gin.Context) {
	var b notificationsBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.EmailNewConversations == nil {
		fail(c, apperr.InvalidField("email_new_conversations", "email_new_conversations is required"))
		return
	}
	respond(c, a.nc, contracts.NotifyPreferencesUpdate, contracts.NotifyPreferencesUpdateRequest{
		Principal: principal(c), Preferences: contracts.NotifyPreferences{EmailNewConversations: *b.EmailNewConversations},
	}, http.StatusOK)
}
