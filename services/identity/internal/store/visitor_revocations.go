package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// VisitorRevocation is a row of visitor_revocations. The table is global
// (a starting gateway loads every tenant's rows), so each tenant query
// names its tenant itself.
type VisitorRevocation struct {
	TenantID  string
	VisitorID string
	RevokedAt time.Time
	ExpiresAt time.Time
}

// RevokeVisitor records (or moves forward) a visitor's revocation.
func (tx *Tx) RevokeVisitor(r VisitorRevocation) error {
	r.TenantID = tx.TenantID
	return tx.DB.Exec(`INSERT INTO visitor_revocations (tenant_id, visitor_id, revoked_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, visitor_id) DO UPDATE SET revoked_at = excluded.revoked_at, expires_at = excluded.expires_at`,
		r.TenantID, r.VisitorID, r.RevokedAt, r.ExpiresAt).Error
}

// VisitorRevokedAt is when the tenant's visitor was last revoked, if ever.
func (tx *Tx) VisitorRevokedAt(visitorID string) (time.Time, bool, error) {
	var r VisitorRevocation
	err := tx.DB.Table("visitor_revocations").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, false, nil
	}
	return r.RevokedAt, err == nil, err
}

// ActiveVisitorRevocations lists every tenant's revocations that still
// matter, and deletes the others.
func (tx *Tx) ActiveVisitorRevocations(at time.Time) ([]VisitorRevocation, error) {
	if err := tx.DB.Table("visitor_revocations").Where("expires_at <= ?", at).Delete(nil).Error; err != nil {
		return nil, err
	}
	var out []VisitorRevocation
	err := tx.DB.Table("visitor_revocations").Where("expires_at > ?", at).Order("revoked_at").Find(&out).Error
	return out, err
}
