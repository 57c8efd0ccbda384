package config

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Billing is the configuration of the billing service: Stripe's keys and
// the plans tenants choose from. Billing is off (one unlimited plan, no
// Stripe calls) when StripeSecretKey is empty.
type Billing struct {
	// StripeSecretKey is the Stripe API key (PARLEY_STRIPE_SECRET_KEY, sk_… or rk_…).
	StripeSecretKey string
	// StripeWebhookSecret verifies webhook signatures (PARLEY_STRIPE_WEBHOOK_SECRET,
	// whsec_…); required with the secret key.
	StripeWebhookSecret string
	// StripeAPIBase is where stripe-go sends its calls (PARLEY_STRIPE_API_BASE);
	// empty means Stripe itself. Tests point it at stripe-mock.
	StripeAPIBase string
	// Plans, cheapest first; the first is the free plan every tenant starts on.
	// Built in (DefaultPlans) unless PARLEY_PLANS_FILE names a JSON file.
	// Each paid plan's Stripe price comes from PARLEY_STRIPE_PRICE_<ID> (the
	// plan id in capitals), or from "stripe_price" in the plans file.
	Plans []PlanConfig
	// GracePeriod is how long a tenant whose payment failed keeps its paid
	// plan before it falls to the free one (PARLEY_BILLING_GRACE_PERIOD, default 7 days).
	GracePeriod time.Duration
	// MaxFileMB is the size limit of one attachment while billing is off
	// (PARLEY_MAX_FILE_MB; 0, the default, means contracts.DefaultMaxFileBytes).
	// With billing on, each plan's max_file_mb applies instead.
	MaxFileMB int
}

// Enabled reports whether billing is on (Stripe configured).
func (b Billing) Enabled() bool { return b.StripeSecretKey != "" }

// PlanConfig is one plan.
type PlanConfig struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Seats                 int      `json:"seats"`                   // 0: no limit
	ConversationsPerMonth int      `json:"conversations_per_month"` // 0: no limit
	MaxFileMB             int      `json:"max_file_mb"`             // one attachment; 0: 10 MB
	StorageMB             int      `json:"storage_mb"`              // all attachments; 0: no limit
	Features              []string `json:"features"`
	// TrialDays of a paid plan (default 14); the free plan has none.
	TrialDays   *int   `json:"trial_days,omitempty"`
	StripePrice string `json:"stripe_price,omitempty"`
}

// Trial is the plan's trial in days.
func (p PlanConfig) Trial() int {
	if p.TrialDays == nil {
		return 0
	}
	return *p.TrialDays
}

// MaxFileMBLimit bounds max_file_mb and PARLEY_MAX_FILE_MB: 10 GiB, far
// above what a chat attachment needs, and far from overflowing a byte count.
const MaxFileMBLimit = 10 << 10

// MaxStorageMBLimit bounds storage_mb (1 PiB), so its byte count never overflows.
const MaxStorageMBLimit = 1 << 30

// MaxFileBytes is the plan's limit on one attachment in bytes; 0 means
// contracts.DefaultMaxFileBytes.
func (p PlanConfig) MaxFileBytes() int64 { return int64(p.MaxFileMB) << 20 }

// StorageBytes is the plan's limit on all attachments in bytes; 0 means none.
func (p PlanConfig) StorageBytes() int64 { return int64(p.StorageMB) << 20 }

// DefaultTrialDays is the trial of a paid plan that does not set one.
const DefaultTrialDays = 14

// DefaultPlans are the plans when PARLEY_PLANS_FILE is not set.
func DefaultPlans() []PlanConfig {
	trial := DefaultTrialDays
	return []PlanConfig{
		{ID: "free", Name: "Free", Seats: 2, ConversationsPerMonth: 100, MaxFileMB: 10, StorageMB: 1024, Features: []string{contracts.FeatureBotFAQ}},
		{ID: "starter", Name: "Starter", Seats: 5, ConversationsPerMonth: 1000, MaxFileMB: 25, StorageMB: 10 << 10, TrialDays: &trial, Features: []string{
			contracts.FeatureBotFAQ, contracts.FeatureBotOrderStatus, contracts.FeatureBotAppointments, contracts.FeatureBotAfterHours,
		}},
		{ID: "pro", Name: "Pro", Seats: 25, ConversationsPerMonth: 10000, MaxFileMB: 50, StorageMB: 100 << 10, TrialDays: &trial, Features: slices.Clone(contracts.AllFeatures)},
	}
}

// PriceVariable is the variable that holds a plan's Stripe price id.
func PriceVariable(planID string) string { return "PARLEY_STRIPE_PRICE_" + strings.ToUpper(planID) }

func loadBilling(r *reader) Billing {
	b := Billing{
		StripeSecretKey:     r.str("PARLEY_STRIPE_SECRET_KEY", ""),
		StripeWebhookSecret: r.str("PARLEY_STRIPE_WEBHOOK_SECRET", ""),
		StripeAPIBase:       strings.TrimRight(r.str("PARLEY_STRIPE_API_BASE", ""), "/"),
		GracePeriod:         r.duration("PARLEY_BILLING_GRACE_PERIOD", 7*24*time.Hour),
		MaxFileMB:           r.integer("PARLEY_MAX_FILE_MB", 0),
		Plans:               DefaultPlans(),
	}
	if b.MaxFileMB < 0 || b.MaxFileMB > MaxFileMBLimit {
		r.fail("PARLEY_MAX_FILE_MB", "must be between 0 (the default, %d MB) and %d", contracts.DefaultMaxFileBytes>>20, MaxFileMBLimit)
	}
	if file := r.str("PARLEY_PLANS_FILE", ""); file != "" {
		b.Plans = readPlans(r, file)
	}
	for i := range b.Plans {
		p := &b.Plans[i]
		if i > 0 && p.TrialDays == nil {
			trial := DefaultTrialDays
			p.TrialDays = &trial
		}
		if v := r.str(PriceVariable(p.ID), ""); v != "" && i > 0 {
			p.StripePrice = v
		}
	}
	checkPlans(r, b.Plans)
	if b.GracePeriod < 0 {
		r.fail("PARLEY_BILLING_GRACE_PERIOD", "must not be negative")
	}
	if b.StripeAPIBase != "" {
		if u, err := url.Parse(b.StripeAPIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("PARLEY_STRIPE_API_BASE", "must be an http(s) URL, got %q", b.StripeAPIBase)
		}
	}
	if !b.Enabled() {
		return b
	}
	if !strings.HasPrefix(b.StripeSecretKey, "sk_") && !strings.HasPrefix(b.StripeSecretKey, "rk_") {
		r.fail("PARLEY_STRIPE_SECRET_KEY", "must be a Stripe secret key (sk_… or rk_…)")
	}
	if b.StripeWebhookSecret == "" {
		r.fail("PARLEY_STRIPE_WEBHOOK_SECRET", "must be set when PARLEY_STRIPE_SECRET_KEY is (the signing secret of the webhook endpoint, whsec_…)")
	}
	for _, p := range b.Plans[1:] {
		if p.StripePrice == "" {
			r.fail(PriceVariable(p.ID), "must be set when PARLEY_STRIPE_SECRET_KEY is: the Stripe price id (price_…) of the %s plan", p.Name)
		}
	}
	return b
}

func readPlans(r *reader, file string) []PlanConfig {
	raw, err := os.ReadFile(file)
	if err != nil {
		r.fail("PARLEY_PLANS_FILE", "cannot read %s: %v", file, err)
		return DefaultPlans()
	}
	var doc struct {
		Plans []PlanConfig `json:"plans"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		r.fail("PARLEY_PLANS_FILE", "%s is not a valid plans file: %v", file, err)
		return DefaultPlans()
	}
	return doc.Plans
}

func checkPlans(r *reader, plans []PlanConfig) {
	const name = "PARLEY_PLANS_FILE"
	if len(plans) == 0 {
		r.fail(name, "must define at least one plan (the first is the free plan)")
		return
	}
	seen := map[string]bool{}
	for i, p := range plans {
		switch {
		case p.ID == "" || strings.Trim(p.ID, "abcdefghijklmnopqrstuvwxyz0123456789_") != "":
			r.fail(name, "plan %d: id %q must be lower-case letters, digits and _", i+1, p.ID)
		case seen[p.ID]:
			r.fail(name, "plan id %q appears twice", p.ID)
		case p.ID == contracts.StatusUnlimited:
			r.fail(name, "plan id %q is reserved for billing being off", p.ID)
		}
		seen[p.ID] = true
		if strings.TrimSpace(p.Name) == "" {
			r.fail(name, "plan %q needs a name", p.ID)
		}
		if p.Seats < 0 || p.ConversationsPerMonth < 0 || p.Trial() < 0 || p.MaxFileMB < 0 || p.StorageMB < 0 {
			r.fail(name, "plan %q: seats, conversations_per_month, max_file_mb, storage_mb and trial_days must not be negative", p.ID)
		}
		if p.MaxFileMB > MaxFileMBLimit || p.StorageMB > MaxStorageMBLimit {
			r.fail(name, "plan %q: max_file_mb must be at most %d and storage_mb at most %d", p.ID, MaxFileMBLimit, MaxStorageMBLimit)
		}
		if p.StorageMB > 0 && p.MaxFileMB > p.StorageMB {
			r.fail(name, "plan %q: max_file_mb (%d) must not exceed storage_mb (%d)", p.ID, p.MaxFileMB, p.StorageMB)
		}
		if i == 0 && (p.Trial() > 0 || p.StripePrice != "") {
			r.fail(name, "plan %q is the free plan (the first): it has no trial and no Stripe price", p.ID)
		}
		for _, f := range p.Features {
			if !slices.Contains(contracts.AllFeatures, f) {
				r.fail(name, "plan %q: unknown feature %q (known: %s)", p.ID, f, strings.Join(contracts.AllFeatures, ", "))
			}
		}
	}
}
