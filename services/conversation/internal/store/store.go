// Package store is the conversation service's storage: visitors,
// conversations, messages, agents and their presence, and timers.
//
// Sequence numbers: a sender locks the conversation row (SELECT … FOR
// UPDATE on PostgreSQL; SQLite's single connection serialises writers), takes
// last_seq + 1, inserts the message and writes last_seq back in the same
// transaction, so concurrent senders never share or skip a number.
//
// Files (files.go): a files row is written only after its objects are in the
// attachments bucket and deleted before them, so a row always has its bytes;
// sending files sets their message in the message's transaction, with the
// rows locked, so a file goes with at most one message. A deleted
// conversation takes its files' rows with it (DeleteConversations returns
// them so the caller deletes the objects after commit).
//
// Data ownership (data.go): an erasure or a retention batch deletes a
// conversation with everything that hangs off it (messages, bookings,
// snooze timers) in one transaction; exports read keyset pages in
// (created_at, id) order, one short transaction per page; background work
// that one replica does at a time holds a lease row (leases).
package store

import (
	"context"
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

// Migrations are the conversation service's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// GlobalTables are scanned across tenants by background work.
var GlobalTables = []string{"timers"}

// Store is the conversation service's database: outbox.Store runs its transactions.
type Store struct {
	*outbox.Store[*Tx]
	db *db.DB
}

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceConversation, func(t *outbox.Tx) *Tx { return &Tx{t} }), db: d}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

// Dialect is the database's dialect.
func (s *Store) Dialect() db.Dialect { return s.db.Dialect }

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
	return s.Store.Batch(ctx, tenants, func(i int, tx *Tx) error { return jobs[i].Fn(tx) })
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
