package allinone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
	"github.com/parley-chat/parley/services/billing"
	"github.com/parley-chat/parley/services/billing/billingtest"
)

const (
	e2eWebhookSecret = "whsec_e2e_secret"
	e2ePriceStarter  = "price_e2e_starter"
	e2ePricePro      = "price_e2e_pro"
)

// billingEnv configures Stripe (stripe-mock) and plans whose free quota is
// three conversations, so a test can exhaust it.
func billingEnv(t *testing.T) map[string]string {
	t.Helper()
	plans := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(plans, []byte(`{"plans": [
		{"id": "free", "name": "Free", "seats": 2, "conversations_per_month": 3, "features": ["bot_faq"]},
		{"id": "starter", "name": "Starter", "seats": 5, "conversations_per_month": 1000, "features": ["bot_faq", "bot_order_status"]},
		{"id": "pro", "name": "Pro", "seats": 0, "conversations_per_month": 0, "features": ["bot_faq", "bot_order_status", "bot_appointments", "bot_after_hours", "bot_external", "api_keys"]}
	]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"PARLEY_STRIPE_SECRET_KEY":     "sk_test_e2e",
		"PARLEY_STRIPE_WEBHOOK_SECRET": e2eWebhookSecret,
		"PARLEY_STRIPE_API_BASE":       testkit.StripeMock(t),
		"PARLEY_STRIPE_PRICE_STARTER":  e2ePriceStarter,
		"PARLEY_STRIPE_PRICE_PRO":      e2ePricePro,
		"PARLEY_PLANS_FILE":            plans,
		"PARLEY_BILLING_GRACE_PERIOD":  "72h",
	}
}

// testClock is billing's clock in a test: real time plus an offset the test moves.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// stripeCustomer reads the Stripe customer billing created for a tenant.
func stripeCustomer(t *testing.T, cfg config.Config, tenantID string) string {
	t.Helper()
	x, err := db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("billing"), Schema: cfg.Schema("billing"),
		Source: "billing", GlobalTables: billing.GlobalTables})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var id string
	if err := x.Global(context.Background(), func(g *gorm.DB) error {
		return g.Raw(`SELECT customer_id FROM stripe_customers WHERE tenant_id = ?`, tenantID).Scan(&id).Error
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "cus_") {
		t.Fatalf("no Stripe customer for tenant %s: %q", tenantID, id)
	}
	return id
}

// stripe delivers a signed Stripe event to POST /webhooks/stripe.
func (p *parley) stripe(ev billingtest.Event) response {
	p.t.Helper()
	body := ev.JSON()
	req, _ := http.NewRequest("POST", p.URL+"/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", billingtest.Sign(body, e2eWebhookSecret, time.Now()))
	res, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

func (r response) num(path string) float64 {
	var v any = r.Body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	n, _ := v.(float64)
	return n
}

func TestBillingEndToEnd(t *testing.T) {
	t.Parallel()
	extra := billingEnv(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		dir := t.TempDir()
		clock := &testClock{}
		p := startWith(t, d, dir, extra, allinone.WithBillingClock(clock.now))
		cfg, err := config.Load(env(d, dir, extra))
		if err != nil {
			t.Fatal(err)
		}

		// Seats: Free has two (members plus open invites).
		owner := p.signup("Paying Customer")
		customer := stripeCustomer(t, cfg, owner.TenantID)
		// Free has no API keys; a made-up key learns nothing of the plan.
		p.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": "x"}).problem(t, 402, "payment_required", "")
		forged := "parley_" + strings.ReplaceAll(owner.TenantID, "-", "") + "_" + strings.Repeat("a", 43)
		p.do("GET", "/api/v1/conversations", forged, nil).problem(t, 401, "unauthenticated", "")
		p.invite(owner, "agent")
		third := uniqueEmail("third")
		refused := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": third, "role": "agent"})
		refused.problem(t, 402, "payment_required", "")
		if detail := refused.str("detail"); !strings.Contains(detail, "2 seats") || !strings.Contains(detail, "Starter") {
			t.Fatalf("402 detail does not name the limit and the plan: %q", detail)
		}
		ov := p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
		if ov.str("plan.id") != "free" || ov.num("seats.used") != 2 || ov.num("seats.limit") != 2 || ov.Body["enabled"] != true {
			t.Fatalf("overview: %s", ov.Raw)
		}
		p.do("POST", "/api/v1/billing/checkout", owner.Access, map[string]string{"plan": "starter"}).must(t, 200)
		p.do("POST", "/api/v1/billing/portal", owner.Access, nil).must(t, 200)

		// A subscription event raises the limit, and the refused invite succeeds.
		sub := "sub_" + ids.New()
		now := time.Now()
		p.stripe(billingtest.Event{ID: "evt_" + ids.New(), Type: "customer.subscription.created", Created: now.Add(-2 * time.Second),
			Object: billingtest.Subscription(sub, customer, "active", e2ePriceStarter, 3, now, nil)}).must(t, 200)
		var inv response
		testkit.Eventually(t, 10*time.Second, func() error {
			inv = p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": third, "role": "agent"})
			if inv.Status != 201 {
				return fmt.Errorf("invite: %d %s", inv.Status, inv.Raw)
			}
			return nil
		})
		p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "Third", "password": "a good password"}).must(t, 200)
		ov = p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
		if ov.str("plan.id") != "starter" || ov.str("status") != "active" || ov.num("seats.used") != 3 || ov.num("seats.limit") != 5 {
			t.Fatalf("overview after upgrading: %s", ov.Raw)
		}

		// The quota: three conversations a month on this Free plan.
		other := p.signup("Busy Shop")
		key := p.widgetKey(other)
		for i := range 3 {
			p.startConversation(p.newVisitor(key), fmt.Sprintf("hello %d", i))
		}
		v := p.newVisitor(key)
		r := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{"visitor_token": v.Token}).must(t, 200)
		if r.Body["config"].(map[string]any)["quota_exceeded"] != true {
			t.Fatalf("session after the quota: %s", r.Raw)
		}
		p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "anyone?", "client_msg_id": msgID()}).
			problem(t, 402, "payment_required", "")
		p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]string{"email": "visitor@example.com"}).must(t, 200)
		// The ledger counted each conversation once, and the owner sees it.
		testkit.Eventually(t, 10*time.Second, func() error {
			ov := p.do("GET", "/api/v1/billing", other.Access, nil).must(t, 200)
			if ov.num("conversations.used") != 3 || ov.num("conversations.limit") != 3 {
				return fmt.Errorf("overview: %s", ov.Raw)
			}
			return nil
		})
		page := p.do("GET", "/api/v1/billing/usage?limit=2", other.Access, nil).must(t, 200)
		entries := page.Body["entries"].([]any)
		if len(entries) != 2 || page.str("next_cursor") == "" || !strings.Contains(entries[0].(map[string]any)["reason"].(string), "visitor") {
			t.Fatalf("usage page 1: %s", page.Raw)
		}
		page = p.do("GET", "/api/v1/billing/usage?limit=2&cursor="+page.str("next_cursor"), other.Access, nil).must(t, 200)
		if len(page.Body["entries"].([]any)) != 1 || page.str("next_cursor") != "" {
			t.Fatalf("usage page 2: %s", page.Raw)
		}
		p.do("GET", "/api/v1/billing/usage?cursor=nonsense", other.Access, nil).problem(t, 400, "invalid", "cursor")
		// A failed payment: past due, still Starter; after the grace period, Free.
		p.stripe(billingtest.Event{ID: "evt_" + ids.New(), Type: "invoice.payment_failed", Created: now.Add(-time.Second),
			Object: billingtest.Invoice("in_"+ids.New(), customer, sub)}).must(t, 200)
		ov = p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
		if ov.str("status") != "past_due" || ov.str("plan.id") != "starter" || ov.str("grace_ends_at") == "" {
			t.Fatalf("overview after a failed payment: %s", ov.Raw)
		}
		clock.advance(73 * time.Hour)
		testkit.Eventually(t, 10*time.Second, func() error {
			ov = p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
			if ov.str("plan.id") != "free" || ov.str("status") != "past_due" {
				return fmt.Errorf("overview: %s", ov.Raw)
			}
			return nil
		})
		// Free's two seats are taken (three members): no more invites.
		testkit.Eventually(t, 10*time.Second, func() error {
			if r := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": uniqueEmail("late"), "role": "agent"}); r.Status != 402 {
				return fmt.Errorf("invite after the downgrade: %d", r.Status)
			}
			return nil
		})

		agent := p.invite(other, "agent")
		p.do("GET", "/api/v1/billing", agent.Access, nil).problem(t, 403, "forbidden", "")
		p.do("POST", "/api/v1/billing/checkout", agent.Access, map[string]string{"plan": "pro"}).problem(t, 403, "forbidden", "")
	})
}

// Without a Stripe key billing is off: one unlimited plan, nothing to buy,
// no limits (the default of every other test here).
func TestBillingOffSelfHosted(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Self Hosted")
	ov := p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
	if ov.Body["enabled"] != false || ov.str("plan.id") != "unlimited" || ov.str("status") != "unlimited" || ov.num("seats.limit") != 0 {
		t.Fatalf("overview: %s", ov.Raw)
	}
	p.do("POST", "/api/v1/billing/checkout", owner.Access, map[string]string{"plan": "starter"}).problem(t, 404, "not_found", "")
	p.do("POST", "/api/v1/billing/checkout", owner.Access, map[string]any{"plan": "starter", "extra": 1}).problem(t, 400, "invalid", "extra")
	res, err := p.http.Post(p.URL+"/webhooks/stripe", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("webhook with billing off: %d", res.StatusCode)
	}
	big := bytes.Repeat([]byte("x"), 70<<10)
	res, err = p.http.Post(p.URL+"/webhooks/stripe", "application/json", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Fatalf("a 70 KiB webhook: %d", res.StatusCode)
	}
	for range 3 {
		p.invite(owner, "agent")
	}
}

// Bot skills follow the plan: a skill the plan lacks is refused with 402
// naming it, and after a downgrade the bot stops using it at once, though
// its configuration is kept for an upgrade.
func TestBotSkillsFollowThePlan(t *testing.T) {
	t.Parallel()
	d, dir := testkit.SQLiteDB(t), t.TempDir()
	extra := billingEnv(t)
	extra["PARLEY_BOT_ALLOW_PRIVATE_NETWORKS"] = "true"
	plans := filepath.Join(dir, "plans.json")
	if err := os.WriteFile(plans, []byte(`{"plans": [
		{"id": "free", "name": "Free", "seats": 2, "conversations_per_month": 100, "features": ["bot_faq"]},
		{"id": "starter", "name": "Starter", "seats": 5, "conversations_per_month": 1000, "features": ["bot_faq", "bot_order_status"]}
	]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	extra["PARLEY_PLANS_FILE"] = plans
	p := start(t, d, dir, extra)
	cfg, err := config.Load(env(d, dir, extra))
	if err != nil {
		t.Fatal(err)
	}
	orders := newOrderServer(t, "plan-secret")
	owner := p.signup("Plan Shop")
	bot := botConfig("faq", "order_status")
	bot["order_status"].(map[string]any)["url"] = orders.URL + "/orders"
	bot["order_status"].(map[string]any)["secret"] = "plan-secret"
	if r := p.do("PUT", "/api/v1/bot", owner.Access, bot); r.Status != 402 || r.str("field") != "skills[1]" ||
		!strings.Contains(r.str("detail"), "order-status bot") || !strings.Contains(r.str("detail"), "Starter") {
		t.Fatalf("order status on Free: %d %s", r.Status, r.Raw)
	}

	customer := stripeCustomer(t, cfg, owner.TenantID)
	sub, now := "sub_"+ids.New(), time.Now()
	p.stripe(billingtest.Event{ID: "evt_" + ids.New(), Type: "customer.subscription.created", Created: now.Add(-2 * time.Second),
		Object: billingtest.Subscription(sub, customer, "active", e2ePriceStarter, 1, now, nil)}).must(t, 200)
	testkit.Eventually(t, 10*time.Second, func() error {
		if r := p.do("PUT", "/api/v1/bot", owner.Access, bot); r.Status != 200 {
			return fmt.Errorf("saving on Starter: %d %s", r.Status, r.Raw)
		}
		return nil
	})
	key := p.widgetKey(owner)
	v := p.newVisitor(key)
	conv := p.startConversation(v, "Where is order #12345?").str("conversation.id")
	if got := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]["body"]; got != "Order #12345 is shipped and should arrive on Friday." {
		t.Fatalf("order answer on Starter: %v", got)
	}

	p.stripe(billingtest.Event{ID: "evt_" + ids.New(), Type: "customer.subscription.deleted", Created: now.Add(-time.Second),
		Object: billingtest.Subscription(sub, customer, "canceled", e2ePriceStarter, 1, now, nil)}).must(t, 200)
	calls := orders.calls.Load()
	testkit.Eventually(t, 15*time.Second, func() error {
		v := p.newVisitor(key)
		conv := p.startConversation(v, "Where is order #12345?").str("conversation.id")
		if got := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]["body"].(string); strings.Contains(got, "shipped") {
			return fmt.Errorf("still looking orders up on Free: %q", got)
		}
		return nil
	})
	v = p.newVisitor(key)
	conv = p.startConversation(v, "When are you open?").str("conversation.id")
	if got := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]["body"]; got != "We're open 9 to 5, Monday to Friday." {
		t.Fatalf("the FAQ skill should still answer on Free: %v", got)
	}
	if got := p.do("GET", "/api/v1/bot", owner.Access, nil).must(t, 200).Body["skills"].([]any); len(got) != 2 {
		t.Fatalf("the saved skills should be kept for an upgrade: %v", got)
	}
	if orders.calls.Load() > calls+1 { // at most the lookup in flight when the plan changed
		t.Fatalf("%d lookups after the downgrade", orders.calls.Load()-calls)
	}
}
