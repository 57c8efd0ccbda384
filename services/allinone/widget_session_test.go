package allinone_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/testkit"
)

// countRows counts a tenant's rows of a service's table, straight from its database.
func countRows(t *testing.T, cfg config.Config, service, table, tenantID string) int64 {
	t.Helper()
	x, err := db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL(service), Schema: cfg.Schema(service), Source: service})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var n int64
	if err := x.Tenant(context.Background(), tenantID, func(g *gorm.DB) error {
		return g.Table(table).Where("tenant_id = ?", tenantID).Count(&n).Error
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func userHash(secret, id string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

func TestWidgetSessions(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		dir := t.TempDir()
		p := start(t, d, dir, nil)
		cfg, _ := config.Load(env(d, dir, nil))
		owner := p.signup("Widget World")
		key := p.widgetKey(owner)

		p.do("POST", "/api/v1/widget/wk_nope/session", "", map[string]any{}).problem(t, 404, "not_found", "")
		r := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}).must(t, 200)
		cfgBody := r.Body["config"].(map[string]any)
		if cfgBody["business_name"] != "Widget World" || cfgBody["within_business_hours"] != true || cfgBody["widget"].(map[string]any)["color"] != "#2563eb" {
			t.Fatalf("session: %s", r.Raw)
		}
		// Nothing is stored for a visitor who has not written.
		if n := countRows(t, cfg, "conversation", "visitors", owner.TenantID); n != 0 {
			t.Fatalf("a session stored %d visitor rows", n)
		}
		// A returning visitor keeps their id; a token of another tenant does not carry over.
		again := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": r.str("visitor_token")}).must(t, 200)
		if again.str("visitor.id") != r.str("visitor.id") {
			t.Fatal("a returning visitor got a new id")
		}
		otherKey := p.widgetKey(p.signup("Elsewhere"))
		if x := p.do("POST", "/api/v1/widget/"+otherKey+"/session", "", map[string]any{"visitor_token": r.str("visitor_token")}).must(t, 200); x.str("visitor.id") == r.str("visitor.id") {
			t.Fatal("a visitor token crossed tenants")
		}

		// The offline form: name and email, visible to agents.
		v := visitor{ID: r.str("visitor.id"), Token: r.str("visitor_token")}
		p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]string{"email": "nope"}).problem(t, 400, "invalid", "email")
		p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]string{"timezone": "Mars/Base"}).problem(t, 400, "invalid", "timezone")
		p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]any{"name": "Vera", "email": "Vera@Example.com",
			"attributes": map[string]string{"plan": "gold"}, "current_url": "https://shop.example.com/cart", "timezone": "Europe/Paris"}).must(t, 200)
		conv := p.startConversation(v, "about my order").str("conversation.id")
		c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200)
		if c.str("visitor.name") != "Vera" || c.str("visitor.email") != "vera@example.com" || c.str("visitor.attributes.plan") != "gold" || c.str("visitor.timezone") != "Europe/Paris" {
			t.Fatalf("visitor details: %s", c.Raw)
		}
		if s := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": v.Token}).must(t, 200); s.str("visitor.name") != "Vera" {
			t.Fatalf("a returning visitor is not greeted by name: %s", s.Raw)
		}

		// Business hours: closed now (no opening at all) → no next opening.
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"business_hours": map[string]any{
			"enabled": true, "timezone": "UTC", "weekly": map[string]any{}, "holidays": []string{}}}).must(t, 200)
		testkit.Eventually(t, 5*time.Second, func() error {
			s := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}).must(t, 200)
			if s.Body["config"].(map[string]any)["within_business_hours"] != false {
				return fmt.Errorf("still open: %s", s.Raw)
			}
			return nil
		})

		// A disabled widget is as good as unknown.
		settings := p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200)
		widget := settings.Body["widget"].(map[string]any)
		widget["enabled"] = false
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"widget": widget}).must(t, 200)
		testkit.Eventually(t, 5*time.Second, func() error {
			if s := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}); s.Status != 404 {
				return fmt.Errorf("disabled widget: %d", s.Status)
			}
			return nil
		})
		// Visitors who already hold a token are refused too.
		p.do("GET", "/api/v1/widget/conversations", v.Token, nil).problem(t, 404, "not_found", "")
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "hello?", "client_msg_id": msgID()}).problem(t, 404, "not_found", "")
	})
}

func TestAllowedDomains(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Fenced")
	key := p.widgetKey(owner)
	v := p.newVisitor(key)
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"allowed_domains": []string{"Shop.Example.com", "http://localhost:3000"}}).must(t, 200)
	session := func(origin string) *http.Response {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/widget/"+key+"/session", stringsReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := p.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	testkit.Eventually(t, 5*time.Second, func() error {
		if s := session("https://evil.example").StatusCode; s != 403 {
			return fmt.Errorf("disallowed origin: %d", s)
		}
		return nil
	})
	for _, bad := range []string{"https://shop.example.com.evil.net", "http://shop.example.com:8080", "https://xshop.example.com", "https://localhost:3000", "null"} {
		if s := session(bad).StatusCode; s != 403 {
			t.Fatalf("origin %s: %d", bad, s)
		}
	}
	ok := session("https://shop.example.com")
	if ok.StatusCode != 200 || ok.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Fatalf("allowed origin: %d %q", ok.StatusCode, ok.Header.Get("Access-Control-Allow-Origin"))
	}
	// The bare host was saved as that site on http and on https.
	for _, o := range []string{"", "http://parley.test", "http://localhost:3000", "http://shop.example.com"} {
		if s := session(o).StatusCode; s != 200 {
			t.Fatalf("origin %q: %d", o, s)
		}
	}
	// Token-authenticated visitor routes check the origin too.
	req, _ := http.NewRequest("GET", p.URL+"/api/v1/widget/conversations", nil)
	req.Header.Set("Authorization", "Bearer "+v.Token)
	req.Header.Set("Origin", "https://evil.example")
	res, _ := p.http.Do(req)
	res.Body.Close()
	if res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("visitor route from a disallowed origin: %d %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
}

// Identified visitors: a right user_hash gives the same visitor on every
// device; a wrong one reaches nobody's history whatever it claims.
func TestIdentityVerification(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Verified Goods")
		key := p.widgetKey(owner)
		secret := p.do("GET", "/api/v1/settings/identity-secret", owner.Access, nil).must(t, 200).str("secret")
		identify := func(id, hash string) response {
			return p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{
				"identity": map[string]string{"id": id, "name": "Jane Doe", "email": "jane@example.com", "user_hash": hash}})
		}
		laptop := identify("user-42", userHash(secret, "user-42")).must(t, 200)
		if laptop.str("visitor.name") != "Jane Doe" || laptop.Body["visitor"].(map[string]any)["verified"] != true {
			t.Fatalf("identified session: %s", laptop.Raw)
		}
		conv := p.startConversation(visitor{Token: laptop.str("visitor_token")}, "from my laptop").str("conversation.id")
		phone := identify("user-42", userHash(secret, "user-42")).must(t, 200)
		if phone.str("visitor.id") != laptop.str("visitor.id") {
			t.Fatal("the same user got two visitor ids")
		}
		list := p.do("GET", "/api/v1/widget/conversations", phone.str("visitor_token"), nil).must(t, 200)
		if len(list.Body["conversations"].([]any)) != 1 {
			t.Fatalf("second device does not see the history: %s", list.Raw)
		}
		if c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200); c.Body["visitor"].(map[string]any)["verified"] != true || c.str("visitor.external_id") != "user-42" {
			t.Fatalf("agents do not see the verified badge: %s", c.Raw)
		}
		// A verified token is never renewed without its user_hash: without
		// identify (after a logout) the browser starts over, anonymous.
		resumed := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": laptop.str("visitor_token")}).must(t, 200)
		if resumed.str("visitor.id") == laptop.str("visitor.id") || resumed.Body["visitor"].(map[string]any)["verified"] != false {
			t.Fatalf("a verified identity was renewed without proof: %s", resumed.Raw)
		}
		p.do("GET", "/api/v1/widget/conversations/"+conv+"/messages", resumed.str("visitor_token"), nil).problem(t, 404, "not_found", "")
		// Wrong hashes, another user's hash, garbage: refused.
		for _, hash := range []string{"", "00", userHash("wrong secret", "user-42"), userHash(secret, "user-43")} {
			identify("user-42", hash).problem(t, 401, "unauthenticated", "")
		}
		// An anonymous visitor claiming the same name or email gets nothing of Jane's.
		anon := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}).must(t, 200)
		p.do("PATCH", "/api/v1/widget/visitor", anon.str("visitor_token"), map[string]string{"name": "Jane Doe", "email": "jane@example.com"}).must(t, 200)
		p.do("GET", "/api/v1/widget/conversations/"+conv+"/messages", anon.str("visitor_token"), nil).problem(t, 404, "not_found", "")
		// Requiring verified identity refuses anonymous sessions.
		widget := p.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200).Body["widget"].(map[string]any)
		widget["require_verified_identity"] = true
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"widget": widget}).must(t, 200)
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}); r.Status != 401 {
				return fmt.Errorf("anonymous session with verification required: %d", r.Status)
			}
			return nil
		})
		identify("user-42", userHash(secret, "user-42")).must(t, 200)
		// Rotating the secret invalidates hashes made with the old one.
		rotated := p.do("POST", "/api/v1/settings/identity-secret/rotate", owner.Access, nil).must(t, 200).str("secret")
		if rotated == secret {
			t.Fatal("rotation kept the secret")
		}
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := identify("user-42", userHash(secret, "user-42")); r.Status != 401 {
				return fmt.Errorf("old hash after rotation: %d", r.Status)
			}
			return nil
		})
		identify("user-42", userHash(rotated, "user-42")).must(t, 200)
		// Agents may not see the secret.
		agent := p.invite(owner, "agent")
		p.do("GET", "/api/v1/settings/identity-secret", agent.Access, nil).problem(t, 403, "forbidden", "")
	})
}
