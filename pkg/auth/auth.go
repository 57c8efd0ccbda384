// Package auth issues and verifies Parley's access tokens: EdDSA JWTs with a
// kid, issuer, audience and expiry, all checked, with the algorithm pinned.
//
// Only identity holds private keys (Signer). Everyone else verifies with
// public keys from identity's JWKS, looked up by (issuer, kid) — never by kid
// alone, and never from key material named in the token header.
package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Token parameters.
const (
	Issuer         = "parley"
	AudienceAPI    = "parley-api"    // agents, admins, owners
	AudienceWidget = "parley-widget" // visitors
	AccessTTL      = 15 * time.Minute
	// MaxTokenBytes bounds what the verifier will even look at (CVE-2025-30204 class).
	MaxTokenBytes = 4096
	leeway        = 30 * time.Second
)

// AgentClaims are the claims of a member's access token.
type AgentClaims struct {
	jwt.RegisteredClaims
	TenantID  string         `json:"tid"`
	Role      contracts.Role `json:"role"`
	SessionID string         `json:"sid"`
	Name      string         `json:"name,omitempty"` // display name, for message authors
}

// Principal is the caller the claims describe.
func (c AgentClaims) Principal() contracts.Principal {
	return contracts.Principal{TenantID: c.TenantID, UserID: c.Subject, Role: c.Role, SessionID: c.SessionID}
}

// Signer signs tokens with one Ed25519 key.
type Signer struct {
	Kid string
	Key ed25519.PrivateKey
}

// Sign returns the compact JWT of claims, with kid in its header.
func (s Signer) Sign(claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = s.Kid
	return t.SignedString(s.Key)
}

// NewAccessToken returns a signed access token for a member.
func (s Signer) NewAccessToken(p contracts.Principal, name string, now time.Time) (string, error) {
	return s.Sign(AgentClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   p.UserID,
			Audience:  jwt.ClaimStrings{AudienceAPI},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
		},
		TenantID: p.TenantID, Role: p.Role, SessionID: p.SessionID, Name: name,
	})
}

// KeyFunc finds the public key for an issuer and kid.
type KeyFunc func(issuer, kid string) (ed25519.PublicKey, error)

// Verify parses token for audience into claims. Any problem — bad signature,
// wrong algorithm, issuer or audience, missing or past exp, unknown kid,
// oversized input — is an Unauthenticated error; there is no "expired but
// otherwise fine" path.
func Verify(token, audience string, keys KeyFunc, claims jwt.Claims) error {
	return verify(token, audience, keys, claims, leeway, time.Now)
}

func verify(token, audience string, keys KeyFunc, claims jwt.Claims, leeway time.Duration, now func() time.Time) error {
	if len(token) == 0 || len(token) > MaxTokenBytes {
		return unauthenticated()
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
	)
	_, err := p.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if !validKid(kid) {
			return nil, errors.New("missing or malformed kid")
		}
		return keys(Issuer, kid)
	})
	if err != nil {
		return unauthenticated()
	}
	return nil
}

func unauthenticated() error {
	return apperr.New(apperr.Unauthenticated, "missing, invalid or expired credentials")
}

func validKid(kid string) bool {
	if kid == "" || len(kid) > 64 {
		return false
	}
	for _, r := range kid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// PublicJWK encodes a public key for the JWKS.
func PublicJWK(kid string, pub ed25519.PublicKey) contracts.JWK {
	return contracts.JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: kid, Alg: "EdDSA", Use: "sig"}
}

// ParseJWK decodes a JWKS entry into a public key.
func ParseJWK(k contracts.JWK) (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" || !validKid(k.Kid) {
		return nil, fmt.Errorf("unsupported key %q (%s/%s)", k.Kid, k.Kty, k.Crv)
	}
	b, err := base64.RawURLEncoding.DecodeString(k.X)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %q: bad x", k.Kid)
	}
	return ed25519.PublicKey(b), nil
}

// Visitor token lifetimes. A visitor token lives a week; every session the
// widget starts (each page load, and while a page stays open) renews it. A
// verified visitor's token is renewed only with a fresh user_hash, so it
// ends within VisitorTTL of the host site no longer vouching for the user.
// An anonymous visitor has nothing else to prove who they are: once
// expired, their token can still be renewed (and do nothing else) up to
// VisitorRenewTTL after it was issued, so a visitor who comes back within
// three months keeps their conversations. A revocation refuses both uses.
const (
	VisitorTTL      = 7 * 24 * time.Hour
	VisitorRenewTTL = 90 * 24 * time.Hour
)

// VisitorClaims are the claims of a visitor token. The subject is the visitor
// id. Verified visitors carry the host site's user id and what it said of
// them, vouched for by its user_hash.
type VisitorClaims struct {
	jwt.RegisteredClaims
	TenantID   string `json:"tid"`
	Verified   bool   `json:"ver,omitempty"`
	ExternalID string `json:"ext,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Actor is the conversation actor the token stands for.
func (c VisitorClaims) Actor() contracts.Actor {
	a := contracts.Actor{TenantID: c.TenantID, Type: contracts.AuthorVisitor, ID: c.Subject}
	if c.Verified {
		a.Identity = &contracts.VisitorIdentity{ID: c.ExternalID, Name: c.Name, Email: c.Email}
	}
	return a
}

// NewVisitorToken signs a visitor token.
func (s Signer) NewVisitorToken(c VisitorClaims, now time.Time) (string, error) {
	c.Issuer = Issuer
	c.Audience = jwt.ClaimStrings{AudienceWidget}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.NotBefore = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(VisitorTTL))
	return s.Sign(c)
}

// VerifyRenewal parses a visitor token presented for renewal at now: like
// Verify, except that it may have expired if it was issued less than
// VisitorRenewTTL ago. The caller renews only anonymous tokens this way.
func VerifyRenewal(token string, keys KeyFunc, claims *VisitorClaims, now time.Time) error {
	return verify(token, AudienceWidget, keys, claims, VisitorRenewTTL-VisitorTTL, func() time.Time { return now })
}
