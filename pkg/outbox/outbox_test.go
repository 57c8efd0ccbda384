package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

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
