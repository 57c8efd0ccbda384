package app

import (
	"context"
	"errors"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/billing/internal/domain"
	"github.com/parley-chat/parley/services/billing/internal/store"
	"github.com/parley-chat/parley/services/billing/internal/stripeapi"
)

// Checkout returns where the owner subscribes to a paid plan: a Checkout
// Session for the team's seats when the tenant has no subscription, or the
// Billing Portal's confirmation of the plan change when it has one (a second
// Checkout would start a second subscription).
func (a *App) Checkout(ctx context.Context, r contracts.CheckoutRequest) (contracts.RedirectURL, error) {
	var out contracts.RedirectURL
	if err := a.requireBilling(); err != nil {
		return out, err
	}
	if err := requireOwner(r.Principal); err != nil {
		return out, err
	}
	plan, ok := a.catalog.Plan(r.Plan)
	if !ok || !a.catalog.IsPaid(plan.ID) {
		return out, apperr.InvalidField("plan", "plan must be one of the paid plans")
	}
	tenantID := r.Principal.TenantID
	customerID, err := a.customer(ctx, tenantID)
	if err != nil {
		return out, err
	}
	seats, err := a.dir.Seats(ctx, tenantID)
	if err != nil {
		return out, err
	}
	var acc domain.Account
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { acc, err = tx.Account(); return err }); err != nil {
		return out, err
	}
	key := idempotencyKey(ctx, tenantID)
	if acc.Live() {
		if acc.SubscribedPlan == plan.ID {
			return out, apperr.New(apperr.Conflict, "you are already on the %s plan", plan.Name)
		}
		out.URL, err = a.pay.CreatePortal(ctx, stripeapi.Portal{
			CustomerID: customerID, ReturnURL: a.cfg.PublicURL + "/billing",
			Subscription: acc.SubscriptionID, ItemID: acc.SubscriptionItemID, Price: plan.StripePrice,
			Quantity: max(acc.Quantity, seats.Members), IdempotencyKey: key + "-portal-" + plan.ID,
		})
	} else {
		trial := plan.Trial()
		if acc.TrialUsed {
			trial = 0
		}
		out.URL, err = a.pay.CreateCheckout(ctx, stripeapi.Checkout{
			TenantID: tenantID, CustomerID: customerID, Plan: plan.ID, Price: plan.StripePrice,
			Quantity: max(seats.Members, 1), TrialDays: trial,
			SuccessURL: a.cfg.PublicURL + "/billing?checkout=success", CancelURL: a.cfg.PublicURL + "/billing?checkout=canceled",
			IdempotencyKey: key + "-checkout-" + plan.ID,
		})
	}
	if err != nil {
		a.log.Warn("stripe session", "tenant_id", tenantID, "err", err)
		return out, apperr.New(apperr.Unavailable, "Stripe could not be reached; try again in a moment")
	}
	// Recorded once the session exists; the change itself arrives by webhook.
	flow := "checkout"
	if acc.Live() {
		flow = "portal"
	}
	return out, a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		return audit(tx, r.Principal.AuditActor(), contracts.AuditBillingCheckout, "plan", plan.ID,
			planState{Plan: acc.Plan, Status: acc.Status}, map[string]string{"plan": plan.ID, "flow": flow})
	})
}

// Portal returns a Billing Portal URL where the owner manages payment
// methods, invoices and cancellation.
func (a *App) Portal(ctx context.Context, r contracts.PrincipalRequest) (contracts.RedirectURL, error) {
	var out contracts.RedirectURL
	if err := a.requireBilling(); err != nil {
		return out, err
	}
	if err := requireOwner(r.Principal); err != nil {
		return out, err
	}
	customerID, err := a.customer(ctx, r.Principal.TenantID)
	if err != nil {
		return out, err
	}
	out.URL, err = a.pay.CreatePortal(ctx, stripeapi.Portal{CustomerID: customerID, ReturnURL: a.cfg.PublicURL + "/billing",
		IdempotencyKey: idempotencyKey(ctx, r.Principal.TenantID) + "-portal"})
	if err != nil {
		a.log.Warn("stripe portal session", "tenant_id", r.Principal.TenantID, "err", err)
		return out, apperr.New(apperr.Unavailable, "Stripe could not be reached; try again in a moment")
	}
	return out, nil
}

// Webhook results.
const (
	ResultProcessed = "processed"
	ResultDuplicate = "duplicate"
	ResultIgnored   = "ignored"
)

// Webhook verifies and applies one Stripe delivery. The event id is
// recorded in the same transaction as the change it makes, so a
// redelivery — even one racing the first — is applied once; an event older
// than the last applied one changes nothing. A bad signature or API version
// is refused (400) before anything is written.
func (a *App) Webhook(ctx context.Context, r contracts.StripeWebhook) (contracts.WebhookResult, error) {
	if err := a.requireBilling(); err != nil {
		return contracts.WebhookResult{}, err
	}
	ev, err := a.pay.ParseWebhook(r.Payload, r.Signature)
	switch {
	case errors.Is(err, stripeapi.ErrAPIVersion):
		a.log.Error("stripe webhook refused: the endpoint's API version must be "+stripeapi.APIVersion, "err", err)
		return contracts.WebhookResult{}, apperr.New(apperr.Invalid, "the event's api_version is not %s: set the webhook endpoint's API version to %s", stripeapi.APIVersion, stripeapi.APIVersion)
	case errors.Is(err, stripeapi.ErrSignature):
		a.log.Warn("stripe webhook refused", "err", err)
		return contracts.WebhookResult{}, apperr.New(apperr.Invalid, "the Stripe signature does not verify")
	case err != nil:
		a.log.Warn("stripe webhook undecodable", "err", err)
		return contracts.WebhookResult{}, apperr.New(apperr.Invalid, "the event could not be decoded")
	}
	if !domain.Handled(ev.Type) {
		return contracts.WebhookResult{Result: ResultIgnored}, nil
	}
	var tenantID string
	if ev.CustomerID != "" {
		if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { tenantID, err = tx.TenantOfCustomer(ev.CustomerID); return err }); err != nil {
			return contracts.WebhookResult{}, err
		}
	}
	if tenantID == "" {
		a.log.Info("stripe event for a customer that is not ours", "event", ev.ID, "type", ev.Type)
		return contracts.WebhookResult{Result: ResultIgnored}, nil
	}
	result := ResultProcessed
	err = a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		first, err := tx.FirstStripeEvent(ev.ID, ev.Type, ev.Created, "", a.clock())
		if err != nil {
			return err
		}
		if !first {
			result = ResultDuplicate
			return nil
		}
		acc, err := a.ensureAccount(tx)
		if err != nil {
			return err
		}
		before := planState{Plan: acc.Plan, Status: acc.Status}
		applied, why := a.catalog.Apply(&acc, ev)
		if !applied {
			a.log.Info("stripe event changes nothing", "event", ev.ID, "type", ev.Type, "tenant_id", tenantID, "why", why)
			result = ResultIgnored
			return tx.SetOutcome(ev.ID, "ignored: "+why)
		}
		if err := tx.SetOutcome(ev.ID, ResultProcessed); err != nil {
			return err
		}
		if err := a.publish(tx, &acc, a.clock()); err != nil {
			return err
		}
		if after := (planState{Plan: acc.Plan, Status: acc.Status}); after != before {
			return audit(tx, contracts.SystemActor("stripe"), contracts.AuditBillingChanged, "subscription", acc.SubscriptionID, before, after)
		}
		return nil
	})
	if err != nil {
		return contracts.WebhookResult{}, err
	}
	return contracts.WebhookResult{Result: result}, nil
}

// idempotencyKey derives the key of a session-creating call from the command
// behind it: the HTTP request's id (the correlation id), so a retried NATS
// request of the same HTTP request creates one session, not two.
func idempotencyKey(ctx context.Context, tenantID string) string {
	c := natsx.Correlation(ctx)
	if c == "" {
		c = ids.New()
	}
	return "parley-" + tenantID + "-" + c
}
