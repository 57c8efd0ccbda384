package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/billing/internal/domain"
	"github.com/parley-chat/parley/services/billing/internal/store"
)

// PartWriter stores the files of an export part (the Object Store in
// production).
type PartWriter interface {
	// WriteJSONL stores object as JSON Lines, one line per value that rows
	// yields, streamed, and returns how many lines it wrote.
	WriteJSONL(ctx context.Context, object string, rows func(yield func(v any) error) error) (int64, error)
}

// billingDoc is billing.json: the plan and what Stripe last said of the
// subscription. Stripe's customer and subscription ids are references, not
// secrets; no card, invoice or key is kept here at all.
type billingDoc struct {
	Plan                 string     `json:"plan"`
	Status               string     `json:"status"`
	SubscribedPlan       string     `json:"subscribed_plan,omitempty"`
	SubscriptionStatus   string     `json:"subscription_status,omitempty"`
	Quantity             int        `json:"quantity,omitempty"`
	PeriodStart          *time.Time `json:"period_start,omitempty"`
	PeriodEnd            *time.Time `json:"period_end,omitempty"`
	CancelAtPeriodEnd    bool       `json:"cancel_at_period_end"`
	TrialEnd             *time.Time `json:"trial_end,omitempty"`
	TrialUsed            bool       `json:"trial_used"`
	PastDueSince         *time.Time `json:"past_due_since,omitempty"`
	GraceEndsAt          *time.Time `json:"grace_ends_at,omitempty"`
	StripeCustomerID     string     `json:"stripe_customer_id,omitempty"`
	StripeSubscriptionID string     `json:"stripe_subscription_id,omitempty"`
	CreatedAt            *time.Time `json:"created_at,omitempty"`
}

// usageLine is one line of usage.jsonl: a conversation counted against the
// plan, when and why.
type usageLine struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	CountedAt      time.Time `json:"counted_at"`
	Reason         string    `json:"reason"`
}

// usagePage is how many ledger entries one read of the export takes.
const usagePage = 500

// ExportPart writes billing's part of an export: billing.json (one JSON
// document) and usage.jsonl (the usage ledger, newest first, read page by
// page so it is never whole in memory).
func (a *App) ExportPart(ctx context.Context, r contracts.ExportPartRequest, w PartWriter) (contracts.ExportPart, error) {
	var out contracts.ExportPart
	if err := r.Check(contracts.ServiceBilling); err != nil {
		return out, err
	}
	var doc billingDoc
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		acc, err := tx.Account()
		if apperr.Is(err, apperr.NotFound) {
			e := a.catalog.Entitlements(domain.Account{}, a.clock(), a.cfg.Billing.GracePeriod)
			doc = billingDoc{Plan: e.Plan, Status: e.Status}
			return nil
		}
		doc = a.billingDoc(acc)
		return err
	})
	if err != nil {
		return out, err
	}
	files := []struct {
		name string
		rows func(yield func(any) error) error
	}{
		{"billing.json", func(yield func(any) error) error { return yield(doc) }},
		{"usage.jsonl", func(yield func(any) error) error { return a.eachUsage(ctx, r.TenantID, yield) }},
	}
	for _, f := range files {
		object := r.Prefix + f.name
		n, err := w.WriteJSONL(ctx, object, f.rows)
		if err != nil {
			return contracts.ExportPart{}, err
		}
		out.Files = append(out.Files, contracts.ExportFile{Name: f.name, Object: object, Count: n})
	}
	return out, nil
}

func (a *App) billingDoc(acc domain.Account) billingDoc {
	created := acc.CreatedAt.UTC()
	return billingDoc{
		Plan: acc.Plan, Status: acc.Status, SubscribedPlan: acc.SubscribedPlan, SubscriptionStatus: acc.SubscriptionStatus,
		Quantity: acc.Quantity, PeriodStart: acc.PeriodStart, PeriodEnd: acc.PeriodEnd, CancelAtPeriodEnd: acc.CancelAtPeriodEnd,
		TrialEnd: acc.TrialEnd, TrialUsed: acc.TrialUsed, PastDueSince: acc.PastDueSince,
		GraceEndsAt:      domain.GraceEnds(acc, a.cfg.Billing.GracePeriod),
		StripeCustomerID: acc.CustomerID(), StripeSubscriptionID: acc.SubscriptionID, CreatedAt: &created,
	}
}

// eachUsage yields the tenant's ledger, newest first, one short
// transaction per page.
func (a *App) eachUsage(ctx context.Context, tenantID string, yield func(any) error) error {
	var afterAt *time.Time
	afterID := ""
	for {
		var page []store.LedgerEntry
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			page, err = tx.Ledger(afterAt, afterID, usagePage)
			return err
		}); err != nil {
			return err
		}
		for _, e := range page {
			if err := yield(usageLine{ID: e.ID, ConversationID: e.ConversationID, CountedAt: e.CountedAt.UTC(), Reason: e.Reason}); err != nil {
				return err
			}
		}
		if len(page) < usagePage {
			return nil
		}
		last := page[len(page)-1]
		afterAt, afterID = &last.CountedAt, last.ID
	}
}

// TenantDeleted erases a deleted tenant's billing. When the owner closed
// the workspace (TenantClosed) its live Stripe subscription is cancelled
// first, at once; if Stripe cannot be reached the event is redelivered and
// nothing is deleted yet, so the subscription id is not lost. An abandoned
// sign-up never had one. Running it again finds nothing to delete.
func (a *App) TenantDeleted(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.TenantDeleted
	if err := env.Decode(&ev); err != nil {
		return apperr.InvalidField("reason", "tenant.deleted does not decode")
	}
	if ev.Reason == contracts.TenantClosed && a.pay != nil {
		var acc domain.Account
		err := a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) (err error) { acc, err = tx.Account(); return err })
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err == nil && acc.Live() {
			if err := a.pay.CancelSubscription(ctx, acc.SubscriptionID, "parley-cancel-"+env.ID); err != nil {
				a.log.Warn("cancel the closed workspace's subscription; will retry", "tenant_id", env.TenantID, "err", err)
				return apperr.New(apperr.Unavailable, "Stripe could not be reached")
			}
		}
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error { return tx.DeleteAccount() })
}

// planState is what the audit log records of a subscription change.
type planState struct {
	Plan   string `json:"plan"`
	Status string `json:"status"`
}

// audit records an administrative action in tx (the outbox): before and
// after hold the changed fields only, never a secret.
func audit(tx *store.Tx, actor contracts.AuditActor, action, targetType, targetID string, before, after any) error {
	ev := contracts.AuditRecorded{Actor: actor, Action: action, TargetType: targetType, TargetID: targetID}
	var err error
	if before != nil {
		if ev.Before, err = json.Marshal(before); err != nil {
			return err
		}
	}
	if after != nil {
		if ev.After, err = json.Marshal(after); err != nil {
			return err
		}
	}
	return tx.Emit(contracts.BillingAuditRecorded, ev)
}
