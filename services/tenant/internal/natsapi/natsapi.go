// Package natsapi is the tenant service's NATS face: endpoints, the consumer
// that activates tenants when identity reports a completed sign-up, the
// audit log's consumers (one per stream), the consumers of visitor erasures
// and tenant deletions, the export and import runners, and the janitor that
// abandons sign-ups that never completed and sweeps expired archives and
// old audit entries.
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
	service.Handle(b, contracts.TenantLogoSet, a.SetLogo)
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
	service.Handle(b, contracts.TenantDelete, a.Delete)
	service.Handle(b, contracts.TenantRetentionPolicies, a.RetentionPolicies)
	service.Handle(b, contracts.TenantAuditList, a.AuditList)
	service.Handle(b, contracts.TenantExportCreate, a.ExportCreate)
	service.Handle(b, contracts.TenantExportList, a.ExportList)
	service.Handle(b, contracts.TenantExportGet, a.ExportGet)
	service.Handle(b, contracts.TenantExportDownload, a.ExportDownload)
	service.Handle(b, contracts.TenantImportStart, a.ImportStart)
	service.Handle(b, contracts.TenantImportGet, a.ImportGet)
	service.Handle(b, contracts.TenantImportList, a.ImportList)

	for _, s := range contracts.Streams {
		for _, ev := range contracts.AuditEvents {
			if ev.Context == s.Context {
				b.Consume(natsx.ConsumerConfig{Stream: s, Durable: "tenant-audit-" + s.Context, Filter: ev.AllTenants()},
					func(ctx context.Context, _ string, env contracts.Envelope) error { return a.RecordAudit(ctx, env) })
			}
		}
	}
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "tenant-visitor-erased",
		Filter: contracts.ConversationVisitorErased.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		return a.VisitorErased(ctx, env.TenantID)
	})
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "tenant-erase",
		Filter: contracts.TenantTenantDeleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		return a.EraseTenant(ctx, env.TenantID)
	})

	b.Go(a.RunJobs)

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
	b.Go(func(ctx context.Context) error {
		t := time.NewTicker(a.SweepEvery())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if err := a.SweepExports(ctx, a.Now()); err != nil {
					b.Log.Warn("export sweep", "err", err)
				}
			}
		}
	})
	b.Go(func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if err := a.SweepAudit(ctx, a.Now()); err != nil && ctx.Err() == nil {
				b.Log.Warn("audit sweep", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
}
