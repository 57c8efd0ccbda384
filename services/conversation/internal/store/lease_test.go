package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// One replica at a time holds a lease: the others are refused until it
// lets go or its lease runs out.
func TestLeaseHasOneHolderAtATime(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		ctx := context.Background()
		conn, err := db.Open(ctx, db.Options{URL: d.ServiceURL("conversation"), Schema: d.Schema("conversation"), Source: "conversation",
			Migrations: store.Migrations, GlobalTables: store.GlobalTables})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		s := store.New(conn, nil)
		now := time.Now().UTC().Truncate(time.Microsecond)
		take := func(holder string, at time.Time) bool {
			t.Helper()
			var ok bool
			if err := s.Global(ctx, func(tx *store.Tx) (err error) {
				ok, err = tx.TakeLease("retention", holder, at, at.Add(time.Minute))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		steps := []struct {
			holder string
			at     time.Time
			want   bool
		}{
			{"a", now, true},                       // free
			{"b", now.Add(time.Second), false},     // a holds it
			{"a", now.Add(30 * time.Second), true}, // a renews until +90s
			{"b", now.Add(80 * time.Second), false},
			{"b", now.Add(91 * time.Second), true}, // a's lease ran out
			{"a", now.Add(92 * time.Second), false},
		}
		for i, st := range steps {
			if got := take(st.holder, st.at); got != st.want {
				t.Fatalf("step %d: %s took the lease: %v, want %v", i, st.holder, got, st.want)
			}
		}
		if err := s.Global(ctx, func(tx *store.Tx) error { return tx.ReleaseLease("retention", "b") }); err != nil {
			t.Fatal(err)
		}
		if !take("a", now.Add(93*time.Second)) {
			t.Fatal("a released lease is not free")
		}
	})
}
