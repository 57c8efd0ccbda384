// Package natsapi is the tenant service's NATS face: endpoints, the consumer
// that activates tenants when identity reports a completed sign-up, and the
// janitor that abandons sign-ups that never completed.
package natsapi

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/tenant/internal/app"
)

// Register serves the tenant endpoints and starts the workers.
func Register(b *service.Base, a *app.App) {
	service.Handle(b, contracts.TenantCreate, a.Create)
	service.Handle(b, contracts.TenantActivate, a.Activate)
	service.Handle(b, contracts.TenantAbandon, a.Abandon)
	service.Handle(b, contracts.TenantGet, a.Get)
	service.Handle(b, contracts.TenantUpdate, a.Update)
	service.Handle(b, contracts.TenantSettingsGet, a.Settings)
	service.Handle(b, contracts.TenantSettingsUpdate, a.UpdateSettings)
	service.Handle(b, contracts.TenantSettingsInternal, a.InternalSettings)
	service.Handle(b, contracts.TenantWidgetResolve, a.ResolveWidget)
	service.Handle(b, contracts.TenantSecretReveal, a.RevealSecret)
	service.Handle(b, contracts.TenantSecretRotate, a.RotateSecret)
	service.Handle(b, contracts.TenantSecretInternal, a.InternalSecret)
	service.Handle(b, contracts.TenantCannedList, a.CannedList)
	service.Handle(b, contracts.TenantCannedWrite, a.CannedWrite)
	service.Handle(b, contracts.TenantCannedDelete, a.CannedDelete)
	service.Handle(b, contracts.TenantBotGet, a.Bot)
	service.Handle(b, contracts.TenantBotSave, a.SaveBot)
	service.Handle(b, contracts.TenantBotInternal, a.InternalBot)

	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.IdentityStream, Durable: "tenant-signups",
		Filter: contracts.IdentitySignupCompleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		_, err := a.Activate(ctx, contracts.TenantIDRequest{TenantID: env.TenantID})
		return err
	})

	b.Go(func(ctx context.Context) error {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case now := <-t.C:
				if err := a.AbandonStale(ctx, now); err != nil {
					b.Log.Warn("janitor", "err", err)
				}
			}
		}
	})
}
