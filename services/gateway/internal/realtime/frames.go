package realtime

import (
	"encoding/json"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Frame types the server sends.
const (
	FrameHello               = "hello"                 // {type, role: agent|visitor, server_time}
	FrameMessageCreated      = "message.created"       // {type, message}
	FrameConversationUpdated = "conversation.updated"  // {type, conversation} (agents: Conversation, visitors: VisitorConversation)
	FrameTyping              = "typing"                // {type, conversation_id, author, typing}
	FrameRead                = "read"                  // {type, conversation_id, reader, seq}
	FramePresence            = "presence"              // {type, agent_id, author, status}
	FrameMessageAck          = "message.ack"           // {type, client_msg_id, message}
	FrameError               = "error"                 // {type, code, detail, client_msg_id?, retry_after?}
	FramePong                = "pong"                  // {type}
	FrameConversationsGone   = "conversations.deleted" // {type, conversation_ids} (agents)
	FrameMessageDeleted      = "message.deleted"       // {type, message, conversation?} (the conversation for agents only)
)

// Frame types the client sends.
const (
	FrameSend = "message.send" // {type, conversation_id, body, client_msg_id, private?, attachments?}
	FramePing = "ping"         // {type}
	// FrameTyping {type, conversation_id, typing} and FrameRead {type,
	// conversation_id, seq} are also sent by clients.
)

// ServerFrame is every frame the server sends; unused fields are omitted.
type ServerFrame struct {
	Type            string             `json:"type"`
	Role            string             `json:"role,omitempty"`
	ServerTime      string             `json:"server_time,omitempty"`
	Message         *contracts.Message `json:"message,omitempty"`
	Conversation    any                `json:"conversation,omitempty"`
	ConversationID  string             `json:"conversation_id,omitempty"`
	ConversationIDs []string           `json:"conversation_ids,omitempty"`
	Author          *contracts.Author  `json:"author,omitempty"`
	Typing          *bool              `json:"typing,omitempty"`
	Reader          *contracts.Author  `json:"reader,omitempty"`
	Seq             int64              `json:"seq,omitempty"`
	AgentID         string             `json:"agent_id,omitempty"`
	Status          string             `json:"status,omitempty"`
	ClientMsgID     string             `json:"client_msg_id,omitempty"`
	Code            string             `json:"code,omitempty"`
	Detail          string             `json:"detail,omitempty"`
	RetryAfter      int                `json:"retry_after,omitempty"` // seconds, with code rate_limited
	// Cursor (agents) is the stream sequence of the stored event a frame
	// comes from; ?cursor=N on connect resumes after it.
	Cursor uint64 `json:"cursor,omitempty"`
}

// ClientFrame is every frame a client may send.
type ClientFrame struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id,omitempty"`
	Body           string `json:"body,omitempty"`
	ClientMsgID    string `json:"client_msg_id,omitempty"`
	Private        bool   `json:"private,omitempty"`
	Typing         bool   `json:"typing,omitempty"`
	Seq            int64  `json:"seq,omitempty"`
	// Attachments of message.send: ids of files the sender uploaded.
	Attachments []string `json:"attachments,omitempty"`
}

func encodeFrame(f ServerFrame) []byte {
	b, _ := json.Marshal(f)
	return b
}
