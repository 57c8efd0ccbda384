// Package store is the conversation service's storage: visitors,
// conversations, messages, agents and their presence, and timers.
//
// Sequence numbers: a sender locks the conversation row (SELECT … FOR
// UPDATE on PostgreSQL; SQLite's single connection serialises writers), takes
// last_seq + 1, inserts the message and writes last_seq back in the same
// transaction, so concurrent senders never share or skip a number.
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

// Migrations are the conversation service's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// GlobalTables are scanned across tenants by background work.
var GlobalTables = []string{"timers"}

// Store is the conversation service's database.
type Store struct {
	db    *db.DB
	relay *outbox.Relay
}

// New wraps an open database.
func New(d *db.DB, relay *outbox.Relay) *Store { return &Store{db: d, relay: relay} }

// Dialect is the database's dialect.
func (s *Store) Dialect() db.Dialect { return s.db.Dialect }

// Tx is one transaction of one tenant (or, from Global, of none).
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

// Job is one unit of a batch: work for one tenant.
type Job struct {
	TenantID string
	Fn       func(*Tx) error
}

// Batch runs jobs in one transaction, each in its own savepoint (see
// db.Batch), publishes their events after commit, and returns each job's
// error and the transaction's.
func (s *Store) Batch(ctx context.Context, jobs []Job) ([]error, error) {
	tenants := make([]string, len(jobs))
	for i, j := range jobs {
		tenants[i] = j.TenantID
	}
	events := 0
	errs, err := s.db.Batch(ctx, tenants, func(i int, g *gorm.DB) error {
		tx := &Tx{g: g, tenantID: jobs[i].TenantID}
		if err := jobs[i].Fn(tx); err != nil {
			return err
		}
		events += tx.events
		return nil
	})
	if err == nil && events > 0 {
		s.relay.Notify()
	}
	return errs, err
}

// Global runs fn in a transaction that sees only global tables.
func (s *Store) Global(ctx context.Context, fn func(*Tx) error) error {
	return s.db.Global(ctx, func(g *gorm.DB) error { return fn(&Tx{g: g}) })
}

// Emit records an event of the transaction's tenant in the outbox.
func (tx *Tx) Emit(t contracts.EventType, payload any) error {
	if _, err := outbox.Add(tx.g, contracts.ServiceConversation, t, tx.tenantID, payload); err != nil {
		return err
	}
	tx.events++
	return nil
}

// FirstDelivery records a handled event; false means it was handled before.
func (tx *Tx) FirstDelivery(consumer, eventID string) (bool, error) {
	return db.FirstDelivery(tx.g, consumer, eventID)
}

func (tx *Tx) locked() *gorm.DB {
	if tx.g.Dialector.Name() == "postgres" {
		return tx.g.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx.g
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFoundf("%s not found", what)
	}
	return err
}

// Now is the current time at the databases' common precision (microseconds),
// so a value read back equals the value written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

type gormDB = gorm.DB
