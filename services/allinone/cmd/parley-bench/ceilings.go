package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/glebarez/go-sqlite" // the driver pkg/db opens SQLite with (through glebarez/sqlite)
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/natsx"
)

// The ceilings phase: what the parts under Parley's message path do alone
// on this machine, in this run, so that Parley's rate reads as a fraction of
// them. Each part gets message-shaped rows or events: the columns and unique
// indexes of the conversation service's messages table, a 200-byte body.

// ceilings are rows (or events) per second; 0 when not measured.
type ceilings struct {
	sqliteSingle float64 // one row per transaction
	// 100 rows per transaction as 100 single-row INSERTs · as one INSERT;
	// with this driver neither need beat one row per transaction.
	sqliteBatchStmts, sqliteBatchInsert float64
	pgSingle, pgBatch                   float64 // one row per transaction at 32 clients · 100 per INSERT at 8 clients
	jsSync, jsAsync                     float64 // JetStream publish, one at a time · asynchronous
}

const (
	batchRows  = 100
	pgClients  = 32
	pgBatchers = 8
)

// sqliteDSN is the DSN pkg/db opens each service's file with (openSQLite):
// keep the two in step, or this ceiling is not Parley's.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

// messagesDDL is the shape of the conversation service's messages table
// (its migration 0001), with both unique indexes; PostgreSQL also gets the
// full-text index Parley keeps there.
func messagesDDL(postgres bool) []string {
	ts := "TIMESTAMP"
	if postgres {
		ts = "TIMESTAMPTZ"
	}
	stmts := []string{
		`CREATE TABLE messages (id UUID PRIMARY KEY, tenant_id UUID NOT NULL, conversation_id UUID NOT NULL,
			seq BIGINT NOT NULL, author_type TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
			body TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT, private BOOLEAN NOT NULL, client_msg_id TEXT,
			created_at ` + ts + ` NOT NULL, UNIQUE (conversation_id, seq))`,
		`CREATE UNIQUE INDEX messages_client_msg_id ON messages (tenant_id, author_type, author_id, client_msg_id)`,
	}
	if postgres {
		stmts = append(stmts, `CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', body))`)
	}
	return stmts
}

const messageColumns = 13

// messageInsert builds the INSERT of n message rows, with $1… placeholders
// for PostgreSQL and ? for SQLite.
func messageInsert(n int, postgres bool) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO messages (id, tenant_id, conversation_id, seq, author_type, author_id, author_name, body, kind, payload, private, client_msg_id, created_at) VALUES `)
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range messageColumns {
			if c > 0 {
				b.WriteString(", ")
			}
			if postgres {
				fmt.Fprintf(&b, "$%d", r*messageColumns+c+1)
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

var benchBody = strings.Repeat("a benchmark message of two hundred bytes, ", 5)[:200]

// rowSource hands out message rows: 200 conversations of one tenant, seq
// rising in each, as the load phases write them.
type rowSource struct {
	tenant string
	convs  []string
	next   atomic.Int64
}

func newRowSource() *rowSource {
	s := &rowSource{tenant: uuid.NewString()}
	for range 200 {
		s.convs = append(s.convs, uuid.NewString())
	}
	return s
}

// args appends n rows' values.
func (s *rowSource) args(n int, out []any) []any {
	for range n {
		i := s.next.Add(1)
		visitor := fmt.Sprint("visitor-", i%200)
		out = append(out, uuid.NewString(), s.tenant, s.convs[i%200], i/200+1, "visitor", visitor, "Visitor",
			benchBody, "text", nil, false, fmt.Sprint("c-", i), time.Now().UTC())
	}
	return out
}

// sqliteBatch is the best batched SQLite rate measured.
func (c ceilings) sqliteBatch() float64 { return max(c.sqliteBatchStmts, c.sqliteBatchInsert) }

// sqliteCeiling inserts rows for d through the driver and pragmas of
// pkg/db, on one connection as Parley has: one row per transaction, then
// 100 rows per transaction as 100 INSERTs and as one.
func sqliteCeiling(c *ceilings, d time.Duration) error {
	dir, err := os.MkdirTemp("", "parley-bench-sqlite-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(dir, "ceiling.db")))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range messagesDDL(false) {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("sqlite ceiling: %w", err)
		}
	}
	rows := newRowSource()
	// run commits perTx rows per transaction, n rows per INSERT.
	run := func(perTx, n int) (float64, error) {
		stmt, err := db.Prepare(messageInsert(n, false))
		if err != nil {
			return 0, err
		}
		defer stmt.Close()
		var done int
		args := make([]any, 0, n*messageColumns)
		start := time.Now()
		for time.Since(start) < d {
			tx, err := db.Begin()
			if err != nil {
				return 0, err
			}
			txStmt := tx.Stmt(stmt)
			for range perTx / n {
				if _, err := txStmt.Exec(rows.args(n, args[:0])...); err != nil {
					_ = tx.Rollback()
					return 0, err
				}
			}
			if err := tx.Commit(); err != nil {
				return 0, err
			}
			done += perTx
		}
		return float64(done) / time.Since(start).Seconds(), nil
	}
	for _, m := range []struct {
		rate     *float64
		perTx, n int
	}{{&c.sqliteSingle, 1, 1}, {&c.sqliteBatchStmts, batchRows, 1}, {&c.sqliteBatchInsert, batchRows, batchRows}} {
		if *m.rate, err = run(m.perTx, m.n); err != nil {
			return fmt.Errorf("sqlite ceiling: %w", err)
		}
	}
	return nil
}

// postgresReachable says whether url answers within a few seconds.
func postgresReachable(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return false
	}
	defer c.Close(ctx)
	return c.Ping(ctx) == nil
}

// postgresCeiling inserts rows for d into a scratch schema: one row per
// transaction (autocommit) from 32 clients, then 100 rows per INSERT from 8.
// The statements are prepared once per connection (pgx's statement cache).
func postgresCeiling(url string, d time.Duration) (single, batch float64, err error) {
	ctx := context.Background()
	schema := fmt.Sprintf("parley_bench_ceiling_%d", os.Getpid())
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return 0, 0, err
	}
	cfg.MaxConns = pgClients
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return 0, 0, fmt.Errorf("postgres ceiling: %w", err)
	}
	defer func() { _, _ = pool.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`) }()
	for _, s := range messagesDDL(true) {
		if _, err := pool.Exec(ctx, s); err != nil {
			return 0, 0, fmt.Errorf("postgres ceiling: %w", err)
		}
	}
	rows := newRowSource()
	run := func(clients, n int) (float64, error) {
		insert := messageInsert(n, true)
		var done atomic.Int64
		var firstErr error
		var once sync.Once
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Go(func() {
				args := make([]any, 0, n*messageColumns)
				for time.Since(start) < d {
					if _, err := pool.Exec(ctx, insert, rows.args(n, args[:0])...); err != nil {
						once.Do(func() { firstErr = err })
						return
					}
					done.Add(int64(n))
				}
			})
		}
		wg.Wait()
		return float64(done.Load()) / time.Since(start).Seconds(), firstErr
	}
	if single, err = run(pgClients, 1); err != nil {
		return 0, 0, fmt.Errorf("postgres ceiling: %w", err)
	}
	if batch, err = run(pgBatchers, batchRows); err != nil {
		return 0, 0, fmt.Errorf("postgres ceiling: %w", err)
	}
	return single, batch, nil
}

// jetstreamCeiling publishes message-sized events for d into a file stream
// configured as Parley's event streams are (natsx.EnsureStream), each with
// its Nats-Msg-Id, on an embedded server in this process: one publish at a
// time, waiting for its ack, then asynchronously with up to 4,096 in flight.
func jetstreamCeiling(d time.Duration) (syncRate, asyncRate float64, err error) {
	dir, err := os.MkdirTemp("", "parley-bench-js-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	ns, err := natsx.RunEmbedded(natsx.EmbeddedOptions{StoreDir: dir, Host: "127.0.0.1", Port: -1})
	if err != nil {
		return 0, 0, err
	}
	defer ns.Shutdown()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		return 0, 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return 0, 0, err
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}, Storage: jetstream.FileStorage,
		MaxAge: natsx.EventRetention, Duplicates: natsx.DuplicateWindow, Discard: jetstream.DiscardOld}); err != nil {
		return 0, 0, err
	}
	// About the size of a message.created event.
	payload := []byte(`{"id":"` + uuid.NewString() + `","type":"message.created","tenant_id":"` + uuid.NewString() +
		`","message":{"id":"` + uuid.NewString() + `","seq":1,"body":"` + benchBody + `","created_at":"2026-12-03T00:00:00Z"}}`)
	var n int
	start := time.Now()
	for time.Since(start) < d {
		n++
		if _, err := js.Publish(ctx, "bench.message", payload, jetstream.WithMsgID(fmt.Sprint("s-", n))); err != nil {
			return 0, 0, err
		}
	}
	syncRate = float64(n) / time.Since(start).Seconds()
	n = 0
	start = time.Now()
	for time.Since(start) < d {
		n++
		if _, err := js.PublishAsync("bench.message", payload, jetstream.WithMsgID(fmt.Sprint("a-", n)), jetstream.WithStallWait(10*time.Second)); err != nil {
			return 0, 0, err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		return 0, 0, fmt.Errorf("jetstream ceiling: asynchronous publishes not acknowledged within 30 s")
	}
	asyncRate = float64(n) / time.Since(start).Seconds()
	return syncRate, asyncRate, nil
}
