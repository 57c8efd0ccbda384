package app

import (
	"context"
	"fmt"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// Bot returns the tenant's bot configuration, secrets masked (owners and admins).
func (a *App) Bot(ctx context.Context, r contracts.PrincipalRequest) (contracts.BotConfig, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.BotConfig{}, err
	}
	c, err := a.InternalBot(ctx, contracts.TenantIDRequest{TenantID: r.Principal.TenantID})
	return domain.Masked(c), err
}

// InternalBot returns the whole configuration, secrets included, to the
// conversation service (which runs the bot).
func (a *App) InternalBot(ctx context.Context, r contracts.TenantIDRequest) (contracts.BotConfig, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.BotConfig{}, apperr.NotFoundf("tenant not found")
	}
	c := domain.DefaultBot()
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		if _, err := tx.Get(); err != nil {
			return err
		}
		stored, ok, err := tx.Bot()
		if ok {
			c = stored
		}
		return err
	})
	return c, err
}

// SaveBot validates and stores the bot. A skill the tenant's plan lacks is
// refused with 402, naming the plan that unlocks it.
func (a *App) SaveBot(ctx context.Context, r contracts.BotConfigRequest) (contracts.BotConfig, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.BotConfig{}, err
	}
	next, err := domain.CheckBot(r.Config, a.allowHTTP)
	if err != nil {
		return contracts.BotConfig{}, err
	}
	ent, err := a.plans(ctx, r.Principal.TenantID)
	if err != nil {
		return contracts.BotConfig{}, err
	}
	for i, s := range next.Skills {
		if err := entitlements.Check(ent, contracts.SkillFeatures[s]); err != nil {
			e := apperr.As(err)
			e.Field = fmt.Sprintf("skills[%d]", i)
			return contracts.BotConfig{}, e
		}
	}
	err = a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		stored, exists, err := tx.Bot()
		if err != nil {
			return err
		}
		next = domain.MergeSecrets(next, stored)
		if err := domain.RequireSecrets(next); err != nil {
			return err
		}
		if err := tx.SaveBot(next, exists); err != nil {
			return err
		}
		if err := tx.Emit(contracts.TenantBotChanged, contracts.BotChanged{}); err != nil {
			return err
		}
		if !exists {
			stored = domain.DefaultBot()
		}
		// Masked: a changed webhook secret shows as secret_set, never itself.
		b, af, err := changed(domain.Masked(stored), domain.Masked(next))
		if err != nil || len(af) == 0 {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditBotUpdated, "bot", r.Principal.TenantID, b, af)
	})
	return domain.Masked(next), err
}
