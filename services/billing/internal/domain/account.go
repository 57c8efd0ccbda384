package domain

import (
	"time"
)

// Account is a tenant's billing account: what Stripe last told us of its
// subscription, and the entitlements last published.
type Account struct {
	TenantID string
	// Plan and Status are the published entitlements' (kept for reading).
	Plan   string
	Status string

	StripeCustomerID   *string
	SubscriptionID     string
	SubscriptionItemID string
	SubscriptionStatus string // Stripe's status of the subscription
	SubscribedPlan     string // the plan of the subscription's price
	Quantity           int
	TrialEnd           *time.Time
	PeriodStart        *time.Time
	PeriodEnd          *time.Time
	CancelAtPeriodEnd  bool
	PastDueSince       *time.Time
	TrialUsed          bool
	// StateAt is the Stripe created time (unix seconds) of the newest event applied.
	StateAt int64
	// Version grows with each published change of the entitlements.
	Version int64
	// Published is the last published entitlements without their version (JSON).
	Published string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CustomerID is the account's Stripe customer, or "".
func (a Account) CustomerID() string {
	if a.StripeCustomerID == nil {
		return ""
	}
	return *a.StripeCustomerID
}

// Live reports whether the account has a subscription that is not over.
func (a Account) Live() bool {
	return a.SubscriptionID != "" && live(a.SubscriptionStatus)
}

// Event types billing handles.
const (
	EventCheckoutCompleted   = "checkout.session.completed"
	EventSubscriptionCreated = "customer.subscription.created"
	EventSubscriptionUpdated = "customer.subscription.updated"
	EventSubscriptionDeleted = "customer.subscription.deleted"
	EventInvoicePaid         = "invoice.paid"
	EventInvoiceFailed       = "invoice.payment_failed"
)

// Handled reports whether billing acts on an event type.
func Handled(eventType string) bool {
	switch eventType {
	case EventCheckoutCompleted, EventSubscriptionCreated, EventSubscriptionUpdated, EventSubscriptionDeleted,
		EventInvoicePaid, EventInvoiceFailed:
		return true
	}
	return false
}

// Event is a verified Stripe event, reduced to what billing uses.
type Event struct {
	ID         string
	Type       string
	Created    int64 // unix seconds, Stripe's clock
	CustomerID string
	// Subscription is the object of customer.subscription.* events.
	Subscription *Subscription
	// SubscriptionID is the subscription of checkout.session.completed and invoice.* events.
	SubscriptionID string
	// CheckoutPlan is the plan a completed checkout was for (our metadata).
	CheckoutPlan string
}

// Subscription is a Stripe subscription's state.
type Subscription struct {
	ID                string
	Status            string
	PriceID           string
	ItemID            string
	Quantity          int
	TrialEnd          *time.Time
	PeriodStart       *time.Time
	PeriodEnd         *time.Time
	CancelAtPeriodEnd bool
}

// Apply changes the account as the event says. It returns false, with the
// reason, when the event changes nothing: older than what was applied, or
// about a subscription that is not the account's.
func (c Catalog) Apply(a *Account, e Event) (bool, string) {
	if e.Created < a.StateAt {
		return false, "stale: a newer event was applied"
	}
	switch e.Type {
	case EventCheckoutCompleted:
		if e.SubscriptionID == "" || e.SubscriptionID == a.SubscriptionID {
			return false, "nothing new: the subscription is known"
		}
		if a.Live() {
			return false, "the account has another live subscription"
		}
		p, ok := c.Plan(e.CheckoutPlan)
		if !ok || !c.IsPaid(p.ID) {
			return false, "checkout for an unknown plan"
		}
		a.SubscriptionID, a.SubscribedPlan, a.SubscriptionItemID = e.SubscriptionID, p.ID, ""
		a.SubscriptionStatus, a.PastDueSince = "active", nil
		if days := p.Trial(); days > 0 && !a.TrialUsed {
			end := time.Unix(e.Created, 0).UTC().AddDate(0, 0, days)
			a.SubscriptionStatus, a.TrialEnd, a.TrialUsed = "trialing", &end, true
		}
	case EventSubscriptionCreated, EventSubscriptionUpdated:
		s := e.Subscription
		if s == nil {
			return false, "no subscription in the event"
		}
		if a.SubscriptionID != "" && a.SubscriptionID != s.ID && a.Live() && !live(s.Status) {
			return false, "an ended subscription that is not the account's current one"
		}
		p, ok := c.PlanByPrice(s.PriceID)
		if !ok {
			return false, "the subscription's price is not one of the plans'"
		}
		a.SubscriptionID, a.SubscriptionItemID, a.SubscriptionStatus, a.SubscribedPlan = s.ID, s.ItemID, s.Status, p.ID
		a.Quantity, a.TrialEnd, a.PeriodStart, a.PeriodEnd, a.CancelAtPeriodEnd = s.Quantity, s.TrialEnd, s.PeriodStart, s.PeriodEnd, s.CancelAtPeriodEnd
		if s.Status == "trialing" {
			a.TrialUsed = true
		}
		a.markStanding(e.Created)
	case EventSubscriptionDeleted:
		s := e.Subscription
		if s == nil || (a.SubscriptionID != "" && s.ID != a.SubscriptionID) {
			return false, "not the account's subscription"
		}
		a.SubscriptionID, a.SubscriptionStatus, a.CancelAtPeriodEnd = s.ID, "canceled", false
		a.markStanding(e.Created)
	case EventInvoicePaid:
		if e.SubscriptionID == "" || e.SubscriptionID != a.SubscriptionID {
			return false, "not the account's subscription"
		}
		if a.SubscriptionStatus == "past_due" || a.SubscriptionStatus == "unpaid" {
			a.SubscriptionStatus = "active"
		}
		a.PastDueSince = nil
	case EventInvoiceFailed:
		if e.SubscriptionID == "" || e.SubscriptionID != a.SubscriptionID || !a.Live() {
			return false, "not the account's live subscription"
		}
		a.SubscriptionStatus = "past_due"
		a.markStanding(e.Created)
	default:
		return false, "not an event billing handles"
	}
	a.StateAt = max(a.StateAt, e.Created)
	return true, ""
}

// markStanding starts or ends the past-due period with the subscription's status.
func (a *Account) markStanding(created int64) {
	switch a.SubscriptionStatus {
	case "past_due", "unpaid":
		if a.PastDueSince == nil {
			t := time.Unix(created, 0).UTC()
			a.PastDueSince = &t
		}
	default:
		a.PastDueSince = nil
	}
}

func live(status string) bool {
	switch status {
	case "active", "trialing", "past_due", "unpaid":
		return true
	}
	return false
}
