// Package natsapi is billing's NATS face: its endpoints (export parts
// included), the consumers of tenant deletions (which cancel a closed
// workspace's subscription) and of new conversations (the usage ledger), and the
// workers that republish entitlements when the plans changed and that end
// grace periods.
package natsapi

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/billing/internal/app"
)

// SweepEvery is how often the grace-period deadlines are checked.
const SweepEvery = time.Second

// Register serves billing's endpoints and consumers.
func Register(b *service.Base, a *app.App) {
	service.Handle(b, contracts.BillingAccountCreate, a.CreateAccount)
	service.Handle(b, contracts.BillingEntitlements, a.Entitlements)
	service.Handle(b, contracts.BillingOverviewGet, a.Overview)
	service.Handle(b, contracts.BillingUsage, a.Usage)
	service.Handle(b, contracts.BillingCheckout, a.Checkout)
	service.Handle(b, contracts.BillingPortal, a.Portal)
	service.Handle(b, contracts.BillingWebhook, a.Webhook)
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "billing-tenant-deleted",
		Filter: contracts.TenantTenantDeleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		// Rows first, then the stream: a crash in between redelivers, and both are idempotent.
		if err := a.TenantDeleted(ctx, env); err != nil {
			return err
		}
		return natsx.PurgeTenant(ctx, b.JS, contracts.BillingStream, env.TenantID)
	})
	parts := Parts{JS: b.JS}
	service.Handle(b, contracts.BillingExportPart, func(ctx context.Context, r contracts.ExportPartRequest) (contracts.ExportPart, error) {
		return a.ExportPart(ctx, r, parts)
	})
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "billing-usage",
		Filter: contracts.ConversationMessageCreated.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		return a.ConversationCounted(ctx, env)
	})
	b.Go(func(ctx context.Context) error {
		n, err := a.RepublishAll(ctx)
		if err != nil && ctx.Err() == nil {
			b.Log.Error("republish entitlements under the configured plans", "err", err)
		} else if err == nil {
			b.Log.Info("entitlements checked against the configured plans", "republished", n)
		}
		return nil
	})
	if !a.Enabled() {
		return // grace periods come only from Stripe's payment failures
	}
	b.Go(func(ctx context.Context) error {
		t := time.NewTicker(SweepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if err := a.SweepGrace(ctx); err != nil && ctx.Err() == nil {
					b.Log.Warn("grace sweep", "err", err)
				}
			}
		}
	})
}

// Directory asks identity for a tenant's seats.
type Directory struct{ NC *nats.Conn }

var _ app.Directory = Directory{}

// Seats counts the tenant's members and open invites.
func (d Directory) Seats(ctx context.Context, tenantID string) (contracts.SeatUsage, error) {
	return natsx.Call(ctx, d.NC, contracts.IdentitySeats, contracts.TenantIDRequest{TenantID: tenantID})
}
