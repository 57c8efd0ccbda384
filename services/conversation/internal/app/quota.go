package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Entitlements is the local copy of what each tenant's plan allows
// (entitlements.Local).
type Entitlements interface {
	Get(ctx context.Context, tenantID string) (contracts.Entitlements, error)
}

// SetEntitlements makes Start respect each plan's monthly conversation
// quota. Without it (tests of other things) conversations are not limited.
func (a *App) SetEntitlements(e Entitlements) { a.ent = e }

// quotaGate is a tenant's quota, fetched before the transaction of a Start
// (the local copy cannot be read inside one) and checked within it.
type quotaGate struct{ e *contracts.Entitlements }

// quota fetches the tenant's entitlements. If neither the local copy nor
// billing can say, the gate stays open: a visitor's conversation is worth
// more than a quota that may be exceeded by a few during an outage.
func (a *App) quota(ctx context.Context, tenantID string) quotaGate {
	if a.ent == nil {
		return quotaGate{}
	}
	e, err := a.ent.Get(ctx, tenantID)
	if err != nil {
		a.log.Warn("entitlements unavailable; conversation quota not checked", "tenant_id", tenantID, "err", err)
		return quotaGate{}
	}
	return quotaGate{e: &e}
}

// admit refuses (402) a new conversation beyond the month's quota.
func (a *App) admit(tx *store.Tx, g quotaGate) error {
	if g.e == nil || g.e.ConversationsPerMonth == 0 {
		return nil
	}
	if err := tx.LockQuota(); err != nil {
		return err
	}
	start, end := entitlements.Period(*g.e, a.now())
	used, err := tx.ConversationsCreated(start, end, g.e.ConversationsPerMonth)
	if err != nil {
		return err
	}
	return entitlements.CheckConversations(*g.e, used)
}

// Quota says how many conversations the tenant started this period and
// whether it may start more; the widget shows its offline form when not.
func (a *App) Quota(ctx context.Context, r contracts.TenantIDRequest) (contracts.ConversationQuota, error) {
	var out contracts.ConversationQuota
	g := a.quota(ctx, r.TenantID)
	if g.e == nil {
		return out, nil
	}
	out.PeriodStart, out.PeriodEnd = entitlements.Period(*g.e, a.now())
	out.Limit = g.e.ConversationsPerMonth
	if out.Limit == 0 {
		return out, nil // no limit: nothing to count
	}
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		out.Used, err = tx.ConversationsCreated(out.PeriodStart, out.PeriodEnd, out.Limit)
		return err
	})
	out.Exceeded = out.Limit > 0 && out.Used >= out.Limit
	return out, err
}

// withinPlan drops the skills the tenant's plan no longer includes. The
// configuration stays as saved, so an upgrade brings them back. When the
// plan cannot be read the bot runs as configured (its skills were allowed
// when saved).
func (a *App) withinPlan(ctx context.Context, tenantID string, bot Bot) Bot {
	if a.ent == nil {
		return bot
	}
	e, err := a.ent.Get(ctx, tenantID)
	if err != nil {
		return bot
	}
	skills := make([]string, 0, len(bot.Skills))
	for _, s := range bot.Skills {
		if e.Has(contracts.SkillFeatures[s]) {
			skills = append(skills, s)
		}
	}
	bot.Skills = skills // a copy: the cached Bot keeps its own slice
	return bot
}
