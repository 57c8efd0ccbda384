package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// Keys holds the signing keys. The newest active key signs; every active key
// is published in the JWKS, so a key added by a replica or a rotation is
// trusted before it is used.
type Keys struct {
	mu     sync.RWMutex
	signer auth.Signer
	jwks   contracts.JWKS
	public map[string]ed25519.PublicKey
}

// LoadKeys reads the active keys, creating the first one on a fresh install.
func LoadKeys(ctx context.Context, s *store.Store) (*Keys, error) {
	var active []store.SigningKey
	err := s.Global(ctx, func(tx *store.Tx) error {
		var err error
		if active, err = tx.ActiveKeys(); err != nil || len(active) > 0 {
			return err
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		k := store.SigningKey{Kid: ids.Secret(12), PrivateKey: base64.StdEncoding.EncodeToString(priv.Seed()), CreatedAt: time.Now().UTC()}
		if err := tx.AddKey(k); err != nil {
			return err
		}
		active = []store.SigningKey{k}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	k := &Keys{public: map[string]ed25519.PublicKey{}}
	for i, sk := range active {
		seed, err := base64.StdEncoding.DecodeString(sk.PrivateKey)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %s is corrupt", sk.Kid)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		if i == 0 {
			k.signer = auth.Signer{Kid: sk.Kid, Key: priv}
		}
		pub := priv.Public().(ed25519.PublicKey)
		k.public[sk.Kid] = pub
		k.jwks.Keys = append(k.jwks.Keys, auth.PublicJWK(sk.Kid, pub))
	}
	return k, nil
}

// Signer is the key that signs new tokens.
func (k *Keys) Signer() auth.Signer {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.signer
}

// JWKS is the public key set.
func (k *Keys) JWKS() contracts.JWKS {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.jwks
}

// Key implements auth.KeyFunc over identity's own keys.
func (k *Keys) Key(issuer, kid string) (ed25519.PublicKey, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if pub, ok := k.public[kid]; ok && issuer == auth.Issuer {
		return pub, nil
	}
	return nil, fmt.Errorf("unknown key %q", kid)
}
