// Package app holds billing's use cases: accounts and their Stripe
// customers, the entitlements every other service enforces (published on
// each change, with a growing version), Checkout and portal sessions, Stripe
// webhooks, the grace period of a failed payment, and the usage ledger.
package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/billing/internal/domain"
	"github.com/parley-chat/parley/services/billing/internal/store"
	"github.com/parley-chat/parley/services/billing/internal/stripeapi"
)

// Payments is what billing asks of Stripe (stripeapi.Client). Every call
// that creates something carries an idempotency key.
type Payments interface {
	CreateCustomer(ctx context.Context, tenantID, name, idempotencyKey string) (string, error)
	CreateCheckout(ctx context.Context, in stripeapi.Checkout) (string, error)
	CreatePortal(ctx context.Context, in stripeapi.Portal) (string, error)
	ParseWebhook(payload []byte, signature string) (domain.Event, error)
	CancelSubscription(ctx context.Context, subscriptionID, idempotencyKey string) error
}

// Directory is what billing asks of the other services.
type Directory interface {
	Seats(ctx context.Context, tenantID string) (contracts.SeatUsage, error)
}

// Config holds billing's settings.
type Config struct {
	Billing   config.Billing
	PublicURL string
}

// App is billing's application layer.
type App struct {
	cfg     Config
	catalog domain.Catalog
	store   *store.Store
	pay     Payments // nil when billing is off
	dir     Directory
	now     func() time.Time
	log     *slog.Logger
}

// New returns the application. pay is nil when billing is off; now is the
// clock (tests move it to end grace periods).
func New(cfg Config, s *store.Store, pay Payments, dir Directory, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	return &App{cfg: cfg, catalog: domain.NewCatalog(cfg.Billing), store: s, pay: pay, dir: dir, now: now, log: log}
}

func (a *App) clock() time.Time { return a.now().UTC().Truncate(time.Microsecond) }

// CreateAccount opens a tenant's account on the free plan and, when Stripe
// is configured, creates its Stripe customer. It is idempotent.
func (a *App) CreateAccount(ctx context.Context, r contracts.TenantIDRequest) (contracts.Account, error) {
	var out contracts.Account
	if !ids.Valid(r.TenantID) {
		return out, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	var acc domain.Account
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		acc, err = a.ensureAccount(tx)
		return err
	})
	if err != nil {
		return out, err
	}
	if a.pay != nil && acc.CustomerID() == "" {
		if _, err := a.customer(ctx, r.TenantID); err != nil {
			// Sign-up does not depend on Stripe: Checkout creates the customer later.
			a.log.Warn("stripe customer not created at sign-up; checkout will", "tenant_id", r.TenantID, "err", err)
		}
	}
	return contracts.Account{TenantID: r.TenantID, Plan: acc.Plan, Status: acc.Status}, nil
}

// ensureAccount loads the tenant's account, creating it (and publishing its
// first entitlements) if it does not exist.
func (a *App) ensureAccount(tx *store.Tx) (domain.Account, error) {
	acc, err := tx.Account()
	if !apperr.Is(err, apperr.NotFound) {
		return acc, err
	}
	now := a.clock()
	acc = domain.Account{CreatedAt: now}
	if err := tx.CreateAccount(&acc, now); err != nil {
		return acc, err
	}
	return acc, a.publish(tx, &acc, now)
}

// customer returns the tenant's Stripe customer, creating it if needed. The
// idempotency key is the tenant's, so a retry never makes a second customer.
func (a *App) customer(ctx context.Context, tenantID string) (string, error) {
	var acc domain.Account
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) { acc, err = a.ensureAccount(tx); return err }); err != nil {
		return "", err
	}
	if id := acc.CustomerID(); id != "" {
		return id, nil
	}
	id, err := a.pay.CreateCustomer(ctx, tenantID, "", "parley-customer-"+tenantID)
	if err != nil {
		return "", apperr.New(apperr.Unavailable, "Stripe could not be reached; try again in a moment")
	}
	return id, a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { return tx.SetCustomer(id, a.clock()) })
}

// entitlementsNow is the account's entitlements under the current plans,
// and their JSON as publish stores it.
func (a *App) entitlementsNow(acc domain.Account, now time.Time) (contracts.Entitlements, string, error) {
	e := a.catalog.Entitlements(acc, now, a.cfg.Billing.GracePeriod)
	body, err := json.Marshal(e)
	return e, string(body), err
}

// publish recomputes the account's entitlements and, if they changed,
// stores them with the next version and emits BillingEntitlementsChanged in
// the same transaction. It also keeps the grace deadline in step.
func (a *App) publish(tx *store.Tx, acc *domain.Account, now time.Time) error {
	e, body, err := a.entitlementsNow(*acc, now)
	if err != nil {
		return err
	}
	var due *time.Time
	if g := domain.GraceEnds(*acc, a.cfg.Billing.GracePeriod); g != nil && now.Before(*g) {
		due = g
	}
	if err := tx.SetGraceDeadline(due); err != nil {
		return err
	}
	if body == acc.Published {
		return tx.SaveAccount(acc, now)
	}
	acc.Version++
	acc.Published, acc.Plan, acc.Status = body, e.Plan, e.Status
	if err := tx.SaveAccount(acc, now); err != nil {
		return err
	}
	e.Version = acc.Version
	return tx.Emit(contracts.BillingEntitlementsChanged, contracts.EntitlementsChanged{Entitlements: e})
}

// entitlementsOf is the account's current entitlements with their version.
func (a *App) entitlementsOf(acc domain.Account) contracts.Entitlements {
	e := a.catalog.Entitlements(acc, a.clock(), a.cfg.Billing.GracePeriod)
	e.Version = acc.Version
	return e
}

// Entitlements answers a service that has no local copy yet.
func (a *App) Entitlements(ctx context.Context, r contracts.TenantIDRequest) (contracts.Entitlements, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.Entitlements{}, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	var out contracts.Entitlements
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		acc, err := tx.Account()
		if apperr.Is(err, apperr.NotFound) {
			// No account: the workspace is still being signed up, or it was
			// deleted. Answer the free plan as version 0, which no service
			// stores, and write nothing, so that a service asking late does
			// not bring a deleted workspace's account back.
			out = a.entitlementsOf(domain.Account{CreatedAt: a.clock()})
			return nil
		}
		if err != nil {
			return err
		}
		if acc.Published == "" { // an account from before entitlements existed
			if err := a.publish(tx, &acc, a.clock()); err != nil {
				return err
			}
		}
		out = a.entitlementsOf(acc)
		return nil
	})
	return out, err
}

// RepublishAll brings every tenant's published entitlements in line with
// the plans as configured now: after the plans file changed, or billing was
// turned on or off, the other services' copies would otherwise keep the old
// limits until the tenant's next billing change. It touches only tenants
// whose entitlements differ, so a restart with the same plans publishes
// nothing. It returns how many tenants it republished.
func (a *App) RepublishAll(ctx context.Context) (int, error) {
	const page = 200
	republished, after := 0, ""
	for {
		var tenants []string
		if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { tenants, err = tx.TenantsAfter(after, page); return err }); err != nil {
			return republished, err
		}
		for _, tenantID := range tenants {
			err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
				acc, err := tx.Account()
				if apperr.Is(err, apperr.NotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				now := a.clock()
				if _, body, err := a.entitlementsNow(acc, now); err != nil || body == acc.Published {
					return err
				}
				republished++
				return a.publish(tx, &acc, now)
			})
			if err != nil {
				return republished, err
			}
		}
		if len(tenants) < page {
			return republished, nil
		}
		after = tenants[len(tenants)-1]
	}
}

// SweepGrace moves every tenant whose grace period ended to the free plan.
func (a *App) SweepGrace(ctx context.Context) error {
	var due []string
	if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { due, err = tx.DueGrace(a.clock(), 100); return err }); err != nil {
		return err
	}
	for _, tenantID := range due {
		err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
			acc, err := tx.Account()
			if apperr.Is(err, apperr.NotFound) {
				return tx.SetGraceDeadline(nil)
			}
			if err != nil {
				return err
			}
			return a.publish(tx, &acc, a.clock())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func requireOwner(p contracts.Principal) error {
	if p.Role != contracts.RoleOwner {
		return apperr.New(apperr.Forbidden, "only the owner can change the plan or payment details")
	}
	return nil
}

// Enabled reports whether billing talks to Stripe (PARLEY_STRIPE_SECRET_KEY is set).
func (a *App) Enabled() bool { return a.pay != nil }

func (a *App) requireBilling() error {
	if !a.Enabled() {
		return apperr.New(apperr.NotFound, "billing is off on this Parley: every feature is included without limits")
	}
	return nil
}
