package billing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/billing/billingtest"
)

// recorder is a reverse proxy in front of stripe-mock that remembers every
// request billing made to Stripe.
type recorder struct {
	mu       sync.Mutex
	requests []string // "METHOD /path"
}

func (r *recorder) start(t *testing.T, stripeURL string) string {
	t.Helper()
	target, err := url.Parse(stripeURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (r *recorder) count(request string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.requests {
		if q == request {
			n++
		}
	}
	return n
}

func (e *env) publish(t contracts.EventType, tenantID string, payload any) {
	e.t.Helper()
	env, err := contracts.NewEnvelope(t, tenantID, "test", "", payload)
	if err != nil {
		e.t.Fatal(err)
	}
	js, _ := jetstream.New(e.nc)
	if _, err := natsx.Publish(context.Background(), js, t.Subject(tenantID), env); err != nil {
		e.t.Fatal(err)
	}
}

// events reads a stream's events on subject, oldest first.
func (e *env) events(stream contracts.Stream, subject string) []contracts.Envelope {
	js, _ := jetstream.New(e.nc)
	return testkit.StreamEvents(e.t, js, stream, subject)
}

// countConversation has the usage consumer count a new conversation.
func (e *env) countConversation(tenantID string) string {
	conv := ids.New()
	e.publish(contracts.ConversationMessageCreated, tenantID, contracts.MessageCreated{
		Brief: contracts.ConversationBrief{ID: conv, CreatedAt: time.Now().UTC()}, Message: contracts.Message{Seq: 1},
	})
	return conv
}

func (e *env) ledgerRows(tenantID string) int {
	u, err := natsx.Call(context.Background(), e.nc, contracts.BillingUsage, contracts.UsageRequest{Principal: contracts.Principal{TenantID: tenantID, Role: contracts.RoleOwner}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(u.Entries)
}

// subscribed gives a new tenant a live Starter subscription and two counted conversations.
func (e *env) subscribed() (tenantID, customer, subscription string) {
	e.t.Helper()
	tenantID, customer = e.tenant()
	subscription = "sub_" + strings.ReplaceAll(tenantID, "-", "")
	now := time.Now()
	e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.created", now,
		billingtest.Subscription(subscription, customer, "active", priceStarter, 3, now, nil)), "processed")
	e.countConversation(tenantID)
	e.countConversation(tenantID)
	testkit.Eventually(e.t, 10*time.Second, func() error {
		if n := e.ledgerRows(tenantID); n != 2 {
			return fmt.Errorf("%d ledger entries", n)
		}
		return nil
	})
	return tenantID, customer, subscription
}

func TestExportPartHoldsThePlanAndTheLedger(t *testing.T) {
	t.Parallel()
	stripeURL := testkit.StripeMock(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := startBilling(t, d, stripeURL)
		tenantID, customer, subscription := e.subscribed()
		exportID := ids.New()
		req := contracts.ExportPartRequest{TenantID: tenantID, ExportID: exportID, Prefix: contracts.ExportPartPrefix(tenantID, exportID, contracts.ServiceBilling)}
		part, err := natsx.Call(context.Background(), e.nc, contracts.BillingExportPart, req)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := jetstream.New(e.nc)
		bucket, err := natsx.DataBucket(context.Background(), js)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range part.Files {
			if files[f.Name], err = bucket.GetBytes(context.Background(), f.Object); err != nil {
				t.Fatal(err)
			}
			if want := map[string]int64{"billing.json": 1, "usage.jsonl": 2}[f.Name]; f.Count != want || f.Object != req.Prefix+f.Name {
				t.Fatalf("file %+v", f)
			}
		}
		var doc map[string]any
		if err := json.Unmarshal(files["billing.json"], &doc); err != nil {
			t.Fatal(err)
		}
		if doc["plan"] != "starter" || doc["status"] != "active" || doc["stripe_customer_id"] != customer ||
			doc["stripe_subscription_id"] != subscription || doc["period_end"] == nil || doc["quantity"] != 3.0 {
			t.Fatalf("billing.json: %s", files["billing.json"])
		}
		lines := bytes.Split(bytes.TrimSpace(files["usage.jsonl"]), []byte("\n"))
		var entry map[string]any
		if err := json.Unmarshal(lines[0], &entry); err != nil || len(lines) != 2 || entry["conversation_id"] == nil || entry["counted_at"] == nil {
			t.Fatalf("usage.jsonl: %s (%v)", files["usage.jsonl"], err)
		}
		for _, b := range files {
			if bytes.Contains(b, []byte("tenant_id")) || bytes.Contains(b, []byte("sk_test")) || bytes.Contains(b, []byte(webhookSecret)) {
				t.Fatalf("the part holds a tenant column or a secret: %s", b)
			}
		}
		req.Prefix = contracts.ExportPartPrefix(tenantID, exportID, contracts.ServiceIdentity)
		if _, err := natsx.Call(context.Background(), e.nc, contracts.BillingExportPart, req); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("another service's prefix: %v", err)
		}
	})
}

func TestClosingTheWorkspaceCancelsTheSubscriptionAndErasesBilling(t *testing.T) {
	t.Parallel()
	stripeURL := testkit.StripeMock(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		rec := &recorder{}
		e := startBilling(t, d, rec.start(t, stripeURL))
		tenantID, customer, subscription := e.subscribed()
		other, _, otherSub := e.subscribed()
		testkit.Eventually(t, 10*time.Second, func() error {
			if len(e.events(contracts.BillingStream, contracts.BillingStream.TenantEvents(tenantID))) == 0 {
				return fmt.Errorf("no billing events yet")
			}
			return nil
		})

		e.publish(contracts.TenantTenantDeleted, tenantID, contracts.TenantDeleted{Reason: contracts.TenantClosed})
		testkit.Eventually(t, 15*time.Second, func() error {
			if rows := testkit.RowsContaining(t, e.db, tenantID, tenantID, customer, subscription); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			if n := len(e.events(contracts.BillingStream, contracts.BillingStream.TenantEvents(tenantID))); n > 0 {
				return fmt.Errorf("%d events of the tenant left in BILLING", n)
			}
			return nil
		})
		if n := rec.count("DELETE /v1/subscriptions/" + subscription); n != 1 {
			t.Fatalf("%d cancel requests for the subscription; requests: %v", n, rec.requests)
		}
		if n := rec.count("DELETE /v1/subscriptions/" + otherSub); n != 0 {
			t.Fatal("the other tenant's subscription was cancelled")
		}
		if n := e.ledgerRows(other); n != 2 {
			t.Fatalf("the other tenant's ledger: %d", n)
		}
		// Stripe's own deletion webhook that follows finds no tenant.
		now := time.Now()
		e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.deleted", now,
			billingtest.Subscription(subscription, customer, "canceled", priceStarter, 3, now, nil)), "ignored")

		// An abandoned sign-up has no subscription to cancel: no call to Stripe.
		abandoned, _ := e.tenant()
		before := len(rec.requests)
		e.publish(contracts.TenantTenantDeleted, abandoned, contracts.TenantDeleted{Reason: contracts.TenantAbandoned})
		testkit.Eventually(t, 10*time.Second, func() error {
			if rows := testkit.RowsContaining(t, e.db, abandoned, abandoned); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			return nil
		})
		if len(rec.requests) != before {
			t.Fatalf("an abandoned tenant's deletion called Stripe: %v", rec.requests[before:])
		}
	})
}

func TestAuditRecordsCheckoutAndSubscriptionChanges(t *testing.T) {
	t.Parallel()
	stripeURL := testkit.StripeMock(t)
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := startBilling(t, d, stripeURL)
		tenantID, customer := e.tenant()
		owner := contracts.Principal{TenantID: tenantID, UserID: ids.New(), Role: contracts.RoleOwner, Name: "Olive", IP: "198.51.100.1"}
		if _, err := natsx.Call(context.Background(), e.nc, contracts.BillingCheckout, contracts.CheckoutRequest{Principal: owner, Plan: "pro"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		sub := "sub_" + strings.ReplaceAll(tenantID, "-", "")
		e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.created", now,
			billingtest.Subscription(sub, customer, "active", pricePro, 1, now, nil)), "processed")
		// An invoice paid on an active subscription changes neither plan nor status: no entry.
		e.mustDeliver(billingtest.Event{ID: "evt_" + ids.New(), Type: "invoice.paid", Created: now.Add(time.Second), Object: billingtest.Invoice("in_1", customer, sub)}, "processed")
		e.mustDeliver(subEvent("evt_"+ids.New(), "customer.subscription.deleted", now.Add(2*time.Second),
			billingtest.Subscription(sub, customer, "canceled", pricePro, 1, now, nil)), "processed")

		var got []contracts.AuditRecorded
		testkit.Eventually(t, 10*time.Second, func() error {
			got = nil
			for _, env := range e.events(contracts.BillingStream, contracts.BillingAuditRecorded.Subject(tenantID)) {
				var r contracts.AuditRecorded
				if err := env.Decode(&r); err != nil {
					return err
				}
				got = append(got, r)
			}
			if len(got) != 3 {
				return fmt.Errorf("%d audit events, want 3", len(got))
			}
			return nil
		})
		stripe := contracts.SystemActor("stripe")
		want := []struct {
			action        string
			actor         contracts.AuditActor
			target        string
			before, after string
		}{
			{contracts.AuditBillingCheckout, owner.AuditActor(), "pro", `{"plan":"free","status":"active"}`, `{"flow":"checkout","plan":"pro"}`},
			{contracts.AuditBillingChanged, stripe, sub, `{"plan":"free","status":"active"}`, `{"plan":"pro","status":"active"}`},
			{contracts.AuditBillingChanged, stripe, sub, `{"plan":"pro","status":"active"}`, `{"plan":"free","status":"canceled"}`},
		}
		for i, w := range want {
			g := got[i]
			if g.Action != w.action || g.Actor != w.actor || g.TargetID != w.target || string(g.Before) != w.before || string(g.After) != w.after {
				t.Fatalf("entry %d: %+v before %s after %s; want %+v", i, g, g.Before, g.After, w)
			}
		}
	})
}
