package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// LedgerEntry is a row of usage_ledger.
type LedgerEntry struct {
	ID             string
	TenantID       string
	ConversationID string
	CountedAt      time.Time
	Reason         string
	EventID        string
}

// Count records a counted conversation; false means it was counted before.
func (tx *Tx) Count(e LedgerEntry) (bool, error) {
	res := tx.DB.Exec(`INSERT INTO usage_ledger (id, tenant_id, conversation_id, counted_at, reason, event_id)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, e.ID, tx.TenantID, e.ConversationID, e.CountedAt.UTC(), e.Reason, e.EventID)
	return res.RowsAffected == 1, res.Error
}

// CountSince is how many conversations were counted in [from, to).
func (tx *Tx) CountSince(from, to time.Time) (int, error) {
	var n int64
	err := tx.DB.Table("usage_ledger").Where("tenant_id = ? AND counted_at >= ? AND counted_at < ?", tx.TenantID, from.UTC(), to.UTC()).Count(&n).Error
	return int(n), err
}

// Ledger returns up to limit entries, newest first, after the cursor position
// (the counted_at and id of the last entry of the previous page).
func (tx *Tx) Ledger(afterAt *time.Time, afterID string, limit int) ([]LedgerEntry, error) {
	q := tx.DB.Table("usage_ledger").Where("tenant_id = ?", tx.TenantID)
	if afterAt != nil {
		q = q.Where("counted_at < ? OR (counted_at = ? AND id < ?)", afterAt.UTC(), afterAt.UTC(), afterID)
	}
	var out []LedgerEntry
	err := q.Order("counted_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// Contract is the entry as the tenant sees it.
func (e LedgerEntry) Contract(periodStart time.Time) contracts.UsageEntry {
	return contracts.UsageEntry{ID: e.ID, ConversationID: e.ConversationID, CountedAt: e.CountedAt.UTC(), Reason: e.Reason, PeriodStart: periodStart}
}
