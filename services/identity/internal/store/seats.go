package store

// Seats counts the tenant's members and the invites that can still be
// accepted (other than one for exceptEmail, which a new invite replaces).
func (tx *Tx) Seats(exceptEmail string) (members, invites int, err error) {
	var m, i int64
	if err = tx.g.Table("users").Where("tenant_id = ?", tx.tenantID).Count(&m).Error; err != nil {
		return
	}
	err = tx.g.Table("invites").Where("tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND email <> ?",
		tx.tenantID, now(), exceptEmail).Count(&i).Error
	return int(m), int(i), err
}
