package entitlements_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/entitlements"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

func TestLocalCopyKeepsTheHighestVersionAndAsksBillingWhenEmpty(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, err := db.Open(context.Background(), db.Options{URL: d.ServiceURL("svc"), Schema: d.Schema("svc"), Source: "svc"})
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		nc := testkit.Connect(t, testkit.NATS(t))
		asked := 0
		if _, err := natsx.Serve(nc, contracts.BillingEntitlements, nil, func(_ context.Context, r contracts.TenantIDRequest) (contracts.Entitlements, error) {
			asked++
			return contracts.Entitlements{Plan: "free", PlanName: "Free", Seats: 2, Features: []string{contracts.FeatureBotFAQ},
				FeatureUpgrades: map[string]string{contracts.FeatureAPIKeys: "Pro"}, Version: 1}, nil
		}); err != nil {
			t.Fatal(err)
		}
		l := entitlements.New(x, nc)
		ctx := context.Background()
		tenant := ids.New()

		e, err := l.Get(ctx, tenant) // none stored: billing answers, and the answer is kept
		if err != nil || e.Plan != "free" || asked != 1 {
			t.Fatalf("get: %+v %v (asked %d)", e, err, asked)
		}
		if e, _ = l.Get(ctx, tenant); e.Plan != "free" || asked != 1 {
			t.Fatalf("second get asked billing again: %d", asked)
		}
		if err := l.Require(ctx, tenant, contracts.FeatureAPIKeys); !apperr.Is(err, apperr.PaymentRequired) || err.Error() != "payment_required: your Free plan does not include API keys; upgrade to Pro to use it" {
			t.Fatalf("require: %v", err)
		}
		if err := l.Require(ctx, tenant, contracts.FeatureBotFAQ); err != nil {
			t.Fatal(err)
		}
		// Version 3, then a late version 2: the copy stays at 3; 3 again is harmless.
		for _, v := range []int64{3, 2, 3} {
			if _, err := l.Apply(ctx, tenant, contracts.Entitlements{Plan: map[int64]string{2: "starter", 3: "pro"}[v], Version: v}); err != nil {
				t.Fatal(err)
			}
		}
		if e, _ = l.Get(ctx, tenant); e.Plan != "pro" || e.Version != 3 {
			t.Fatalf("after out-of-order events: %+v", e)
		}
	})
}

func TestPeriodRollsMonthlyFromTheAnchor(t *testing.T) {
	anchor := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	e := contracts.Entitlements{PeriodStart: anchor, PeriodEnd: anchor.AddDate(0, 1, 0)}
	s, end := entitlements.Period(e, anchor.Add(time.Hour))
	if !s.Equal(anchor) || !end.Equal(anchor.AddDate(0, 1, 0)) {
		t.Fatalf("first period: %s – %s", s, end)
	}
	s, end = entitlements.Period(e, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	if !s.Equal(anchor.AddDate(0, 3, 0)) || !end.Equal(anchor.AddDate(0, 4, 0)) {
		t.Fatalf("fourth period: %s – %s", s, end)
	}
	s, _ = entitlements.Period(contracts.Entitlements{}, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	if !s.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("no anchor: %s", s)
	}
	if err := entitlements.CheckSeats(contracts.Entitlements{PlanName: "Free", Seats: 2, SeatsUpgrade: "Starter"}, 2); !apperr.Is(err, apperr.PaymentRequired) {
		t.Fatalf("seats: %v", err)
	}
	if err := entitlements.CheckConversations(contracts.Entitlements{ConversationsPerMonth: 0}, 1e6); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}
