// Package app holds identity's use cases: sign-up (a saga over the tenant and
// billing services), login with a brute-force limit, refresh-token rotation
// with reuse detection, logout, invites and team management.
package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/identity/internal/domain"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Config holds identity's settings.
type Config struct {
	PublicURL        string
	LoginMaxFailures int
	LoginWindow      time.Duration
	RefreshTTL       time.Duration
	InviteTTL        time.Duration
	// Clock tells the time that email links expire by (tests move it); nil is time.Now.
	Clock func() time.Time
}

// Directory is what identity asks of the tenant and billing services.
type Directory interface {
	CreateTenant(ctx context.Context, tenantID, name string) (contracts.TenantInfo, error)
	ActivateTenant(ctx context.Context, tenantID string) error
	AbandonTenant(ctx context.Context, tenantID string) error
	CreateBillingAccount(ctx context.Context, tenantID string) error
	IdentitySecret(ctx context.Context, tenantID string) (string, error)
	// TenantName is the name of the caller's tenant (for invitation emails).
	TenantName(ctx context.Context, p contracts.Principal) (string, error)
}

// App is identity's application layer.
type App struct {
	cfg     Config
	store   *store.Store
	dir     Directory
	keys    *Keys
	secrets *secretCache
	log     *slog.Logger
	ent     Entitlements // seat limits; see seats.go
	photos  Photos       // members' photos; see avatar.go
}

// New returns the application.
func New(cfg Config, s *store.Store, dir Directory, keys *Keys, log *slog.Logger) *App {
	return &App{cfg: cfg, store: s, dir: dir, keys: keys, secrets: newSecretCache(dir.IdentitySecret), log: log}
}

// now is the time by the configured clock, in UTC.
func (a *App) now() time.Time {
	if a.cfg.Clock != nil {
		return a.cfg.Clock().UTC()
	}
	return time.Now().UTC()
}

// SecretRotated drops a tenant's cached identity secret.
func (a *App) SecretRotated(tenantID string) { a.secrets.Forget(tenantID) }

// JWKS returns the public keys that verify access tokens.
func (a *App) JWKS(context.Context, contracts.Empty) (contracts.JWKS, error) {
	return a.keys.JWKS(), nil
}

// startSession opens a session for u and issues its first token pair.
func (a *App) startSession(tx *store.Tx, u store.User) (contracts.Tokens, error) {
	s, err := tx.CreateSession(u.ID)
	if apperr.Is(err, apperr.NotFound) {
		return contracts.Tokens{}, badLogin // erased since it was read: its workspace was deleted
	}
	if err != nil {
		return contracts.Tokens{}, err
	}
	return a.issue(tx, u, s.ID)
}

// issue stores a new refresh token of session and signs an access token.
func (a *App) issue(tx *store.Tx, u store.User, sessionID string) (contracts.Tokens, error) {
	secret := ids.Secret(32)
	if err := tx.AddRefreshToken(sessionID, ids.Hash(secret), a.cfg.RefreshTTL); err != nil {
		return contracts.Tokens{}, err
	}
	p := contracts.Principal{TenantID: u.TenantID, UserID: u.ID, Role: u.Role, SessionID: sessionID}
	access, err := a.keys.Signer().NewAccessToken(p, u.Name, time.Now())
	if err != nil {
		return contracts.Tokens{}, err
	}
	return contracts.Tokens{
		AccessToken:  access,
		RefreshToken: u.TenantID + "." + secret,
		ExpiresIn:    int(auth.AccessTTL.Seconds()),
		TokenType:    "Bearer",
	}, nil
}

// splitToken parses "<tenant_id>.<secret>", the form of refresh and invite
// tokens: the tenant part routes the lookup, the secret proves possession.
func splitToken(token string) (tenantID, secret string, ok bool) {
	tenantID, secret, ok = strings.Cut(token, ".")
	return tenantID, secret, ok && ids.Valid(tenantID) && len(secret) >= 32 && len(secret) <= 64
}

// actor loads the caller from the database: roles in tokens may be minutes old.
func actor(tx *store.Tx, p contracts.Principal) (store.User, error) {
	u, err := tx.User(p.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return u, apperr.New(apperr.Unauthenticated, "your account no longer exists")
	}
	return u, err
}

// admin is actor for the calls only owners and admins may make.
func admin(tx *store.Tx, p contracts.Principal) (store.User, error) {
	me, err := actor(tx, p)
	if err != nil {
		return me, err
	}
	return me, domain.CanAdminister(me.Role)
}

// asAdmin runs fn in a transaction of p's tenant once p is found to be an
// owner or admin there.
func (a *App) asAdmin(ctx context.Context, p contracts.Principal, fn func(tx *store.Tx) error) error {
	return a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, err := admin(tx, p); err != nil {
			return err
		}
		return fn(tx)
	})
}

// detached is a context for compensating actions that must run even when the
// request's context has ended.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}
