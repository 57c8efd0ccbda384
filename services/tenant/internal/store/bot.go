package store

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

type botRow struct {
	TenantID  string
	Config    string
	UpdatedAt time.Time
}

// Bot loads the tenant's bot configuration; ok is false if it was never saved.
func (tx *Tx) Bot() (contracts.BotConfig, bool, error) {
	var r botRow
	err := tx.DB.Table("bot_config").Where("tenant_id = ?", tx.TenantID).Take(&r).Error
	if db.IsNotFound(err) {
		return contracts.BotConfig{}, false, nil
	}
	if err != nil {
		return contracts.BotConfig{}, false, err
	}
	var c contracts.BotConfig
	return c, true, json.Unmarshal([]byte(r.Config), &c)
}

// SaveBot stores the tenant's bot configuration.
func (tx *Tx) SaveBot(c contracts.BotConfig, exists bool) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	r := botRow{TenantID: tx.TenantID, Config: string(raw), UpdatedAt: time.Now().UTC()}
	if !exists {
		return tx.DB.Table("bot_config").Create(&r).Error
	}
	return tx.DB.Table("bot_config").Where("tenant_id = ?", tx.TenantID).Updates(map[string]any{"config": r.Config, "updated_at": r.UpdatedAt}).Error
}
