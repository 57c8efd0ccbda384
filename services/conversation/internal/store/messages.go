package store

import (
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
)

// Message is a row of messages.
type Message struct {
	ID             string
	TenantID       string
	ConversationID string
	Seq            int64
	AuthorType     string
	AuthorID       string
	AuthorName     string
	Body           string
	Kind           string
	Payload        *string
	Private        bool
	ClientMsgID    *string
	CreatedAt      time.Time
	// Files are the message's attachments when the caller loaded them.
	Files []File `gorm:"-"`
}

// Contract is the message as clients see it.
func (m Message) Contract() contracts.Message {
	out := contracts.Message{
		ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq,
		Author: contracts.Author{Type: contracts.AuthorType(m.AuthorType), ID: m.AuthorID, Name: m.AuthorName},
		Body:   m.Body, Kind: contracts.MessageKind(m.Kind), Private: m.Private, CreatedAt: m.CreatedAt,
	}
	if m.Payload != nil {
		out.Payload = json.RawMessage(*m.Payload)
	}
	if m.ClientMsgID != nil {
		out.ClientMsgID = *m.ClientMsgID
	}
	return out
}

// MessageByClientID finds the message a sender sent with clientMsgID.
func (tx *Tx) MessageByClientID(authorType contracts.AuthorType, authorID, clientMsgID string) (Message, bool, error) {
	var m Message
	err := tx.DB.Table("messages").Where("tenant_id = ? AND author_type = ? AND author_id = ? AND client_msg_id = ?",
		tx.TenantID, authorType, authorID, clientMsgID).Take(&m).Error
	if db.IsNotFound(err) {
		return m, false, nil
	}
	return m, err == nil, err
}

// InsertMessage stores a message; a reused client_msg_id is a duplicate-key error.
func (tx *Tx) InsertMessage(m *Message) error {
	m.TenantID = tx.TenantID
	return tx.DB.Table("messages").Create(m).Error
}

// Messages returns up to limit messages after afterSeq, in order, and
// whether more follow. Visitors' reads pass includePrivate=false.
func (tx *Tx) Messages(conversationID string, afterSeq int64, limit int, includePrivate bool) ([]Message, bool, error) {
	q := tx.DB.Table("messages").Where("tenant_id = ? AND conversation_id = ? AND seq > ?", tx.TenantID, conversationID, afterSeq)
	if !includePrivate {
		q = q.Where("private = ?", false)
	}
	var rows []Message
	if err := q.Order("seq").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, false, err
	}
	if len(rows) > limit {
		return rows[:limit], true, nil
	}
	return rows, false, nil
}

// CountVisitorMessagesAfter counts the visitor's messages after seq.
func (tx *Tx) CountVisitorMessagesAfter(conversationID string, seq int64) (int, error) {
	var n int64
	err := tx.DB.Table("messages").Where("tenant_id = ? AND conversation_id = ? AND seq > ? AND author_type = ?",
		tx.TenantID, conversationID, seq, contracts.AuthorVisitor).Count(&n).Error
	return int(n), err
}

// Message loads a message of a conversation.
func (tx *Tx) Message(conversationID, id string) (Message, error) {
	var m Message
	err := tx.DB.Table("messages").Where("tenant_id = ? AND conversation_id = ? AND id = ?", tx.TenantID, conversationID, id).Take(&m).Error
	return m, notFound(err, "message")
}

// BlankMessage makes a message a deleted one: no body, no payload, same seq.
func (tx *Tx) BlankMessage(m *Message) error {
	m.Kind, m.Body, m.Payload = string(contracts.KindDeleted), "", nil
	return tx.DB.Exec(`UPDATE messages SET kind = ?, body = '', payload = NULL WHERE tenant_id = ? AND id = ?`, m.Kind, tx.TenantID, m.ID).Error
}
