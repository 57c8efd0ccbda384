package billing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/billing"
	"github.com/parley-chat/parley/services/billing/billingtest"
)

const (
	webhookSecret = "whsec_test_secret"
	priceStarter  = "price_starter_test"
	pricePro      = "price_pro_test"
)

// clock is a test clock that only moves when told to.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is one running billing service with Stripe pointed at stripe-mock.
type env struct {
	t     *testing.T
	nc    *nats.Conn
	db    *db.DB
	clock *clock
	seats atomic.Int64
	stop  func() // stops the service; also run at the end of the test
	logs  *testkit.Buffer
}

// waitLog waits until the service has logged a line containing s.
func (e *env) waitLog(s string) {
	e.t.Helper()
	testkit.Eventually(e.t, 10*time.Second, func() error {
		if !strings.Contains(e.logs.String(), s) {
			return fmt.Errorf("no log line with %q yet", s)
		}
		return nil
	})
}

// startBilling starts billing on d; more holds further PARLEY_* variables.
func startBilling(t *testing.T, d testkit.DB, stripeURL string, more ...string) *env {
	t.Helper()
	vars := map[string]string{"PARLEY_DATA_DIR": t.TempDir(), "PARLEY_DATABASE_URL": d.URL, "PARLEY_BILLING_GRACE_PERIOD": "72h"}
	for _, kv := range more {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if d.Name == "postgres" {
		vars["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.Prefix
	}
	if stripeURL != "" {
		vars["PARLEY_STRIPE_SECRET_KEY"] = "sk_test_123"
		vars["PARLEY_STRIPE_WEBHOOK_SECRET"] = webhookSecret
		vars["PARLEY_STRIPE_API_BASE"] = stripeURL
		vars["PARLEY_STRIPE_PRICE_STARTER"] = priceStarter
		vars["PARLEY_STRIPE_PRICE_PRO"] = pricePro
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	srv := testkit.NATS(t)
	nc := testkit.Connect(t, srv)
	e := &env{t: t, nc: nc, clock: &clock{}, logs: &testkit.Buffer{}}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{t}, e.logs), nil))
	e.seats.Store(1)
	if _, err := natsx.Serve(nc, contracts.IdentitySeats, log, func(context.Context, contracts.TenantIDRequest) (contracts.SeatUsage, error) {
		return contracts.SeatUsage{Members: int(e.seats.Load())}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := billing.New(ctx, cfg, billing.Deps{NATS: nc, Logger: log, Clock: e.clock.now})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var stopped sync.Once
	e.stop = func() { stopped.Do(func() { cancel(); <-done }) }
	t.Cleanup(e.stop)
	e.db, err = db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("billing"), Schema: cfg.Schema("billing"), Source: "billing-test", GlobalTables: billing.GlobalTables})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.Close() })
	return e
}

// tenant opens a new tenant's account and returns its id and Stripe customer.
func (e *env) tenant() (string, string) {
	e.t.Helper()
	id := ids.New()
	acc, err := natsx.Call(context.Background(), e.nc, contracts.BillingAccountCreate, contracts.TenantIDRequest{TenantID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	if acc.Plan != "free" && acc.Plan != "unlimited" {
		e.t.Fatalf("new account: %+v", acc)
	}
	var customer string
	if err := e.db.Global(context.Background(), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT customer_id FROM stripe_customers WHERE tenant_id = ?`, id).Scan(&customer).Error
	}); err != nil {
		e.t.Fatal(err)
	}
	return id, customer
}

func (e *env) entitlements(tenantID string) contracts.Entitlements {
	e.t.Helper()
	ent, err := natsx.Call(context.Background(), e.nc, contracts.BillingEntitlements, contracts.TenantIDRequest{TenantID: tenantID})
	if err != nil {
		e.t.Fatal(err)
	}
	return ent
}

// deliver sends a webhook delivery as the gateway would.
func (e *env) deliver(body []byte, signature string) (contracts.WebhookResult, error) {
	return natsx.Call(context.Background(), e.nc, contracts.BillingWebhook, contracts.StripeWebhook{Payload: body, Signature: signature})
}

func (e *env) mustDeliver(ev billingtest.Event, want string) {
	e.t.Helper()
	body := ev.JSON()
	res, err := e.deliver(body, billingtest.Sign(body, webhookSecret, time.Now()))
	if err != nil || res.Result != want {
		e.t.Fatalf("%s %s: got %+v, %v; want %s", ev.Type, ev.ID, res, err, want)
	}
}

func (e *env) processedEvents(tenantID string) int {
	var n int64
	_ = e.db.Global(context.Background(), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT COUNT(*) FROM stripe_events WHERE tenant_id = ?`, tenantID).Scan(&n).Error
	})
	return int(n)
}

func subEvent(id, typ string, created time.Time, sub map[string]any) billingtest.Event {
	return billingtest.Event{ID: id, Type: typ, Created: created, Object: sub}
}

func TestStripeBilling(t *testing.T) {
	t.Parallel()
	stripeURL := testkit.StripeMock(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := startBilling(t, d, stripeURL)

		t.Run("sign-up creates a Stripe customer and the free plan", func(t *testing.T) {
			tenant, customer := e.tenant()
			if !strings.HasPrefix(customer, "cus_") {
				t.Fatalf("customer = %q", customer)
			}
			ent := e.entitlements(tenant)
			if ent.Plan != "free" || ent.Seats != 2 || ent.ConversationsPerMonth != 100 || !ent.Has(contracts.FeatureBotFAQ) ||
				ent.Has(contracts.FeatureBotOrderStatus) || ent.Version != 1 || ent.SeatsUpgrade != "Starter" || ent.FeatureUpgrades[contracts.FeatureAPIKeys] != "Pro" {
				t.Fatalf("entitlements = %+v", ent)
			}
			if ent.MaxFileBytes != 10<<20 || ent.StorageBytes != 1<<30 || ent.FileSizeUpgrade != "Starter" || ent.StorageUpgrade != "Starter" {
				t.Fatalf("file limits = %d / %d, upgrades %q / %q", ent.MaxFileBytes, ent.StorageBytes, ent.FileSizeUpgrade, ent.StorageUpgrade)
			}
			owner := contracts.Principal{TenantID: tenant, UserID: ids.New(), Role: contracts.RoleOwner}
			ov, err := natsx.Call(context.Background(), e.nc, contracts.BillingOverviewGet, contracts.PrincipalRequest{Principal: owner})
			if err != nil || ov.Plan.ID != "free" || ov.Plan.MaxFileBytes != 10<<20 || ov.Plan.StorageBytes != 1<<30 || len(ov.Plans) != 3 ||
				ov.Plans[1].MaxFileBytes != 25<<20 || ov.Plans[2].MaxFileBytes != 50<<20 || ov.Plans[2].StorageBytes != 100<<30 {
				t.Fatalf("overview = %+v, %v", ov, err)
			}
			// account_create is idempotent: same customer, same version.
			if _, err := natsx.Call(context.Background(), e.nc, contracts.BillingAccountCreate, contracts.TenantIDRequest{TenantID: tenant}); err != nil {
				t.Fatal(err)
			}
			if v := e.entitlements(tenant).Version; v != 1 {
				t.Fatalf("version after a repeated account_create = %d", v)
			}
		})

		t.Run("checkout and portal sessions come from Stripe", func(t *testing.T) {
			tenant, _ := e.tenant()
			owner := contracts.Principal{TenantID: tenant, UserID: ids.New(), Role: contracts.RoleOwner}
			ctx := natsx.WithCorrelation(context.Background(), ids.New())
			url, err := natsx.Call(ctx, e.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: owner, Plan: "starter"})
			if err != nil || !strings.HasPrefix(url.URL, "https://") {
				t.Fatalf("checkout: %+v %v", url, err)
			}
			portal, err := natsx.Call(ctx, e.nc, contracts.BillingPortal, contracts.PrincipalRequest{Principal: owner})
			if err != nil || !strings.HasPrefix(portal.URL, "https://") {
				t.Fatalf("portal: %+v %v", portal, err)
			}
			admin := owner
			admin.Role = contracts.RoleAdmin
			if _, err := natsx.Call(ctx, e.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: admin, Plan: "pro"}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("admin checkout: %v", err)
			}
			if _, err := natsx.Call(ctx, e.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: owner, Plan: "free"}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("checkout of the free plan: %v", err)
			}
		})

		t.Run("a verified subscription event upgrades the plan", func(t *testing.T) {
			tenant, customer := e.tenant()
			now := time.Now()
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.created", now,
				billingtest.Subscription("sub_"+tenant, customer, "active", priceStarter, 3, now, nil)), "processed")
			ent := e.entitlements(tenant)
			if ent.Plan != "starter" || ent.Status != "active" || ent.Seats != 5 || !ent.Has(contracts.FeatureBotOrderStatus) || ent.Version != 2 {
				t.Fatalf("entitlements = %+v", ent)
			}
		})

		t.Run("refused deliveries write nothing", func(t *testing.T) {
			tenant, customer := e.tenant()
			now := time.Now()
			ev := subEvent("evt_"+ids.New(), "customer.subscription.created", now,
				billingtest.Subscription("sub_"+tenant, customer, "active", pricePro, 1, now, nil))
			body := ev.JSON()
			tampered := []byte(strings.Replace(string(body), pricePro, priceStarter, 1))
			wrongVersion := ev
			wrongVersion.APIVersion = "2022-11-15"
			wrongBody := wrongVersion.JSON()
			cases := []struct {
				name, sig string
				body      []byte
				message   string
			}{
				{"wrong secret", billingtest.Sign(body, "whsec_someone_else", now), body, "signature"},
				{"tampered body", billingtest.Sign(body, webhookSecret, now), tampered, "signature"},
				{"missing header", "", body, "signature"},
				{"malformed header", "t=abc,v1", body, "signature"},
				{"older than the tolerance", billingtest.Sign(body, webhookSecret, now.Add(-301*time.Second)), body, "signature"},
				{"another API version", billingtest.Sign(wrongBody, webhookSecret, now), wrongBody, "2023-10-16"},
			}
			for _, c := range cases {
				_, err := e.deliver(c.body, c.sig)
				if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), c.message) {
					t.Errorf("%s: got %v, want invalid naming %q", c.name, err, c.message)
				}
			}
			if n := e.processedEvents(tenant); n != 0 {
				t.Fatalf("%d stripe_events rows after refused deliveries", n)
			}
			if ent := e.entitlements(tenant); ent.Plan != "free" || ent.Version != 1 {
				t.Fatalf("entitlements changed: %+v", ent)
			}
			// The same event, properly signed, was never marked processed.
			e.mustDeliver(ev, "processed")
			if ent := e.entitlements(tenant); ent.Plan != "pro" {
				t.Fatalf("entitlements = %+v", ent)
			}
		})

		t.Run("a duplicate delivered twice at once is applied once", func(t *testing.T) {
			tenant, customer := e.tenant()
			now := time.Now()
			ev := subEvent("evt_"+ids.New(), "customer.subscription.created", now,
				billingtest.Subscription("sub_"+tenant, customer, "trialing", priceStarter, 2, now, ptr(now.AddDate(0, 0, 14))))
			body := ev.JSON()
			sig := billingtest.Sign(body, webhookSecret, now)
			var wg sync.WaitGroup
			results := make([]string, 4)
			for i := range results {
				wg.Go(func() {
					res, err := e.deliver(body, sig)
					if err != nil {
						t.Error(err)
					}
					results[i] = res.Result
				})
			}
			wg.Wait()
			if strings.Count(strings.Join(results, ","), "processed") != 1 || strings.Count(strings.Join(results, ","), "duplicate") != 3 {
				t.Fatalf("results = %v", results)
			}
			ent := e.entitlements(tenant)
			if ent.Plan != "starter" || ent.Status != "trialing" || ent.Version != 2 || e.processedEvents(tenant) != 1 {
				t.Fatalf("entitlements = %+v, %d events", ent, e.processedEvents(tenant))
			}
		})

		t.Run("events out of order never roll an account back", func(t *testing.T) {
			tenant, customer := e.tenant()
			t0 := time.Now().Add(-time.Hour)
			sub := "sub_" + tenant
			// updated (Pro, newer) arrives before created (Starter, older).
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.updated", t0.Add(10*time.Second),
				billingtest.Subscription(sub, customer, "active", pricePro, 2, t0, nil)), "processed")
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.created", t0,
				billingtest.Subscription(sub, customer, "trialing", priceStarter, 2, t0, nil)), "ignored")
			// A stale update after a newer one, and a stale payment failure.
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.updated", t0.Add(5*time.Second),
				billingtest.Subscription(sub, customer, "past_due", priceStarter, 2, t0, nil)), "ignored")
			e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "invoice.payment_failed", Created: t0.Add(time.Second),
				Object: billingtest.Invoice("in_1", customer, sub)}, "ignored")
			ent := e.entitlements(tenant)
			if ent.Plan != "pro" || ent.Status != "active" || ent.Version != 2 {
				t.Fatalf("entitlements = %+v", ent)
			}
			// Deletion (newest) ends it: back to Free, canceled.
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.deleted", t0.Add(20*time.Second),
				billingtest.Subscription(sub, customer, "canceled", pricePro, 2, t0, nil)), "processed")
			if ent := e.entitlements(tenant); ent.Plan != "free" || ent.Status != "canceled" || ent.Version != 3 {
				t.Fatalf("after deletion: %+v", ent)
			}
		})

		t.Run("checkout completion then payment failure: past due, then Free after the grace period", func(t *testing.T) {
			tenant, customer := e.tenant()
			sub := "sub_" + tenant
			now := time.Now()
			e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "checkout.session.completed", Created: now.Add(-3 * time.Second),
				Object: billingtest.CheckoutSession("cs_1", customer, sub, "pro")}, "processed")
			if ent := e.entitlements(tenant); ent.Plan != "pro" || ent.Status != "trialing" {
				t.Fatalf("after checkout: %+v", ent)
			}
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.updated", now.Add(-2*time.Second),
				billingtest.Subscription(sub, customer, "active", pricePro, 1, now, nil)), "processed")
			e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "invoice.payment_failed", Created: now.Add(-time.Second),
				Object: billingtest.Invoice("in_2", customer, sub)}, "processed")
			ent := e.entitlements(tenant)
			if ent.Plan != "pro" || ent.Status != "past_due" {
				t.Fatalf("after the failed payment: %+v", ent)
			}
			e.clock.advance(71 * time.Hour)
			time.Sleep(1200 * time.Millisecond) // one sweep inside the grace period changes nothing
			if ent := e.entitlements(tenant); ent.Plan != "pro" {
				t.Fatalf("within the grace period: %+v", ent)
			}
			e.clock.advance(2 * time.Hour)
			testkit.Eventually(t, 5*time.Second, func() error {
				if ent := e.entitlements(tenant); ent.Plan != "free" || ent.Status != "past_due" || ent.Version <= 3 {
					return apperr.New(apperr.Conflict, "entitlements %+v", ent)
				}
				return nil
			})
			// Paying restores the plan at once.
			e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "invoice.paid", Created: now,
				Object: billingtest.Invoice("in_2", customer, sub)}, "processed")
			if ent := e.entitlements(tenant); ent.Plan != "pro" || ent.Status != "active" {
				t.Fatalf("after paying: %+v", ent)
			}
		})

		t.Run("events for customers that are not ours are ignored", func(t *testing.T) {
			now := time.Now()
			e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.created", now,
				billingtest.Subscription("sub_x", "cus_stranger", "active", pricePro, 1, now, nil)), "ignored")
			e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "charge.refunded", Created: now, Object: map[string]any{"id": "ch_1"}}, "ignored")
		})
	})
}

// A change of the plans file reaches the tenants that exist when billing
// next starts, not only at their next billing change: the other services
// enforce the copy billing publishes.
func TestChangedPlansReachExistingTenants(t *testing.T) {
	t.Parallel()
	stripeURL := testkit.StripeMock(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		file := filepath.Join(t.TempDir(), "plans.json")
		writePlans := func(freeSeats int) {
			plans := fmt.Sprintf(`{"plans": [
				{"id": "free", "name": "Free", "seats": %d, "conversations_per_month": 100, "storage_mb": %d, "features": ["bot_faq"]},
				{"id": "pro", "name": "Pro", "seats": 25, "max_file_mb": 20, "features": ["bot_faq", "bot_order_status"]}]}`, freeSeats, freeSeats*100)
			if err := os.WriteFile(file, []byte(plans), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		start := func() *env {
			return startBilling(t, d, stripeURL, "PARLEY_PLANS_FILE="+file, "PARLEY_STRIPE_PRICE_PRO="+pricePro)
		}

		writePlans(2)
		first := start()
		tenant, _ := first.tenant()
		if ent := first.entitlements(tenant); ent.Seats != 2 || ent.Version != 1 {
			t.Fatalf("entitlements = %+v", ent)
		}
		first.waitLog("republished=0")
		first.stop()

		writePlans(3)
		second := start()
		js, err := jetstream.New(second.nc)
		if err != nil {
			t.Fatal(err)
		}
		stream, err := js.Stream(context.Background(), contracts.BillingStream.Name)
		if err != nil {
			t.Fatal(err)
		}
		var published contracts.EntitlementsChanged
		testkit.Eventually(t, 10*time.Second, func() error {
			msg, err := stream.GetLastMsgForSubject(context.Background(), contracts.BillingEntitlementsChanged.Subject(tenant))
			if err != nil {
				return err
			}
			var env contracts.Envelope
			if err := json.Unmarshal(msg.Data, &env); err != nil {
				return err
			}
			return env.Decode(&published)
		})
		if p := published.Entitlements; p.Seats != 3 || p.Version != 2 || p.StorageBytes != 300<<20 || p.MaxFileBytes != 0 || p.FileSizeUpgrade != "Pro" || p.StorageUpgrade != "Pro" {
			t.Fatalf("published after the plans changed: %+v", published.Entitlements)
		}

		second.waitLog("republished=1")
		second.stop()

		// Unchanged plans: nothing is published again.
		third := start()
		third.waitLog("republished=0")
		if ent := third.entitlements(tenant); ent.Seats != 3 || ent.Version != 2 {
			t.Fatalf("entitlements after a restart with the same plans = %+v", ent)
		}
	})
}

func TestBillingOffIsUnlimited(t *testing.T) {
	t.Parallel()
	e := startBilling(t, testkit.SQLiteDB(t), "")
	tenant, customer := e.tenant()
	if customer != "" {
		t.Fatalf("a customer without Stripe: %q", customer)
	}
	ent := e.entitlements(tenant)
	if ent.Plan != "unlimited" || ent.Status != "unlimited" || ent.Seats != 0 || ent.ConversationsPerMonth != 0 || len(ent.Features) != len(contracts.AllFeatures) ||
		ent.MaxFileBytes != contracts.DefaultMaxFileBytes || ent.StorageBytes != 0 {
		t.Fatalf("entitlements = %+v", ent)
	}
	owner := contracts.Principal{TenantID: tenant, UserID: ids.New(), Role: contracts.RoleOwner}
	if _, err := natsx.Call(context.Background(), e.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: owner, Plan: "starter"}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("checkout with billing off: %v", err)
	}
	ov, err := natsx.Call(context.Background(), e.nc, contracts.BillingOverviewGet, contracts.PrincipalRequest{Principal: owner})
	if err != nil || ov.Enabled || ov.Plan.ID != "unlimited" || ov.Seats.Used != 1 || ov.Plan.MaxFileBytes != contracts.DefaultMaxFileBytes || ov.Plan.StorageBytes != 0 {
		t.Fatalf("overview = %+v, %v", ov, err)
	}

	// A self-hosted Parley chooses its own file size limit.
	e = startBilling(t, testkit.SQLiteDB(t), "", "PARLEY_MAX_FILE_MB=100")
	tenant, _ = e.tenant()
	if ent := e.entitlements(tenant); ent.MaxFileBytes != 100<<20 || ent.StorageBytes != 0 {
		t.Fatalf("entitlements with PARLEY_MAX_FILE_MB = %+v", ent)
	}
}

func ptr[T any](v T) *T { return &v }

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Asking for the entitlements of a workspace without an account (being
// signed up, or deleted) answers version 0 and writes nothing, so a service
// asking late never brings a deleted workspace's account back.
func TestEntitlementsOfAWorkspaceWithoutAccountWriteNothing(t *testing.T) {
	t.Parallel()
	e := startBilling(t, testkit.SQLiteDB(t), "")
	gone := ids.New()
	if ent := e.entitlements(gone); ent.Version != 0 {
		t.Fatalf("entitlements without an account: %+v", ent)
	}
	var n int64
	if err := e.db.Global(context.Background(), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM accounts WHERE tenant_id = ?`, gone).Scan(&n).Error
	}); err != nil || n != 0 {
		t.Fatalf("accounts written: %d, %v", n, err)
	}
}
