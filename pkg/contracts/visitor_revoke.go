package contracts

import (
	"time"

	"github.com/google/uuid"
)

// VisitorRevokeRequest ends a visitor token on the server (Parley('reset')).
type VisitorRevokeRequest struct {
	TenantID     string `json:"tenant_id"`
	VisitorToken string `json:"visitor_token"`
}

// IdentityVisitorRevoke revokes a visitor token: it is refused from then on.
var IdentityVisitorRevoke = Endpoint[VisitorRevokeRequest, Empty]{ServiceIdentity, "visitor_revoke"}

// VisitorRevoked says that every token of one visitor issued up to RevokedAt
// is refused (Parley('reset')). Gateways keep it in memory until ExpiresAt,
// when the last such token has expired anyway.
type VisitorRevoked struct {
	VisitorID string    `json:"visitor_id"`
	RevokedAt time.Time `json:"revoked_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// VisitorRevocations are the revocations still in force, of every tenant:
// what a starting gateway loads before it follows VisitorRevoked events
// (visitor tokens outlive the event stream's retention).
type VisitorRevocations struct {
	Revocations []VisitorRevocation `json:"revocations"`
}

// VisitorRevocation is one visitor's revocation, with its tenant.
type VisitorRevocation struct {
	TenantID string `json:"tenant_id"`
	VisitorRevoked
}

// AllVerifiedVisitors, as a VisitorRevoked's VisitorID, stands for every
// verified visitor of the tenant: it rotated its identity secret, so every
// verified token issued up to RevokedAt is refused. Anonymous visitors keep
// their tokens (no identity secret vouched for them).
const AllVerifiedVisitors = "00000000-0000-0000-0000-000000000000"

// VerifiedVisitorID is the visitor id of the host site's user externalID:
// the same for the same user of the same tenant everywhere (a UUIDv5 in the
// tenant's namespace; anonymous visitors get UUIDv7s).
func VerifiedVisitorID(tenantID, externalID string) string {
	return uuid.NewSHA1(uuid.MustParse(tenantID), []byte("external:"+externalID)).String()
}

// IsVerifiedVisitorID reports whether a visitor id is a verified visitor's.
func IsVerifiedVisitorID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 5
}

// IdentityVisitorRevoked is emitted for each revocation.
var IdentityVisitorRevoked = EventType{ServiceIdentity, "visitor", "revoked", 1}

// IdentityVisitorRevocations lists the revocations still in force.
var IdentityVisitorRevocations = Endpoint[Empty, VisitorRevocations]{ServiceIdentity, "visitor_revocations"}

// Covers reports whether a token issued at issuedAt (a JWT's whole-second
// iat) is revoked: issued at or before the revocation.
func (r VisitorRevoked) Covers(issuedAt time.Time) bool { return !issuedAt.After(r.RevokedAt) }
