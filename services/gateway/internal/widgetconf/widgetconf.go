// Package widgetconf resolves widget keys to tenants for the gateway, with a
// short-lived cache: every widget load and visitor session needs it, and the
// answer changes only when a tenant edits its settings. The tenant service's
// settings.changed and tenant.changed events drop the entry at once; the TTL
// bounds staleness if an event is missed.
package widgetconf

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

const (
	ttl         = 30 * time.Second
	negativeTTL = 5 * time.Second
	maxEntries  = 100_000
)

type entry struct {
	wt  contracts.WidgetTenant
	err error
	at  time.Time
}

// Resolver is the cache.
type Resolver struct {
	// Deleted, if set, says a tenant was deleted: its widget key resolves
	// NotFound even if an answer about it is still cached or in flight.
	Deleted func(tenantID string) bool

	nc       *nats.Conn
	mu       sync.Mutex
	m        map[string]entry // by widget key
	byTenant map[string]entry // by tenant id (only Settings is set)
}

// New returns an empty resolver.
func New(nc *nats.Conn) *Resolver {
	return &Resolver{nc: nc, m: map[string]entry{}, byTenant: map[string]entry{}}
}

// Settings returns a tenant's settings (for requests that carry a visitor
// token rather than a widget key).
func (r *Resolver) Settings(ctx context.Context, tenantID string) (contracts.Settings, error) {
	r.mu.Lock()
	e, ok := r.byTenant[tenantID]
	r.mu.Unlock()
	if ok && time.Since(e.at) < ttl {
		return e.wt.Settings, nil
	}
	s, err := natsx.Call(ctx, r.nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: tenantID})
	if err != nil {
		return s, err
	}
	r.mu.Lock()
	if len(r.byTenant) >= maxEntries {
		r.byTenant = map[string]entry{}
	}
	r.byTenant[tenantID] = entry{wt: contracts.WidgetTenant{TenantID: tenantID, Settings: s}, at: time.Now()}
	r.mu.Unlock()
	return s, nil
}

// Resolve returns the tenant behind a widget key, or a NotFound error for an
// unknown, pending or disabled one.
func (r *Resolver) Resolve(ctx context.Context, key string) (contracts.WidgetTenant, error) {
	if len(key) == 0 || len(key) > 64 {
		return contracts.WidgetTenant{}, apperr.NotFoundf("unknown widget key")
	}
	r.mu.Lock()
	e, ok := r.m[key]
	r.mu.Unlock()
	if ok && (time.Since(e.at) < ttl && e.err == nil || time.Since(e.at) < negativeTTL) {
		return r.unlessDeleted(e.wt, e.err)
	}
	wt, err := natsx.Call(ctx, r.nc, contracts.TenantWidgetResolve, contracts.WidgetKeyRequest{WidgetKey: key})
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return wt, err // not an answer about the key: do not cache
	}
	wt, err = r.unlessDeleted(wt, err)
	r.mu.Lock()
	if len(r.m) >= maxEntries {
		r.m = map[string]entry{}
	}
	r.m[key] = entry{wt: wt, err: err, at: time.Now()}
	r.mu.Unlock()
	return wt, err
}

func (r *Resolver) unlessDeleted(wt contracts.WidgetTenant, err error) (contracts.WidgetTenant, error) {
	if err == nil && r.Deleted != nil && r.Deleted(wt.TenantID) {
		return contracts.WidgetTenant{}, apperr.NotFoundf("unknown widget key")
	}
	return wt, err
}

// ForgetTenant drops every entry of a tenant (its workspace was deleted).
func (r *Resolver) ForgetTenant(tenantID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byTenant, tenantID)
	for k, e := range r.m {
		if e.wt.TenantID == tenantID {
			delete(r.m, k)
		}
	}
}

// Forget drops a widget key and a tenant.
func (r *Resolver) Forget(key, tenantID string) {
	r.mu.Lock()
	delete(r.m, key)
	delete(r.byTenant, tenantID)
	r.mu.Unlock()
}

// Follow drops entries when tenants change, until ctx ends.
func (r *Resolver) Follow(ctx context.Context) error {
	handle := func(m *nats.Msg) {
		var env contracts.Envelope
		if json.Unmarshal(m.Data, &env) != nil || env.CheckSubject(m.Subject) != nil {
			return
		}
		var p struct {
			WidgetKey string `json:"widget_key"`
			Tenant    struct {
				WidgetKey string `json:"widget_key"`
			} `json:"tenant"`
		}
		if env.Decode(&p) == nil {
			r.Forget(p.WidgetKey, env.TenantID)
			r.Forget(p.Tenant.WidgetKey, env.TenantID)
		}
	}
	var subs []*nats.Subscription
	for _, subject := range []string{contracts.TenantSettingsChanged.AllTenants(), contracts.TenantTenantChanged.AllTenants()} {
		s, err := r.nc.Subscribe(subject, handle)
		if err != nil {
			return err
		}
		subs = append(subs, s)
	}
	<-ctx.Done()
	for _, s := range subs {
		_ = s.Unsubscribe()
	}
	return nil
}
