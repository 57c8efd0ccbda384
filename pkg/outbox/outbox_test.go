package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/outbox"
	"github.com/parley-chat/parley/pkg/testkit"
)

var happened = contracts.EventType{Context: "tenant", Aggregate: "thing", Event: "happened", Version: 1}

func setup(t *testing.T, d testkit.DB) (*db.DB, jetstream.JetStream) {
	t.Helper()
	x, err := db.Open(context.Background(), db.Options{URL: d.ServiceURL("svc"), Schema: d.Schema("svc"), Source: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	js, err := jetstream.New(testkit.Connect(t, testkit.NATS(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := natsx.EnsureStream(context.Background(), js, contracts.TenantStream); err != nil {
		t.Fatal(err)
	}
	return x, js
}

func streamCount(t *testing.T, js jetstream.JetStream) uint64 {
	s, err := js.Stream(context.Background(), contracts.TenantStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func TestRolledBackChangeHasNoEvent(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		tenant := ids.New()
		err := x.Tenant(context.Background(), tenant, func(tx *gorm.DB) error {
			if _, err := outbox.Add(tx, "svc", happened, tenant, map[string]int{"n": 1}); err != nil {
				return err
			}
			return errors.New("the business rule failed")
		})
		if err == nil {
			t.Fatal("expected the transaction to fail")
		}
		relay := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		if n, err := relay.Flush(context.Background()); err != nil || n != 0 {
			t.Fatalf("flush after rollback published %d, %v", n, err)
		}
		if c := streamCount(t, js); c != 0 {
			t.Fatalf("stream has %d events after a rollback", c)
		}
	})
}

func TestCommittedEventsArePublishedInOrderOnce(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		tenant := ids.New()
		ctx := context.Background()
		for i := range 3 {
			if err := x.Tenant(ctx, tenant, func(tx *gorm.DB) error {
				_, err := outbox.Add(tx, "svc", happened, tenant, map[string]int{"n": i})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		relay := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { _ = relay.Run(runCtx) }()
		testkit.Eventually(t, 5*time.Second, func() error {
			if c := streamCount(t, js); c != 3 {
				return fmt.Errorf("stream has %d events", c)
			}
			return nil
		})
		s, _ := js.Stream(ctx, contracts.TenantStream.Name)
		for seq := uint64(1); seq <= 3; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			var env contracts.Envelope
			_ = json.Unmarshal(m.Data, &env)
			var p map[string]int
			_ = env.Decode(&p)
			if p["n"] != int(seq-1) || m.Subject != happened.Subject(tenant) {
				t.Fatalf("event %d = %s %v", seq, m.Subject, p)
			}
		}
	})
}

// A relay that crashed after publishing but before deleting its rows
// publishes them again; the stream keeps one copy of each.
func TestRepublishAfterCrashIsDeduplicated(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		tenant := ids.New()
		ctx := context.Background()
		var env contracts.Envelope
		if err := x.Tenant(ctx, tenant, func(tx *gorm.DB) (err error) {
			env, err = outbox.Add(tx, "svc", happened, tenant, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The "first life" of the relay published the event, then died.
		if _, err := natsx.Publish(ctx, js, happened.Subject(tenant), env); err != nil {
			t.Fatal(err)
		}
		relay := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush = %d, %v", n, err)
		}
		if c := streamCount(t, js); c != 1 {
			t.Fatalf("stream has %d copies, want 1", c)
		}
		if n, _ := relay.Flush(ctx); n != 0 {
			t.Fatalf("rows left after a successful flush: %d", n)
		}
	})
}

// events reads the tenant stream's events in stream order, as their "n".
func events(t *testing.T, js jetstream.JetStream) []int {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, contracts.TenantStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := s.Info(ctx)
	var out []int
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		var env contracts.Envelope
		var p map[string]int
		if json.Unmarshal(m.Data, &env) != nil || env.Decode(&p) != nil {
			t.Fatalf("event %d does not decode", seq)
		}
		out = append(out, p["n"])
	}
	return out
}

func outboxRows(t *testing.T, x *db.DB) (n int64) {
	t.Helper()
	if err := x.Global(context.Background(), func(tx *gorm.DB) error { return tx.Table("outbox").Count(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}

// emit commits one event {"n": n} per transaction through a Store, as a use
// case does, some alone and some in a group commit.
func emit(t *testing.T, s *outbox.Store[*outbox.Tx], tenant string, from, to int) {
	t.Helper()
	ctx := context.Background()
	for n := from; n < to; n += 10 {
		for i := n; i < n+5; i++ {
			if err := s.Tenant(ctx, tenant, func(tx *outbox.Tx) error { return tx.Emit(happened, map[string]int{"n": i}) }); err != nil {
				t.Fatal(err)
			}
		}
		tenants := []string{tenant, tenant, tenant, tenant, tenant, tenant}
		errs, err := s.Batch(ctx, tenants, func(i int, tx *outbox.Tx) error {
			if i == 2 {
				_ = tx.Emit(happened, map[string]int{"n": -1})
				return errors.New("this unit rolls back with its event")
			}
			if i > 2 {
				i--
			}
			return tx.Emit(happened, map[string]int{"n": n + 5 + i})
		})
		if err != nil || errs[2] == nil {
			t.Fatalf("batch: %v %v", errs, err)
		}
	}
}

func wantSequence(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, func() error {
		if c := streamCount(t, js); c != uint64(n) {
			return fmt.Errorf("stream has %d events, want %d", c, n)
		}
		return nil
	})
	for i, got := range events(t, js) {
		if got != i {
			t.Fatalf("event %d of the stream is n=%d: %v", i, got, events(t, js))
		}
	}
}

// Committed events are published from memory right after their commit, in
// commit order, once each; their rows are then deleted.
func TestStoreEventsArePublishedFromMemoryInCommitOrder(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		relay := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		relay.Lease = time.Hour // the claim loop must not be what publishes them
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { _ = relay.Run(ctx) }()
		s := outbox.NewStore(x, relay, "svc", func(tx *outbox.Tx) *outbox.Tx { return tx })
		emit(t, s, ids.New(), 0, 100)
		wantSequence(t, js, 100)
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := outboxRows(t, x); n != 0 {
				return fmt.Errorf("%d outbox rows left", n)
			}
			return nil
		})
	})
}

// A process that dies after its commits and before it publishes (its relay
// never runs: the in-memory queue dies with it) loses nothing: once the
// lease runs out, the next process's relay publishes every event once, in
// order, and deletes the rows.
func TestCrashBetweenCommitAndPublishDeliversEveryEventOnce(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		dead := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		dead.Lease = 500 * time.Millisecond
		s := outbox.NewStore(x, dead, "svc", func(tx *outbox.Tx) *outbox.Tx { return tx })
		emit(t, s, ids.New(), 0, 60)
		if c := streamCount(t, js); c != 0 {
			t.Fatalf("%d events published by a relay that never ran", c)
		}
		if n := outboxRows(t, x); n != 60 {
			t.Fatalf("%d outbox rows after 60 committed events", n)
		}

		// The restarted process; and a second replica, to share the claims.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for range 2 {
			next := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
			go func() { _ = next.Run(ctx) }()
		}
		wantSequence(t, js, 60)
		if n := outboxRows(t, x); n != 0 {
			t.Fatalf("%d outbox rows left", n)
		}
	})
}

// Release N and N+1 side by side on the schema after 0003_outbox_lease (see
// docs/migrations.md): rows an N writer inserts without claimed_until are
// published by an N+1 relay, and an N relay's statements still run, its
// duplicate publish of an N+1 row dropped by the stream.
func TestOutboxRowsOfThePreviousReleaseArePublished(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x, js := setup(t, d)
		ctx := context.Background()
		tenant := ids.New()
		// Release N's writer: its INSERT, which names no claimed_until.
		var oldEnv contracts.Envelope
		if err := x.Tenant(ctx, tenant, func(tx *gorm.DB) (err error) {
			oldEnv, err = contracts.NewEnvelope(happened, tenant, "svc", "", map[string]int{"n": 0})
			if err != nil {
				return err
			}
			body, _ := json.Marshal(oldEnv)
			return tx.Exec(`INSERT INTO outbox (id, tenant_id, subject, envelope, created_at) VALUES (?, ?, ?, ?, ?)`,
				oldEnv.ID, tenant, happened.Subject(tenant), string(body), oldEnv.OccurredAt).Error
		}); err != nil {
			t.Fatal(err)
		}
		relay := outbox.NewRelay(x, js, slog.New(slog.DiscardHandler))
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("the N+1 relay published %d of release N's rows: %v", n, err)
		}

		// An N+1 writer whose relay has not published yet, and release N's
		// relay, which takes every row in order and publishes it.
		s := outbox.NewStore(x, relay, "svc", func(tx *outbox.Tx) *outbox.Tx { return tx })
		if err := s.Tenant(ctx, tenant, func(tx *outbox.Tx) error { return tx.Emit(happened, map[string]int{"n": 1}) }); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Seq      int64
			ID       string
			Subject  string
			Envelope string
		}
		if err := x.Global(ctx, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT seq, id, subject, envelope FROM outbox ORDER BY seq LIMIT ?`, 500).Scan(&rows).Error
		}); err != nil || len(rows) != 1 {
			t.Fatalf("release N's relay query: %d rows, %v", len(rows), err)
		}
		for _, r := range rows {
			msg := nats.NewMsg(r.Subject)
			msg.Data = []byte(r.Envelope)
			msg.Header.Set(jetstream.MsgIDHeader, r.ID)
			if _, err := js.PublishMsg(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Global(ctx, func(tx *gorm.DB) error {
			return tx.Exec(`DELETE FROM outbox WHERE seq IN ?`, []int64{rows[0].Seq}).Error
		}); err != nil {
			t.Fatal(err)
		}
		// The N+1 relay then publishes its copy from memory: the stream keeps one.
		if _, err := relay.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := events(t, js); len(got) != 2 || got[0] != 0 || got[1] != 1 {
			t.Fatalf("stream holds %v, want [0 1]", got)
		}
	})
}
