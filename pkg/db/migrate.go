package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// platform holds the tables every service has (outbox, processed events).
//
//go:embed platform/*.sql
var platform embed.FS

type migration struct {
	source  string
	version int
	name    string
	sql     string
}

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

func loadMigrations(source string, fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", source, err)
	}
	var out []migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %q is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Atoi(m[1])
		out = append(out, migration{source: source, version: v, name: m[2], sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// migrate applies pending platform and service migrations in one transaction.
func (d *DB) migrate(ctx context.Context, o Options) error {
	all, err := loadMigrations("platform", platform, "platform")
	if err != nil {
		return err
	}
	if o.Migrations != nil {
		own, err := loadMigrations(o.Source, o.Migrations, ".")
		if err != nil {
			return err
		}
		all = append(all, own...)
	}
	return d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if d.Dialect == Postgres {
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(current_schema()))`).Error; err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		if err := tx.Exec(d.rewrite(`CREATE TABLE IF NOT EXISTS schema_migrations (
			source TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (source, version))`)).Error; err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		type row struct {
			Source  string
			Version int
		}
		var done []row
		if err := tx.Raw(`SELECT source, version FROM schema_migrations`).Scan(&done).Error; err != nil {
			return err
		}
		applied := map[string]bool{}
		for _, r := range done {
			applied[fmt.Sprintf("%s/%d", r.Source, r.Version)] = true
		}
		for _, m := range all {
			if applied[fmt.Sprintf("%s/%d", m.source, m.version)] {
				continue
			}
			if err := tx.Exec(d.rewrite(m.sql)).Error; err != nil {
				return fmt.Errorf("migration %s %04d_%s: %w", m.source, m.version, m.name, err)
			}
			if err := tx.Exec(`INSERT INTO schema_migrations (source, version, name, applied_at) VALUES (?, ?, ?, ?)`,
				m.source, m.version, m.name, time.Now().UTC()).Error; err != nil {
				return err
			}
			o.Logger.Info("migration applied", "source", m.source, "version", m.version, "name", m.name)
		}
		if d.Dialect != Postgres {
			return nil
		}
		if err := enableRLS(tx, append([]string{"outbox", "processed_events"}, o.GlobalTables...)); err != nil {
			return err
		}
		if d.grantApp {
			return grantAppRole(tx, o.Schema)
		}
		return nil
	})
}

// sqliteTypes maps the PostgreSQL types migrations are written in to SQLite.
var sqliteTypes = strings.NewReplacer(
	"BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT",
	"TIMESTAMPTZ", "TIMESTAMP",
	"JSONB", "TEXT",
	"UUID", "TEXT",
	"BYTEA", "BLOB",
)

// rewrite adapts a migration to the dialect. Migrations are written for
// PostgreSQL; lines between "-- postgres-only" and "-- end" run only there,
// lines between "-- sqlite-only" and "-- end" only on SQLite.
func (d *DB) rewrite(sql string) string {
	var b strings.Builder
	skip := false
	for line := range strings.Lines(sql) {
		switch strings.TrimSpace(line) {
		case "-- postgres-only":
			skip = d.Dialect != Postgres
			continue
		case "-- sqlite-only":
			skip = d.Dialect != SQLite
			continue
		case "-- end":
			skip = false
			continue
		}
		if !skip {
			b.WriteString(line)
		}
	}
	if d.Dialect == SQLite {
		return sqliteTypes.Replace(b.String())
	}
	return b.String()
}

// enableRLS turns on forced row-level security for every table of the current
// schema that has a tenant_id column, except the global ones. Tables that
// already have it are left alone, so a restart takes no table locks.
func enableRLS(tx *gorm.DB, global []string) error {
	var tables []string
	if err := tx.Raw(`SELECT c.table_name FROM information_schema.columns c
		JOIN pg_class r ON r.relname = c.table_name AND r.relnamespace = current_schema()::regnamespace
		WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
		  AND NOT (r.relrowsecurity AND r.relforcerowsecurity AND EXISTS (
		      SELECT 1 FROM pg_policies p WHERE p.schemaname = current_schema()
		      AND p.tablename = c.table_name AND p.policyname = 'tenant_isolation'))
		ORDER BY c.table_name`).Scan(&tables).Error; err != nil {
		return fmt.Errorf("list tenant tables: %w", err)
	}
	for _, t := range tables {
		if slices.Contains(global, t) {
			continue
		}
		q := `"` + t + `"`
		for _, s := range []string{
			`ALTER TABLE ` + q + ` ENABLE ROW LEVEL SECURITY`,
			`ALTER TABLE ` + q + ` FORCE ROW LEVEL SECURITY`,
			`DROP POLICY IF EXISTS tenant_isolation ON ` + q,
			`CREATE POLICY tenant_isolation ON ` + q + `
			 USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
			 WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
		} {
			if err := tx.Exec(s).Error; err != nil {
				return fmt.Errorf("row-level security on %s: %w", t, err)
			}
		}
	}
	return nil
}
