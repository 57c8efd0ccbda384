package store

import "time"

// SurveyPending is a row of survey_pending.
type SurveyPending struct {
	TenantID       string
	ConversationID string
	Resolution     int
	DueAt          time.Time
}

// AddSurvey schedules the survey email of a resolution; a later resolution
// replaces an earlier one still waiting, an older event changes nothing.
func (tx *Tx) AddSurvey(p SurveyPending) error {
	return tx.DB.Exec(`INSERT INTO survey_pending (tenant_id, conversation_id, resolution, due_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET resolution = excluded.resolution, due_at = excluded.due_at
		WHERE survey_pending.resolution < excluded.resolution`,
		tx.TenantID, p.ConversationID, p.Resolution, p.DueAt.UTC()).Error
}

// CancelSurvey drops the waiting survey email of a conversation for every
// resolution up to upTo (rated), or any (upTo 0: reopened).
func (tx *Tx) CancelSurvey(conversationID string, upTo int) error {
	if upTo <= 0 {
		upTo = 1<<31 - 1
	}
	return tx.DB.Exec(`DELETE FROM survey_pending WHERE tenant_id = ? AND conversation_id = ? AND resolution <= ?`,
		tx.TenantID, conversationID, upTo).Error
}

// TakeSurvey removes and returns the waiting survey of a conversation
// (locked, so two replicas never both take it); found is false when gone.
func (tx *Tx) TakeSurvey(conversationID string) (p SurveyPending, found bool, err error) {
	var rows []SurveyPending
	err = tx.Locked().Table("survey_pending").Where("tenant_id = ? AND conversation_id = ?", tx.TenantID, conversationID).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return p, false, err
	}
	err = tx.DB.Exec(`DELETE FROM survey_pending WHERE tenant_id = ? AND conversation_id = ?`, tx.TenantID, conversationID).Error
	return rows[0], err == nil, err
}

// DueSurveys lists survey emails due by t, across tenants (global).
func (tx *Tx) DueSurveys(t time.Time, limit int) ([]SurveyPending, error) {
	var out []SurveyPending
	err := tx.DB.Table("survey_pending").Where("due_at <= ?", t.UTC()).Order("due_at").Limit(limit).Find(&out).Error
	return out, err
}
