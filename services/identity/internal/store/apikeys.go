package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// APIKey is a row of api_keys.
type APIKey struct {
	ID         string
	TenantID   string
	Name       string
	KeyHash    string
	Prefix     string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Contract is the key as clients see it (never the key itself).
func (k APIKey) Contract() contracts.APIKey {
	return contracts.APIKey{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

// CreateAPIKey stores a key.
func (tx *Tx) CreateAPIKey(k *APIKey) error {
	k.TenantID, k.CreatedAt = tx.TenantID, now()
	return tx.DB.Table("api_keys").Create(k).Error
}

// APIKeys lists the tenant's keys, newest first.
func (tx *Tx) APIKeys() ([]APIKey, error) {
	var out []APIKey
	err := tx.DB.Table("api_keys").Where("tenant_id = ?", tx.TenantID).Order("created_at DESC, id").Find(&out).Error
	return out, err
}

// APIKeyByHash finds a key by the hash of its secret.
func (tx *Tx) APIKeyByHash(hash string) (APIKey, error) {
	var k APIKey
	err := tx.DB.Table("api_keys").Where("tenant_id = ? AND key_hash = ?", tx.TenantID, hash).Take(&k).Error
	return k, notFound(err, "API key")
}

// TouchAPIKey records a use of a key.
func (tx *Tx) TouchAPIKey(id string, at time.Time) error {
	return tx.DB.Table("api_keys").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Update("last_used_at", at).Error
}

// DeleteAPIKey removes a key, or reports NotFound.
func (tx *Tx) DeleteAPIKey(id string) error {
	res := tx.DB.Table("api_keys").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Delete(nil)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.NotFoundf("API key not found")
	}
	return res.Error
}

// APIKey loads a key of the tenant.
func (tx *Tx) APIKey(id string) (APIKey, error) {
	var k APIKey
	err := tx.DB.Table("api_keys").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&k).Error
	return k, notFound(err, "API key")
}
