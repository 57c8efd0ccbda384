package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// MaxWebhookBytes bounds a Stripe webhook body (Stripe's events are far smaller).
const MaxWebhookBytes = 64 << 10

// requireOwner lets only the tenant's owner through.
func requireOwner(c *gin.Context) {
	if principal(c).Role != contracts.RoleOwner {
		fail(c, apperr.New(apperr.Forbidden, "only the workspace owner can do this"))
		return
	}
	c.Next()
}

// billingOverview is billing's overview with the storage that the
// conversation service counts (billing knows only the limits).
func (a *API) billingOverview(c *gin.Context) {
	p := principal(c)
	out, err := natsx.Call(c, a.nc, contracts.BillingOverviewGet, contracts.PrincipalRequest{Principal: p})
	if err == nil {
		out.Storage, err = natsx.Call(c, a.nc, contracts.ConversationStorage, contracts.TenantIDRequest{TenantID: p.TenantID})
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) billingUsage(c *gin.Context) {
	limit, err := intQuery(c, "limit")
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.BillingUsage, contracts.UsageRequest{Principal: principal(c), Cursor: c.Query("cursor"), Limit: int(limit)}, http.StatusOK)
}

type checkoutBody struct {
	Plan string `json:"plan"`
}

func (a *API) billingCheckout(c *gin.Context) {
	var b checkoutBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: principal(c), Plan: b.Plan}, http.StatusOK)
}

func (a *API) billingPortal(c *gin.Context) {
	respond(c, a.nc, contracts.BillingPortal, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

// stripeWebhook reads the raw body (capped) before anything else and hands
// it, with its signature, to billing, which verifies and applies it. Nothing
// here parses the body: a re-serialised body would no longer verify.
func (a *API) stripeWebhook(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxWebhookBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(c, apperr.New(apperr.TooLarge, "the webhook body is larger than %d bytes", MaxWebhookBytes))
			return
		}
		fail(c, apperr.New(apperr.Invalid, "the webhook body could not be read"))
		return
	}
	respond(c, a.nc, contracts.BillingWebhook, contracts.StripeWebhook{Payload: body, Signature: c.GetHeader("Stripe-Signature")}, http.StatusOK)
}

// quotaExceeded tells the widget session whether the tenant's conversations
// for the month are used up. If the conversation service cannot say, the
// widget works as usual (Start still refuses beyond the quota).
func (a *API) quotaExceeded(c *gin.Context, tenantID string) bool {
	q, err := natsx.Call(c, a.nc, contracts.ConversationQuotaGet, contracts.TenantIDRequest{TenantID: tenantID})
	return err == nil && q.Exceeded
}
