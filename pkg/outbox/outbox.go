// Package outbox makes "change the database and publish an event" atomic.
//
// A use case writes its rows and calls Add in the same transaction; if the
// transaction rolls back there is no event, if it commits the event is in the
// outbox table. The Relay publishes outbox rows to JetStream in insertion
// order, each with its event id as Nats-Msg-Id, and deletes them once the
// stream has acknowledged them. A crash between publish and delete makes the
// relay publish again: the stream drops the duplicate within its window, and
// consumers are idempotent beyond it.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Add records an event about tenantID in tx. The correlation id comes from the
// transaction's context.
func Add(tx *gorm.DB, producer string, t contracts.EventType, tenantID string, payload any) (contracts.Envelope, error) {
	env, err := contracts.NewEnvelope(t, tenantID, producer, natsx.Correlation(tx.Statement.Context), payload)
	if err != nil {
		return env, err
	}
	body, err := json.Marshal(env)
	if err != nil {
		return env, fmt.Errorf("encode event: %w", err)
	}
	err = tx.Exec(`INSERT INTO outbox (id, tenant_id, subject, envelope, created_at) VALUES (?, ?, ?, ?, ?)`,
		env.ID, tenantID, t.Subject(tenantID), string(body), env.OccurredAt).Error
	if err != nil {
		return env, fmt.Errorf("write outbox: %w", err)
	}
	return env, nil
}

// Relay publishes outbox rows. Call Notify after a commit that added events;
// the relay also polls, so events left by a crash are published on restart.
type Relay struct {
	db   *db.DB
	js   jetstream.JetStream
	log  *slog.Logger
	wake chan struct{}
}

// batchSize is how many events one pass publishes before it deletes them.
const batchSize = 500

// pollInterval is how often the relay looks for rows nobody announced.
const pollInterval = time.Second

// NewRelay returns a relay for the outbox of d.
func NewRelay(d *db.DB, js jetstream.JetStream, log *slog.Logger) *Relay {
	return &Relay{db: d, js: js, log: log, wake: make(chan struct{}, 1)}
}

// Notify wakes the relay without blocking.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		for {
			n, err := r.Flush(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				r.log.Warn("outbox relay", "err", err)
				break
			}
			if n < batchSize {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-t.C:
		}
	}
}

type row struct {
	Seq      int64
	ID       string
	Subject  string
	Envelope string
}

// Flush publishes one batch of pending events and returns how many it published.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	if r.db.Dialect == db.Postgres {
		// One replica flushes at a time (the others wait for the lock), so
		// events reach the stream in the order their transactions wrote them
		// — per conversation, in seq order.
		var n int
		err := r.db.Global(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox'))`).Error; err != nil {
				return err
			}
			rows, err := pending(tx)
			if err != nil || len(rows) == 0 {
				return err
			}
			if err := r.publish(ctx, rows); err != nil {
				return err
			}
			n = len(rows)
			return remove(tx, rows)
		})
		return n, err
	}
	// SQLite has one connection and one relay per file: publish outside any
	// transaction so a slow NATS never blocks the service's queries.
	var rows []row
	if err := r.db.Global(ctx, func(tx *gorm.DB) (err error) { rows, err = pending(tx); return err }); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if err := r.publish(ctx, rows); err != nil {
		return 0, err
	}
	return len(rows), r.db.Global(ctx, func(tx *gorm.DB) error { return remove(tx, rows) })
}

func pending(tx *gorm.DB) ([]row, error) {
	var rows []row
	err := tx.Raw(`SELECT seq, id, subject, envelope FROM outbox ORDER BY seq LIMIT ?`, batchSize).Scan(&rows).Error
	return rows, err
}

func remove(tx *gorm.DB, rows []row) error {
	seqs := make([]int64, len(rows))
	for i, r := range rows {
		seqs[i] = r.Seq
	}
	return tx.Exec(`DELETE FROM outbox WHERE seq IN ?`, seqs).Error
}

// publish sends the batch asynchronously (in order, on one connection) and
// waits until the stream has stored every event.
func (r *Relay) publish(ctx context.Context, rows []row) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(rows))
	for _, row := range rows {
		msg := nats.NewMsg(row.Subject)
		msg.Data = []byte(row.Envelope)
		msg.Header.Set(jetstream.MsgIDHeader, row.ID)
		f, err := r.js.PublishMsgAsync(msg)
		if err != nil {
			return fmt.Errorf("publish %s: %w", row.Subject, err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return fmt.Errorf("publish: %w", ctx.Err())
		}
	}
	return nil
}
