package revocation

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
)

// A starting gateway loads the visitor revocations that outlive the event
// stream, retrying until identity answers; events and prune apply on top.
func TestVisitorRevocations(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	calls := 0
	l := New()
	l.Snapshot = func(context.Context) (contracts.VisitorRevocations, error) {
		calls++
		if calls == 1 {
			return contracts.VisitorRevocations{}, errors.New("identity is starting")
		}
		return contracts.VisitorRevocations{Revocations: []contracts.VisitorRevocation{
			{TenantID: "t1", VisitorRevoked: contracts.VisitorRevoked{VisitorID: "v1", RevokedAt: now.Add(-90 * 24 * time.Hour), ExpiresAt: now.Add(90 * 24 * time.Hour)}},
		}}, nil
	}
	if err := l.loadVisitors(context.Background()); err != nil || calls != 2 {
		t.Fatalf("load: %v after %d calls", err, calls)
	}
	if !l.VisitorRevoked("t1", "v1", now.Add(-100*24*time.Hour)) {
		t.Fatal("a token issued before the revocation is accepted")
	}
	if l.VisitorRevoked("t1", "v1", now) || l.VisitorRevoked("t2", "v1", now.Add(-100*24*time.Hour)) {
		t.Fatal("a later token, or another tenant's visitor, is refused")
	}

	env, err := contracts.NewEnvelope(contracts.IdentityVisitorRevoked, "t1", "identity", "", contracts.VisitorRevoked{VisitorID: "v2", RevokedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	l.Apply(env)
	if !l.VisitorRevoked("t1", "v2", now) || l.VisitorRevoked("t1", "v2", now.Add(time.Second)) {
		t.Fatal("the event's cut-off is not applied to the second")
	}
	l.prune(now.Add(2 * time.Hour))
	if l.VisitorRevoked("t1", "v2", now) || !l.VisitorRevoked("t1", "v1", now.Add(-100*24*time.Hour)) {
		t.Fatal("prune keeps an expired revocation or drops a live one")
	}
}

// A deleted tenant's members, visitors and (through TenantDeleted) API keys
// are refused until the deletion is older than the stream keeps it.
func TestDeletedTenant(t *testing.T) {
	now := time.Now().UTC()
	l := New()
	var told []string
	l.OnTenantDeleted = func(id string) { told = append(told, id) }
	env, err := contracts.NewEnvelope(contracts.TenantTenantDeleted, "t1", "tenant", "", contracts.TenantDeleted{Reason: contracts.TenantClosed})
	if err != nil {
		t.Fatal(err)
	}
	l.DeleteTenant(env.TenantID, env.OccurredAt)
	if _, ok := l.Check(contracts.Principal{TenantID: "t1", UserID: "u1"}); ok {
		t.Fatal("a member of a deleted tenant is accepted")
	}
	if !l.VisitorRevoked("t1", "v1", now) || !l.TenantDeleted("t1") || len(told) != 1 {
		t.Fatalf("visitor refused %v, tenant deleted %v, told %v", l.VisitorRevoked("t1", "v1", now), l.TenantDeleted("t1"), told)
	}
	if _, ok := l.Check(contracts.Principal{TenantID: "t2", UserID: "u2"}); !ok || l.VisitorRevoked("t2", "v1", now) {
		t.Fatal("another tenant is refused")
	}
	l.prune(now.Add(natsx.EventRetention - time.Hour))
	if !l.TenantDeleted("t1") {
		t.Fatal("forgotten while the stream still holds the event")
	}
	l.prune(now.Add(natsx.EventRetention + time.Hour))
	if l.TenantDeleted("t1") {
		t.Fatal("kept after the stream dropped the event")
	}
}

// A rotated identity secret (AllVerifiedVisitors) refuses the tenant's
// verified visitors' tokens issued until then, not anonymous visitors'.
func TestAllVerifiedVisitorsRevoked(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	tenant, other := ids.New(), ids.New()
	l := New()
	l.RevokeVisitor(tenant, contracts.VisitorRevoked{VisitorID: contracts.AllVerifiedVisitors, RevokedAt: now, ExpiresAt: now.Add(time.Hour)})
	sam := contracts.VerifiedVisitorID(tenant, "user-1")
	if !l.VisitorRevoked(tenant, sam, now) || l.VisitorRevoked(tenant, sam, now.Add(time.Second)) {
		t.Fatal("a verified visitor's token from before the rotation is accepted, or one from after refused")
	}
	if l.VisitorRevoked(tenant, ids.New(), now) || l.VisitorRevoked(other, contracts.VerifiedVisitorID(other, "user-1"), now) {
		t.Fatal("an anonymous visitor, or another tenant's verified visitor, is refused")
	}
}
