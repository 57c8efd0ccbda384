package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/parley-chat/parley/pkg/ids"
)

// Dialect is the kind of database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// AppRole is the PostgreSQL role the services act as when they connect as a superuser.
const AppRole = "parley_app"

// Options says what to open and how to migrate it.
type Options struct {
	URL          string // "sqlite:<file>" or "postgres://…"
	Schema       string // PostgreSQL schema; ignored for SQLite
	Source       string // the owner of the migrations, usually the service name
	Migrations   fs.FS  // NNNN_name.sql files at the root
	GlobalTables []string
	Logger       *slog.Logger
}

// DB is an open, migrated database.
type DB struct {
	gorm    *gorm.DB
	Dialect Dialect
	Schema  string
	// grantApp says migrations must also let AppRole use the schema.
	grantApp bool
}

// Open connects, creates the schema if needed, applies pending migrations and
// returns a DB ready for the service.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case strings.HasPrefix(o.URL, "sqlite:"):
		return openSQLite(ctx, o)
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		return openPostgres(ctx, o)
	}
	return nil, fmt.Errorf("database URL must start with sqlite: or postgres://")
}

// gormConfig configures GORM. Services prepare their statements (parsed
// once per connection); migrations, which hold several statements, cannot.
func gormConfig(prepare bool) *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		TranslateError:         true,
		SkipDefaultTransaction: true,
		PrepareStmt:            prepare,
	}
}

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	path := strings.TrimPrefix(o.URL, "sqlite:")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	// temp_store(MEMORY) keeps the statement journal of each savepoint of
	// a group commit (db.Batch) in memory rather than in a temporary file.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_txlock=immediate"
	g, err := gorm.Open(sqlite.Open(dsn), gormConfig(false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	if err := (&DB{gorm: g, Dialect: SQLite}).migrate(ctx, o); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	app, err := gorm.Open(sqlite.Dialector{Conn: sqlDB}, gormConfig(true))
	if err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return &DB{gorm: app, Dialect: SQLite}, nil
}

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	if o.Schema == "" || strings.Trim(o.Schema, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return nil, fmt.Errorf("invalid schema name %q", o.Schema)
	}
	cfg, err := pgx.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.RuntimeParams["search_path"] = o.Schema

	// Migrate as the configured user (the schema owner).
	owner, err := gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDB(*cfg)}), gormConfig(false))
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	ownerSQL, _ := owner.DB()
	defer ownerSQL.Close()
	if err := ownerSQL.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("reach postgres: %w", err)
	}
	// Replicas starting together would race on CREATE SCHEMA IF NOT EXISTS
	// (the loser gets a unique violation), so it runs under the same lock
	// as the migrations.
	err = owner.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, o.Schema).Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE SCHEMA IF NOT EXISTS "` + o.Schema + `"`).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create schema %s: %w", o.Schema, err)
	}
	var super bool
	if err := owner.WithContext(ctx).Raw(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super).Error; err != nil {
		return nil, fmt.Errorf("inspect database role: %w", err)
	}
	d := &DB{gorm: owner, Dialect: Postgres, Schema: o.Schema, grantApp: super}
	if err := d.migrate(ctx, o); err != nil {
		return nil, err
	}

	var opts []stdlib.OptionOpenDB
	if super {
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET ROLE "+AppRole)
			return err
		}))
	}
	sqlDB := stdlib.OpenDB(*cfg, opts...)
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	app, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), gormConfig(true))
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{gorm: app, Dialect: Postgres, Schema: o.Schema}, nil
}

// grantAppRole creates the non-superuser role the pool acts as, and lets it
// use this schema's tables. It runs in the migration transaction, under its
// lock; CREATE ROLE still races with other schemas, hence the handler.
func grantAppRole(g *gorm.DB, schema string) error {
	stmts := []string{
		`DO $$ BEGIN CREATE ROLE ` + AppRole + ` NOLOGIN NOBYPASSRLS;
		 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
		`GRANT USAGE ON SCHEMA "` + schema + `" TO ` + AppRole,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "` + schema + `" TO ` + AppRole,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "` + schema + `" TO ` + AppRole,
	}
	for _, s := range stmts {
		if err := g.Exec(s).Error; err != nil {
			return fmt.Errorf("grant %s: %w", AppRole, err)
		}
	}
	return nil
}

// Tenant runs fn in a transaction bound to one tenant. On PostgreSQL the
// tenant is also set for row-level security, for this transaction only.
func (d *DB) Tenant(ctx context.Context, tenantID string, fn func(tx *gorm.DB) error) error {
	if !ids.Valid(tenantID) {
		return fmt.Errorf("db: tenant id %q is not a UUID", tenantID)
	}
	return d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if d.Dialect == Postgres {
			if err := tx.Exec(`SELECT set_config('app.tenant_id', ?, true)`, tenantID).Error; err != nil {
				return fmt.Errorf("set tenant: %w", err)
			}
		}
		return fn(tx)
	})
}

// Global runs fn in a transaction without a tenant: it sees only global tables.
func (d *DB) Global(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.gorm.WithContext(ctx).Transaction(fn)
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connections.
func (d *DB) Close() error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// IsDuplicate reports whether err is a unique-constraint violation.
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// IsNotFound reports whether err is GORM's "record not found".
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// FirstDelivery records that consumer has handled event id, inside the
// transaction of the event's side effects. It returns false when the event was
// already handled: the caller then skips the side effects, so redelivery never
// doubles them.
func FirstDelivery(tx *gorm.DB, consumer, eventID string) (bool, error) {
	res := tx.Exec(`INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, consumer, eventID, time.Now().UTC())
	if res.Error != nil {
		return false, fmt.Errorf("record processed event: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Batch runs units of work in one transaction, each bound to its own tenant
// (set_config is transaction-wide, so it is set again whenever the tenant
// changes): a unit that fails is rolled back alone and the others commit
// together. errs[i] is unit i's error; err is the transaction's. finish, if
// not nil, runs in the transaction after the units (its error fails the
// whole batch). Grouping units this way amortises a commit over many small
// writes.
//
// Units rarely fail, so the batch first runs them plainly; only if one
// fails is it rolled back and run again with a savepoint around each unit
// (a savepoint costs two statements and, on SQLite, a journal copy of every
// page the unit touches). fn must therefore be safe to run twice.
func (d *DB) Batch(ctx context.Context, tenants []string, fn func(i int, tx *gorm.DB) error, finish func(tx *gorm.DB) error) (errs []error, err error) {
	errs, err = d.batch(ctx, tenants, fn, finish, false)
	if errors.Is(err, errUnitFailed) {
		errs, err = d.batch(ctx, tenants, fn, finish, true)
	}
	return errs, err
}

// errUnitFailed ends a batch run without savepoints whose unit failed.
var errUnitFailed = errors.New("db: a unit of the batch failed")

func (d *DB) batch(ctx context.Context, tenants []string, fn func(i int, tx *gorm.DB) error, finish func(tx *gorm.DB) error, savepoints bool) (errs []error, err error) {
	errs = make([]error, len(tenants))
	err = d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		current := ""
		for i, tenantID := range tenants {
			if !ids.Valid(tenantID) {
				errs[i] = fmt.Errorf("db: tenant id %q is not a UUID", tenantID)
				continue
			}
			// Set outside the savepoint (whose rollback would undo it), and
			// only when the tenant changes: callers group units by tenant.
			if d.Dialect == Postgres && tenantID != current {
				if err := tx.Exec(`SELECT set_config('app.tenant_id', ?, true)`, tenantID).Error; err != nil {
					return fmt.Errorf("set tenant: %w", err)
				}
				current = tenantID
			}
			if !savepoints {
				if errs[i] = fn(i, tx); errs[i] != nil {
					return errUnitFailed
				}
				continue
			}
			errs[i] = tx.Transaction(func(sp *gorm.DB) error { return fn(i, sp) })
		}
		if finish != nil {
			return finish(tx)
		}
		return nil
	})
	return errs, err
}
