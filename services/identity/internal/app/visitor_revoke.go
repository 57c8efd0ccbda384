package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// RevokeVisitor ends a visitor's tokens (Parley('reset'), on the host site's
// logout): every token of that visitor issued until now is refused, by the
// renewal below and by gateways (IdentityVisitorRevoked). An anonymous
// visitor is gone for good (a renewal with its token starts a new visitor);
// a verified one comes back with the next identify and its user_hash.
// Tokens carry whole-second iat, so one issued in the same second as the
// revocation counts as revoked too. An expired token that could still be
// renewed is revoked like a live one.
func (a *App) RevokeVisitor(ctx context.Context, r contracts.VisitorRevokeRequest) (contracts.Empty, error) {
	var c auth.VisitorClaims
	if err := auth.VerifyRenewal(r.VisitorToken, a.keys.Key, &c, a.now()); err != nil || c.TenantID != r.TenantID || c.Subject == "" {
		return contracts.Empty{}, apperr.New(apperr.Unauthenticated, "missing, invalid or expired visitor token")
	}
	now := time.Now().UTC()
	ev := contracts.VisitorRevoked{VisitorID: c.Subject, RevokedAt: now, ExpiresAt: now.Add(auth.VisitorRenewTTL)}
	return contracts.Empty{}, a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		if err := tx.RevokeVisitor(store.VisitorRevocation{VisitorID: ev.VisitorID, RevokedAt: ev.RevokedAt, ExpiresAt: ev.ExpiresAt}); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityVisitorRevoked, ev)
	})
}

// VisitorRevocations lists the revocations still in force, for gateways.
func (a *App) VisitorRevocations(ctx context.Context, _ contracts.Empty) (contracts.VisitorRevocations, error) {
	out := contracts.VisitorRevocations{Revocations: []contracts.VisitorRevocation{}}
	err := a.store.Global(ctx, func(tx *store.Tx) error {
		rows, err := tx.ActiveVisitorRevocations(time.Now().UTC())
		for _, r := range rows {
			out.Revocations = append(out.Revocations, contracts.VisitorRevocation{TenantID: r.TenantID, VisitorRevoked: contracts.VisitorRevoked{VisitorID: r.VisitorID, RevokedAt: r.RevokedAt, ExpiresAt: r.ExpiresAt}})
		}
		return err
	})
	return out, err
}

// visitorRevoked reports whether a visitor token was revoked.
func (a *App) visitorRevoked(ctx context.Context, c auth.VisitorClaims) (bool, error) {
	if c.IssuedAt == nil {
		return true, nil
	}
	var revoked bool
	err := a.store.Tenant(ctx, c.TenantID, func(tx *store.Tx) error {
		at, ok, err := tx.VisitorRevokedAt(c.Subject)
		revoked = ok && contracts.VisitorRevoked{RevokedAt: at}.Covers(c.IssuedAt.Time)
		return err
	})
	return revoked, err
}

// SecretRotatedConsumer names the durable consumer of tenant.settings.changed.
const SecretRotatedConsumer = "identity-secret-rotated"

// SettingsChanged ends every verified visitor session of a tenant that
// rotated its identity secret: their tokens issued until now are refused
// (contracts.AllVerifiedVisitors), so each verified visitor comes back only
// with a user_hash made with the new secret. Anonymous visitors are not
// affected: the secret never vouched for them. Now, not the rotation's
// time: a token issued with the old secret still cached is covered too.
// Once per event, like VisitorErased.
func (a *App) SettingsChanged(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.SettingsChanged
	if err := env.Decode(&ev); err != nil || !ev.SecretRotated {
		return nil
	}
	a.secrets.Forget(env.TenantID)
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		first, err := tx.FirstDelivery(SecretRotatedConsumer, env.ID)
		if err != nil || !first {
			return err
		}
		return revokeVisitor(tx, contracts.AllVerifiedVisitors, time.Now().UTC())
	})
}
