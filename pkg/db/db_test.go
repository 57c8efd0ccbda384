package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

type note struct {
	ID        string
	TenantID  string
	Body      string
	CreatedAt time.Time
}

func open(t *testing.T, d testkit.DB) *db.DB {
	t.Helper()
	x, err := db.Open(context.Background(), db.Options{
		URL: d.ServiceURL("notes"), Schema: d.Schema("notes"), Source: "notes",
		Migrations: os.DirFS("testdata/migrations"), GlobalTables: []string{"note_lookup"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

func addNote(t *testing.T, x *db.DB, tenant, body string) string {
	t.Helper()
	id := ids.New()
	err := x.Tenant(context.Background(), tenant, func(tx *gorm.DB) error {
		return tx.Table("notes").Create(&note{ID: id, TenantID: tenant, Body: body, CreatedAt: time.Now().UTC()}).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestMigrationsAreVersionedAndRerunnable(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		first := open(t, d)
		addNote(t, first, ids.New(), "kept")
		// Opening again applies nothing twice and keeps the data.
		second := open(t, d)
		var versions []int
		if err := second.Global(context.Background(), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT version FROM schema_migrations WHERE source = 'notes'`).Scan(&versions).Error
		}); err != nil {
			t.Fatal(err)
		}
		if len(versions) != 1 || versions[0] != 1 {
			t.Fatalf("schema_migrations for notes = %v, want [1]", versions)
		}
	})
}

// Replicas of a service start together in a distributed deployment: each
// creates and migrates the same fresh schema, and none may fail for it. The
// race is narrow, so it is run on several fresh schemas.
func TestReplicasOpenANewSchemaTogether(t *testing.T) {
	t.Parallel()
	pg := testkit.PostgresOnly(t)
	const rounds, replicas = 6, 8
	for round := range rounds {
		service := fmt.Sprintf("notes%d", round)
		errs := make(chan error, replicas)
		for range replicas {
			go func() {
				x, err := db.Open(context.Background(), db.Options{
					URL: pg.ServiceURL(service), Schema: pg.Schema(service), Source: "notes",
					Migrations: os.DirFS("testdata/migrations"), GlobalTables: []string{"note_lookup"},
				})
				if err == nil {
					err = x.Close()
				}
				errs <- err
			}()
		}
		for range replicas {
			if err := <-errs; err != nil {
				t.Errorf("round %d: a replica failed to open: %v", round, err)
			}
		}
	}
}

func TestTenantTransactionsSeeOnlyTheirTenant(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x := open(t, d)
		a, b := ids.New(), ids.New()
		addNote(t, x, a, "from a")
		addNote(t, x, b, "from b")
		var got []note
		err := x.Tenant(context.Background(), a, func(tx *gorm.DB) error {
			return tx.Table("notes").Where("tenant_id = ?", a).Find(&got).Error
		})
		if err != nil || len(got) != 1 || got[0].Body != "from a" {
			t.Fatalf("tenant a sees %+v, %v", got, err)
		}
		if err := x.Tenant(context.Background(), "not-a-uuid", func(*gorm.DB) error { return nil }); err == nil {
			t.Fatal("a malformed tenant id was accepted")
		}
	})
}

// The row-level security backstop: even a query that forgets its tenant
// filter sees only the transaction's tenant, a transaction without a tenant
// sees nothing, and a write into another tenant is refused.
func TestRowLevelSecurityBackstop(t *testing.T) {
	t.Parallel()
	pg := testkit.PostgresOnly(t)
	x := open(t, pg)
	a, b := ids.New(), ids.New()
	addNote(t, x, a, "a1")
	addNote(t, x, a, "a2")
	addNote(t, x, b, "b1")
	ctx := context.Background()

	var n int64
	if err := x.Tenant(ctx, a, func(tx *gorm.DB) error { return tx.Table("notes").Count(&n).Error }); err != nil || n != 2 {
		t.Fatalf("unfiltered count in tenant a = %d, %v; want 2", n, err)
	}
	if err := x.Global(ctx, func(tx *gorm.DB) error { return tx.Table("notes").Count(&n).Error }); err != nil || n != 0 {
		t.Fatalf("count without a tenant = %d, %v; want 0", n, err)
	}
	err := x.Tenant(ctx, a, func(tx *gorm.DB) error {
		return tx.Table("notes").Create(&note{ID: ids.New(), TenantID: b, Body: "smuggled", CreatedAt: time.Now()}).Error
	})
	if err == nil {
		t.Fatal("tenant a wrote a row into tenant b")
	}
	// Global tables stay readable without a tenant.
	if err := x.Global(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO note_lookup (slug, tenant_id) VALUES ('s', ?)`, a).Error
	}); err != nil {
		t.Fatalf("global table write: %v", err)
	}
}

// Every table with a tenant_id column, except declared global ones, has
// forced row-level security, and the pool does not act as a superuser.
func TestEveryTenantTableHasForcedRLS(t *testing.T) {
	t.Parallel()
	pg := testkit.PostgresOnly(t)
	x := open(t, pg)
	type table struct {
		Name   string
		RLS    bool
		Forced bool
	}
	var tables []table
	var super, bypass bool
	err := x.Global(context.Background(), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
			FROM pg_class c JOIN information_schema.columns col ON col.table_name = c.relname AND col.table_schema = current_schema()
			WHERE c.relnamespace = current_schema()::regnamespace AND col.column_name = 'tenant_id'`).Scan(&tables).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Row().Scan(&super, &bypass)
	})
	if err != nil {
		t.Fatal(err)
	}
	global := map[string]bool{"note_lookup": true, "outbox": true}
	for _, tb := range tables {
		if !global[tb.Name] && (!tb.RLS || !tb.Forced) {
			t.Errorf("table %s has tenant_id but rls=%v forced=%v", tb.Name, tb.RLS, tb.Forced)
		}
	}
	if super || bypass {
		t.Errorf("the pool's role bypasses row-level security (super=%v bypassrls=%v)", super, bypass)
	}
}

func TestFirstDeliveryIsOncePerConsumer(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x := open(t, d)
		var results []bool
		for _, consumer := range []string{"c1", "c1", "c2"} {
			err := x.Global(context.Background(), func(tx *gorm.DB) error {
				first, err := db.FirstDelivery(tx, consumer, "evt-1")
				results = append(results, first)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if results[0] != true || results[1] != false || results[2] != true {
			t.Fatalf("first deliveries = %v, want [true false true]", results)
		}
	})
}

func TestDuplicateKeysAreRecognised(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x := open(t, d)
		tenant := ids.New()
		insert := func() error {
			return x.Global(context.Background(), func(tx *gorm.DB) error {
				return tx.Exec(`INSERT INTO note_lookup (slug, tenant_id) VALUES ('dup', ?)`, tenant).Error
			})
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		if err := insert(); !db.IsDuplicate(err) {
			t.Fatalf("second insert: %v, want a duplicate-key error", err)
		}
	})
}

func TestBatchCommitsTogetherAndFailsAlone(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		x := open(t, d)
		a, b := ids.New(), ids.New()
		tenants := []string{a, b, a}
		errs, err := x.Batch(context.Background(), tenants, func(i int, tx *gorm.DB) error {
			if err := tx.Table("notes").Create(&note{ID: ids.New(), TenantID: tenants[i], Body: fmt.Sprint("n", i), CreatedAt: time.Now()}).Error; err != nil {
				return err
			}
			if i == 1 {
				return errors.New("unit 1 changes its mind after writing")
			}
			return nil
		}, nil)
		if err != nil || errs[0] != nil || errs[1] == nil || errs[2] != nil {
			t.Fatalf("batch: %v %v", errs, err)
		}
		count := func(tenant string) (n int64) {
			_ = x.Tenant(context.Background(), tenant, func(tx *gorm.DB) error { return tx.Table("notes").Where("tenant_id = ?", tenant).Count(&n).Error })
			return n
		}
		if count(a) != 2 || count(b) != 0 {
			t.Fatalf("tenant a has %d notes, b %d; want 2 and 0", count(a), count(b))
		}
	})
}
