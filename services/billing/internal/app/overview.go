package app

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/billing/internal/domain"
	"github.com/parley-chat/parley/services/billing/internal/store"
)

// Overview is the tenant's billing page: plan, status, trial, period and
// usage against each limit.
func (a *App) Overview(ctx context.Context, r contracts.PrincipalRequest) (contracts.BillingOverview, error) {
	var out contracts.BillingOverview
	if !r.Principal.Role.CanAdminister() {
		return out, apperr.New(apperr.Forbidden, "only owners and admins can see billing")
	}
	seats, err := a.dir.Seats(ctx, r.Principal.TenantID)
	if err != nil {
		return out, err
	}
	now := a.clock()
	err = a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		acc, err := a.ensureAccount(tx)
		if err != nil {
			return err
		}
		e := a.entitlementsOf(acc)
		start, end := entitlements.Period(e, now)
		used, err := tx.CountSince(start, end)
		if err != nil {
			return err
		}
		out = contracts.BillingOverview{
			Enabled: a.catalog.Enabled, Status: e.Status, PeriodStart: start, PeriodEnd: end,
			Seats:         contracts.Usage{Used: seats.Members + seats.Invites, Limit: e.Seats},
			Conversations: contracts.Usage{Used: used, Limit: e.ConversationsPerMonth},
			Plans:         []contracts.Plan{}, UpgradePlan: e.UpgradePlan,
		}
		if !a.catalog.Enabled {
			out.Plan = a.catalog.Unlimited()
			return nil
		}
		p, _ := a.catalog.Plan(e.Plan)
		out.Plan = domain.ToContract(p, a.catalog.IsPaid(p.ID))
		out.Plans = a.catalog.Plans()
		out.CancelAtPeriodEnd = acc.CancelAtPeriodEnd
		if e.Status == contracts.StatusTrialing {
			out.TrialEnd = acc.TrialEnd
		}
		if e.Status == contracts.StatusPastDue {
			out.PastDueSince = acc.PastDueSince
			out.GraceEndsAt = domain.GraceEnds(acc, a.cfg.Billing.GracePeriod)
		}
		return nil
	})
	return out, err
}

// Ledger page sizes.
const (
	defaultPage = 50
	maxPage     = 200
)

// Usage pages through the usage ledger, newest first.
func (a *App) Usage(ctx context.Context, r contracts.UsageRequest) (contracts.UsagePage, error) {
	out := contracts.UsagePage{Entries: []contracts.UsageEntry{}}
	if !r.Principal.Role.CanAdminister() {
		return out, apperr.New(apperr.Forbidden, "only owners and admins can see billing")
	}
	limit := r.Limit
	switch {
	case limit == 0:
		limit = defaultPage
	case limit < 0 || limit > maxPage:
		return out, apperr.InvalidField("limit", "limit must be between 1 and %d", maxPage)
	}
	afterAt, afterID, err := parseCursor(r.Cursor)
	if err != nil {
		return out, err
	}
	err = a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		acc, err := a.ensureAccount(tx)
		if err != nil {
			return err
		}
		e := a.entitlementsOf(acc)
		rows, err := tx.Ledger(afterAt, afterID, limit+1)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			last := rows[limit-1]
			out.NextCursor = cursor(last.CountedAt, last.ID)
		}
		for _, row := range rows {
			start, _ := entitlements.Period(e, row.CountedAt)
			out.Entries = append(out.Entries, row.Contract(start))
		}
		return nil
	})
	return out, err
}

func cursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func parseCursor(c string) (*time.Time, string, error) {
	if c == "" {
		return nil, "", nil
	}
	bad := apperr.InvalidField("cursor", "cursor is not one this API returned")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, "", bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || !ids.Valid(id) {
		return nil, "", bad
	}
	return &t, id, nil
}

// ConversationCounted records a new conversation (a message with seq 1) in
// the usage ledger, once per conversation whatever the redeliveries.
func (a *App) ConversationCounted(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.MessageCreated
	if err := env.Decode(&ev); err != nil {
		return apperr.New(apperr.Invalid, "bad message.created event: %v", err)
	}
	c := ev.Summary()
	if ev.Message.Seq != 1 || !ids.Valid(c.ID) {
		return nil
	}
	reason := "new conversation: first message from a " + string(ev.Message.Author.Type)
	if ev.Message.Author.Type == "" {
		reason = "new conversation"
	}
	at := c.CreatedAt
	if at.IsZero() {
		at = env.OccurredAt
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		_, err := tx.Count(store.LedgerEntry{ID: ids.New(), ConversationID: c.ID, CountedAt: at, Reason: reason, EventID: env.ID})
		return err
	})
}
