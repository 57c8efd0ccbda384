package store

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

type auditRow struct {
	ID         string
	TenantID   string
	OccurredAt time.Time
	Service    string
	ActorType  string
	ActorID    string
	ActorName  string
	ActorIP    string
	Action     string
	TargetType string
	TargetID   string
	BeforeJSON string
	AfterJSON  string
}

func (r auditRow) contract() contracts.AuditEntry {
	e := contracts.AuditEntry{
		ID: r.ID, OccurredAt: r.OccurredAt.UTC(), Service: r.Service, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID,
		Actor: contracts.AuditActor{Type: r.ActorType, ID: r.ActorID, Name: r.ActorName, IP: r.ActorIP},
	}
	if r.BeforeJSON != "" {
		e.Before = []byte(r.BeforeJSON)
	}
	if r.AfterJSON != "" {
		e.After = []byte(r.AfterJSON)
	}
	return e
}

// AppendAudit stores an entry once: an entry whose id is there already (a
// redelivered event, an imported entry) is left as it is. Times are kept to
// the microsecond, as PostgreSQL keeps them, so cursors compare equal on both.
func (tx *Tx) AppendAudit(e contracts.AuditEntry) error {
	return tx.DB.Exec(`INSERT INTO audit_log (id, tenant_id, occurred_at, service, actor_type, actor_id, actor_name, actor_ip,
		action, target_type, target_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		e.ID, tx.TenantID, e.OccurredAt.UTC().Truncate(time.Microsecond), e.Service, e.Actor.Type, e.Actor.ID, e.Actor.Name, e.Actor.IP,
		e.Action, e.TargetType, e.TargetID, string(e.Before), string(e.After)).Error
}

// AuditFilter selects entries of the audit log.
type AuditFilter struct {
	ActorID      string
	Action       string // exact, or a prefix when it ends in "."
	Since, Until *time.Time
	Cursor       string
	Limit        int
}

// AuditPage reads entries newest first, from after the cursor.
func (tx *Tx) AuditPage(f AuditFilter) (contracts.AuditPage, error) {
	q := tx.DB.Table("audit_log").Where("tenant_id = ?", tx.TenantID)
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok && prefix != "" {
		// A LIKE pattern would treat "_" as a wildcard: compare the prefix itself.
		q = q.Where("substr(action, 1, ?) = ?", len(f.Action), f.Action)
	} else if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Since != nil {
		q = q.Where("occurred_at >= ?", f.Since.UTC())
	}
	if f.Until != nil {
		q = q.Where("occurred_at < ?", f.Until.UTC())
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return contracts.AuditPage{}, err
		}
		q = q.Where("occurred_at < ? OR (occurred_at = ? AND id < ?)", at, at, id)
	}
	var rows []auditRow
	if err := q.Order("occurred_at DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return contracts.AuditPage{}, err
	}
	page := contracts.AuditPage{Entries: make([]contracts.AuditEntry, 0, len(rows))}
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		page.NextCursor = encodeCursor(last.OccurredAt, last.ID)
	}
	for _, r := range rows {
		page.Entries = append(page.Entries, r.contract())
	}
	return page, nil
}

// AuditBatch reads up to n entries oldest first after (at, id) — from the
// first when afterID is empty — for the export.
func (tx *Tx) AuditBatch(after time.Time, afterID string, n int) ([]contracts.AuditEntry, error) {
	var rows []auditRow
	q := tx.DB.Table("audit_log").Where("tenant_id = ?", tx.TenantID)
	if afterID != "" {
		q = q.Where("occurred_at > ? OR (occurred_at = ? AND id > ?)", after, after, afterID)
	}
	err := q.Order("occurred_at, id").Limit(n).Find(&rows).Error
	out := make([]contracts.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.contract()
	}
	return out, err
}

// SweepAudit deletes entries older than before.
func (tx *Tx) SweepAudit(before time.Time) (int64, error) {
	res := tx.DB.Exec(`DELETE FROM audit_log WHERE tenant_id = ? AND occurred_at < ?`, tx.TenantID, before)
	return res.RowsAffected, res.Error
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	bad := apperr.InvalidField("cursor", "cursor is not one this list returned")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || !ids.Valid(id) {
		return time.Time{}, "", bad
	}
	return at, id, nil
}
