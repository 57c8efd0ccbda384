// Package store is the tenant service's storage.
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
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Contract is the tenant as clients see it.
func (t Tenant) Contract() contracts.TenantInfo {
	return contracts.TenantInfo{ID: t.ID, Name: t.Name, Slug: t.Slug, WidgetKey: t.WidgetKey, CreatedAt: t.CreatedAt}
}

// Store is the tenant service's database: outbox.Store runs its transactions.
type Store struct{ *outbox.Store[*Tx] }

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceTenant, func(t *outbox.Tx) *Tx { return &Tx{t} })}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

// Get loads the tenant, or NotFound.
func (tx *Tx) Get() (Tenant, error) {
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
		Updates(map[string]any{"name": t.Name, "status": t.Status, "updated_at": t.UpdatedAt}).Error
}

// Delete removes the tenant.
func (tx *Tx) Delete() error {
	return tx.DB.Table("tenants").Where("id = ?", tx.TenantID).Delete(nil).Error
}

// StalePending lists tenants whose sign-up started before cutoff and never completed.
func (s *Store) StalePending(ctx context.Context, cutoff time.Time) ([]string, error) {
	var ids []string
	err := s.Global(ctx, func(tx *Tx) error {
		return tx.DB.Table("tenants").Where("status = ? AND created_at < ?", domain.Pending, cutoff).Limit(100).Pluck("id", &ids).Error
	})
	return ids, err
}
