package store

import (
	"time"

	"gorm.io/gorm/clause"
)

// Member is a row of members.
type Member struct {
	TenantID string
	UserID   string
	Name     string
	Email    string
	Role     string
	Locale   string // the language of their emails; empty is English
}

// SaveMember stores a member as identity last described them.
func (tx *Tx) SaveMember(m Member) error {
	m.TenantID = tx.TenantID
	// The row has no GORM primary key: name the conflict target, which
	// PostgreSQL requires (SQLite alone accepted it left out).
	return tx.DB.Table("members").Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "user_id"}}, UpdateAll: true}).Create(&m).Error
}

// RemoveMember forgets a member who left, with their alerts.
func (tx *Tx) RemoveMember(userID string) error {
	if err := tx.DB.Exec(`DELETE FROM agent_alerts WHERE tenant_id = ? AND agent_id = ?`, tx.TenantID, userID).Error; err != nil {
		return err
	}
	return tx.DB.Exec(`DELETE FROM members WHERE tenant_id = ? AND user_id = ?`, tx.TenantID, userID).Error
}

// Member loads one member; found is false for unknown ones.
func (tx *Tx) Member(userID string) (m Member, found bool, err error) {
	var rows []Member
	err = tx.DB.Table("members").Where("tenant_id = ? AND user_id = ?", tx.TenantID, userID).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return m, false, err
	}
	return rows[0], true, nil
}

// MemberIDs lists every member of the tenant.
func (tx *Tx) MemberIDs() ([]string, error) {
	var out []string
	err := tx.DB.Table("members").Where("tenant_id = ?", tx.TenantID).Order("user_id").Pluck("user_id", &out).Error
	return out, err
}

// SetPresence records whether an agent has a dashboard open.
func (tx *Tx) SetPresence(agentID string, online bool, at time.Time) error {
	return tx.DB.Exec(`INSERT INTO agent_presence (tenant_id, agent_id, online, changed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, agent_id) DO UPDATE SET online = excluded.online, changed_at = excluded.changed_at
		WHERE agent_presence.changed_at <= excluded.changed_at`, tx.TenantID, agentID, online, at.UTC()).Error
}

// Online reports whether an agent has a dashboard open (unknown: no).
func (tx *Tx) Online(agentID string) (bool, error) {
	var vals []bool
	err := tx.DB.Table("agent_presence").Where("tenant_id = ? AND agent_id = ?", tx.TenantID, agentID).Pluck("online", &vals).Error
	return len(vals) > 0 && vals[0], err
}

// Conversation is a row of conversations.
type Conversation struct {
	TenantID    string
	ID          string
	Status      string
	Handoff     string
	AssigneeID  string
	VisitorID   string
	VisitorName string
	Preview     string
	UpdatedAt   time.Time
}

// Conversation loads the last known state; found is false for unknown ones.
func (tx *Tx) Conversation(id string) (c Conversation, found bool, err error) {
	var rows []Conversation
	err = tx.DB.Table("conversations").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return c, false, err
	}
	return rows[0], true, nil
}

// SaveConversation stores a conversation's state unless a newer one is stored.
func (tx *Tx) SaveConversation(c Conversation) error {
	c.TenantID = tx.TenantID
	return tx.DB.Exec(`INSERT INTO conversations (tenant_id, id, status, handoff, assignee_id, visitor_id, visitor_name, preview, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, handoff = excluded.handoff,
		assignee_id = excluded.assignee_id, visitor_id = excluded.visitor_id, visitor_name = excluded.visitor_name,
		preview = excluded.preview, updated_at = excluded.updated_at
		WHERE conversations.updated_at <= excluded.updated_at`,
		c.TenantID, c.ID, c.Status, c.Handoff, c.AssigneeID, c.VisitorID, c.VisitorName, c.Preview, c.UpdatedAt.UTC()).Error
}

// Alert is a row of agent_alerts.
type Alert struct {
	TenantID       string
	AgentID        string
	ConversationID string
	Assigned       bool
	CreatedAt      time.Time
}

// AddAlert queues a conversation for an agent's next digest.
func (tx *Tx) AddAlert(agentID, conversationID string, assigned bool) error {
	return tx.DB.Exec(`INSERT INTO agent_alerts (tenant_id, agent_id, conversation_id, assigned, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, agent_id, conversation_id) DO UPDATE SET assigned = excluded.assigned`,
		tx.TenantID, agentID, conversationID, assigned, now()).Error
}

// ClearAlerts drops an agent's alerts (sent in a digest, or seen online).
func (tx *Tx) ClearAlerts(agentID string) error {
	return tx.DB.Exec(`DELETE FROM agent_alerts WHERE tenant_id = ? AND agent_id = ?`, tx.TenantID, agentID).Error
}

// Alerts lists an agent's alerts, oldest first, locked: a replica building
// the same digest waits, then finds them gone.
func (tx *Tx) Alerts(agentID string) ([]Alert, error) {
	var out []Alert
	err := tx.Locked().Table("agent_alerts").Where("tenant_id = ? AND agent_id = ?", tx.TenantID, agentID).Order("created_at").Find(&out).Error
	return out, err
}

// AgentsWithAlerts lists (tenant, agent) pairs that have alerts (global).
func (tx *Tx) AgentsWithAlerts(limit int) ([]Alert, error) {
	var out []Alert
	err := tx.DB.Table("agent_alerts").Select("DISTINCT tenant_id, agent_id").Limit(limit).Scan(&out).Error
	return out, err
}

// LastDigest is when the agent's last digest went out (zero: never).
func (tx *Tx) LastDigest(agentID string) (time.Time, error) {
	var rows []struct{ LastSentAt time.Time }
	err := tx.DB.Table("digests").Select("last_sent_at").Where("tenant_id = ? AND agent_id = ?", tx.TenantID, agentID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return time.Time{}, err
	}
	return rows[0].LastSentAt, nil
}

// SetLastDigest records a digest sent at t.
func (tx *Tx) SetLastDigest(agentID string, t time.Time) error {
	return tx.DB.Exec(`INSERT INTO digests (tenant_id, agent_id, last_sent_at) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, agent_id) DO UPDATE SET last_sent_at = excluded.last_sent_at`, tx.TenantID, agentID, t.UTC()).Error
}

// Pending is a row of visitor_pending.
type Pending struct {
	TenantID       string
	ConversationID string
	VisitorID      string
	Seq            int64 // the newest answer
	ReadSeq        int64 // what the visitor had read when it came
	DueAt          time.Time
}

// AddPending notes an unread answer; an answer while one is pending moves
// the newest seq on and keeps the first due time.
func (tx *Tx) AddPending(p Pending) error {
	return tx.DB.Exec(`INSERT INTO visitor_pending (tenant_id, conversation_id, visitor_id, seq, read_seq, due_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET seq = excluded.seq WHERE visitor_pending.seq < excluded.seq`,
		tx.TenantID, p.ConversationID, p.VisitorID, p.Seq, p.ReadSeq, p.DueAt.UTC()).Error
}

// ReadUpTo drops the pending answer of a conversation once read up to seq.
func (tx *Tx) ReadUpTo(conversationID string, seq int64) error {
	return tx.DB.Exec(`DELETE FROM visitor_pending WHERE tenant_id = ? AND conversation_id = ? AND seq <= ?`,
		tx.TenantID, conversationID, seq).Error
}

// TakePending removes and returns the pending answer of a conversation
// (locked, so two replicas never both take it); found is false when it is gone.
func (tx *Tx) TakePending(conversationID string) (p Pending, found bool, err error) {
	var rows []Pending
	err = tx.Locked().Table("visitor_pending").Where("tenant_id = ? AND conversation_id = ?", tx.TenantID, conversationID).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return p, false, err
	}
	err = tx.DB.Exec(`DELETE FROM visitor_pending WHERE tenant_id = ? AND conversation_id = ?`, tx.TenantID, conversationID).Error
	return rows[0], err == nil, err
}

// DuePending lists pending answers due by t, across tenants (global).
func (tx *Tx) DuePending(t time.Time, limit int) ([]Pending, error) {
	var out []Pending
	err := tx.DB.Table("visitor_pending").Where("due_at <= ?", t.UTC()).Order("due_at").Limit(limit).Find(&out).Error
	return out, err
}

// MembersSynced reports whether the tenant's member list was read once.
func (tx *Tx) MembersSynced() (bool, error) {
	var n int64
	err := tx.DB.Table("member_syncs").Where("tenant_id = ?", tx.TenantID).Count(&n).Error
	return n > 0, err
}

// SyncMembers stores the tenant's whole member list and marks it read.
// Members that events already brought are kept as they are (events are newer).
func (tx *Tx) SyncMembers(ms []Member) error {
	for _, m := range ms {
		m.TenantID = tx.TenantID
		if err := tx.DB.Table("members").Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
			return err
		}
	}
	return tx.DB.Exec(`INSERT INTO member_syncs (tenant_id, synced_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, tx.TenantID, now()).Error
}
