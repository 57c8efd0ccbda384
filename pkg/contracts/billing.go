package contracts

import (
	"slices"
	"time"
)

// Account is a tenant's billing account.
type Account struct {
	TenantID string `json:"tenant_id"`
	Plan     string `json:"plan"`
	Status   string `json:"status"`
}

// BillingAccountCreate opens a tenant's account during sign-up.
var BillingAccountCreate = Endpoint[TenantIDRequest, Account]{ServiceBilling, "account_create"}

// Features a plan may unlock. Services refuse a feature the tenant's
// entitlements lack with apperr.PaymentRequired (402).
const (
	FeatureBotFAQ          = "bot_faq"
	FeatureBotOrderStatus  = "bot_order_status"
	FeatureBotAppointments = "bot_appointments"
	FeatureBotAfterHours   = "bot_after_hours"
	FeatureBotExternal     = "bot_external"
	FeatureAPIKeys         = "api_keys"
)

// Entitlements are what a tenant's plan allows now. Billing owns them and
// publishes every change; other services keep a local copy and enforce it.
type Entitlements struct {
	Plan                  string    `json:"plan"`
	PlanName              string    `json:"plan_name"`
	Status                string    `json:"status"`                  // active, trialing, past_due, canceled, unlimited
	Seats                 int       `json:"seats"`                   // members (with pending invites); 0: no limit
	ConversationsPerMonth int       `json:"conversations_per_month"` // 0: no limit
	MaxFileBytes          int64     `json:"max_file_bytes"`          // one attachment; 0: DefaultMaxFileBytes
	StorageBytes          int64     `json:"storage_bytes"`           // all attachments; 0: no limit
	Features              []string  `json:"features"`
	PeriodStart           time.Time `json:"period_start"`
	PeriodEnd             time.Time `json:"period_end"`
	// UpgradePlan names the cheapest plan that lifts a limit, for messages.
	UpgradePlan string `json:"upgrade_plan,omitempty"`
	// SeatsUpgrade and ConversationsUpgrade name the cheapest plan that lifts
	// each limit, and FeatureUpgrades the cheapest plan with each missing
	// feature (by plan name), for the messages of a refusal.
	SeatsUpgrade         string            `json:"seats_upgrade,omitempty"`
	ConversationsUpgrade string            `json:"conversations_upgrade,omitempty"`
	FeatureUpgrades      map[string]string `json:"feature_upgrades,omitempty"`
	// FileSizeUpgrade and StorageUpgrade name the cheapest plan that allows
	// larger files and more storage.
	FileSizeUpgrade string `json:"file_size_upgrade,omitempty"`
	StorageUpgrade  string `json:"storage_upgrade,omitempty"`
	// Version grows with every change: a consumer keeps the highest it saw,
	// so events arriving out of order never roll a tenant back.
	Version int64 `json:"version"`
}

// Has reports whether the entitlements include a feature.
func (e Entitlements) Has(feature string) bool { return slices.Contains(e.Features, feature) }

// BillingEntitlements returns a tenant's current entitlements.
var BillingEntitlements = Endpoint[TenantIDRequest, Entitlements]{ServiceBilling, "entitlements"}

// EntitlementsChanged carries a tenant's new entitlements.
type EntitlementsChanged struct {
	Entitlements Entitlements `json:"entitlements"`
}

// BillingEntitlementsChanged is published whenever a tenant's entitlements change.
var BillingEntitlementsChanged = EventType{ServiceBilling, "entitlements", "changed", 1}

// AllFeatures lists every feature, in the order the dashboard shows them.
var AllFeatures = []string{
	FeatureBotFAQ, FeatureBotOrderStatus, FeatureBotAppointments, FeatureBotAfterHours, FeatureBotExternal, FeatureAPIKeys,
}

// Entitlement statuses.
const (
	StatusActive    = "active"
	StatusTrialing  = "trialing"
	StatusPastDue   = "past_due"
	StatusCanceled  = "canceled"
	StatusUnlimited = "unlimited"
)

// Plan is a plan as tenants see it.
type Plan struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Seats                 int      `json:"seats"`                   // 0: no limit
	ConversationsPerMonth int      `json:"conversations_per_month"` // 0: no limit
	MaxFileBytes          int64    `json:"max_file_bytes"`          // one attachment; 0: DefaultMaxFileBytes
	StorageBytes          int64    `json:"storage_bytes"`           // all attachments; 0: no limit
	Features              []string `json:"features"`
	TrialDays             int      `json:"trial_days"`
	Paid                  bool     `json:"paid"`
}

// Usage is how much of one limit a tenant uses; Limit 0 means no limit.
type Usage struct {
	Used  int `json:"used"`
	Limit int `json:"limit"`
}

// BillingOverview is a tenant's billing page.
type BillingOverview struct {
	Enabled           bool       `json:"enabled"` // false when billing is off (self-hosted)
	Plan              Plan       `json:"plan"`
	Status            string     `json:"status"`
	TrialEnd          *time.Time `json:"trial_end,omitempty"`
	PeriodStart       time.Time  `json:"period_start"`
	PeriodEnd         time.Time  `json:"period_end"`
	PastDueSince      *time.Time `json:"past_due_since,omitempty"`
	GraceEndsAt       *time.Time `json:"grace_ends_at,omitempty"`
	CancelAtPeriodEnd bool       `json:"cancel_at_period_end"`
	Seats             Usage      `json:"seats"`
	Conversations     Usage      `json:"conversations"`
	// Storage is filled in by the gateway from ConversationStorage.
	Storage     StorageUsage `json:"storage"`
	Plans       []Plan       `json:"plans"`
	UpgradePlan string       `json:"upgrade_plan,omitempty"`
}

// UsageRequest pages through a tenant's usage ledger, newest first.
type UsageRequest struct {
	Principal Principal `json:"principal"`
	Cursor    string    `json:"cursor,omitempty"`
	Limit     int       `json:"limit,omitempty"`
}

// UsageEntry is one counted conversation.
type UsageEntry struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	CountedAt      time.Time `json:"counted_at"`
	Reason         string    `json:"reason"`
	PeriodStart    time.Time `json:"period_start"`
}

// UsagePage is one page of the ledger; NextCursor is empty on the last.
type UsagePage struct {
	Entries    []UsageEntry `json:"entries"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// CheckoutRequest asks for a Checkout Session that subscribes to a plan.
type CheckoutRequest struct {
	Principal Principal `json:"principal"`
	Plan      string    `json:"plan"`
}

// RedirectURL is where the browser goes next (Stripe Checkout or the portal).
type RedirectURL struct {
	URL string `json:"url"`
}

// StripeWebhook is a Stripe webhook delivery exactly as received.
type StripeWebhook struct {
	Payload   []byte `json:"payload"`
	Signature string `json:"signature"`
}

// WebhookResult says what became of a delivery: processed, duplicate or ignored.
type WebhookResult struct {
	Result string `json:"result"`
}

// Billing endpoints for the gateway.
var (
	BillingOverviewGet = Endpoint[PrincipalRequest, BillingOverview]{ServiceBilling, "overview"}
	BillingUsage       = Endpoint[UsageRequest, UsagePage]{ServiceBilling, "usage"}
	BillingCheckout    = Endpoint[CheckoutRequest, RedirectURL]{ServiceBilling, "checkout"}
	BillingPortal      = Endpoint[PrincipalRequest, RedirectURL]{ServiceBilling, "portal"}
	BillingWebhook     = Endpoint[StripeWebhook, WebhookResult]{ServiceBilling, "webhook"}
)

// SeatUsage is how many seats a tenant uses: members plus open invites.
type SeatUsage struct {
	Members int `json:"members"`
	Invites int `json:"invites"`
}

// IdentitySeats counts a tenant's seats (for billing's overview).
var IdentitySeats = Endpoint[TenantIDRequest, SeatUsage]{ServiceIdentity, "seats"}

// ConversationQuota is a tenant's conversations in the current period.
type ConversationQuota struct {
	Used        int       `json:"used"`
	Limit       int       `json:"limit"` // 0: no limit
	Exceeded    bool      `json:"exceeded"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
}

// ConversationQuotaGet says whether a tenant may start more conversations
// this period (the widget shows its offline form when it may not).
var ConversationQuotaGet = Endpoint[TenantIDRequest, ConversationQuota]{ServiceConversation, "quota"}
