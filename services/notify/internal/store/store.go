// Package store is the notify service's storage: deliveries (what was sent,
// by the email's stable id), preferences, suppressions and unsubscribe
// links, and the little it keeps of other services' events (members, agent
// presence, conversations, pending visitor answers, digest alerts).
//
// visitor_pending, survey_pending, agent_alerts and unsubscribe_tokens are global tables
// (no row-level security) because workers scan them across tenants; every
// query on them names the tenant itself.
package store

import (
	"embed"
	"io/fs"
	"time"

	"gorm.io/gorm/clause"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/outbox"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the notify service's schema versions.
var Migrations, _ = fs.Sub(migrations, "migrations")

// GlobalTables are scanned across tenants (see the package comment).
var GlobalTables = []string{"visitor_pending", "survey_pending", "agent_alerts", "unsubscribe_tokens"}

// Store is the notify service's database.
type Store struct{ *outbox.Store[*Tx] }

// New wraps an open database; relay is notified after commits with events.
func New(d *db.DB, relay *outbox.Relay) *Store {
	return &Store{Store: outbox.NewStore(d, relay, contracts.ServiceNotify, func(t *outbox.Tx) *Tx { return &Tx{t} })}
}

// Tx is one transaction, scoped to a tenant unless it came from Global.
type Tx struct{ *outbox.Tx }

func now() time.Time { return time.Now().UTC() }

// Delivery is a row of deliveries.
type Delivery struct {
	ID             string
	TenantID       string
	Kind           string
	Recipient      string
	Subject        string
	VisitorID      string
	ConversationID string
	MessageID      string
	Status         string
	Detail         string
	CreatedAt      time.Time
	SentAt         *time.Time
}

// Delivery statuses.
const (
	Queued     = "queued"
	Sent       = "sent"
	Suppressed = "suppressed"
	Rejected   = "rejected"
)

// Delivered reports whether the email with this id was handled already
// (queued is not handled yet).
func (tx *Tx) Delivered(id string) (bool, error) {
	var n int64
	err := tx.DB.Table("deliveries").Where("tenant_id = ? AND id = ? AND status <> ?", tx.TenantID, id, Queued).Count(&n).Error
	return n > 0, err
}

// IsQueued reports whether a queued email still has its row (an erasure
// deletes it, and the email with it).
func (tx *Tx) IsQueued(id string) (bool, error) {
	var n int64
	err := tx.DB.Table("deliveries").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Count(&n).Error
	return n > 0, err
}

// QueueDelivery records an email notify queues; false means it was
// queued (or sent) before.
func (tx *Tx) QueueDelivery(d Delivery) (bool, error) {
	d.TenantID, d.CreatedAt, d.Status = tx.TenantID, now(), Queued
	res := tx.DB.Table("deliveries").Clauses(clause.OnConflict{DoNothing: true}).Create(&d)
	return res.RowsAffected == 1, res.Error
}

// RecordDelivery stores what happened to an email: it completes a queued
// row, or adds one; a second record of a handled email is ignored.
func (tx *Tx) RecordDelivery(d Delivery) error {
	t := now()
	d.TenantID, d.CreatedAt = tx.TenantID, t
	if d.Status == Sent {
		d.SentAt = &t
	}
	return tx.DB.Exec(`INSERT INTO deliveries (id, tenant_id, kind, recipient, subject, visitor_id, conversation_id, message_id, status, detail, created_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id, status = excluded.status, detail = excluded.detail, sent_at = excluded.sent_at
		WHERE deliveries.status = 'queued'`,
		d.ID, d.TenantID, d.Kind, d.Recipient, d.Subject, d.VisitorID, d.ConversationID, d.MessageID, d.Status, d.Detail, d.CreatedAt, d.SentAt).Error
}

// Deliveries lists the tenant's deliveries of one kind, oldest first.
func (tx *Tx) Deliveries(kind string) ([]Delivery, error) {
	var out []Delivery
	err := tx.DB.Table("deliveries").Where("tenant_id = ? AND kind = ?", tx.TenantID, kind).Order("created_at").Find(&out).Error
	return out, err
}

// EmailNewConversations is a member's preference, on unless they turned it off.
func (tx *Tx) EmailNewConversations(userID string) (bool, error) {
	var vals []bool
	err := tx.DB.Table("preferences").Where("tenant_id = ? AND user_id = ?", tx.TenantID, userID).
		Pluck("email_new_conversations", &vals).Error
	if err != nil || len(vals) == 0 {
		return true, err
	}
	return vals[0], nil
}

// SetEmailNewConversations saves the preference.
func (tx *Tx) SetEmailNewConversations(userID string, on bool) error {
	return tx.DB.Exec(`INSERT INTO preferences (tenant_id, user_id, email_new_conversations, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET email_new_conversations = excluded.email_new_conversations, updated_at = excluded.updated_at`,
		tx.TenantID, userID, on, now()).Error
}

// Suppressed reports whether the address unsubscribed.
func (tx *Tx) Suppressed(email string) (bool, error) {
	var n int64
	err := tx.DB.Table("suppressions").Where("tenant_id = ? AND email = ?", tx.TenantID, email).Count(&n).Error
	return n > 0, err
}

// Suppress records an unsubscribe; doing it twice is the same as once.
func (tx *Tx) Suppress(email string) error {
	return tx.DB.Exec(`INSERT INTO suppressions (tenant_id, email, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		tx.TenantID, email, now()).Error
}

// AddUnsubscribeToken stores the hash of an unsubscribe link's token for a
// visitor's address.
func (tx *Tx) AddUnsubscribeToken(hash, email, visitorID string) error {
	return tx.DB.Exec(`INSERT INTO unsubscribe_tokens (token_hash, tenant_id, email, visitor_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		hash, tx.TenantID, email, visitorID, now()).Error
}

// UnsubscribeToken finds the tenant and address of a token hash (global).
func (tx *Tx) UnsubscribeToken(hash string) (tenantID, email string, found bool, err error) {
	var rows []struct{ TenantID, Email string }
	err = tx.DB.Table("unsubscribe_tokens").Select("tenant_id, email").Where("token_hash = ?", hash).Limit(1).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return "", "", false, err
	}
	return rows[0].TenantID, rows[0].Email, true, nil
}
