package store

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
)

type settingsRow struct {
	TenantID       string
	Settings       string
	IdentitySecret string
	UpdatedAt      time.Time
}

// CreateSettings stores a new tenant's settings and secret.
func (tx *Tx) CreateSettings(s contracts.Settings, secret string) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.DB.Table("tenant_settings").Create(&settingsRow{TenantID: tx.TenantID, Settings: string(raw), IdentitySecret: secret, UpdatedAt: time.Now().UTC()}).Error
}

// Settings loads the tenant's settings and identity secret.
func (tx *Tx) Settings() (contracts.Settings, string, error) {
	var r settingsRow
	err := tx.DB.Table("tenant_settings").Where("tenant_id = ?", tx.TenantID).Take(&r).Error
	if db.IsNotFound(err) {
		return contracts.Settings{}, "", apperr.NotFoundf("tenant not found")
	}
	if err != nil {
		return contracts.Settings{}, "", err
	}
	// Settings stored before surveys and attachments existed get their defaults.
	s := contracts.Settings{Survey: contracts.DefaultSurvey, Attachments: contracts.DefaultAttachments()}
	return s, r.IdentitySecret, json.Unmarshal([]byte(r.Settings), &s)
}

// SaveSettings replaces the tenant's settings.
func (tx *Tx) SaveSettings(s contracts.Settings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.DB.Table("tenant_settings").Where("tenant_id = ?", tx.TenantID).
		Updates(map[string]any{"settings": string(raw), "updated_at": time.Now().UTC()}).Error
}

// SaveSecret replaces the tenant's identity secret.
func (tx *Tx) SaveSecret(secret string) error {
	return tx.DB.Table("tenant_settings").Where("tenant_id = ?", tx.TenantID).
		Updates(map[string]any{"identity_secret": secret, "updated_at": time.Now().UTC()}).Error
}

// DeleteSettings removes the tenant's settings and canned responses.
func (tx *Tx) DeleteSettings() error {
	if err := tx.DB.Table("bot_config").Where("tenant_id = ?", tx.TenantID).Delete(nil).Error; err != nil {
		return err
	}
	if err := tx.DB.Table("canned_responses").Where("tenant_id = ?", tx.TenantID).Delete(nil).Error; err != nil {
		return err
	}
	return tx.DB.Table("tenant_settings").Where("tenant_id = ?", tx.TenantID).Delete(nil).Error
}

// TenantByWidgetKey finds the tenant of a widget key (in a Global transaction).
func (tx *Tx) TenantByWidgetKey(key string) (Tenant, error) {
	var t Tenant
	err := tx.DB.Table("tenants").Where("widget_key = ?", key).Take(&t).Error
	if db.IsNotFound(err) {
		return t, apperr.NotFoundf("unknown widget key")
	}
	return t, err
}

type cannedRow struct {
	ID        string
	TenantID  string
	Shortcut  string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (r cannedRow) contract() contracts.CannedResponse {
	return contracts.CannedResponse{ID: r.ID, Shortcut: r.Shortcut, Body: r.Body, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CannedResponses lists the tenant's canned responses by shortcut.
func (tx *Tx) CannedResponses() ([]contracts.CannedResponse, error) {
	var rows []cannedRow
	err := tx.DB.Table("canned_responses").Where("tenant_id = ?", tx.TenantID).Order("shortcut").Find(&rows).Error
	out := make([]contracts.CannedResponse, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.contract())
	}
	return out, err
}

// CannedResponse loads one canned response.
func (tx *Tx) CannedResponse(id string) (contracts.CannedResponse, error) {
	var r cannedRow
	err := tx.DB.Table("canned_responses").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&r).Error
	if db.IsNotFound(err) {
		return contracts.CannedResponse{}, apperr.NotFoundf("canned response not found")
	}
	return r.contract(), err
}

// SaveCanned inserts (empty ID) or updates a canned response; a shortcut in
// use is a Conflict.
func (tx *Tx) SaveCanned(c *contracts.CannedResponse) error {
	now := time.Now().UTC().Truncate(time.Microsecond) // as PostgreSQL keeps it, so an export reads back what was returned
	var err error
	if c.ID == "" {
		c.ID, c.CreatedAt, c.UpdatedAt = ids.New(), now, now
		err = tx.DB.Table("canned_responses").Create(&cannedRow{ID: c.ID, TenantID: tx.TenantID, Shortcut: c.Shortcut, Body: c.Body, CreatedAt: now, UpdatedAt: now}).Error
	} else {
		c.UpdatedAt = now
		err = tx.DB.Table("canned_responses").Where("tenant_id = ? AND id = ?", tx.TenantID, c.ID).
			Updates(map[string]any{"shortcut": c.Shortcut, "body": c.Body, "updated_at": now}).Error
	}
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "the shortcut /%s is already in use", c.Shortcut)
	}
	return err
}

// DeleteCanned removes a canned response, or reports NotFound.
func (tx *Tx) DeleteCanned(id string) error {
	res := tx.DB.Table("canned_responses").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Delete(nil)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.NotFoundf("canned response not found")
	}
	return res.Error
}

// CannedCount counts the tenant's canned responses.
func (tx *Tx) CannedCount() (int64, error) {
	var n int64
	err := tx.DB.Table("canned_responses").Where("tenant_id = ?", tx.TenantID).Count(&n).Error
	return n, err
}

// ImportCanned inserts a canned response as it was exported, id and times kept.
func (tx *Tx) ImportCanned(c contracts.CannedResponse) error {
	err := tx.DB.Table("canned_responses").Create(&cannedRow{ID: c.ID, TenantID: tx.TenantID, Shortcut: c.Shortcut, Body: c.Body,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}).Error
	if db.IsDuplicate(err) {
		return apperr.New(apperr.Conflict, "canned response %s (/%s) is there already", c.ID, c.Shortcut)
	}
	return err
}
