// Package store is identity's storage: users, sessions and refresh tokens,
// invites, signing keys and the login limiter, on SQLite or PostgreSQL.
//
// Every tenant-scoped method runs inside Store.Tenant, and every query in it
// also filters on the tenant, so the RLS backstop on PostgreSQL is never what
// keeps tenants apart in normal operation.
package store

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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
var GlobalTables = []string{"user_emails", "signing_keys", "login_failures"}

// Store is identity's database.
type Store struct {
	db    *db.DB
	relay *outbox.Relay
}

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store { return &Store{db: d, relay: relay} }

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct {
	g        *gorm.DB
	tenantID string
	events   int
}

// Tenant runs fn in a transaction of one tenant and publishes its events after commit.
func (s *Store) Tenant(ctx context.Context, tenantID string, fn func(*Tx) error) error {
	tx := &Tx{tenantID: tenantID}
	err := s.db.Tenant(ctx, tenantID, func(g *gorm.DB) error { tx.g = g; return fn(tx) })
	if err == nil && tx.events > 0 {
		s.relay.Notify()
	}
	return err
}

// Global runs fn in a transaction that sees only global tables.
func (s *Store) Global(ctx context.Context, fn func(*Tx) error) error {
	return s.db.Global(ctx, func(g *gorm.DB) error { return fn(&Tx{g: g}) })
}

// Emit records an event of the transaction's tenant in the outbox.
func (tx *Tx) Emit(t contracts.EventType, payload any) error {
	if _, err := outbox.Add(tx.g, contracts.ServiceIdentity, t, tx.tenantID, payload); err != nil {
		return err
	}
	tx.events++
	return nil
}

// locked adds FOR UPDATE where the database has row locks (PostgreSQL);
// SQLite serialises writers on its single connection instead.
func (tx *Tx) locked() *gorm.DB {
	if tx.g.Dialector.Name() == "postgres" {
		return tx.g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx.g
}

// notFound maps GORM's miss to the error callers return.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFoundf("%s not found", what)
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
