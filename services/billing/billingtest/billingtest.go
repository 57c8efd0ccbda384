// Package billingtest builds Stripe webhook deliveries for tests: event
// bodies shaped like Stripe's (API 2023-10-16) and signed with stripe-go's
// own webhook.GenerateTestSignedPayload.
package billingtest

import (
	"encoding/json"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// Event is a Stripe event to deliver.
type Event struct {
	ID         string
	Type       string
	Created    time.Time
	APIVersion string // default stripe.APIVersion
	Object     map[string]any
}

// JSON is the event's body.
func (e Event) JSON() []byte {
	v := e.APIVersion
	if v == "" {
		v = stripe.APIVersion
	}
	body, err := json.Marshal(map[string]any{
		"id": e.ID, "object": "event", "api_version": v, "created": e.Created.Unix(), "type": e.Type,
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": e.Object},
	})
	if err != nil {
		panic(err)
	}
	return body
}

// Sign returns the Stripe-Signature header of body signed with secret at t.
func Sign(body []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}

// Subscription is the object of a customer.subscription.* event.
func Subscription(id, customer, status, price string, quantity int, periodStart time.Time, trialEnd *time.Time) map[string]any {
	var trial any
	if trialEnd != nil {
		trial = trialEnd.Unix()
	}
	return map[string]any{
		"id": id, "object": "subscription", "customer": customer, "status": status,
		"current_period_start": periodStart.Unix(), "current_period_end": periodStart.AddDate(0, 1, 0).Unix(),
		"trial_end": trial, "cancel_at_period_end": false,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "si_" + id, "object": "subscription_item", "quantity": quantity,
			"price": map[string]any{"id": price, "object": "price"},
		}}},
	}
}

// Invoice is the object of an invoice.* event.
func Invoice(id, customer, subscription string) map[string]any {
	return map[string]any{"id": id, "object": "invoice", "customer": customer, "subscription": subscription}
}

// CheckoutSession is the object of checkout.session.completed.
func CheckoutSession(id, customer, subscription, plan string) map[string]any {
	return map[string]any{
		"id": id, "object": "checkout.session", "mode": "subscription", "customer": customer,
		"subscription": subscription, "metadata": map[string]any{"plan": plan},
	}
}
