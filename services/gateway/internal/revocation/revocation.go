// Package revocation tells the gateway which still-unexpired access tokens
// must be refused, and which members' roles changed since their token was
// issued, and which visitors were forgotten (Parley('reset')). It follows
// identity's access.revoked, member.changed and visitor.revoked events
// through an ordered JetStream consumer that starts one token lifetime in the
// past, so a gateway that starts (or restarts) knows every revocation that
// still matters before it reports ready. It also holds the deleted tenants
// (see tenants.go), whose tokens are all refused.
package revocation

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/contracts"
)

// horizon is how far back revocations matter: no access token lives longer,
// and no cached API key either (see httpapi's key cache).
const horizon = auth.AccessTTL + time.Minute

type roleChange struct {
	role contracts.Role
	at   time.Time
}

// List is the in-memory revocation list.
type List struct {
	mu       sync.RWMutex
	sessions map[string]time.Time // session id → when revoked
	users    map[string]time.Time // removed user id → when
	roles    map[string]roleChange
	keys     map[string]time.Time // deleted API key id → when
	visitors map[visitorKey]contracts.VisitorRevoked
	tenants  map[string]time.Time // deleted tenant id → when
	ready    atomic.Bool
	// tenantsReady: the deleted tenants have been read from the TENANT stream.
	tenantsReady atomic.Bool

	// Snapshot lists the visitor revocations still in force (identity's
	// visitor_revocations endpoint); see visitors.go.
	Snapshot func(ctx context.Context) (contracts.VisitorRevocations, error)
	// OnTenantDeleted, if set, is called for each deletion learnt (the
	// gateway closes the tenant's sockets and forgets its widget).
	OnTenantDeleted func(tenantID string)
	// OnAccessChanged, if set, is called after a session, member or visitor
	// was revoked or a role changed (the gateway rechecks its open sockets
	// at once rather than at the next heartbeat).
	OnAccessChanged func()
}

// New returns an empty list.
func New() *List {
	return &List{sessions: map[string]time.Time{}, users: map[string]time.Time{}, roles: map[string]roleChange{}, keys: map[string]time.Time{},
		visitors: map[visitorKey]contracts.VisitorRevoked{}, tenants: map[string]time.Time{}}
}

// Ready reports whether the list has caught up with the stream.
func (l *List) Ready() bool { return l.ready.Load() && l.tenantsReady.Load() }

// Check returns the principal to use for a verified token, or false if the
// token's session, user or tenant has been revoked. A role changed after
// the token was issued replaces the token's role.
func (l *List) Check(p contracts.Principal) (contracts.Principal, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if _, ok := l.tenants[p.TenantID]; ok {
		return p, false
	}
	if _, ok := l.sessions[p.SessionID]; ok {
		return p, false
	}
	if _, ok := l.users[p.UserID]; ok {
		return p, false
	}
	if rc, ok := l.roles[p.UserID]; ok {
		p.Role = rc.role
	}
	return p, true
}

// KeyRevoked reports whether an API key was deleted (recently enough that a
// cache might still hold it).
func (l *List) KeyRevoked(keyID string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, ok := l.keys[keyID]
	return ok
}

// Apply records one event.
func (l *List) Apply(env contracts.Envelope) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch env.Type {
	case contracts.IdentityAccessRevoked.Name():
		var r contracts.AccessRevoked
		if env.Decode(&r) != nil {
			return
		}
		if r.SessionID != "" {
			l.sessions[r.SessionID] = env.OccurredAt
		} else {
			l.users[r.UserID] = env.OccurredAt
		}
	case contracts.IdentityAPIKeyRevoked.Name():
		var r contracts.APIKeyRevoked
		if env.Decode(&r) == nil {
			l.keys[r.KeyID] = env.OccurredAt
		}
	case contracts.IdentityVisitorRevoked.Name():
		var r contracts.VisitorRevoked
		if env.Decode(&r) == nil {
			l.revokeVisitor(env.TenantID, r)
		}
	case contracts.IdentityMemberChanged.Name():
		var m contracts.MemberChanged
		if env.Decode(&m) != nil {
			return
		}
		if m.Removed {
			l.users[m.User.ID] = env.OccurredAt
		} else {
			l.roles[m.User.ID] = roleChange{role: m.User.Role, at: env.OccurredAt}
		}
	}
}

// prune forgets entries older than any token that could still be alive.
func (l *List) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := now.Add(-horizon)
	for k, at := range l.sessions {
		if at.Before(cutoff) {
			delete(l.sessions, k)
		}
	}
	for k, at := range l.users {
		if at.Before(cutoff) {
			delete(l.users, k)
		}
	}
	for k, at := range l.keys {
		if at.Before(cutoff) {
			delete(l.keys, k)
		}
	}
	for k, rc := range l.roles {
		if rc.at.Before(cutoff) {
			delete(l.roles, k)
		}
	}
	l.pruneVisitors(now)
	l.pruneTenants(now)
}

// Follow consumes identity's events, and tenant deletions, until ctx ends.
func (l *List) Follow(ctx context.Context, js jetstream.JetStream) error {
	if err := l.loadVisitors(ctx); err != nil {
		return err
	}
	tc, err := l.followTenants(ctx, js)
	if err != nil {
		return err
	}
	defer tc.Stop()
	start := time.Now().Add(-horizon)
	cons, err := js.OrderedConsumer(ctx, contracts.IdentityStream.Name, jetstream.OrderedConsumerConfig{
		// All of identity's events (few), rather than two filters: NATS < 2.10 takes one.
		FilterSubjects: []string{contracts.IdentityStream.Subjects()},
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &start,
	})
	if err != nil {
		return err
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return err
	}
	if info.NumPending == 0 {
		l.ready.Store(true)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var env contracts.Envelope
		if json.Unmarshal(m.Data(), &env) == nil && env.CheckSubject(m.Subject()) == nil {
			l.Apply(env)
			if l.OnAccessChanged != nil && (env.Type == contracts.IdentityAccessRevoked.Name() || env.Type == contracts.IdentityMemberChanged.Name() ||
				env.Type == contracts.IdentityVisitorRevoked.Name()) {
				l.OnAccessChanged()
			}
		}
		if md, err := m.Metadata(); err == nil && md.NumPending == 0 {
			l.ready.Store(true)
		}
	})
	if err != nil {
		return err
	}
	defer cc.Stop()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			l.prune(now)
		}
	}
}
