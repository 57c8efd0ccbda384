package revocation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Deleted tenants: once a workspace is closed (or an abandoned sign-up is
// removed), every token of it is refused — members', visitors' and API
// keys'. The gateway learns of it from tenant.<tid>.tenant.deleted, read
// from the start of the TENANT stream, so a gateway that starts knows every
// deletion of the stream's retention (natsx.EventRetention, a week): far
// longer than an access token or a cached API key lives. A visitor token
// outlives that, but by then the tenant service no longer knows the tenant,
// so the widget's settings lookup refuses it (404) all the same.

// TenantDeleted reports whether a tenant was deleted.
func (l *List) TenantDeleted(tenantID string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, ok := l.tenants[tenantID]
	return ok
}

// DeleteTenant records a deletion at once (the gateway that served it does
// not wait for the event) and calls OnTenantDeleted.
func (l *List) DeleteTenant(tenantID string, at time.Time) {
	l.mu.Lock()
	if _, ok := l.tenants[tenantID]; !ok {
		l.tenants[tenantID] = at
	}
	l.mu.Unlock()
	if l.OnTenantDeleted != nil {
		l.OnTenantDeleted(tenantID)
	}
}

// pruneTenants forgets deletions older than the stream keeps; l.mu is held.
func (l *List) pruneTenants(now time.Time) {
	for k, at := range l.tenants {
		if at.Before(now.Add(-natsx.EventRetention)) {
			delete(l.tenants, k)
		}
	}
}

// followTenants applies tenant.deleted events from the start of the stream
// until ctx ends; it marks tenantsReady once it has caught up.
func (l *List) followTenants(ctx context.Context, js jetstream.JetStream) (jetstream.ConsumeContext, error) {
	cons, err := js.OrderedConsumer(ctx, contracts.TenantStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{contracts.TenantTenantDeleted.AllTenants()},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, err
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.NumPending == 0 {
		l.tenantsReady.Store(true)
	}
	return cons.Consume(func(m jetstream.Msg) {
		var env contracts.Envelope
		if json.Unmarshal(m.Data(), &env) == nil && env.CheckSubject(m.Subject()) == nil && env.Type == contracts.TenantTenantDeleted.Name() {
			l.DeleteTenant(env.TenantID, env.OccurredAt)
		}
		if md, err := m.Metadata(); err == nil && md.NumPending == 0 {
			l.tenantsReady.Store(true)
		}
	})
}
