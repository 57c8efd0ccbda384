package natsapi

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/services/conversation/internal/app"
)

// Options tune the service's background work.
type Options struct {
	// RetentionEvery is how often the retention sweep runs (it also runs at
	// start); 0 is hourly.
	RetentionEvery time.Duration
}

// registerData serves the data-ownership endpoints (export and import
// parts, a visitor's data and its erasure, the retention preview) and
// starts the retention sweep and the consumers that finish an erasure and a
// workspace deletion.
func registerData(b *service.Base, a *app.App, settings *app.SettingsCache, bots *app.BotConfigs, o Options) {
	service.Handle(b, contracts.ConversationExportPart, a.ExportPart)
	service.Handle(b, contracts.ConversationImportPart, a.ImportPart)
	service.Handle(b, contracts.ConversationVisitorErase, a.EraseVisitor)
	service.Handle(b, contracts.ConversationVisitorExport, a.ExportVisitor)
	service.Handle(b, contracts.ConversationRetentionPreview, a.RetentionPreview)
	service.Handle(b, contracts.ConversationVisitorBlock, a.BlockVisitor)
	service.Handle(b, contracts.ConversationVisitorUnblock, a.UnblockVisitor)
	service.Handle(b, contracts.ConversationBlockedVisitors, a.BlockedVisitors)
	service.Handle(b, contracts.ConversationBlockCheck, a.BlockCheck)

	// The erasure itself is one transaction (EraseVisitor); what is left is
	// the event history, where the visitor's id and their conversations'
	// ids mark every event that mentions them.
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.ConversationStream, Durable: "conversation-visitor-erased",
		Filter: contracts.ConversationVisitorErased.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		var e contracts.VisitorErased
		if err := env.Decode(&e); err != nil {
			return apperr.New(apperr.Invalid, "bad visitor.erased payload: %v", err)
		}
		_, err := natsx.ScrubStream(ctx, b.JS, contracts.ConversationStream, env.TenantID, append([]string{e.VisitorID}, e.ConversationIDs...))
		return err
	})

	// A deleted workspace: its rows, then its events, then the caches.
	b.Consume(natsx.ConsumerConfig{
		Stream: contracts.TenantStream, Durable: "conversation-tenant-deleted",
		Filter: contracts.TenantTenantDeleted.AllTenants(),
	}, func(ctx context.Context, _ string, env contracts.Envelope) error {
		if err := a.DeleteTenant(ctx, env.TenantID); err != nil {
			return err
		}
		if err := natsx.PurgeTenant(ctx, b.JS, contracts.ConversationStream, env.TenantID); err != nil {
			return err
		}
		settings.Forget(env.TenantID)
		bots.Forget(env.TenantID)
		return nil
	})

	every := o.RetentionEvery
	if every <= 0 {
		every = time.Hour
	}
	b.Go(func(ctx context.Context) error {
		for {
			wait := every
			if err := sweep(ctx, b, a); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				b.Log.Warn("retention sweep", "err", err)
				wait = min(every, time.Minute) // the tenant service may be starting: try again soon
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
	})
}

// sweep runs one retention pass over the tenants the tenant service lists.
func sweep(ctx context.Context, b *service.Base, a *app.App) error {
	p, err := natsx.Call(ctx, b.NC, contracts.TenantRetentionPolicies, contracts.Empty{})
	if err != nil {
		return err
	}
	return a.Sweep(ctx, p.Policies)
}

// Objects is the data bucket, opened (or created) on first use.
type Objects struct {
	JS jetstream.JetStream

	mu  sync.Mutex
	obs jetstream.ObjectStore
}

func (o *Objects) bucket(ctx context.Context) (jetstream.ObjectStore, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.obs == nil {
		obs, err := natsx.DataBucket(ctx, o.JS)
		if err != nil {
			return nil, err
		}
		o.obs = obs
	}
	return o.obs, nil
}

// Put stores r under name.
func (o *Objects) Put(ctx context.Context, name string, r io.Reader) error {
	obs, err := o.bucket(ctx)
	if err != nil {
		return err
	}
	_, err = obs.Put(ctx, jetstream.ObjectMeta{Name: name}, r)
	return err
}

// Get opens the object name; a missing one is NotFound.
func (o *Objects) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	obs, err := o.bucket(ctx)
	if err != nil {
		return nil, err
	}
	r, err := obs.Get(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, apperr.NotFoundf("object %s not found", name)
	}
	return r, err
}
