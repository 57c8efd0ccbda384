package store

import "time"

// Data ownership: the reads of an export (keyset pages in a stable order),
// the bulk inserts of an import, and the deletes of erasure, retention and
// workspace deletion. Every query is scoped to the transaction's tenant.

// Key is a position in a (created_at, id) order; the zero Key is the start.
type Key struct {
	At time.Time
	ID string
}

// after pages q by (created_at, id) from k.
func after(q *gormDB, k Key, limit int) *gormDB {
	if k.ID != "" {
		q = q.Where("created_at > ? OR (created_at = ? AND id > ?)", k.At, k.At, k.ID)
	}
	return q.Order("created_at, id").Limit(limit)
}

// VisitorPage lists up to limit visitors after k, by (created_at, id).
func (tx *Tx) VisitorPage(k Key, limit int) ([]Visitor, error) {
	var rows []Visitor
	err := after(tx.DB.Table("visitors").Where("tenant_id = ?", tx.TenantID), k, limit).Find(&rows).Error
	return rows, err
}

// ConversationPage lists up to limit conversations after k, by (created_at, id).
func (tx *Tx) ConversationPage(k Key, limit int) ([]Conversation, error) {
	var rows []Conversation
	err := after(tx.DB.Table("conversations").Where("tenant_id = ?", tx.TenantID), k, limit).Find(&rows).Error
	return rows, err
}

// BookingPage lists up to limit bookings after k, by (created_at, id).
func (tx *Tx) BookingPage(k Key, limit int) ([]Booking, error) {
	var rows []Booking
	err := after(tx.DB.Table("bookings").Where("tenant_id = ?", tx.TenantID), k, limit).Find(&rows).Error
	return rows, err
}

// AllMessages lists up to limit messages of a conversation after afterSeq,
// private notes included.
func (tx *Tx) AllMessages(conversationID string, afterSeq int64, limit int) ([]Message, error) {
	rows, _, err := tx.Messages(conversationID, afterSeq, limit, true)
	return rows, err
}

// MessagesOf lists every message of some conversations, private notes
// included, by conversation and seq.
func (tx *Tx) MessagesOf(conversationIDs []string) ([]Message, error) {
	var rows []Message
	err := tx.DB.Table("messages").Where("tenant_id = ? AND conversation_id IN ?", tx.TenantID, conversationIDs).
		Order("conversation_id, seq").Find(&rows).Error
	return rows, err
}

// HasConversations reports whether the tenant has any conversation.
func (tx *Tx) HasConversations() (bool, error) {
	var one []string
	err := tx.DB.Table("conversations").Where("tenant_id = ?", tx.TenantID).Limit(1).Pluck("id", &one).Error
	return len(one) > 0, err
}

// insertBatch is how many rows one INSERT of an import carries (SQLite
// allows 32766 bound values per statement; a message row has 13).
const insertBatch = 500

// InsertVisitors, InsertConversations, InsertMessages and InsertBookings
// add imported rows of the tenant.
func (tx *Tx) InsertVisitors(rows []Visitor) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID = tx.TenantID
	}
	return tx.DB.Table("visitors").CreateInBatches(rows, insertBatch).Error
}

func (tx *Tx) InsertConversations(rows []Conversation) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID = tx.TenantID
	}
	return tx.DB.Table("conversations").CreateInBatches(rows, insertBatch).Error
}

func (tx *Tx) InsertMessages(rows []Message) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID = tx.TenantID
	}
	return tx.DB.Table("messages").CreateInBatches(rows, insertBatch).Error
}

func (tx *Tx) InsertBookings(rows []Booking) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID = tx.TenantID
	}
	return tx.DB.Table("bookings").CreateInBatches(rows, insertBatch).Error
}

// VisitorBookings lists a visitor's bookings by (created_at, id).
func (tx *Tx) VisitorBookings(visitorID string) ([]Booking, error) {
	var rows []Booking
	err := tx.DB.Table("bookings").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).Order("created_at, id").Find(&rows).Error
	return rows, err
}

// VisitorConversationIDs lists all of a visitor's conversations, oldest first.
func (tx *Tx) VisitorConversationIDs(visitorID string) ([]string, error) {
	var out []string
	err := tx.DB.Table("conversations").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).
		Order("created_at, id").Pluck("id", &out).Error
	return out, err
}

// DeleteVisitor deletes a visitor's own rows: the visitor, their bookings,
// where they started conversations from and a block. It reports whether
// there was a visitor or a booking.
func (tx *Tx) DeleteVisitor(visitorID string) (bool, error) {
	v := tx.DB.Exec(`DELETE FROM visitors WHERE tenant_id = ? AND id = ?`, tx.TenantID, visitorID)
	if v.Error != nil {
		return false, v.Error
	}
	b := tx.DB.Exec(`DELETE FROM bookings WHERE tenant_id = ? AND visitor_id = ?`, tx.TenantID, visitorID)
	if b.Error != nil {
		return false, b.Error
	}
	// Where they started conversations from, and a block: erased with them.
	for _, table := range []string{"conversation_starts", "visitor_blocks"} {
		if err := tx.DB.Exec(`DELETE FROM `+table+` WHERE tenant_id = ? AND visitor_id = ?`, tx.TenantID, visitorID).Error; err != nil {
			return false, err
		}
	}
	return v.RowsAffected+b.RowsAffected > 0, nil
}

// DeleteConversations deletes conversations with everything that hangs off
// them (messages, files, bookings, snooze timers) and returns how many
// messages went with them and the files, whose objects the caller deletes
// after commit. It locks the conversations first, as a sender does, so a
// message being written to one is either deleted with it or never written.
func (tx *Tx) DeleteConversations(ids []string) (int64, []File, error) {
	if len(ids) == 0 {
		return 0, nil, nil
	}
	var locked []string
	if err := tx.Locked().Table("conversations").Where("tenant_id = ? AND id IN ?", tx.TenantID, ids).Pluck("id", &locked).Error; err != nil {
		return 0, nil, err
	}
	files, err := tx.deleteConversationFiles(ids)
	if err != nil {
		return 0, nil, err
	}
	m := tx.DB.Exec(`DELETE FROM messages WHERE tenant_id = ? AND conversation_id IN ?`, tx.TenantID, ids)
	if m.Error != nil {
		return 0, nil, m.Error
	}
	if err := tx.DeleteReportRows(ids); err != nil {
		return 0, nil, err
	}
	for _, q := range []string{
		`DELETE FROM bookings WHERE tenant_id = ? AND conversation_id IN ?`,
		`DELETE FROM activities WHERE tenant_id = ? AND conversation_id IN ?`,
		`DELETE FROM conversations WHERE tenant_id = ? AND id IN ?`,
	} {
		if err := tx.DB.Exec(q, tx.TenantID, ids).Error; err != nil {
			return 0, nil, err
		}
	}
	err = tx.DB.Exec(`DELETE FROM timers WHERE kind = ? AND tenant_id = ? AND ref_id IN ?`, TimerSnooze, tx.TenantID, ids).Error
	return m.RowsAffected, files, err
}

// InactiveSince locks and lists up to limit conversations whose last
// activity is before t, least recent first. A conversation that a message
// revives while the lock is awaited no longer matches and is left out.
func (tx *Tx) InactiveSince(t time.Time, limit int) ([]string, error) {
	var out []string
	err := tx.Locked().Table("conversations").Where("tenant_id = ? AND last_activity_at < ?", tx.TenantID, t).
		Order("last_activity_at, id").Limit(limit).Pluck("id", &out).Error
	return out, err
}

// CountInactive counts the conversations inactive since t and their messages.
func (tx *Tx) CountInactive(t time.Time) (conversations, messages int64, err error) {
	old := tx.DB.Table("conversations").Where("tenant_id = ? AND last_activity_at < ?", tx.TenantID, t)
	if err = old.Count(&conversations).Error; err != nil || conversations == 0 {
		return conversations, 0, err
	}
	err = tx.DB.Table("messages").Where("tenant_id = ? AND conversation_id IN (?)", tx.TenantID,
		tx.DB.Table("conversations").Select("id").Where("tenant_id = ? AND last_activity_at < ?", tx.TenantID, t)).Count(&messages).Error
	return conversations, messages, err
}

// tenantTables are the tenant's rows other than conversations (which go
// with their messages, DeleteConversations) in the order they are deleted.
// outbox is included: an event of a deleted tenant is never published.
var tenantTables = append([]string{"visitors", "bookings", "files", "file_keys", "agents", "presence", "booking_locks", "timers", "entitlements", "outbox", "conversation_starts", "visitor_blocks"}, reportTables...)

// DeleteTenantRows deletes up to limit rows of one of the tenant's tables
// other than conversations and messages, and reports whether any were left
// to delete (call it until it says false).
func (tx *Tx) DeleteTenantRows(limit int) (bool, error) {
	for _, t := range tenantTables {
		// rowid/ctid would be faster, but a key every table has keeps one
		// query for both databases: each table's rows are picked by tenant.
		res := tx.DB.Exec(`DELETE FROM `+t+` WHERE tenant_id = ? AND `+rowKey(t)+` IN (SELECT `+rowKey(t)+` FROM `+t+` WHERE tenant_id = ? LIMIT ?)`,
			tx.TenantID, tx.TenantID, limit)
		if res.Error != nil {
			return false, res.Error
		}
		if res.RowsAffected > 0 {
			return true, nil
		}
	}
	return false, nil
}

// rowKey is a column that, with tenant_id, picks a table's rows for a batch.
func rowKey(table string) string {
	switch table {
	case "presence":
		return "agent_id"
	case "booking_locks", "entitlements", "file_keys":
		return "tenant_id"
	case "timers":
		return "ref_id"
	case "outbox":
		return "seq"
	case "conversation_starts", "visitor_blocks":
		return "visitor_id"
	case "report_conversations", "report_resolutions", "report_ratings", "report_misses":
		return "conversation_id"
	}
	return "id"
}

// AnyConversations lists up to limit of the tenant's conversations.
func (tx *Tx) AnyConversations(limit int) ([]string, error) {
	var out []string
	err := tx.DB.Table("conversations").Where("tenant_id = ?", tx.TenantID).Limit(limit).Pluck("id", &out).Error
	return out, err
}

// TakeLease takes (or renews) the named lease for holder until until,
// unless another holder has it and it has not expired at now.
func (tx *Tx) TakeLease(name, holder string, now, until time.Time) (bool, error) {
	res := tx.DB.Exec(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < ?`, name, holder, until, now)
	return res.RowsAffected == 1, res.Error
}

// ReleaseLease gives the named lease up if holder has it.
func (tx *Tx) ReleaseLease(name, holder string) error {
	return tx.DB.Exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder).Error
}
