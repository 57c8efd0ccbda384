package store

import "time"

// LockQuota makes concurrent starts of one tenant's conversations take
// turns (PostgreSQL; SQLite has one writer anyway), so two cannot both take
// the last conversation of the quota. The lock ends with the transaction.
func (tx *Tx) LockQuota() error {
	if tx.DB.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.DB.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, "quota:"+tx.TenantID).Error
}

// ConversationsCreated counts the conversations created in [from, to), up to
// max (enough to know whether a quota is reached). Every conversation created
// since from was active since then too, so the scan is bounded by the
// (tenant_id, last_activity_at) index.
func (tx *Tx) ConversationsCreated(from, to time.Time, max int) (int, error) {
	var n int64
	sub := tx.DB.Table("conversations").Select("1").
		Where("tenant_id = ? AND last_activity_at >= ? AND created_at >= ? AND created_at < ?", tx.TenantID, from.UTC(), from.UTC(), to.UTC()).
		Limit(max)
	err := tx.DB.Table("(?) AS counted", sub).Count(&n).Error
	return int(n), err
}
