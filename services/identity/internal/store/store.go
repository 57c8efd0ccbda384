// Package store is identity's storage: users, sessions and refresh tokens,
// invites, signing keys and the login limiter, on SQLite or PostgreSQL.
//
// Every tenant-scoped method runs inside Store.Tenant, and every query in it
// also filters on the tenant, so the RLS backstop on PostgreSQL is never what
// keeps tenants apart in normal operation.
package store

import (
	"embed"
	"errors"
	"io/fs"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/outbox"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are identity's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// GlobalTables are read before the tenant is known.
var GlobalTables = []string{"user_emails", "signing_keys", "login_failures", "visitor_revocations", "login_devices"}

// Store is identity's database: outbox.Store runs its transactions.
type Store struct{ *outbox.Store[*Tx] }

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceIdentity, func(t *outbox.Tx) *Tx { return &Tx{t} })}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

// notFound maps GORM's miss to the error callers return.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFoundf("%s not found", what)
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
