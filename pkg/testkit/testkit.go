// Package testkit starts the real things Parley's tests run against: an
// embedded NATS server with JetStream on a random port, and fresh databases —
// SQLite always, PostgreSQL whenever it is reachable. Set
// PARLEY_REQUIRE_POSTGRES=1 (CI does) to fail instead of skipping PostgreSQL.
package testkit

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/natsx"
)

// DefaultPostgresURL is used when PARLEY_TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// NATS starts an embedded JetStream server on a random local port for the
// duration of the test and returns it.
func NATS(tb testing.TB) *server.Server {
	tb.Helper()
	s, err := natsx.RunEmbedded(natsx.EmbeddedOptions{StoreDir: tb.TempDir(), Host: "127.0.0.1", Port: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// Connect opens a client connection to s, closed when the test ends.
func Connect(tb testing.TB, s *server.Server) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// DB is a database a test may use.
type DB struct {
	Name   string // "sqlite" or "postgres"
	URL    string // sqlite:<file> or postgres://…
	Prefix string // schema prefix on PostgreSQL, unique to this test
}

// Schema is the PostgreSQL schema of a service in this database.
func (d DB) Schema(service string) string { return d.Prefix + service }

// Databases returns a fresh SQLite database and, when PostgreSQL is reachable,
// a PostgreSQL one with a schema prefix unique to this test (dropped at the end).
func Databases(tb testing.TB) []DB {
	tb.Helper()
	out := []DB{SQLiteDB(tb)}
	if pg, ok := PostgresDB(tb); ok {
		out = append(out, pg)
	}
	return out
}

// ForEachDB runs f as a subtest on every database from Databases.
func ForEachDB(t *testing.T, f func(t *testing.T, d DB)) {
	t.Helper()
	for _, d := range Databases(t) {
		t.Run(d.Name, func(t *testing.T) { f(t, d) })
	}
}

// SQLiteDB returns a directory-backed SQLite location for this test.
func SQLiteDB(tb testing.TB) DB {
	dir := tb.TempDir()
	return DB{Name: "sqlite", URL: "sqlite:" + dir}
}

// SQLiteFile is the file a service uses inside a SQLite DB.
func (d DB) SQLiteFile(service string) string {
	return "sqlite:" + filepath.Join(strings.TrimPrefix(d.URL, "sqlite:"), service+".db")
}

// ServiceURL is the URL a service opens in this database.
func (d DB) ServiceURL(service string) string {
	if d.Name == "sqlite" {
		return d.SQLiteFile(service)
	}
	return d.URL
}

var (
	pgOnce sync.Once
	pgErr  error
)

// PostgresURL is the PostgreSQL server tests use.
func PostgresURL() string {
	if u := os.Getenv("PARLEY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// PostgresDB returns a PostgreSQL DB with a fresh schema prefix, or false when
// PostgreSQL is unreachable and not required.
func PostgresDB(tb testing.TB) (DB, bool) {
	tb.Helper()
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, PostgresURL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		pgErr = err
	})
	if pgErr != nil {
		if os.Getenv("PARLEY_REQUIRE_POSTGRES") == "1" {
			tb.Fatalf("PostgreSQL is required (PARLEY_REQUIRE_POSTGRES=1) but unreachable at %s: %v", PostgresURL(), pgErr)
		}
		tb.Logf("PostgreSQL unreachable, testing SQLite only: %v", pgErr)
		return DB{}, false
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := fmt.Sprintf("t%x_", b)
	tb.Cleanup(func() { dropSchemas(tb, prefix) })
	return DB{Name: "postgres", URL: PostgresURL(), Prefix: prefix}, true
}

func dropSchemas(tb testing.TB, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, PostgresURL())
	if err != nil {
		tb.Logf("drop test schemas: %v", err)
		return
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, prefix)
	if err != nil {
		tb.Logf("drop test schemas: %v", err)
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		if _, err := c.Exec(ctx, fmt.Sprintf(`DROP SCHEMA %q CASCADE`, n)); err != nil {
			tb.Logf("drop schema %s: %v", n, err)
		}
	}
}

// Eventually polls f until it returns nil or timeout passes, then fails the
// test with f's last error. Use it for anything asynchronous instead of sleeping.
func Eventually(tb testing.TB, timeout time.Duration, f func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not true after %s: %v", timeout, err)
		}
		time.Sleep(wait)
		wait = min(wait*2, 50*time.Millisecond)
	}
}

// PostgresOnly returns a PostgreSQL DB for a test of something only
// PostgreSQL has (row-level security, the distributed deployment). Such a
// test cannot run on SQLite, so an unreachable server fails it.
func PostgresOnly(t *testing.T) DB {
	t.Helper()
	pg, ok := PostgresDB(t)
	if !ok {
		t.Fatalf("this test needs PostgreSQL, which is unreachable at %s (set PARLEY_TEST_DATABASE_URL)", PostgresURL())
	}
	return pg
}
