package store

import "time"

// Timer kinds.
const (
	TimerSnooze   = "snooze"   // ref: conversation id; reopen it
	TimerPresence = "presence" // ref: agent id; check whether they are still online
)

// Timer is work due at a time for one tenant.
type Timer struct {
	Kind     string
	TenantID string
	RefID    string
	DueAt    time.Time
}

// SetTimer schedules (or moves) a timer of the transaction's tenant.
func (tx *Tx) SetTimer(kind, ref string, due time.Time) error {
	return tx.DB.Exec(`INSERT INTO timers (kind, tenant_id, ref_id, due_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, tenant_id, ref_id) DO UPDATE SET due_at = excluded.due_at`, kind, tx.TenantID, ref, due).Error
}

// ClearTimer cancels a timer of the transaction's tenant.
func (tx *Tx) ClearTimer(kind, ref string) error {
	return tx.DB.Exec(`DELETE FROM timers WHERE kind = ? AND tenant_id = ? AND ref_id = ?`, kind, tx.TenantID, ref).Error
}

// DueTimers lists timers due at now, across tenants (Global transaction).
func (tx *Tx) DueTimers(now time.Time, limit int) ([]Timer, error) {
	var out []Timer
	err := tx.DB.Table("timers").Where("due_at <= ?", now).Order("due_at").Limit(limit).Find(&out).Error
	return out, err
}

// FinishTimer deletes a timer if it is still due at due (a timer moved
// later meanwhile is kept).
func (tx *Tx) FinishTimer(t Timer) error {
	return tx.DB.Exec(`DELETE FROM timers WHERE kind = ? AND tenant_id = ? AND ref_id = ? AND due_at <= ?`, t.Kind, tx.TenantID, t.RefID, t.DueAt).Error
}
