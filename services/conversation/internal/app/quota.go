package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
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

// quotaGate is a tenant's quota and who asks to start a conversation,
// fetched before the transaction of a Start (the local copy cannot be read
// inside one) and checked within it.
type quotaGate struct {
	e     *contracts.Entitlements
	actor contracts.Actor
}

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

// startQuota is the gate of a visitor's Start.
func (a *App) startQuota(ctx context.Context, actor contracts.Actor) quotaGate {
	g := a.quota(ctx, actor.TenantID)
	g.actor = actor
	return g
}

// admit refuses (403) a start by a blocked visitor or from a blocked
// network, (402) one beyond the month's quota, and (429) one beyond the
// starter's share of it; it records where the start came from.
func (a *App) admit(tx *store.Tx, g quotaGate) error {
	ip := ""
	if g.actor.IP != "" {
		ip = ipHash(tx.TenantID, g.actor.IP)
	}
	blocked, err := tx.Blocked(g.actor.ID, ip)
	if err != nil {
		return err
	}
	if blocked {
		return apperr.New(apperr.Forbidden, "this chat is not available to you: the team blocked this visitor or network")
	}
	now := a.now()
	if g.e != nil && g.e.ConversationsPerMonth > 0 {
		if err := tx.LockQuota(); err != nil {
			return err
		}
		start, end := entitlements.Period(*g.e, now)
		used, err := tx.ConversationsCreated(start, end, g.e.ConversationsPerMonth)
		if err != nil {
			return err
		}
		if err := entitlements.CheckConversations(*g.e, used); err != nil {
			return err
		}
		if err := a.admitShare(tx, g, ip, start, end); err != nil {
			return err
		}
	}
	if ip == "" {
		return nil
	}
	// Kept a little over a month: a quota period, and a block's reach.
	return tx.RecordStart(g.actor.ID, ip, now, now.AddDate(0, 0, -32))
}

// One visitor, and one client IP, may start at most a tenth of the monthly
// quota in a period, so that no anonymous visitor can use it up for the
// real ones: at least one conversation per visitor, and ten per IP (an
// office or a mobile carrier puts many people behind one address). The
// share is counted in the database, so it holds across gateway and
// conversation replicas and restarts, unlike the gateway's hourly rate
// limits; plans without a quota have nothing to use up and only those apply.
const (
	shareDivisor = 10
	visitorFloor = 1
	ipFloor      = 10
)

func quotaShare(quota, floor int) int { return max(floor, quota/shareDivisor) }

// admitShare refuses (429) a start beyond the visitor's or the IP's
// share of the period's quota. The quota lock is held.
func (a *App) admitShare(tx *store.Tx, g quotaGate, ip string, start, end time.Time) error {
	quota, now := g.e.ConversationsPerMonth, a.now()
	limited := func(who string, n int) error {
		e := apperr.RateLimitedFor(end.Sub(now))
		e.Message = fmt.Sprintf("%s has started %d conversations this period, the most one %s may start of this workspace's %d a month; try again after %s",
			who, n, strings.TrimPrefix(who, "this "), quota, end.UTC().Format(time.DateOnly))
		return e
	}
	most := quotaShare(quota, visitorFloor)
	n, err := tx.VisitorConversationsCreated(g.actor.ID, start, end, most)
	if err != nil {
		return err
	}
	if n >= most {
		return limited("this visitor", n)
	}
	if ip == "" {
		return nil
	}
	most = quotaShare(quota, ipFloor)
	if n, err = tx.StartsFrom(ip, start, end, most); err != nil {
		return err
	}
	if n >= most {
		return limited("this network", n)
	}
	return nil
}

// ipHash is how conversation_starts keeps a client IP: hashed with the
// tenant id, so the table holds no address in the clear and one IP's rows
// do not match across tenants. An IPv6 address counts by its /64, the
// block one subscriber gets.
func ipHash(tenantID, ip string) string {
	if addr, err := netip.ParseAddr(ip); err == nil {
		if addr = addr.Unmap(); addr.Is6() {
			p, _ := addr.Prefix(64)
			ip = p.String()
		} else {
			ip = addr.String()
		}
	}
	sum := sha256.Sum256([]byte(tenantID + "\x00" + ip))
	return hex.EncodeToString(sum[:16])
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
