// Package stripeapi is billing's only door to Stripe, through stripe-go v76:
// the calls that create customers, Checkout and portal sessions and cancel
// subscriptions (each with an idempotency key from the caller), and the
// verification and decoding of
// webhook events.
//
// Webhooks are verified with stripe-go's webhook package: HMAC-SHA256 over
// the raw body, a 300 s tolerance on the signed timestamp, and the event's
// api_version must be stripe-go's (2023-10-16) — an endpoint set to another
// version would be misread, so its events are refused, loudly.
package stripeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/parley-chat/parley/services/billing/internal/domain"
)

// APIVersion is the Stripe API version stripe-go v76 speaks; webhook
// endpoints must be created with it.
const APIVersion = stripe.APIVersion

// Tolerance is how old a webhook's signed timestamp may be.
const Tolerance = webhook.DefaultTolerance

// Errors of a webhook delivery that must not be processed.
var (
	ErrSignature  = errors.New("the Stripe-Signature header does not verify this body")
	ErrAPIVersion = errors.New("the event's API version is not " + stripe.APIVersion)
)

// Client talks to Stripe.
type Client struct {
	api           *client.API
	webhookSecret string
}

// New returns a client with the secret key, sending its calls to apiBase
// ("" for Stripe itself; stripe-mock's HTTP address in tests).
func New(secretKey, webhookSecret, apiBase string, log *slog.Logger) *Client {
	cfg := &stripe.BackendConfig{
		MaxNetworkRetries: stripe.Int64(2), // stripe-go reuses the idempotency key on its retries
		LeveledLogger:     slogLogger{log},
	}
	if apiBase != "" {
		cfg.URL = stripe.String(apiBase)
	}
	backends := &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
	}
	api := &client.API{}
	api.Init(secretKey, backends)
	return &Client{api: api, webhookSecret: webhookSecret}
}

// CreateCustomer creates the Stripe customer of a tenant.
func (c *Client) CreateCustomer(ctx context.Context, tenantID, name, idempotencyKey string) (string, error) {
	p := &stripe.CustomerParams{}
	p.Context = ctx
	p.SetIdempotencyKey(idempotencyKey)
	p.AddMetadata("tenant_id", tenantID)
	if name != "" {
		p.Name = stripe.String(name)
	}
	cus, err := c.api.Customers.New(p)
	if err != nil {
		return "", fmt.Errorf("create stripe customer: %w", err)
	}
	return cus.ID, nil
}

// Checkout is a Checkout Session to create.
type Checkout struct {
	TenantID, CustomerID, Plan, Price string
	Quantity                          int
	TrialDays                         int
	SuccessURL, CancelURL             string
	IdempotencyKey                    string
}

// CreateCheckout creates a subscription Checkout Session and returns its URL.
func (c *Client) CreateCheckout(ctx context.Context, in Checkout) (string, error) {
	p := &stripe.CheckoutSessionParams{
		Customer:          stripe.String(in.CustomerID),
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		ClientReferenceID: stripe.String(in.TenantID),
		SuccessURL:        stripe.String(in.SuccessURL),
		CancelURL:         stripe.String(in.CancelURL),
		LineItems: []*stripe.CheckoutSessionLineItemParams{
			{Price: stripe.String(in.Price), Quantity: stripe.Int64(int64(max(in.Quantity, 1)))},
		},
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{
			Metadata: map[string]string{"tenant_id": in.TenantID, "plan": in.Plan},
		},
	}
	if in.TrialDays > 0 {
		p.SubscriptionData.TrialPeriodDays = stripe.Int64(int64(in.TrialDays))
	}
	p.Context = ctx
	p.SetIdempotencyKey(in.IdempotencyKey)
	p.AddMetadata("tenant_id", in.TenantID)
	p.AddMetadata("plan", in.Plan)
	s, err := c.api.CheckoutSessions.New(p)
	if err != nil {
		return "", fmt.Errorf("create checkout session: %w", err)
	}
	return s.URL, nil
}

// Portal is a Billing Portal session to create; with Subscription, ItemID
// and Price set it opens on the confirmation of a plan change.
type Portal struct {
	CustomerID, ReturnURL       string
	Subscription, ItemID, Price string
	Quantity                    int
	IdempotencyKey              string
}

// CreatePortal creates a Billing Portal session and returns its URL.
func (c *Client) CreatePortal(ctx context.Context, in Portal) (string, error) {
	p := &stripe.BillingPortalSessionParams{Customer: stripe.String(in.CustomerID), ReturnURL: stripe.String(in.ReturnURL)}
	if in.Subscription != "" && in.ItemID != "" && in.Price != "" {
		p.FlowData = &stripe.BillingPortalSessionFlowDataParams{
			Type: stripe.String("subscription_update_confirm"),
			SubscriptionUpdateConfirm: &stripe.BillingPortalSessionFlowDataSubscriptionUpdateConfirmParams{
				Subscription: stripe.String(in.Subscription),
				Items: []*stripe.BillingPortalSessionFlowDataSubscriptionUpdateConfirmItemParams{
					{ID: stripe.String(in.ItemID), Price: stripe.String(in.Price), Quantity: stripe.Int64(int64(max(in.Quantity, 1)))},
				},
			},
		}
	}
	p.Context = ctx
	p.SetIdempotencyKey(in.IdempotencyKey)
	s, err := c.api.BillingPortalSessions.New(p)
	if err != nil {
		return "", fmt.Errorf("create billing portal session: %w", err)
	}
	return s.URL, nil
}

// ParseWebhook verifies a delivery and decodes its event. It returns
// ErrSignature (missing, malformed or wrong signature, tampered body, too
// old) or ErrAPIVersion, wrapped with the detail.
func (c *Client) ParseWebhook(payload []byte, signature string) (domain.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, c.webhookSecret,
		webhook.ConstructEventOptions{Tolerance: Tolerance})
	if err != nil {
		if verr := webhook.ValidatePayloadWithTolerance(payload, signature, c.webhookSecret, Tolerance); verr != nil {
			return domain.Event{}, fmt.Errorf("%w: %v", ErrSignature, verr)
		}
		if ev.APIVersion != "" && ev.APIVersion != stripe.APIVersion {
			return domain.Event{}, fmt.Errorf("%w: got %s", ErrAPIVersion, ev.APIVersion)
		}
		return domain.Event{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return decode(ev)
}

func decode(ev stripe.Event) (domain.Event, error) {
	out := domain.Event{ID: ev.ID, Type: string(ev.Type), Created: ev.Created}
	if !domain.Handled(out.Type) || ev.Data == nil {
		return out, nil
	}
	switch out.Type {
	case domain.EventCheckoutCompleted:
		var s stripe.CheckoutSession
		if err := unmarshal(ev.Data.Raw, &s); err != nil {
			return out, err
		}
		out.CustomerID = customerID(s.Customer)
		if s.Mode == stripe.CheckoutSessionModeSubscription && s.Subscription != nil {
			out.SubscriptionID = s.Subscription.ID
		}
		out.CheckoutPlan = s.Metadata["plan"]
	case domain.EventSubscriptionCreated, domain.EventSubscriptionUpdated, domain.EventSubscriptionDeleted:
		var s stripe.Subscription
		if err := unmarshal(ev.Data.Raw, &s); err != nil {
			return out, err
		}
		out.CustomerID = customerID(s.Customer)
		sub := &domain.Subscription{ID: s.ID, Status: string(s.Status), CancelAtPeriodEnd: s.CancelAtPeriodEnd,
			TrialEnd: unix(s.TrialEnd), PeriodStart: unix(s.CurrentPeriodStart), PeriodEnd: unix(s.CurrentPeriodEnd)}
		if s.Items != nil && len(s.Items.Data) > 0 {
			it := s.Items.Data[0]
			sub.ItemID, sub.Quantity = it.ID, int(it.Quantity)
			if it.Price != nil {
				sub.PriceID = it.Price.ID
			}
		}
		out.Subscription = sub
	case domain.EventInvoicePaid, domain.EventInvoiceFailed:
		var in stripe.Invoice
		if err := unmarshal(ev.Data.Raw, &in); err != nil {
			return out, err
		}
		out.CustomerID = customerID(in.Customer)
		if in.Subscription != nil {
			out.SubscriptionID = in.Subscription.ID
		}
	}
	return out, nil
}

func unmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode stripe event object: %w", err)
	}
	return nil
}

func customerID(c *stripe.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}

func unix(s int64) *time.Time {
	if s == 0 {
		return nil
	}
	t := time.Unix(s, 0).UTC()
	return &t
}

// slogLogger passes stripe-go's log lines to the service's logger.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Debugf(format string, v ...any) {
	l.log.Debug("stripe: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Infof(format string, v ...any) {
	l.log.Debug("stripe: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Warnf(format string, v ...any) {
	l.log.Warn("stripe: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Errorf(format string, v ...any) {
	l.log.Error("stripe: " + fmt.Sprintf(format, v...))
}

// CancelSubscription cancels a subscription at once (the workspace was
// closed). One that Stripe no longer knows, or that is already canceled,
// counts as cancelled: a redelivered deletion must not fail on it.
func (c *Client) CancelSubscription(ctx context.Context, subscriptionID, idempotencyKey string) error {
	p := &stripe.SubscriptionCancelParams{}
	p.Context = ctx
	p.SetIdempotencyKey(idempotencyKey)
	_, err := c.api.Subscriptions.Cancel(subscriptionID, p)
	var serr *stripe.Error
	if errors.As(err, &serr) && (serr.Code == stripe.ErrorCodeResourceMissing || serr.HTTPStatusCode == 404) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cancel stripe subscription: %w", err)
	}
	return nil
}
