// Package keys caches the public keys that verify access tokens, fetched from
// identity's JWKS over NATS. Keys are cached by (issuer, kid); an unknown kid
// triggers one refetch, at most once per refetchInterval, so a flood of
// forged kids cannot turn into a flood of requests to identity.
package keys

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

const refetchInterval = 5 * time.Second

type keyID struct{ issuer, kid string }

// Cache is a JWKS cache.
type Cache struct {
	nc  *nats.Conn
	log *slog.Logger

	mu        sync.RWMutex // guards keys and fetchedAt; never held during a fetch
	keys      map[keyID]ed25519.PublicKey
	fetchedAt time.Time
	fetching  sync.Mutex // one fetch at a time
}

// New returns an empty cache.
func New(nc *nats.Conn, log *slog.Logger) *Cache {
	return &Cache{nc: nc, log: log, keys: map[keyID]ed25519.PublicKey{}}
}

// ErrUnknownKey is returned for a kid identity does not publish.
var ErrUnknownKey = errors.New("unknown signing key")

// Key implements auth.KeyFunc. Cached keys are read without waiting for a
// fetch in progress, so a request with an unknown kid never stalls the others.
func (c *Cache) Key(issuer, kid string) (ed25519.PublicKey, error) {
	if k, ok := c.cached(issuer, kid); ok {
		return k, nil
	}
	c.fetching.Lock()
	defer c.fetching.Unlock()
	c.mu.RLock()
	k, ok := c.keys[keyID{issuer, kid}]
	recent := time.Since(c.fetchedAt) < refetchInterval
	c.mu.RUnlock()
	switch {
	case ok: // fetched while this call waited
		return k, nil
	case recent:
		return nil, ErrUnknownKey
	}
	if err := c.fetch(); err != nil {
		c.log.Warn("fetch JWKS", "err", err)
	}
	if k, ok := c.cached(issuer, kid); ok {
		return k, nil
	}
	return nil, ErrUnknownKey
}

func (c *Cache) cached(issuer, kid string) (ed25519.PublicKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.keys[keyID{issuer, kid}]
	return k, ok
}

// JWKS returns identity's current key set (for /.well-known/jwks.json).
func (c *Cache) JWKS(ctx context.Context) (contracts.JWKS, error) {
	return natsx.Call(ctx, c.nc, contracts.IdentityJWKS, contracts.Empty{})
}

// fetch replaces the key set with identity's; callers hold c.fetching.
func (c *Cache) fetch() error {
	c.mu.Lock()
	c.fetchedAt = time.Now()
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	set, err := c.JWKS(ctx)
	if err != nil {
		return err
	}
	keys := map[keyID]ed25519.PublicKey{}
	for _, j := range set.Keys {
		k, err := auth.ParseJWK(j)
		if err != nil {
			c.log.Warn("skip JWK", "err", err)
			continue
		}
		keys[keyID{auth.Issuer, j.Kid}] = k
	}
	c.mu.Lock()
	c.keys = keys
	c.mu.Unlock()
	return nil
}
