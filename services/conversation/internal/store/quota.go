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

// VisitorConversationsCreated counts a visitor's conversations created in
// [from, to), up to max, on the (tenant_id, visitor_id, last_activity_at) index.
func (tx *Tx) VisitorConversationsCreated(visitorID string, from, to time.Time, max int) (int, error) {
	var n int64
	sub := tx.DB.Table("conversations").Select("1").
		Where("tenant_id = ? AND visitor_id = ? AND last_activity_at >= ? AND created_at >= ? AND created_at < ?", tx.TenantID, visitorID, from.UTC(), from.UTC(), to.UTC()).
		Limit(max)
	err := tx.DB.Table("(?) AS counted", sub).Count(&n).Error
	return int(n), err
}

// conversationStart is a row of conversation_starts.
type conversationStart struct {
	TenantID  string
	VisitorID string
	IPHash    string `gorm:"column:ip_hash"`
	CreatedAt time.Time
}

// StartsFrom counts the conversations started from one client IP (by its
// hash) in [from, to), up to max.
func (tx *Tx) StartsFrom(ipHash string, from, to time.Time, max int) (int, error) {
	var n int64
	sub := tx.DB.Table("conversation_starts").Select("1").
		Where("tenant_id = ? AND ip_hash = ? AND created_at >= ? AND created_at < ?", tx.TenantID, ipHash, from.UTC(), to.UTC()).
		Limit(max)
	err := tx.DB.Table("(?) AS counted", sub).Count(&n).Error
	return int(n), err
}

// RecordStart notes a visitor's conversation started from ipHash at, and
// forgets the tenant's starts before keepFrom.
func (tx *Tx) RecordStart(visitorID, ipHash string, at, keepFrom time.Time) error {
	if err := tx.DB.Table("conversation_starts").Where("tenant_id = ? AND created_at < ?", tx.TenantID, keepFrom.UTC()).
		Delete(&conversationStart{}).Error; err != nil {
		return err
	}
	return tx.DB.Table("conversation_starts").Create(&conversationStart{TenantID: tx.TenantID, VisitorID: visitorID, IPHash: ipHash, CreatedAt: at.UTC()}).Error
}
