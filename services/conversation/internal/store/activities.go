package store

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// activityRow is a row of activities: the Activity as JSON, with the columns
// that find it.
type activityRow struct {
	ID             string
	TenantID       string
	ConversationID string
	Kind           string
	At             time.Time
	Payload        string
}

// AddActivity stores a lifecycle fact of a conversation and publishes it, in
// the caller's transaction.
func (tx *Tx) AddActivity(a contracts.Activity) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	row := activityRow{ID: a.ID, TenantID: tx.TenantID, ConversationID: a.ConversationID, Kind: a.Kind, At: a.At, Payload: string(raw)}
	if err := tx.DB.Table("activities").Create(&row).Error; err != nil {
		return err
	}
	return tx.Emit(contracts.ConversationActivityEvent, a)
}

// ActivityPage lists up to limit activities after k, by (at, id).
func (tx *Tx) ActivityPage(k Key, limit int) ([]contracts.Activity, error) {
	q := tx.DB.Table("activities").Where("tenant_id = ?", tx.TenantID)
	if k.ID != "" {
		q = q.Where("at > ? OR (at = ? AND id > ?)", k.At, k.At, k.ID)
	}
	var rows []activityRow
	if err := q.Order("at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return decodeActivities(rows)
}

// InsertActivities stores imported activities as they are, unpublished.
func (tx *Tx) InsertActivities(acts []contracts.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	rows := make([]activityRow, len(acts))
	for i, a := range acts {
		raw, err := json.Marshal(a)
		if err != nil {
			return err
		}
		rows[i] = activityRow{ID: a.ID, TenantID: tx.TenantID, ConversationID: a.ConversationID, Kind: a.Kind, At: a.At, Payload: string(raw)}
	}
	return tx.DB.Table("activities").CreateInBatches(rows, insertBatch).Error
}

// Activities returns a conversation's activities, oldest first.
func (tx *Tx) Activities(conversationID string) ([]contracts.Activity, error) {
	var rows []activityRow
	if err := tx.DB.Table("activities").Where("tenant_id = ? AND conversation_id = ?", tx.TenantID, conversationID).
		Order("at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return decodeActivities(rows)
}

func decodeActivities(rows []activityRow) ([]contracts.Activity, error) {
	out := make([]contracts.Activity, 0, len(rows))
	for _, r := range rows {
		var a contracts.Activity
		if err := json.Unmarshal([]byte(r.Payload), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
