// Package outbox makes "change the database and publish an event" atomic,
// and publishes the event right after the commit, from memory.
//
// A use case emits events in its transaction (Tx.Emit); the store writes them
// as outbox rows in one INSERT in that same transaction, so if it rolls back
// there is no event. A committed transaction hands its events to the Relay,
// which publishes them asynchronously to JetStream, in commit order, each with
// its event id as Nats-Msg-Id, and deletes their rows in bulk once the stream
// has acknowledged them. No database transaction is held across a publish.
//
// The rows are there for crashes. The writer claims its rows for a lease; a
// process that dies between commit and publish leaves them claimed until the
// lease runs out, and then any relay takes them over (claiming a batch with
// an UPDATE … RETURNING, SKIP LOCKED on PostgreSQL, so replicas share the
// work), publishes and deletes them. A publish that happened before a crash
// is dropped by the stream's duplicate window; consumers are idempotent
// beyond it.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/natsx"
)

// event is one outbox row.
type event struct {
	Seq      int64 // set when read back from the table
	ID       string
	TenantID string
	Subject  string
	Envelope string
	At       time.Time
}

func newEvent(ctx context.Context, producer string, t contracts.EventType, tenantID string, payload any) (contracts.Envelope, event, error) {
	env, err := contracts.NewEnvelope(t, tenantID, producer, natsx.Correlation(ctx), payload)
	if err != nil {
		return env, event{}, err
	}
	body, err := json.Marshal(env)
	if err != nil {
		return env, event{}, fmt.Errorf("encode event: %w", err)
	}
	return env, event{ID: env.ID, TenantID: tenantID, Subject: t.Subject(tenantID), Envelope: string(body), At: env.OccurredAt}, nil
}

// Add records an event about tenantID in tx, for the relay to find: a use
// case goes through Store and Tx.Emit instead, which publish from memory.
// The correlation id comes from the transaction's context.
func Add(tx *gorm.DB, producer string, t contracts.EventType, tenantID string, payload any) (contracts.Envelope, error) {
	env, e, err := newEvent(tx.Statement.Context, producer, t, tenantID, payload)
	if err != nil {
		return env, err
	}
	return env, insert(tx, []event{e}, nil)
}

// insert writes events in one statement, claimed until `until` (nil: unclaimed).
func insert(tx *gorm.DB, events []event, until *time.Time) error {
	var sql strings.Builder
	sql.WriteString(`INSERT INTO outbox (id, tenant_id, subject, envelope, created_at, claimed_until) VALUES `)
	args := make([]any, 0, 6*len(events))
	for i, e := range events {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, e.ID, e.TenantID, e.Subject, e.Envelope, e.At, until)
	}
	if err := tx.Exec(sql.String(), args...).Error; err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	return nil
}

// Relay publishes what committed transactions hand it and, as a safety
// net, the rows nobody is publishing (left by a crash, or written by Add).
type Relay struct {
	db  *db.DB
	js  jetstream.JetStream
	log *slog.Logger
	// Lease is how long a row's writer has to publish it before any relay
	// may take it over: the longest a crash delays an event.
	Lease time.Duration

	wake    chan struct{}
	slots   chan *slot
	mu      sync.Mutex
	acked   []string // ids published and acknowledged, not yet deleted
	flushMu sync.Mutex
}

// slot is a transaction's place in the publishing order, taken before its
// commit (while it still holds its locks) and filled after it.
type slot struct {
	done   chan struct{}
	events []event // nil: the transaction rolled back
}

// batchSize bounds the rows one claim or one DELETE handles.
const batchSize = 500

// queued is how many transactions may wait to be published from memory;
// beyond that, their rows wait for the relay's claim instead.
const queued = 8192

// pollInterval is how often the relay looks for rows nobody is publishing.
const pollInterval = time.Second

// NewRelay returns a relay for the outbox of d.
func NewRelay(d *db.DB, js jetstream.JetStream, log *slog.Logger) *Relay {
	return &Relay{db: d, js: js, log: log, Lease: 5 * time.Second,
		wake: make(chan struct{}, 1), slots: make(chan *slot, queued)}
}

// Notify wakes the relay's claim loop without blocking.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// reserve takes the next place in the publishing order, or returns nil when
// the queue is full (the rows are then left unclaimed for the claim loop).
func (r *Relay) reserve() *slot {
	s := &slot{done: make(chan struct{})}
	select {
	case r.slots <- s:
		return s
	default:
		return nil
	}
}

// settle fills a reserved place after the transaction ended.
func (s *slot) settle(events []event, committed bool) {
	if committed {
		s.events = events
	}
	close(s.done)
}

// Run publishes until ctx ends: committed events from memory, and every
// pollInterval (or on Notify) the rows nobody is publishing.
func (r *Relay) Run(ctx context.Context) error {
	pubs := make(chan published, queued)
	go r.ack(ctx, pubs)
	go r.claimLoop(ctx)
	for {
		var s *slot
		select {
		case <-ctx.Done():
			return nil
		case s = <-r.slots:
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.done:
		}
		for _, e := range s.events {
			f, err := r.publishAsync(e)
			if err != nil {
				// The row stays; its lease runs out and the claim loop takes it.
				r.log.Warn("outbox publish", "subject", e.Subject, "err", err)
				continue
			}
			pubs <- published{id: e.ID, f: f}
		}
	}
}

type published struct {
	id string
	f  jetstream.PubAckFuture
}

func (r *Relay) publishAsync(e event) (jetstream.PubAckFuture, error) {
	msg := nats.NewMsg(e.Subject)
	msg.Data = []byte(e.Envelope)
	msg.Header.Set(jetstream.MsgIDHeader, e.ID)
	return r.js.PublishMsgAsync(msg)
}

// ackTimeout is how long an acknowledgement may take; a publish never
// acknowledged (NATS restarting) is left to the claim loop.
const ackTimeout = 10 * time.Second

// ack waits for each publish's acknowledgement, in order, and deletes the
// acknowledged rows in bulk whenever no more acknowledgements are waiting.
func (r *Relay) ack(ctx context.Context, pubs <-chan published) {
	timeout := time.NewTimer(ackTimeout)
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-pubs:
			timeout.Reset(ackTimeout)
			select {
			case <-timeout.C:
				r.log.Warn("outbox publish not acknowledged", "subject", p.f.Msg().Subject)
			case <-p.f.Ok():
				r.mu.Lock()
				r.acked = append(r.acked, p.id)
				r.mu.Unlock()
			case err := <-p.f.Err():
				r.log.Warn("outbox publish", "subject", p.f.Msg().Subject, "err", err)
			case <-ctx.Done():
				return
			}
			if len(pubs) == 0 || r.pendingDeletes() >= batchSize {
				if err := r.deleteAcked(ctx); err != nil && ctx.Err() == nil {
					r.log.Warn("outbox delete", "err", err)
				}
			}
		}
	}
}

func (r *Relay) pendingDeletes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.acked)
}

// deleteAcked removes the rows of acknowledged events, batchSize at a time.
func (r *Relay) deleteAcked(ctx context.Context) error {
	r.mu.Lock()
	done := r.acked
	r.acked = nil
	r.mu.Unlock()
	for chunk := range slices.Chunk(done, batchSize) {
		if err := r.db.Global(ctx, func(tx *gorm.DB) error { return tx.Exec(`DELETE FROM outbox WHERE id IN ?`, chunk).Error }); err != nil {
			r.mu.Lock()
			r.acked = append(r.acked, done...) // try again with the next ones
			r.mu.Unlock()
			return err
		}
		done = done[len(chunk):]
	}
	return nil
}

func (r *Relay) claimLoop(ctx context.Context) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
		for {
			n, err := r.claimAndPublish(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("outbox relay", "err", err)
				}
				break
			}
			if n < batchSize {
				break
			}
		}
	}
}

// Flush publishes what is waiting: the committed transactions queued in
// memory and the rows nobody is publishing. A service calls it as it stops.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	var events []event
more:
	for {
		select {
		case s := <-r.slots:
			select {
			case <-s.done:
				events = append(events, s.events...)
			case <-ctx.Done():
				break more
			}
		default:
			break more
		}
	}
	if err := r.publish(ctx, events); err != nil {
		return 0, err
	}
	r.mu.Lock()
	for _, e := range events {
		r.acked = append(r.acked, e.ID)
	}
	r.mu.Unlock()
	if err := r.deleteAcked(ctx); err != nil {
		return 0, err
	}
	n, err := r.claimAndPublish(ctx)
	return len(events) + n, err
}

// claimAndPublish claims up to batchSize rows nobody is publishing (no claim,
// or an expired one), publishes them outside any transaction, in the order
// they were written, and deletes them.
func (r *Relay) claimAndPublish(ctx context.Context) (int, error) {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	now := time.Now().UTC().Truncate(time.Microsecond)
	until := now.Add(r.Lease)
	skipLocked := ""
	if r.db.Dialect == db.Postgres {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	var rows []event
	err := r.db.Global(ctx, func(tx *gorm.DB) error {
		return tx.Raw(`UPDATE outbox SET claimed_until = ? WHERE seq IN (SELECT seq FROM outbox
			WHERE claimed_until IS NULL OR claimed_until < ? ORDER BY seq LIMIT ?`+skipLocked+`)
			RETURNING seq, id, subject, envelope`, until, now, batchSize).Scan(&rows).Error
	})
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	slices.SortFunc(rows, func(a, b event) int { return int(a.Seq - b.Seq) })
	if err := r.publish(ctx, rows); err != nil {
		return 0, err
	}
	seqs := make([]int64, len(rows))
	for i, row := range rows {
		seqs[i] = row.Seq
	}
	return len(rows), r.db.Global(ctx, func(tx *gorm.DB) error { return tx.Exec(`DELETE FROM outbox WHERE seq IN ?`, seqs).Error })
}

// publish sends events asynchronously (in order, on one connection) and
// waits until the stream has stored every one.
func (r *Relay) publish(ctx context.Context, events []event) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for _, e := range events {
		f, err := r.publishAsync(e)
		if err != nil {
			return fmt.Errorf("publish %s: %w", e.Subject, err)
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
