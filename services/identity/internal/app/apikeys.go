package app

import (
	"context"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// An API key reads "parley_<tenant id without dashes>_<secret>": the tenant
// part routes the lookup, the secret (stored hashed) proves possession.
const apiKeyPrefix = "parley_"

// keyUseEvery is how stale last_used_at may get (one write per minute per key at most).
const keyUseEvery = time.Minute

// CreateAPIKey makes a key for the tenant's own bot or integration; the key
// is returned this once.
func (a *App) CreateAPIKey(ctx context.Context, r contracts.APIKeyCreateRequest) (contracts.APIKey, error) {
	var out contracts.APIKey
	name, err := validate.Text("name", r.Name, 100, false)
	if err != nil {
		return out, err
	}
	p := r.Principal
	if err := domain.CanAdminister(p.Role); err != nil { // 403 before 402
		return out, err
	}
	if err := a.requireFeature(ctx, p.TenantID, contracts.FeatureAPIKeys); err != nil {
		return out, err
	}
	secret := ids.Secret(32)
	// parley_<tenant, 32 hex>_<secret>; the listed prefix reaches 6 characters
	// into the secret, so each key of a tenant shows a different one.
	key := apiKeyPrefix + strings.ReplaceAll(p.TenantID, "-", "") + "_" + secret
	err = a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		me, err := admin(tx, p)
		if err != nil {
			return err
		}
		k := store.APIKey{ID: ids.New(), Name: name, KeyHash: ids.Hash(secret), Prefix: key[:len(apiKeyPrefix)+33+6], CreatedBy: me.ID}
		if err := tx.CreateAPIKey(&k); err != nil {
			return err
		}
		out = k.Contract()
		return audit(tx, p.AuditActor(), contracts.AuditAPIKeyCreated, "api_key", k.ID, nil, apiKeyFields{Name: k.Name})
	})
	out.Key = key
	return out, err
}

// ListAPIKeys lists the tenant's keys.
func (a *App) ListAPIKeys(ctx context.Context, r contracts.PrincipalRequest) (contracts.APIKeys, error) {
	out := contracts.APIKeys{APIKeys: []contracts.APIKey{}}
	err := a.asAdmin(ctx, r.Principal, func(tx *store.Tx) error {
		keys, err := tx.APIKeys()
		for _, k := range keys {
			out.APIKeys = append(out.APIKeys, k.Contract())
		}
		return err
	})
	return out, err
}

// DeleteAPIKey removes a key; gateways stop accepting it at once.
func (a *App) DeleteAPIKey(ctx context.Context, r contracts.IDRequest) (contracts.Empty, error) {
	if !ids.Valid(r.ID) {
		return contracts.Empty{}, apperr.NotFoundf("API key not found")
	}
	return contracts.Empty{}, a.asAdmin(ctx, r.Principal, func(tx *store.Tx) error {
		k, err := tx.APIKey(r.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteAPIKey(r.ID); err != nil {
			return err
		}
		if err := audit(tx, r.Principal.AuditActor(), contracts.AuditAPIKeyDeleted, "api_key", k.ID, apiKeyFields{Name: k.Name}, nil); err != nil {
			return err
		}
		return tx.Emit(contracts.IdentityAPIKeyRevoked, contracts.APIKeyRevoked{KeyID: r.ID})
	})
}

// CheckAPIKey resolves a presented key to the actor it stands for: a bot of
// the key's tenant, with an agent's rights on conversations.
func (a *App) CheckAPIKey(ctx context.Context, r contracts.APIKeyCheckRequest) (contracts.Actor, error) {
	bad := apperr.New(apperr.Unauthenticated, "invalid API key")
	rest, ok := strings.CutPrefix(r.Key, apiKeyPrefix)
	compact, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(compact) != 32 || len(secret) < 32 || len(secret) > 64 {
		return contracts.Actor{}, bad
	}
	tenantID := compact[:8] + "-" + compact[8:12] + "-" + compact[12:16] + "-" + compact[16:20] + "-" + compact[20:]
	if !ids.Valid(tenantID) {
		return contracts.Actor{}, bad
	}
	var k store.APIKey
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if k, err = tx.APIKeyByHash(ids.Hash(secret)); err != nil {
			return bad
		}
		return nil
	})
	if err != nil {
		return contracts.Actor{}, err
	}
	// Only a real key learns about the plan: a downgrade to a plan without
	// API keys stops the keys (within the gateway's minute of caching); they
	// work again after an upgrade.
	if err := a.requireFeature(ctx, tenantID, contracts.FeatureAPIKeys); apperr.Is(err, apperr.PaymentRequired) {
		return contracts.Actor{}, err
	}
	if now := time.Now().UTC(); k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > keyUseEvery {
		if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { return tx.TouchAPIKey(k.ID, now) }); err != nil {
			return contracts.Actor{}, err
		}
	}
	return contracts.Actor{TenantID: tenantID, Type: contracts.AuthorBot, ID: k.ID, Role: contracts.RoleAgent, Name: k.Name}, nil
}

// apiKeyFields is what the audit log records of a key: its name, never the
// key, its hash or its prefix (the prefix is part of the secret).
type apiKeyFields struct {
	Name string `json:"name"`
}
