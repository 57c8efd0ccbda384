package testkit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/db"
)

// RowsContaining searches every table of a service's database, seen as
// tenantID (row-level security included), for rows whose text contains any
// of needles, and returns them as "table: row" lines. Erasure and workspace
// deletion tests expect none.
func RowsContaining(tb testing.TB, d *db.DB, tenantID string, needles ...string) []string {
	tb.Helper()
	var found []string
	err := d.Tenant(context.Background(), tenantID, func(tx *gorm.DB) error {
		var tables []string
		q := `SELECT name FROM sqlite_master WHERE type = 'table'`
		if d.Dialect == db.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		}
		if err := tx.Raw(q).Scan(&tables).Error; err != nil {
			return err
		}
		for _, t := range tables {
			rows, err := tx.Raw(`SELECT * FROM "` + t + `"`).Rows()
			if err != nil {
				return fmt.Errorf("read %s: %w", t, err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return fmt.Errorf("read %s: %w", t, err)
				}
				var b strings.Builder
				for i, v := range vals {
					if s, ok := v.([]byte); ok {
						v = string(s)
					}
					fmt.Fprintf(&b, "%s=%v ", cols[i], v)
				}
				for _, n := range needles {
					if n != "" && strings.Contains(b.String(), n) {
						found = append(found, t+": "+b.String())
						break
					}
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return found
}
