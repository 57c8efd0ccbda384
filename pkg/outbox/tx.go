package outbox

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// Tx is one transaction of a service, scoped to a tenant (TenantID) or, from
// Store.Global, to none. Each service's store embeds it in its own Tx type
// and adds its queries there.
type Tx struct {
	DB       *gorm.DB
	TenantID string
	producer string
	events   int
}

// Emit records an event of the transaction's tenant in the outbox.
func (tx *Tx) Emit(t contracts.EventType, payload any) error {
	if _, err := Add(tx.DB, tx.producer, t, tx.TenantID, payload); err != nil {
		return err
	}
	tx.events++
	return nil
}

// Locked adds FOR UPDATE where the database has row locks (PostgreSQL);
// SQLite serialises writers on its single connection instead.
func (tx *Tx) Locked() *gorm.DB {
	if tx.DB.Dialector.Name() == "postgres" {
		return tx.DB.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx.DB
}

// FirstDelivery records a handled event; false means it was handled before.
func (tx *Tx) FirstDelivery(consumer, eventID string) (bool, error) {
	return db.FirstDelivery(tx.DB, consumer, eventID)
}

// Store runs a service's transactions as its own Tx type T (made from an
// *outbox.Tx by wrap) and wakes the relay after a commit that emitted events.
type Store[T any] struct {
	db       *db.DB
	relay    *Relay
	producer string
	wrap     func(*Tx) T
}

// NewStore returns the transactions of producer's database d.
func NewStore[T any](d *db.DB, relay *Relay, producer string, wrap func(*Tx) T) *Store[T] {
	return &Store[T]{db: d, relay: relay, producer: producer, wrap: wrap}
}

// Tenant runs fn in a transaction of one tenant.
func (s *Store[T]) Tenant(ctx context.Context, tenantID string, fn func(T) error) error {
	tx := &Tx{TenantID: tenantID, producer: s.producer}
	err := s.db.Tenant(ctx, tenantID, func(g *gorm.DB) error { tx.DB = g; return fn(s.wrap(tx)) })
	s.committed(err, tx.events)
	return err
}

// Global runs fn in a transaction that sees only the global tables.
func (s *Store[T]) Global(ctx context.Context, fn func(T) error) error {
	return s.db.Global(ctx, func(g *gorm.DB) error { return fn(s.wrap(&Tx{DB: g, producer: s.producer})) })
}

// Batch runs fn for each tenant in one transaction, each in its own
// savepoint (see db.Batch), and returns each call's error and the
// transaction's.
func (s *Store[T]) Batch(ctx context.Context, tenants []string, fn func(i int, tx T) error) ([]error, error) {
	events := 0
	errs, err := s.db.Batch(ctx, tenants, func(i int, g *gorm.DB) error {
		tx := &Tx{DB: g, TenantID: tenants[i], producer: s.producer}
		if err := fn(i, s.wrap(tx)); err != nil {
			return err
		}
		events += tx.events
		return nil
	})
	s.committed(err, events)
	return errs, err
}

func (s *Store[T]) committed(err error, events int) {
	if err == nil && events > 0 && s.relay != nil {
		s.relay.Notify()
	}
}
