package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
)

func newSigner(t *testing.T, kid string) auth.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Signer{Kid: kid, Key: priv}
}

func keysOf(signers ...auth.Signer) auth.KeyFunc {
	return func(iss, kid string) (ed25519.PublicKey, error) {
		for _, s := range signers {
			if iss == auth.Issuer && s.Kid == kid {
				return s.Key.Public().(ed25519.PublicKey), nil
			}
		}
		return nil, errors.New("unknown key")
	}
}

var who = contracts.Principal{TenantID: "t1", UserID: "u1", Role: contracts.RoleAdmin, SessionID: "s1"}

func claims(now time.Time, mutate func(*auth.AgentClaims)) *auth.AgentClaims {
	c := &auth.AgentClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: auth.Issuer, Subject: "u1", Audience: jwt.ClaimStrings{auth.AudienceAPI},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
		},
		TenantID: "t1", Role: contracts.RoleAdmin, SessionID: "s1",
	}
	if mutate != nil {
		mutate(c)
	}
	return c
}

func TestValidTokenVerifies(t *testing.T) {
	s := newSigner(t, "k1")
	tok, err := s.NewAccessToken(who, "Ann", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var c auth.AgentClaims
	if err := auth.Verify(tok, auth.AudienceAPI, keysOf(s), &c); err != nil {
		t.Fatal(err)
	}
	if c.Principal() != who {
		t.Fatalf("principal = %+v", c.Principal())
	}
}

func TestRejectedTokens(t *testing.T) {
	s := newSigner(t, "k1")
	other := newSigner(t, "k1") // same kid, different key
	now := time.Now()
	sign := func(s auth.Signer, c jwt.Claims) string {
		tok, err := s.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	pub := s.Key.Public().(ed25519.PublicKey)
	hsWithPublicKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(now, nil)).SignedString([]byte(pub))
	noneTok, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(now, nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noKid := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(now, nil))
	noKidTok, _ := noKid.SignedString(s.Key)
	jkuTok := func() string {
		tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(now, nil))
		tk.Header["kid"] = "attacker"
		tk.Header["jku"] = "https://evil.example/jwks.json"
		out, _ := tk.SignedString(other.Key)
		return out
	}()
	cases := map[string]string{
		"alg none":                  noneTok,
		"HS256 with the public key": hsWithPublicKey,
		"signed by another key":     sign(other, claims(now, nil)),
		"unknown kid with jku":      jkuTok,
		"no kid":                    noKidTok,
		"expired":                   sign(s, claims(now, func(c *auth.AgentClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour)) })),
		"expired and badly signed":  sign(other, claims(now, func(c *auth.AgentClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour)) })),
		"no exp":                    sign(s, claims(now, func(c *auth.AgentClaims) { c.ExpiresAt = nil })),
		"issued in the future":      sign(s, claims(now, func(c *auth.AgentClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) })),
		"wrong issuer":              sign(s, claims(now, func(c *auth.AgentClaims) { c.Issuer = "someone-else" })),
		"widget audience":           sign(s, claims(now, func(c *auth.AgentClaims) { c.Audience = jwt.ClaimStrings{auth.AudienceWidget} })),
		"no audience":               sign(s, claims(now, func(c *auth.AgentClaims) { c.Audience = nil })),
		"dot flood":                 "Bearer" + strings.Repeat(".", 1<<20),
		"empty":                     "",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			var c auth.AgentClaims
			err := auth.Verify(tok, auth.AudienceAPI, keysOf(s), &c)
			if !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
		})
	}
}

func TestRotationKeepsOldKeysUntilRetired(t *testing.T) {
	oldKey, newKey := newSigner(t, "old"), newSigner(t, "new")
	oldTok, _ := oldKey.NewAccessToken(who, "Ann", time.Now())
	newTok, _ := newKey.NewAccessToken(who, "Ann", time.Now())
	var c auth.AgentClaims
	for _, tok := range []string{oldTok, newTok} {
		if err := auth.Verify(tok, auth.AudienceAPI, keysOf(oldKey, newKey), &c); err != nil {
			t.Fatalf("during rotation: %v", err)
		}
	}
	if err := auth.Verify(oldTok, auth.AudienceAPI, keysOf(newKey), &c); err == nil {
		t.Fatal("a token of a retired key still verifies")
	}
}

func TestJWKRoundTrip(t *testing.T) {
	s := newSigner(t, "k1")
	pub := s.Key.Public().(ed25519.PublicKey)
	got, err := auth.ParseJWK(auth.PublicJWK("k1", pub))
	if err != nil || !got.Equal(pub) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := auth.ParseJWK(contracts.JWK{Kty: "RSA", Kid: "k1"}); err == nil {
		t.Fatal("an RSA key was accepted")
	}
}

// A visitor token is refused a week after it was issued; renewal still
// accepts it until 90 days after, and never a forged or other-audience one.
func TestVisitorTokenLifetimes(t *testing.T) {
	s := newSigner(t, "k1")
	keys := keysOf(s)
	now := time.Now()
	mint := func(age time.Duration) string {
		tok, err := s.NewVisitorToken(auth.VisitorClaims{TenantID: "t1"}, now.Add(-age))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	var c auth.VisitorClaims
	if err := auth.Verify(mint(6*24*time.Hour), auth.AudienceWidget, keys, &c); err != nil {
		t.Fatalf("a 6-day-old token: %v", err)
	}
	if err := auth.Verify(mint(8*24*time.Hour), auth.AudienceWidget, keys, &c); err == nil {
		t.Fatal("an 8-day-old token verifies")
	}
	if err := auth.VerifyRenewal(mint(89*24*time.Hour), keys, &c, now); err != nil {
		t.Fatalf("an 89-day-old token cannot be renewed: %v", err)
	}
	if err := auth.VerifyRenewal(mint(91*24*time.Hour), keys, &c, now); err == nil {
		t.Fatal("a 91-day-old token can be renewed")
	}
	agent, err := s.NewAccessToken(contracts.Principal{TenantID: "t1", UserID: "u1"}, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.VerifyRenewal(agent, keys, &c, now); err == nil {
		t.Fatal("an agent token is renewed as a visitor's")
	}
	if err := auth.VerifyRenewal(mint(time.Hour), keysOf(newSigner(t, "k1")), &c, now); err == nil {
		t.Fatal("a token signed by another key is renewed")
	}
}
