package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/password"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Signup creates a tenant (tenant service), its billing account (billing
// service) and its owner (here), then activates the tenant.
//
// It is a saga: if any step fails, the tenant is abandoned, which deletes it
// and — through the tenant.deleted event — its billing account, so nothing is
// left half-created. If this process dies mid-way the tenant stays "pending"
// (invisible to visitors) and the tenant service's janitor abandons it; the
// owner row is the commit point, and its signup.completed event activates the
// tenant even if the direct activation call is lost.
func (a *App) Signup(ctx context.Context, r contracts.SignupRequest) (contracts.SignupResult, error) {
	var res contracts.SignupResult
	business, err := domain.CleanName("business_name", r.BusinessName)
	if err != nil {
		return res, err
	}
	name, err := domain.CleanName("name", r.Name)
	if err != nil {
		return res, err
	}
	email, err := validate.Email("email", r.Email)
	if err != nil {
		return res, err
	}
	if err := domain.CheckPassword("password", r.Password); err != nil {
		return res, err
	}
	if err := a.emailFree(ctx, email); err != nil {
		return res, err
	}
	hash := password.Hash(r.Password)

	tenantID := ids.New()
	tenant, err := a.dir.CreateTenant(ctx, tenantID, business)
	if err != nil {
		a.abandon(ctx, tenantID)
		return res, err
	}
	if err := a.dir.CreateBillingAccount(ctx, tenantID); err != nil {
		a.abandon(ctx, tenantID)
		return res, err
	}
	err = a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		u := store.User{ID: ids.New(), Email: email, Name: name, Role: contracts.RoleOwner, PasswordHash: hash, Locale: domain.LocaleOr(r.Locale, "")}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		tokens, err := a.startSession(tx, u)
		if err != nil {
			return err
		}
		res = contracts.SignupResult{Tenant: tenant, User: u.Contract(), Tokens: tokens}
		if err := tx.Emit(contracts.IdentitySignupCompleted, contracts.SignupCompleted{UserID: u.ID}); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityMemberChanged, contracts.MemberChanged{User: u.Contract()})
	})
	if err != nil {
		a.abandon(ctx, tenantID)
		return contracts.SignupResult{}, err
	}
	if err := a.dir.ActivateTenant(ctx, tenantID); err != nil {
		a.log.Warn("tenant activation deferred to the signup.completed event", "tenant_id", tenantID, "err", err)
	}
	return res, nil
}

func (a *App) emailFree(ctx context.Context, email string) error {
	return a.store.Global(ctx, func(tx *store.Tx) error {
		_, taken, err := tx.FindEmail(email)
		if err == nil && taken {
			return apperr.New(apperr.Conflict, "an account with this email already exists")
		}
		return err
	})
}

// abandon undoes a failed sign-up's tenant; the janitor retries if this fails.
func (a *App) abandon(ctx context.Context, tenantID string) {
	ctx, cancel := detached(ctx)
	defer cancel()
	if err := a.dir.AbandonTenant(ctx, tenantID); err != nil {
		a.log.Warn("abandon tenant of failed sign-up; the janitor will", "tenant_id", tenantID, "err", err)
	}
}
