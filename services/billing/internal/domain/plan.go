// Package domain holds billing's rules: the plan catalogue, a tenant's
// account as Stripe's events shape it, and the entitlements that follow.
//
// Invariants:
//   - Entitlements are a pure function of the account, the catalogue, the
//     grace period and the time (only the grace period's end depends on it).
//   - An event older (by Stripe's created time) than the last one applied to
//     an account changes nothing, so out-of-order deliveries never roll an
//     account back; the subscription object carries its whole state, so the
//     newest event is always enough.
//   - The tenant of an event is found from our own stored customer id, never
//     from metadata.
package domain

import (
	"slices"
	"time"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Catalog is the configured plans, cheapest first.
type Catalog struct {
	Enabled bool
	plans   []config.PlanConfig
	// maxFile is the file size limit while billing is off.
	maxFile int64
}

// NewCatalog builds the catalogue from the configuration.
func NewCatalog(b config.Billing) Catalog {
	maxFile := int64(b.MaxFileMB) << 20
	if maxFile == 0 {
		maxFile = contracts.DefaultMaxFileBytes
	}
	return Catalog{Enabled: b.Enabled(), plans: b.Plans, maxFile: maxFile}
}

// Free is the plan every tenant starts on.
func (c Catalog) Free() config.PlanConfig { return c.plans[0] }

// Plan finds a plan by id.
func (c Catalog) Plan(id string) (config.PlanConfig, bool) {
	for _, p := range c.plans {
		if p.ID == id {
			return p, true
		}
	}
	return config.PlanConfig{}, false
}

// PlanByPrice finds the plan a Stripe price belongs to.
func (c Catalog) PlanByPrice(price string) (config.PlanConfig, bool) {
	for _, p := range c.plans[1:] {
		if price != "" && p.StripePrice == price {
			return p, true
		}
	}
	return config.PlanConfig{}, false
}

// Plans are the plans as tenants see them.
func (c Catalog) Plans() []contracts.Plan {
	out := make([]contracts.Plan, 0, len(c.plans))
	for i, p := range c.plans {
		out = append(out, ToContract(p, i > 0))
	}
	return out
}

// ToContract is a plan as tenants see it.
func ToContract(p config.PlanConfig, paid bool) contracts.Plan {
	f := slices.Clone(p.Features)
	if f == nil {
		f = []string{}
	}
	return contracts.Plan{ID: p.ID, Name: p.Name, Seats: p.Seats, ConversationsPerMonth: p.ConversationsPerMonth,
		MaxFileBytes: p.MaxFileBytes(), StorageBytes: p.StorageBytes(), Features: f, TrialDays: p.Trial(), Paid: paid}
}

// IsPaid reports whether a plan id is one of the paid plans.
func (c Catalog) IsPaid(id string) bool {
	_, ok := c.Plan(id)
	return ok && id != c.Free().ID
}

// Unlimited is the one plan when billing is off: no seat, conversation or
// storage limit, every feature, and the configured file size limit.
func (c Catalog) Unlimited() contracts.Plan {
	return contracts.Plan{ID: contracts.StatusUnlimited, Name: "Unlimited", MaxFileBytes: c.maxFile,
		Features: slices.Clone(contracts.AllFeatures)}
}

// upgrades names, for a plan, the cheapest later plan that lifts each limit
// and has each missing feature.
func (c Catalog) upgrades(cur config.PlanConfig, e *contracts.Entitlements) {
	idx := slices.IndexFunc(c.plans, func(p config.PlanConfig) bool { return p.ID == cur.ID })
	more := func(limit, other int) bool { return limit != 0 && (other == 0 || other > limit) }
	for _, p := range c.plans[idx+1:] {
		if e.SeatsUpgrade == "" && more(cur.Seats, p.Seats) {
			e.SeatsUpgrade = p.Name
		}
		if e.ConversationsUpgrade == "" && more(cur.ConversationsPerMonth, p.ConversationsPerMonth) {
			e.ConversationsUpgrade = p.Name
		}
		if e.FileSizeUpgrade == "" && fileSize(p) > fileSize(cur) {
			e.FileSizeUpgrade = p.Name
		}
		if e.StorageUpgrade == "" && more(cur.StorageMB, p.StorageMB) {
			e.StorageUpgrade = p.Name
		}
		for _, f := range p.Features {
			if !slices.Contains(cur.Features, f) {
				if e.FeatureUpgrades == nil {
					e.FeatureUpgrades = map[string]string{}
				}
				if e.FeatureUpgrades[f] == "" {
					e.FeatureUpgrades[f] = p.Name
				}
			}
		}
		if e.UpgradePlan == "" {
			e.UpgradePlan = p.Name
		}
	}
}

// fileSize is a plan's file size limit with the default filled in.
func fileSize(p config.PlanConfig) int64 {
	if n := p.MaxFileBytes(); n > 0 {
		return n
	}
	return contracts.DefaultMaxFileBytes
}

// Entitlements computes what the account's plan allows at now. Version is
// left to the caller (the account's).
func (c Catalog) Entitlements(a Account, now time.Time, grace time.Duration) contracts.Entitlements {
	start := a.CreatedAt.UTC()
	end := start.AddDate(0, 1, 0)
	if !c.Enabled {
		u := c.Unlimited()
		return contracts.Entitlements{Plan: u.ID, PlanName: u.Name, Status: contracts.StatusUnlimited,
			MaxFileBytes: u.MaxFileBytes, Features: u.Features, PeriodStart: start, PeriodEnd: end}
	}
	status, planID := c.Effective(a, now, grace)
	p, ok := c.Plan(planID)
	if !ok {
		p = c.Free()
	}
	if p.ID != c.Free().ID && a.PeriodStart != nil && a.PeriodEnd != nil && a.PeriodEnd.After(*a.PeriodStart) {
		start, end = a.PeriodStart.UTC(), a.PeriodEnd.UTC()
	}
	f := slices.Clone(p.Features)
	if f == nil {
		f = []string{}
	}
	e := contracts.Entitlements{Plan: p.ID, PlanName: p.Name, Status: status, Seats: p.Seats,
		ConversationsPerMonth: p.ConversationsPerMonth, MaxFileBytes: p.MaxFileBytes(), StorageBytes: p.StorageBytes(),
		Features: f, PeriodStart: start, PeriodEnd: end}
	c.upgrades(p, &e)
	return e
}

// Effective is the status and plan an account has at now: a live
// subscription's plan, kept through a failed payment until the grace period
// ends, and the free plan otherwise.
func (c Catalog) Effective(a Account, now time.Time, grace time.Duration) (status, plan string) {
	free := c.Free().ID
	paid := a.SubscribedPlan
	if !c.IsPaid(paid) {
		paid = free
	}
	switch a.SubscriptionStatus {
	case "active":
		return contracts.StatusActive, paid
	case "trialing":
		return contracts.StatusTrialing, paid
	case "past_due", "unpaid":
		if a.PastDueSince != nil && !now.Before(a.PastDueSince.Add(grace)) {
			return contracts.StatusPastDue, free
		}
		return contracts.StatusPastDue, paid
	case "canceled", "incomplete_expired":
		return contracts.StatusCanceled, free
	}
	return contracts.StatusActive, free // none yet, incomplete or paused
}

// GraceEnds is when a past-due account falls to the free plan, if it is past due.
func GraceEnds(a Account, grace time.Duration) *time.Time {
	if a.PastDueSince == nil || (a.SubscriptionStatus != "past_due" && a.SubscriptionStatus != "unpaid") {
		return nil
	}
	t := a.PastDueSince.Add(grace)
	return &t
}
