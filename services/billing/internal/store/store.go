// Package store is billing's storage: accounts (plan, Stripe customer and
// subscription, published entitlements), the Stripe customer → tenant map,
// processed Stripe events, grace-period deadlines and the usage ledger.
//
// Every tenant-scoped method runs inside Store.Tenant and filters on the
// tenant; the global tables (GlobalTables) are read before the tenant is
// known (a webhook names a customer, the grace sweeper scans deadlines,
// a change of plans reaches every tenant).
package store

import (
	"embed"
	"io/fs"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/outbox"
	"github.com/parley-chat/parley/services/billing/internal/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are billing's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// GlobalTables are read before the tenant is known.
var GlobalTables = []string{"stripe_customers", "stripe_events", "grace_deadlines", "billing_tenants"}

// Store is billing's database: outbox.Store runs its transactions.
type Store struct{ *outbox.Store[*Tx] }

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceBilling, func(t *outbox.Tx) *Tx { return &Tx{t} })}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

// Account loads and locks the tenant's account, or NotFound.
func (tx *Tx) Account() (domain.Account, error) {
	var a domain.Account
	err := tx.Locked().Table("accounts").Where("tenant_id = ?", tx.TenantID).Take(&a).Error
	if db.IsNotFound(err) {
		return a, apperr.NotFoundf("billing account not found")
	}
	return a, err
}

// CreateAccount inserts the tenant's account.
func (tx *Tx) CreateAccount(a *domain.Account, now time.Time) error {
	a.TenantID = tx.TenantID
	a.CreatedAt, a.UpdatedAt = now, now
	if err := tx.DB.Table("accounts").Create(a).Error; err != nil {
		return err
	}
	return tx.DB.Exec(`INSERT INTO billing_tenants (tenant_id) VALUES (?) ON CONFLICT DO NOTHING`, tx.TenantID).Error
}

// TenantsAfter lists up to limit tenants with an account, in id order,
// after the given id ("" for the first page).
func (tx *Tx) TenantsAfter(after string, limit int) ([]string, error) {
	q := tx.DB.Table("billing_tenants").Order("tenant_id").Limit(limit)
	if after != "" {
		q = q.Where("tenant_id > ?", after)
	}
	var out []string
	return out, q.Pluck("tenant_id", &out).Error
}

// SaveAccount writes every field of the account.
func (tx *Tx) SaveAccount(a *domain.Account, now time.Time) error {
	a.UpdatedAt = now
	return tx.DB.Table("accounts").Where("tenant_id = ?", tx.TenantID).Select("*").Omit("tenant_id", "created_at").Updates(a).Error
}

// SetCustomer records the tenant's Stripe customer.
func (tx *Tx) SetCustomer(customerID string, now time.Time) error {
	if err := tx.DB.Exec(`UPDATE accounts SET stripe_customer_id = ?, updated_at = ? WHERE tenant_id = ?`, customerID, now, tx.TenantID).Error; err != nil {
		return err
	}
	return tx.DB.Exec(`INSERT INTO stripe_customers (customer_id, tenant_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		customerID, tx.TenantID, now).Error
}

// TenantOfCustomer maps a Stripe customer to its tenant ("" if not ours).
func (tx *Tx) TenantOfCustomer(customerID string) (string, error) {
	var tenantID string
	err := tx.DB.Raw(`SELECT tenant_id FROM stripe_customers WHERE customer_id = ?`, customerID).Scan(&tenantID).Error
	return tenantID, err
}

// FirstStripeEvent records a Stripe event; false means it was processed before.
func (tx *Tx) FirstStripeEvent(id, eventType string, created int64, outcome string, now time.Time) (bool, error) {
	res := tx.DB.Exec(`INSERT INTO stripe_events (id, type, tenant_id, created, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, id, eventType, tx.TenantID, created, outcome, now)
	return res.RowsAffected == 1, res.Error
}

// SetOutcome notes what became of a processed Stripe event.
func (tx *Tx) SetOutcome(id, outcome string) error {
	return tx.DB.Exec(`UPDATE stripe_events SET outcome = ? WHERE id = ?`, outcome, id).Error
}

// SetGraceDeadline schedules (or, with nil, cancels) the end of the tenant's grace period.
func (tx *Tx) SetGraceDeadline(due *time.Time) error {
	if due == nil {
		return tx.DB.Exec(`DELETE FROM grace_deadlines WHERE tenant_id = ?`, tx.TenantID).Error
	}
	return tx.DB.Exec(`INSERT INTO grace_deadlines (tenant_id, due_at) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET due_at = excluded.due_at`, tx.TenantID, due.UTC()).Error
}

// DueGrace lists tenants whose grace period ended by now.
func (tx *Tx) DueGrace(now time.Time, limit int) ([]string, error) {
	var out []string
	err := tx.DB.Raw(`SELECT tenant_id FROM grace_deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?`, now.UTC(), limit).Scan(&out).Error
	return out, err
}

// DeleteAccount removes everything billing holds of the tenant: its
// account, Stripe customer mapping, processed Stripe events, grace deadline,
// usage ledger, its copy of the entitlements and any event of it not yet
// published. Running it again finds nothing.
func (tx *Tx) DeleteAccount() error {
	for _, table := range []string{
		"accounts", "stripe_customers", "stripe_events", "grace_deadlines", "usage_ledger", "billing_tenants",
		"entitlements", "outbox",
	} {
		if err := tx.DB.Exec(`DELETE FROM `+table+` WHERE tenant_id = ?`, tx.TenantID).Error; err != nil {
			return err
		}
	}
	return nil
}
