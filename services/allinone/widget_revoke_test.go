package allinone_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// Parley('reset') revokes the visitor token on the server: every copy of it
// is refused from then on (REST, socket, renewal), and an anonymous visitor
// never comes back; a verified one does, with the next identify.
func TestWidgetSessionRevoke(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Reset Shop")
		key := p.widgetKey(owner)
		v := p.newVisitor(key)
		p.startConversation(v, "before the logout")
		// A renewed copy of the same visitor (another tab) is revoked along with it.
		other := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": v.Token}).must(t, 200)
		if other.str("visitor.id") != v.ID {
			t.Fatal("renewal changed the visitor")
		}

		live := p.dial(t, v.Token, http.Header{"Origin": {p.URL}}) // a socket opened before the reset

		p.do("POST", "/api/v1/widget/session/revoke", "", nil).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/widget/session/revoke", "not-a-token", nil).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/widget/session/revoke", v.Token, nil).must(t, 204)

		for _, tok := range []string{v.Token, other.str("visitor_token")} {
			p.do("GET", "/api/v1/widget/conversations", tok, nil).problem(t, 401, "unauthenticated", "")
			p.do("POST", "/api/v1/widget/conversations", tok, map[string]string{"body": "still here?", "client_msg_id": msgID()}).problem(t, 401, "unauthenticated", "")
			if s := p.dialStatus(tok, http.Header{"Origin": {p.URL}}); s != http.StatusUnauthorized {
				t.Fatalf("socket with a revoked token: %d", s)
			}
			// A renewal starts a new, empty visitor.
			fresh := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": tok}).must(t, 200)
			if fresh.str("visitor.id") == v.ID {
				t.Fatal("a revoked token was renewed")
			}
			list := p.do("GET", "/api/v1/widget/conversations", fresh.str("visitor_token"), nil).must(t, 200)
			if n := len(list.Body["conversations"].([]any)); n != 0 {
				t.Fatalf("the new visitor sees %d conversations", n)
			}
		}
		// The socket opened before the reset is closed at once.
		select {
		case <-live.closed:
		case <-time.After(5 * time.Second):
			t.Fatal("a revoked visitor's socket stays open")
		}
		// Revoking twice: the token is already refused.
		p.do("POST", "/api/v1/widget/session/revoke", v.Token, nil).problem(t, 401, "unauthenticated", "")

		// A verified visitor is back with the next identify (once a new second
		// has begun: tokens carry whole-second issue times).
		secret := p.do("GET", "/api/v1/settings/identity-secret", owner.Access, nil).must(t, 200).str("secret")
		identify := func() response {
			return p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{
				"identity": map[string]string{"id": "user-7", "name": "Sam Lee", "user_hash": userHash(secret, "user-7")}}).must(t, 200)
		}
		sam := identify()
		p.startConversation(visitor{Token: sam.str("visitor_token")}, "signed in")
		p.do("POST", "/api/v1/widget/session/revoke", sam.str("visitor_token"), nil).must(t, 204)
		p.do("GET", "/api/v1/widget/conversations", sam.str("visitor_token"), nil).problem(t, 401, "unauthenticated", "")
		testkit.Eventually(t, 5*time.Second, func() error {
			again := identify()
			r := p.do("GET", "/api/v1/widget/conversations", again.str("visitor_token"), nil)
			if r.Status != 200 {
				return fmt.Errorf("identify after reset: %d", r.Status)
			}
			if again.str("visitor.id") != sam.str("visitor.id") || len(r.Body["conversations"].([]any)) != 1 {
				return fmt.Errorf("the verified user lost their history: %s", r.Raw)
			}
			return nil
		})
	})
}
