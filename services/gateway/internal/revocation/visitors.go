package revocation

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Anonymous visitor tokens may be renewed for months, longer than
// identity's events are kept, so a starting gateway first loads the
// revocations still in force (Snapshot) and then follows VisitorRevoked
// events like the others.

type visitorKey struct{ tenant, visitor string }

// VisitorRevoked reports whether a visitor token issued at issuedAt was
// revoked, or its tenant deleted, or (for a verified visitor) its tenant's
// identity secret rotated since.
func (l *List) VisitorRevoked(tenantID, visitorID string, issuedAt time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if _, ok := l.tenants[tenantID]; ok {
		return true
	}
	if r, ok := l.visitors[visitorKey{tenantID, visitorID}]; ok && r.Covers(issuedAt) {
		return true
	}
	r, ok := l.visitors[visitorKey{tenantID, contracts.AllVerifiedVisitors}]
	return ok && r.Covers(issuedAt) && contracts.IsVerifiedVisitorID(visitorID)
}

// RevokeVisitor records a revocation at once (the gateway that served it
// does not wait for the event).
func (l *List) RevokeVisitor(tenantID string, r contracts.VisitorRevoked) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.revokeVisitor(tenantID, r)
}

// revokeVisitor keeps the latest revocation of a visitor; l.mu is held.
func (l *List) revokeVisitor(tenantID string, r contracts.VisitorRevoked) {
	k := visitorKey{tenantID, r.VisitorID}
	if old, ok := l.visitors[k]; !ok || old.RevokedAt.Before(r.RevokedAt) {
		l.visitors[k] = r
	}
}

// pruneVisitors forgets revocations whose tokens have all expired; l.mu is held.
func (l *List) pruneVisitors(now time.Time) {
	for k, r := range l.visitors {
		if !r.ExpiresAt.After(now) {
			delete(l.visitors, k)
		}
	}
}

// loadVisitors takes the snapshot, retrying until identity answers.
func (l *List) loadVisitors(ctx context.Context) error {
	if l.Snapshot == nil {
		return nil
	}
	wait := 100 * time.Millisecond
	for {
		s, err := l.Snapshot(ctx)
		if err == nil {
			l.mu.Lock()
			for _, r := range s.Revocations {
				l.revokeVisitor(r.TenantID, r.VisitorRevoked)
			}
			l.mu.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
