package contracts

import "time"

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

// IdentityVisitorRevoked is emitted for each revocation.
var IdentityVisitorRevoked = EventType{ServiceIdentity, "visitor", "revoked", 1}

// IdentityVisitorRevocations lists the revocations still in force.
var IdentityVisitorRevocations = Endpoint[Empty, VisitorRevocations]{ServiceIdentity, "visitor_revocations"}

// Covers reports whether a token issued at issuedAt (a JWT's whole-second
// iat) is revoked: issued at or before the revocation.
func (r VisitorRevoked) Covers(issuedAt time.Time) bool { return !issuedAt.After(r.RevokedAt) }
