// Package store is the tenant service's storage. exports, imports and
// export_tokens are global tables (no row-level security) because runners
// claim jobs across tenants and a download token is redeemed before its
// tenant is known; every query on them names the tenant.
package store

import (
	"context"
	"embed"
	"io/fs"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/outbox"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the tenant service's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// Tenant is a row of tenants.
type Tenant struct {
	ID        string
	Name      string
	Slug      string
	WidgetKey string
	Status    domain.Status
	// RetentionDays mirrors Settings.RetentionDays (0: off), here so the
	// policies can be listed across tenants.
	RetentionDays int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Contract is the tenant as clients see it.
func (t Tenant) Contract() contracts.TenantInfo {
	return contracts.TenantInfo{ID: t.ID, Name: t.Name, Slug: t.Slug, WidgetKey: t.WidgetKey, CreatedAt: t.CreatedAt}
}

// GlobalTables have no row-level security: runners claim jobs across
// tenants and a download token is redeemed before its tenant is known.
// Every query on them names the tenant.
var GlobalTables = []string{ExportJobs, ImportJobs, "export_tokens"}

// Store is the tenant service's database: outbox.Store runs its transactions.
type Store struct{ *outbox.Store[*Tx] }

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceTenant, func(t *outbox.Tx) *Tx { return &Tx{t} })}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

// Get loads the tenant, or NotFound (a deleted tenant too).
func (tx *Tx) Get() (Tenant, error) {
	t, err := tx.GetAny()
	if err == nil && t.Status == domain.Deleted {
		return Tenant{}, apperr.NotFoundf("tenant not found")
	}
	return t, err
}

// GetAny loads the tenant whatever its status, or NotFound.
func (tx *Tx) GetAny() (Tenant, error) {
	var t Tenant
	err := tx.DB.Table("tenants").Where("id = ?", tx.TenantID).Take(&t).Error
	if db.IsNotFound(err) {
		return t, apperr.NotFoundf("tenant not found")
	}
	return t, err
}

// Create inserts the tenant; a taken slug gets a random suffix. Each attempt
// runs in a savepoint, because a failed INSERT would otherwise abort the
// whole PostgreSQL transaction.
func (tx *Tx) Create(t *Tenant) error {
	t.ID = tx.TenantID
	t.CreatedAt = time.Now().UTC()
	t.UpdatedAt = t.CreatedAt
	base := domain.Slug(t.Name)
	t.Slug = base
	for range 6 {
		err := tx.DB.Transaction(func(sp *gorm.DB) error { return sp.Table("tenants").Create(t).Error })
		if !db.IsDuplicate(err) {
			return err
		}
		t.Slug = domain.SlugWithSuffix(base)
	}
	return apperr.New(apperr.Conflict, "could not find a free slug")
}

// Update saves changed fields.
func (tx *Tx) Update(t *Tenant) error {
	t.UpdatedAt = time.Now().UTC()
	return tx.DB.Table("tenants").Where("id = ?", tx.TenantID).
		Updates(map[string]any{"name": t.Name, "status": t.Status, "retention_days": t.RetentionDays, "updated_at": t.UpdatedAt}).Error
}

// Tombstone erases what the tenant row says of a deleted tenant and keeps
// the row (id, status), so the id is never used again.
func (tx *Tx) Tombstone() error {
	gone := "deleted-" + tx.TenantID
	return tx.DB.Table("tenants").Where("id = ?", tx.TenantID).Updates(map[string]any{
		"name": "", "slug": gone, "widget_key": gone, "status": domain.Deleted, "retention_days": 0, "updated_at": time.Now().UTC(),
	}).Error
}

// EraseData deletes every row of the tenant but the tenant row itself,
// the platform tables' (entitlements, unpublished events) included.
func (tx *Tx) EraseData() error {
	for _, table := range []string{"tenant_settings", "canned_responses", "bot_config", "export_tokens", ExportJobs, ImportJobs, "audit_log", "entitlements", "outbox"} {
		if err := tx.DB.Exec(`DELETE FROM `+table+` WHERE tenant_id = ?`, tx.TenantID).Error; err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the tenant.
func (tx *Tx) Delete() error {
	return tx.DB.Table("tenants").Where("id = ?", tx.TenantID).Delete(nil).Error
}

// RetentionPolicies lists the active tenants with retention on.
func (s *Store) RetentionPolicies(ctx context.Context) ([]contracts.RetentionPolicy, error) {
	var out []contracts.RetentionPolicy
	err := s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Table("tenants").Select("id AS tenant_id, retention_days AS days").
			Where("status = ? AND retention_days > 0", domain.Active).Order("id").Scan(&out).Error
	})
	return out, err
}

// StalePending lists tenants whose sign-up started before cutoff and never completed.
func (s *Store) StalePending(ctx context.Context, cutoff time.Time) ([]string, error) {
	var ids []string
	err := s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Table("tenants").Where("status = ? AND created_at < ?", domain.Pending, cutoff).Limit(100).Pluck("id", &ids).Error
	})
	return ids, err
}
