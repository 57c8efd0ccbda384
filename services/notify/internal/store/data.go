package store

import (
	"time"
)

// Forget deletes what notify holds of a visitor (visitorID, may be "") and
// of conversations: the email sent or queued to them (their rows and any
// queued event not yet published), pending answers, the copies of the
// conversations and the digest alerts about them and, for a visitor, their
// unsubscribe links and the suppressions of their addresses. It returns the
// ids and addresses it found, for scrubbing the event stream. Running it
// again finds nothing.
func (tx *Tx) Forget(visitorID string, conversationIDs []string) (needles []string, err error) {
	convs := append([]string{""}, conversationIDs...) // never an empty IN list
	type del struct {
		q    string
		args []any
	}
	mine := `SELECT id, recipient FROM deliveries WHERE tenant_id = ? AND conversation_id IN ?`
	args := []any{tx.TenantID, convs}
	deletes := []del{
		{`DELETE FROM visitor_pending WHERE tenant_id = ? AND conversation_id IN ?`, []any{tx.TenantID, convs}},
		{`DELETE FROM survey_pending WHERE tenant_id = ? AND conversation_id IN ?`, []any{tx.TenantID, convs}},
		{`DELETE FROM conversations WHERE tenant_id = ? AND id IN ?`, []any{tx.TenantID, convs}},
		{`DELETE FROM agent_alerts WHERE tenant_id = ? AND conversation_id IN ?`, []any{tx.TenantID, convs}},
	}
	if visitorID != "" {
		mine += ` UNION SELECT id, recipient FROM deliveries WHERE tenant_id = ? AND visitor_id = ?`
		args = append(args, tx.TenantID, visitorID)
	}
	var rows []struct{ ID, Recipient string }
	if err := tx.DB.Raw(mine, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	deliveryIDs, addresses := []string{""}, []string{""}
	for _, r := range rows {
		deliveryIDs = append(deliveryIDs, r.ID)
		addresses = append(addresses, r.Recipient)
	}
	deletes = append(deletes, del{`DELETE FROM deliveries WHERE tenant_id = ? AND id IN ?`, []any{tx.TenantID, deliveryIDs}})
	if visitorID != "" {
		var linked []string
		if err := tx.DB.Table("unsubscribe_tokens").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).Pluck("email", &linked).Error; err != nil {
			return nil, err
		}
		addresses = append(addresses, linked...)
		deletes = append(deletes,
			del{`DELETE FROM visitor_pending WHERE tenant_id = ? AND visitor_id = ?`, []any{tx.TenantID, visitorID}},
			del{`DELETE FROM survey_pending WHERE tenant_id = ? AND conversation_id IN (SELECT id FROM conversations WHERE tenant_id = ? AND visitor_id = ?)`, []any{tx.TenantID, tx.TenantID, visitorID}},
			del{`DELETE FROM unsubscribe_tokens WHERE tenant_id = ? AND (visitor_id = ? OR email IN ?)`, []any{tx.TenantID, visitorID, addresses}},
			del{`DELETE FROM suppressions WHERE tenant_id = ? AND email IN ?`, []any{tx.TenantID, addresses}},
		)
		needles = append(needles, visitorID)
	}
	for _, d := range deletes {
		if err := tx.DB.Exec(d.q, d.args...).Error; err != nil {
			return nil, err
		}
	}
	needles = append(needles, conversationIDs...)
	needles = append(needles, deliveryIDs[1:]...)
	if visitorID != "" {
		// Only a visitor's erasure takes their address: a retention sweep
		// must not drop email queued about their other conversations.
		needles = append(needles, addresses[1:]...)
	}
	// Events not yet published that name them (an email queued a moment ago).
	for _, n := range needles {
		if err := tx.DB.Exec(`DELETE FROM outbox WHERE tenant_id = ? AND envelope LIKE ?`, tx.TenantID, "%"+n+"%").Error; err != nil {
			return nil, err
		}
	}
	return needles, nil
}

// DeleteTenant deletes every row notify holds of the tenant. Running it
// again finds nothing.
func (tx *Tx) DeleteTenant() error {
	for _, table := range []string{
		"deliveries", "preferences", "suppressions", "unsubscribe_tokens", "members", "agent_presence", "conversations",
		"agent_alerts", "digests", "visitor_pending", "survey_pending", "member_syncs", "entitlements", "outbox",
	} {
		if err := tx.DB.Exec(`DELETE FROM `+table+` WHERE tenant_id = ?`, tx.TenantID).Error; err != nil {
			return err
		}
	}
	return nil
}

// DeliveriesAfter lists up to limit of the tenant's deliveries, oldest
// first, after the (created_at, id) of the previous page (nil for the first).
func (tx *Tx) DeliveriesAfter(afterAt *time.Time, afterID string, limit int) ([]Delivery, error) {
	q := tx.DB.Table("deliveries").Where("tenant_id = ?", tx.TenantID)
	if afterAt != nil {
		q = q.Where("created_at > ? OR (created_at = ? AND id > ?)", afterAt.UTC(), afterAt.UTC(), afterID)
	}
	var out []Delivery
	return out, q.Order("created_at, id").Limit(limit).Find(&out).Error
}

// VisitorDeliveries lists the email sent or queued to a visitor, oldest first.
func (tx *Tx) VisitorDeliveries(visitorID string) ([]Delivery, error) {
	var out []Delivery
	err := tx.DB.Table("deliveries").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).Order("created_at, id").Find(&out).Error
	return out, err
}

// AnySuppressed reports whether any of the addresses unsubscribed.
func (tx *Tx) AnySuppressed(emails []string) (bool, error) {
	var n int64
	err := tx.DB.Table("suppressions").Where("tenant_id = ? AND email IN ?", tx.TenantID, append(emails, "")).Count(&n).Error
	return n > 0, err
}

// Preference is a row of preferences.
type Preference struct {
	UserID                string
	EmailNewConversations bool
	UpdatedAt             time.Time
}

// Preferences lists the tenant's saved preferences.
func (tx *Tx) Preferences() ([]Preference, error) {
	var out []Preference
	err := tx.DB.Table("preferences").Where("tenant_id = ?", tx.TenantID).Order("user_id").Find(&out).Error
	return out, err
}

// Suppression is a row of suppressions.
type Suppression struct {
	Email     string
	CreatedAt time.Time
}

// Suppressions lists the tenant's unsubscribed addresses.
func (tx *Tx) Suppressions() ([]Suppression, error) {
	var out []Suppression
	err := tx.DB.Table("suppressions").Where("tenant_id = ?", tx.TenantID).Order("email").Find(&out).Error
	return out, err
}
