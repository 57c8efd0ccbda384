package outbox

import (
	"context"
	"errors"
	"slices"
	"time"

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
	events   []event // emitted, written when the transaction's work is done
}

// Emit records an event of the transaction's tenant: it is written to the
// outbox with the transaction and published once it commits.
func (tx *Tx) Emit(t contracts.EventType, payload any) error {
	_, e, err := newEvent(tx.DB.Statement.Context, tx.producer, t, tx.TenantID, payload)
	if err != nil {
		return err
	}
	tx.events = append(tx.events, e)
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
// *outbox.Tx by wrap) and hands the events of each committed one to the relay.
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
	var out *slot
	err := errors.New("outbox: the transaction did not end") // until it returns (a panic)
	defer func() { s.settle(out, tx.events, err) }()
	err = s.db.Tenant(ctx, tenantID, func(g *gorm.DB) (err error) {
		tx.DB = g
		if err := fn(s.wrap(tx)); err != nil {
			return err
		}
		out, err = s.write(g, tx.events)
		return err
	})
	return err
}

// Global runs fn in a transaction that sees only the global tables.
func (s *Store[T]) Global(ctx context.Context, fn func(T) error) error {
	return s.db.Global(ctx, func(g *gorm.DB) error { return fn(s.wrap(&Tx{DB: g, producer: s.producer})) })
}

// Batch runs fn for each tenant in one transaction, each in its own
// savepoint (see db.Batch), and returns each call's error and the
// transaction's. The events of the calls that succeeded are written in one
// INSERT at the end.
func (s *Store[T]) Batch(ctx context.Context, tenants []string, fn func(i int, tx T) error) ([]error, error) {
	units := make([][]event, len(tenants)) // by unit: a unit may run twice (see db.Batch)
	var events []event
	var out *slot
	err := errors.New("outbox: the transaction did not end")
	defer func() { s.settle(out, events, err) }()
	var errs []error
	errs, err = s.db.Batch(ctx, tenants, func(i int, g *gorm.DB) error {
		tx := &Tx{DB: g, TenantID: tenants[i], producer: s.producer}
		units[i] = nil
		if err := fn(i, s.wrap(tx)); err != nil {
			return err
		}
		units[i] = tx.events
		return nil
	}, func(g *gorm.DB) (err error) {
		events = slices.Concat(units...)
		out, err = s.write(g, events)
		return err
	})
	return errs, err
}

// write stores a transaction's events as its last statement. With a place
// in the relay's order (taken now, under the transaction's locks, so that
// transactions on the same rows publish in commit order) the rows are
// claimed for the lease: the relay publishes them from memory. Without one
// they are left for its claim loop.
func (s *Store[T]) write(g *gorm.DB, events []event) (*slot, error) {
	if len(events) == 0 {
		return nil, nil
	}
	var out *slot
	var until *time.Time
	if s.relay != nil {
		if out = s.relay.reserve(); out != nil {
			t := time.Now().UTC().Truncate(time.Microsecond).Add(s.relay.Lease)
			until = &t
		}
	}
	if err := insert(g, events, until); err != nil {
		if out != nil {
			out.settle(nil, false)
		}
		return nil, err
	}
	return out, nil
}

// settle tells the relay how the transaction ended.
func (s *Store[T]) settle(out *slot, events []event, err error) {
	switch {
	case out != nil:
		out.settle(events, err == nil)
	case err == nil && len(events) > 0 && s.relay != nil:
		s.relay.Notify() // written unclaimed: the queue was full
	}
}
