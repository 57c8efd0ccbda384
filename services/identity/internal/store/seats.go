package store

// Seats counts the tenant's members and the invites that can still be
// accepted (other than one for exceptEmail, which a new invite replaces).
func (tx *Tx) Seats(exceptEmail string) (members, invites int, err error) {
	var m, i int64
	if err = tx.DB.Table("users").Where("tenant_id = ?", tx.TenantID).Count(&m).Error; err != nil {
		return
	}
	err = tx.DB.Table("invites").Where("tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND email <> ?",
		tx.TenantID, now(), exceptEmail).Count(&i).Error
	return int(m), int(i), err
}
