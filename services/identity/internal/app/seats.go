package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Entitlements is the local copy of what each tenant's plan allows
// (entitlements.Local).
type Entitlements interface {
	Get(ctx context.Context, tenantID string) (contracts.Entitlements, error)
}

// SetEntitlements makes invites respect each plan's seat limit and API keys
// its features. Without it (tests of other things) nothing is limited.
func (a *App) SetEntitlements(e Entitlements) { a.ent = e }

// entitlementsOf fetches the tenant's entitlements before a transaction that
// checks them (the local copy cannot be read inside one).
func (a *App) entitlementsOf(ctx context.Context, tenantID string) (*contracts.Entitlements, error) {
	if a.ent == nil {
		return nil, nil
	}
	e, err := a.ent.Get(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// requireFeature refuses (402) what the tenant's plan does not include.
func (a *App) requireFeature(ctx context.Context, tenantID, feature string) error {
	e, err := a.entitlementsOf(ctx, tenantID)
	if err != nil || e == nil {
		return err
	}
	return entitlements.Check(*e, feature)
}

// checkSeats refuses with 402 when the tenant's members and open invites
// (other than one for email, which a new invite replaces) already fill the
// plan's seats. It locks the owners first, so concurrent invites of one
// tenant take turns and cannot both take the last seat.
func checkSeats(tx *store.Tx, e *contracts.Entitlements, exceptEmail string, countInvites bool) error {
	if e == nil || e.Seats == 0 {
		return nil
	}
	if _, err := tx.LockOwners(); err != nil {
		return err
	}
	members, invites, err := tx.Seats(exceptEmail)
	if err != nil {
		return err
	}
	used := members
	if countInvites {
		used += invites
	}
	return entitlements.CheckSeats(*e, used)
}

// Seats counts a tenant's members and open invites (billing's overview).
func (a *App) Seats(ctx context.Context, r contracts.TenantIDRequest) (contracts.SeatUsage, error) {
	var out contracts.SeatUsage
	if !ids.Valid(r.TenantID) {
		return out, apperr.InvalidField("tenant_id", "tenant_id must be a UUID")
	}
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		out.Members, out.Invites, err = tx.Seats("")
		return err
	})
	return out, err
}
