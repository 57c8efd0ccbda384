package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/identity/internal/domain"
)

// VisitorSession issues a visitor token; it stores nothing.
//
// An identified visitor (the host site's user, with a user_hash made with
// the tenant's identity secret) gets a visitor id derived from the tenant and
// the site's user id, so the same user has the same history on any device.
// A wrong hash is refused — whatever name or email it claims, it never
// reaches an existing user's conversations. An anonymous visitor keeps the
// visitor id of an anonymous token of the same tenant that may still be
// renewed (auth.VisitorRenewTTL), or gets a new one (so does a revoked
// token: see RevokeVisitor); a verified identity is never renewed without
// its user_hash (after a logout, or a rotated secret, it is gone).
func (a *App) VisitorSession(ctx context.Context, r contracts.VisitorSessionRequest) (contracts.VisitorSession, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.VisitorSession{}, apperr.NotFoundf("unknown widget")
	}
	var claims auth.VisitorClaims
	switch {
	case r.Identity != nil:
		c, err := a.identify(ctx, r.TenantID, *r.Identity)
		if err != nil {
			return contracts.VisitorSession{}, err
		}
		claims = c
	case r.RequireVerified:
		return contracts.VisitorSession{}, apperr.New(apperr.Unauthenticated, "this site only chats with signed-in users: call Parley('identify', …) with a user_hash")
	default:
		var old auth.VisitorClaims
		renew := r.VisitorToken != "" && auth.VerifyRenewal(r.VisitorToken, a.keys.Key, &old, a.now()) == nil && old.TenantID == r.TenantID && !old.Verified
		if renew {
			revoked, err := a.visitorRevoked(ctx, old)
			if err != nil {
				return contracts.VisitorSession{}, err
			}
			renew = !revoked
		}
		if renew {
			claims = auth.VisitorClaims{TenantID: r.TenantID}
			claims.Subject = old.Subject
		} else {
			claims = auth.VisitorClaims{TenantID: r.TenantID}
			claims.Subject = ids.New()
		}
	}
	now := a.now()
	tok, err := a.keys.Signer().NewVisitorToken(claims, now)
	if err != nil {
		return contracts.VisitorSession{}, err
	}
	return contracts.VisitorSession{VisitorToken: tok, ExpiresAt: now.Add(auth.VisitorTTL).Truncate(time.Second), Actor: claims.Actor()}, nil
}

func (a *App) identify(ctx context.Context, tenantID string, in contracts.VisitorIdentity) (auth.VisitorClaims, error) {
	var c auth.VisitorClaims
	id, err := validate.Text("identity.id", in.ID, 128, false)
	if err != nil {
		return c, err
	}
	name := ""
	if strings.TrimSpace(in.Name) != "" {
		if name, err = domain.CleanName("identity.name", in.Name); err != nil {
			return c, err
		}
	}
	email := ""
	if strings.TrimSpace(in.Email) != "" {
		if email, err = validate.Email("identity.email", in.Email); err != nil {
			return c, err
		}
	}
	secret, err := a.secrets.get(ctx, tenantID)
	if err != nil {
		return c, err
	}
	if !validUserHash(secret, id, in.UserHash) {
		return c, apperr.New(apperr.Unauthenticated, "identity verification failed: user_hash does not match this user id")
	}
	c = auth.VisitorClaims{TenantID: tenantID, Verified: true, ExternalID: id, Name: name, Email: email}
	c.Subject = contracts.VerifiedVisitorID(tenantID, id)
	return c, nil
}

// validUserHash checks hex(HMAC-SHA256(secret, id)) in constant time.
func validUserHash(secret, id, userHash string) bool {
	got, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(userHash)))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id))
	return hmac.Equal(got, m.Sum(nil))
}

// secretCache keeps tenants' identity secrets for a minute; a rotation
// (tenant settings.changed) drops the entry at once.
type secretCache struct {
	fetch func(ctx context.Context, tenantID string) (string, error)
	mu    sync.Mutex
	m     map[string]cachedSecret
}

type cachedSecret struct {
	secret string
	at     time.Time
}

const secretTTL = time.Minute

func newSecretCache(fetch func(ctx context.Context, tenantID string) (string, error)) *secretCache {
	return &secretCache{fetch: fetch, m: map[string]cachedSecret{}}
}

func (c *secretCache) get(ctx context.Context, tenantID string) (string, error) {
	c.mu.Lock()
	e, ok := c.m[tenantID]
	c.mu.Unlock()
	if ok && time.Since(e.at) < secretTTL {
		return e.secret, nil
	}
	s, err := c.fetch(ctx, tenantID)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.m[tenantID] = cachedSecret{secret: s, at: time.Now()}
	c.mu.Unlock()
	return s, nil
}

// Forget drops a tenant's cached secret.
func (c *secretCache) Forget(tenantID string) {
	c.mu.Lock()
	delete(c.m, tenantID)
	c.mu.Unlock()
}
