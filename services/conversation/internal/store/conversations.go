package store

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"gorm.io/gorm"
)

// Conversation is a row of conversations: the domain's entity, whose field
// names are the columns.
type Conversation = domain.Conversation

// CreateConversation inserts a conversation.
func (tx *Tx) CreateConversation(c *Conversation) error {
	c.TenantID = tx.TenantID
	return tx.DB.Table("conversations").Create(c).Error
}

// Conversation loads a conversation of the tenant.
func (tx *Tx) Conversation(id string) (Conversation, error) {
	return tx.loadConversation(id, "")
}

// LockConversation loads a conversation and locks it until the transaction ends.
func (tx *Tx) LockConversation(id string) (Conversation, error) {
	lock := ""
	if tx.DB.Dialector.Name() == "postgres" {
		lock = " FOR UPDATE" // SQLite serialises writers on its single connection
	}
	return tx.loadConversation(id, lock)
}

// conversationColumns are the columns of a Conversation, in scan order.
const conversationColumns = `id, tenant_id, visitor_id, status, assignee_id, priority, labels, snooze_until,
	last_seq, agent_read_seq, visitor_read_seq, unread_count, preview_seq, preview_body, preview_author_type,
	preview_author_id, preview_author_name, preview_at, created_at, updated_at, last_activity_at, handoff,
	bot_state, bot_misses, queued_at, handed_at, resolutions, survey_resolution, survey_scale, rating`

// loadConversation reads one conversation with an explicit scan: every
// message loads its conversation, and GORM's reflection cost as much as the
// query.
func (tx *Tx) loadConversation(id, lock string) (Conversation, error) {
	var c Conversation
	err := tx.DB.Raw(`SELECT `+conversationColumns+` FROM conversations WHERE tenant_id = ? AND id = ?`+lock, tx.TenantID, id).Row().Scan(
		&c.ID, &c.TenantID, &c.VisitorID, &c.Status, &c.AssigneeID, &c.Priority, &c.Labels, &c.SnoozeUntil,
		&c.LastSeq, &c.AgentReadSeq, &c.VisitorReadSeq, &c.UnreadCount, &c.PreviewSeq, &c.PreviewBody, &c.PreviewAuthorType,
		&c.PreviewAuthorID, &c.PreviewAuthorName, &c.PreviewAt, &c.CreatedAt, &c.UpdatedAt, &c.LastActivityAt, &c.Handoff,
		&c.BotState, &c.BotMisses, &c.QueuedAt, &c.HandedAt, &c.Resolutions, &c.SurveyResolution, &c.SurveyScale, &c.Rating)
	if errors.Is(err, sql.ErrNoRows) {
		err = gorm.ErrRecordNotFound
	}
	return c, notFound(err, "conversation")
}

// SaveConversation writes every field of c back.
func (tx *Tx) SaveConversation(c *Conversation) error {
	return tx.DB.Table("conversations").Where("tenant_id = ? AND id = ?", tx.TenantID, c.ID).Select("*").Omit("id", "tenant_id", "created_at").Updates(c).Error
}

// AdvanceConversation writes only the fields a message moves (see
// Conversation.OnlyHotChanged): the common case of every send.
func (tx *Tx) AdvanceConversation(c *Conversation) error {
	return tx.DB.Exec(`UPDATE conversations SET last_seq = ?, agent_read_seq = ?, visitor_read_seq = ?, unread_count = ?,
		preview_seq = ?, preview_body = ?, preview_author_type = ?, preview_author_id = ?, preview_author_name = ?, preview_at = ?,
		updated_at = ?, last_activity_at = ? WHERE tenant_id = ? AND id = ?`,
		c.LastSeq, c.AgentReadSeq, c.VisitorReadSeq, c.UnreadCount,
		c.PreviewSeq, c.PreviewBody, c.PreviewAuthorType, c.PreviewAuthorID, c.PreviewAuthorName, c.PreviewAt,
		c.UpdatedAt, c.LastActivityAt, tx.TenantID, c.ID).Error
}

// Filter selects conversations for an agent's list.
type Filter struct {
	Handoff    string
	VisitorID  string
	Status     string
	AssigneeID string // a member id
	Unassigned bool
	Query      string
	Label      string // one label the conversation carries
	Cursor     string
	Limit      int
}

// ListConversations returns conversations by newest activity, and the cursor of the next page.
func (tx *Tx) ListConversations(f Filter) ([]Conversation, string, error) {
	q := tx.DB.Table("conversations").Where("tenant_id = ?", tx.TenantID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.VisitorID != "" {
		q = q.Where("visitor_id = ?", f.VisitorID)
	}
	if f.Handoff != "" {
		q = q.Where("handoff = ?", f.Handoff)
	}
	if f.Unassigned {
		q = q.Where("assignee_id IS NULL")
	} else if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.Query != "" {
		q = tx.search(q, f.Query)
	}
	if f.Label != "" {
		// labels is a JSON array of strings: match the label's JSON form, quotes included.
		quoted, _ := json.Marshal(f.Label)
		q = q.Where(`labels LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(string(quoted))+"%")
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", apperr.InvalidField("cursor", "cursor is not one this server gave out")
		}
		q = q.Where("last_activity_at < ? OR (last_activity_at = ? AND id < ?)", at, at, id)
	}
	var rows []Conversation
	if err := q.Order("last_activity_at DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		next = encodeCursor(last.LastActivityAt, last.ID)
	}
	return rows, next, nil
}

var words = regexp.MustCompile(`[\p{L}\p{N}]+`)

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// search matches message text (private notes included: only agents list)
// and the visitor's name or email. On PostgreSQL message text goes through
// the full-text index with prefix matching; SQLite uses LIKE.
func (tx *Tx) search(q *gormDB, query string) *gormDB {
	like := "%" + likeEscaper.Replace(strings.ToLower(query)) + "%"
	visitors := tx.DB.Table("visitors").Select("id").Where(`tenant_id = ? AND (lower(name) LIKE ? ESCAPE '\' OR lower(email) LIKE ? ESCAPE '\')`, tx.TenantID, like, like)
	var text *gormDB
	if tx.DB.Dialector.Name() == "postgres" {
		terms := words.FindAllString(strings.ToLower(query), 8)
		if len(terms) == 0 {
			return q.Where("visitor_id IN (?)", visitors)
		}
		tsq := strings.Join(terms, ":* & ") + ":*"
		text = tx.DB.Table("messages").Select("conversation_id").Where(`tenant_id = ? AND to_tsvector('simple', body) @@ to_tsquery('simple', ?)`, tx.TenantID, tsq)
	} else {
		text = tx.DB.Table("messages").Select("conversation_id").Where(`tenant_id = ? AND lower(body) LIKE ? ESCAPE '\'`, tx.TenantID, like)
	}
	return q.Where("id IN (?) OR visitor_id IN (?)", text, visitors)
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return time.Time{}, "", apperr.New(apperr.Invalid, "bad cursor")
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	return at, id, err
}

// VisitorConversations lists a visitor's conversations, newest activity first.
func (tx *Tx) VisitorConversations(visitorID string, limit int) ([]Conversation, error) {
	var rows []Conversation
	err := tx.DB.Table("conversations").Where("tenant_id = ? AND visitor_id = ?", tx.TenantID, visitorID).
		Order("last_activity_at DESC, id DESC").Limit(limit).Find(&rows).Error
	return rows, err
}

// QueuedConversations are open, unassigned conversations, oldest first.
func (tx *Tx) QueuedConversations(limit int) ([]string, error) {
	var ids []string
	err := tx.DB.Table("conversations").Where("tenant_id = ? AND status = ? AND assignee_id IS NULL AND handoff <> ?", tx.TenantID, contracts.StatusOpen, contracts.HandoffBot).
		Order("coalesce(queued_at, created_at), id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// OpenCounts counts each agent's open and pending conversations.
func (tx *Tx) OpenCounts() (map[string]int, error) {
	var rows []struct {
		AssigneeID string
		N          int
	}
	err := tx.DB.Table("conversations").Select("assignee_id, count(*) AS n").
		Where("tenant_id = ? AND assignee_id IS NOT NULL AND status IN ?", tx.TenantID, []string{contracts.StatusOpen, contracts.StatusPending}).
		Group("assignee_id").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.AssigneeID] = r.N
	}
	return out, err
}

// AssignedOpen lists an agent's open and pending conversations.
func (tx *Tx) AssignedOpen(agentID string) ([]string, error) {
	var ids []string
	err := tx.DB.Table("conversations").Where("tenant_id = ? AND assignee_id = ? AND status IN ?", tx.TenantID, agentID,
		[]string{contracts.StatusOpen, contracts.StatusPending}).Pluck("id", &ids).Error
	return ids, err
}

// waiting is Waiting as a query.
func (tx *Tx) waiting() *gorm.DB {
	return tx.DB.Table("conversations").Where("tenant_id = ? AND handoff = ? AND status = ? AND assignee_id IS NULL",
		tx.TenantID, contracts.HandoffQueued, contracts.StatusOpen)
}

// QueuePosition is a waiting conversation's place (1 is next) among the
// tenant's waiting conversations, by the time they were queued.
func (tx *Tx) QueuePosition(c Conversation) (int, error) {
	if c.QueuedAt == nil {
		return 0, nil
	}
	var n int64
	err := tx.waiting().Where("queued_at < ? OR (queued_at = ? AND id < ?)", *c.QueuedAt, *c.QueuedAt, c.ID).Count(&n).Error
	return int(n) + 1, err
}

// QueuedList lists waiting conversations, first in line first.
func (tx *Tx) QueuedList(limit int) ([]Conversation, error) {
	var rows []Conversation
	err := tx.waiting().Order("queued_at, id").Limit(limit).Find(&rows).Error
	return rows, err
}

// AverageWait is the mean time recent conversations spent queued (0 with no history).
func (tx *Tx) AverageWait(last int) (time.Duration, error) {
	var rows []struct {
		QueuedAt time.Time
		HandedAt time.Time
	}
	err := tx.DB.Table("conversations").Select("queued_at, handed_at").
		Where("tenant_id = ? AND queued_at IS NOT NULL AND handed_at IS NOT NULL", tx.TenantID).
		Order("handed_at DESC").Limit(last).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	var total time.Duration
	for _, r := range rows {
		total += max(0, r.HandedAt.Sub(r.QueuedAt))
	}
	return total / time.Duration(len(rows)), nil
}
