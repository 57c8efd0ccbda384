package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Visitor is a row of visitors. A row exists only once the visitor has
// interacted (sent a message or filled a form).
type Visitor struct {
	TenantID   string
	ID         string
	Name       string
	Email      string
	ExternalID string
	Verified   bool
	Attributes string // JSON object
	CurrentURL string
	UserAgent  string
	Locale     string
	Timezone   string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Contract is the visitor as agents see it.
func (v Visitor) Contract() contracts.Visitor {
	out := contracts.Visitor{ID: v.ID, Name: v.Name, Email: v.Email, Verified: v.Verified, ExternalID: v.ExternalID,
		CurrentURL: v.CurrentURL, UserAgent: v.UserAgent, Locale: v.Locale, Timezone: v.Timezone,
		CreatedAt: v.CreatedAt, LastSeenAt: v.LastSeenAt}
	_ = json.Unmarshal([]byte(v.Attributes), &out.Attributes)
	return out
}

// Visitor loads a visitor; found is false if they never interacted.
func (tx *Tx) Visitor(id string) (Visitor, bool, error) {
	var v Visitor
	// An explicit scan, as for conversations: every message loads its visitor.
	err := tx.DB.Raw(`SELECT tenant_id, id, name, email, external_id, verified, attributes, current_url, user_agent,
		locale, timezone, created_at, last_seen_at FROM visitors WHERE tenant_id = ? AND id = ?`, tx.TenantID, id).Row().Scan(
		&v.TenantID, &v.ID, &v.Name, &v.Email, &v.ExternalID, &v.Verified, &v.Attributes, &v.CurrentURL, &v.UserAgent,
		&v.Locale, &v.Timezone, &v.CreatedAt, &v.LastSeenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Visitor{TenantID: tx.TenantID, ID: id, Attributes: "{}"}, false, nil
	}
	return v, err == nil, err
}

// SaveVisitor inserts or updates a visitor.
func (tx *Tx) SaveVisitor(v *Visitor, exists bool) error {
	v.TenantID = tx.TenantID
	if !exists {
		return tx.DB.Table("visitors").Create(v).Error
	}
	return tx.DB.Table("visitors").Where("tenant_id = ? AND id = ?", tx.TenantID, v.ID).Select("*").Omit("tenant_id", "id", "created_at").Updates(v).Error
}

// Visitors loads several visitors by id.
func (tx *Tx) Visitors(ids []string) (map[string]Visitor, error) {
	out := map[string]Visitor{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Visitor
	err := tx.DB.Table("visitors").Where("tenant_id = ? AND id IN ?", tx.TenantID, ids).Find(&rows).Error
	for _, v := range rows {
		out[v.ID] = v
	}
	return out, err
}
