package allinone_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
)

// Issue 15: a visitor token lives a week, not 180 days. Identity's clock is
// moved back to issue tokens "8 days ago"; the gateway (real time) refuses
// them. An anonymous visitor's old token still renews their session (and
// history) for 90 days; a verified visitor's never does without user_hash.
func TestVisitorTokensExpireAndRenew(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		clock := &testClock{}
		p := startWith(t, d, t.TempDir(), nil, allinone.WithIdentityClock(clock.now))
		owner := p.signup("Short Lived")
		key := p.widgetKey(owner)
		session := func(body map[string]any) response {
			return p.do("POST", "/api/v1/widget/"+key+"/session", "", body).must(t, 200)
		}

		// A fresh token says when it expires: a week on.
		fresh := session(map[string]any{})
		exp, err := time.Parse(time.RFC3339, fresh.str("expires_at"))
		if err != nil || exp.Before(time.Now().Add(7*24*time.Hour-time.Minute)) || exp.After(time.Now().Add(7*24*time.Hour+time.Minute)) {
			t.Fatalf("expires_at %q (%v), want a week from now", fresh.str("expires_at"), err)
		}

		clock.advance(-8 * 24 * time.Hour)
		old := session(map[string]any{})
		secret := p.do("GET", "/api/v1/settings/identity-secret", owner.Access, nil).must(t, 200).str("secret")
		verified := session(map[string]any{"identity": map[string]string{"id": "user-1", "user_hash": userHash(secret, "user-1")}})
		clock.advance(-83 * 24 * time.Hour) // 91 days ago
		ancient := session(map[string]any{})
		clock.advance(91 * 24 * time.Hour)

		for name, tok := range map[string]string{"anonymous": old.str("visitor_token"), "verified": verified.str("visitor_token")} {
			p.do("GET", "/api/v1/widget/conversations", tok, nil).problem(t, 401, "unauthenticated", "")
			if s := p.dialStatus(tok, http.Header{"Origin": {p.URL}}); s != http.StatusUnauthorized {
				t.Fatalf("socket with an 8-day-old %s token: %d", name, s)
			}
		}

		// The anonymous visitor comes back: same visitor, a working token.
		back := session(map[string]any{"visitor_token": old.str("visitor_token")})
		if back.str("visitor.id") != old.str("visitor.id") {
			t.Fatalf("an 8-day-old anonymous token was not renewed: %s", back.Raw)
		}
		p.startConversation(visitor{Token: back.str("visitor_token")}, "I am back")
		again := session(map[string]any{"visitor_token": old.str("visitor_token")})
		list := p.do("GET", "/api/v1/widget/conversations", again.str("visitor_token"), nil).must(t, 200)
		if again.str("visitor.id") != old.str("visitor.id") || len(list.Body["conversations"].([]any)) != 1 {
			t.Fatalf("the returning visitor lost their history: %s", list.Raw)
		}
		// Parley('reset') revokes an expired token that could still be renewed.
		clock.advance(-8 * 24 * time.Hour)
		stale := session(map[string]any{})
		clock.advance(8 * 24 * time.Hour)
		p.do("POST", "/api/v1/widget/session/revoke", stale.str("visitor_token"), nil).must(t, 204)
		if r := session(map[string]any{"visitor_token": stale.str("visitor_token")}); r.str("visitor.id") == stale.str("visitor.id") {
			t.Fatal("a revoked expired token was renewed")
		}
		// Past 90 days, a new visitor.
		if r := session(map[string]any{"visitor_token": ancient.str("visitor_token")}); r.str("visitor.id") == ancient.str("visitor.id") {
			t.Fatal("a 91-day-old token was renewed")
		}
		// A verified token is not renewed by itself: the visitor must identify.
		if r := session(map[string]any{"visitor_token": verified.str("visitor_token")}); r.str("visitor.id") == verified.str("visitor.id") || r.Body["visitor"].(map[string]any)["verified"] != false {
			t.Fatalf("a verified token was renewed without user_hash: %s", r.Raw)
		}
	})
}

// Issue 15: rotating the identity secret ends every verified visitor's
// session at once (REST, socket; identity records it for every gateway);
// anonymous visitors are not affected, and a verified visitor comes back,
// with their history, with a user_hash made with the new secret.
func TestSecretRotationEndsVerifiedSessions(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p, nc := withEvents(t, d)
		owner := p.signup("Rotating")
		key := p.widgetKey(owner)
		old := p.do("GET", "/api/v1/settings/identity-secret", owner.Access, nil).must(t, 200).str("secret")
		identify := func(secret string) response {
			return p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{
				"identity": map[string]string{"id": "user-9", "user_hash": userHash(secret, "user-9")}})
		}
		sam := identify(old).must(t, 200)
		samTok := sam.str("visitor_token")
		p.startConversation(visitor{Token: samTok}, "signed in")
		anon := p.newVisitor(key)
		p.startConversation(anon, "just looking")
		live := p.dial(t, samTok, http.Header{"Origin": {p.URL}})

		secret := p.do("POST", "/api/v1/settings/identity-secret/rotate", owner.Access, nil).must(t, 200).str("secret")

		p.do("GET", "/api/v1/widget/conversations", samTok, nil).problem(t, 401, "unauthenticated", "")
		if s := p.dialStatus(samTok, http.Header{"Origin": {p.URL}}); s != http.StatusUnauthorized {
			t.Fatalf("socket with a verified token from before the rotation: %d", s)
		}
		select {
		case <-live.closed:
		case <-time.After(10 * time.Second):
			t.Fatal("a verified visitor's socket stays open after the rotation")
		}
		p.do("GET", "/api/v1/widget/conversations", anon.Token, nil).must(t, 200)
		identify(old).problem(t, 401, "unauthenticated", "")

		// Identity keeps the revocation, for gateways that start later.
		testkit.Eventually(t, 10*time.Second, func() error {
			r, err := natsx.Call(context.Background(), nc, contracts.IdentityVisitorRevocations, contracts.Empty{})
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(r.Revocations, func(v contracts.VisitorRevocation) bool {
				return v.TenantID == owner.TenantID && v.VisitorID == contracts.AllVerifiedVisitors
			}) {
				return fmt.Errorf("no revocation of the verified visitors in %+v", r.Revocations)
			}
			return nil
		})

		// Back with the new secret (once a new second has begun: tokens
		// carry whole-second issue times), history and all.
		testkit.Eventually(t, 5*time.Second, func() error {
			back := identify(secret).must(t, 200)
			r := p.do("GET", "/api/v1/widget/conversations", back.str("visitor_token"), nil)
			if r.Status != 200 {
				return fmt.Errorf("identify after the rotation: %d", r.Status)
			}
			if back.str("visitor.id") != sam.str("visitor.id") || len(r.Body["conversations"].([]any)) != 1 {
				return fmt.Errorf("the verified user lost their history: %s", r.Raw)
			}
			return nil
		})
	})
}
