package contracts

import (
	"encoding/json"
	"time"
)

// AuthorType says who wrote a message or acts on a conversation.
type AuthorType string

// Author types.
const (
	AuthorVisitor AuthorType = "visitor"
	AuthorAgent   AuthorType = "agent"
	AuthorBot     AuthorType = "bot"
	AuthorSystem  AuthorType = "system"
)

// Actor is the verified caller of a conversation request: a member (agent,
// admin or owner, Type agent), a visitor (from a visitor token), or a bot
// acting through a tenant API key.
type Actor struct {
	TenantID string     `json:"tenant_id"`
	Type     AuthorType `json:"type"`
	ID       string     `json:"id"`
	Role     Role       `json:"role,omitempty"` // members only
	Name     string     `json:"name,omitempty"` // members: their display name
	// Identity is set for visitors whose host site vouched for them (user_hash).
	Identity *VisitorIdentity `json:"identity,omitempty"`
	// IP is the client's address, set by the gateway for the audit log.
	IP string `json:"ip,omitempty"`
}

// Author is who wrote a message, as shown to readers.
type Author struct {
	Type AuthorType `json:"type"`
	ID   string     `json:"id,omitempty"`
	Name string     `json:"name,omitempty"`
	// AvatarURL is an agent's photo (AvatarPath), when they set one.
	AvatarURL string `json:"avatar_url,omitempty"`
}

// MessageKind is the shape of a message. Only text is written by people;
// the others are reserved for bots.
type MessageKind string

// Message kinds.
const (
	KindText         MessageKind = "text"
	KindQuickReplies MessageKind = "quick_replies"
	KindCard         MessageKind = "card"
	KindEvent        MessageKind = "event"
	// KindDeleted is a deleted message: no body, no files, its seq kept.
	KindDeleted MessageKind = "deleted"
)

// MaxBodyLength is the longest message body, in characters.
const MaxBodyLength = 10000

// Message is one message of a conversation. Seq is 1, 2, 3… per
// conversation with no gaps; a client that saw seq N asks for after_seq=N.
type Message struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	Seq            int64           `json:"seq"`
	Author         Author          `json:"author"`
	Body           string          `json:"body"`
	Kind           MessageKind     `json:"kind"`
	Payload        json.RawMessage `json:"payload,omitempty"`
	Private        bool            `json:"private"`
	ClientMsgID    string          `json:"client_msg_id,omitempty"`
	// Attachments are the message's files, with signed URLs; a message with
	// files may have an empty body.
	Attachments []Attachment `json:"attachments,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Visitor is what agents know of a visitor.
type Visitor struct {
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Email      string            `json:"email,omitempty"`
	Verified   bool              `json:"verified"`
	ExternalID string            `json:"external_id,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	CurrentURL string            `json:"current_url,omitempty"`
	UserAgent  string            `json:"user_agent,omitempty"`
	Locale     string            `json:"locale,omitempty"`
	Timezone   string            `json:"timezone,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	LastSeenAt time.Time         `json:"last_seen_at"`
}

// MessagePreview is the last public message of a conversation, for lists.
type MessagePreview struct {
	Seq       int64     `json:"seq"`
	Author    Author    `json:"author"`
	Body      string    `json:"body"` // at most 140 characters
	CreatedAt time.Time `json:"created_at"`
}

// Conversation statuses.
const (
	StatusOpen     = "open"
	StatusPending  = "pending"
	StatusSnoozed  = "snoozed"
	StatusResolved = "resolved"
)

// Conversation is a conversation as agents see it.
type Conversation struct {
	ID             string          `json:"id"`
	Status         string          `json:"status"`
	Handoff        string          `json:"handoff"` // bot, queued or agent (agent when no bot is involved)
	Queue          *QueuePlace     `json:"queue,omitempty"`
	AssigneeID     string          `json:"assignee_id,omitempty"`
	Assignee       *Author         `json:"assignee,omitempty"`
	Priority       string          `json:"priority"` // none, low, medium, high, urgent
	Labels         []string        `json:"labels"`
	SnoozeUntil    *time.Time      `json:"snooze_until,omitempty"`
	Visitor        Visitor         `json:"visitor"`
	LastMessage    *MessagePreview `json:"last_message,omitempty"`
	LastSeq        int64           `json:"last_seq"`
	UnreadCount    int             `json:"unread_count"` // visitor messages after AgentReadSeq
	AgentReadSeq   int64           `json:"agent_read_seq"`
	VisitorReadSeq int64           `json:"visitor_read_seq"`
	Resolutions    int             `json:"resolutions"`      // how many times it was resolved
	Rating         *Rating         `json:"rating,omitempty"` // the visitor's latest rating
	Survey         *SurveyPrompt   `json:"survey,omitempty"` // resolved and not rated yet
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	LastActivityAt time.Time       `json:"last_activity_at"`
}

// QueuePlace is where a queued conversation stands: its position among the
// tenant's queued conversations (1 is next) and the expected wait.
type QueuePlace struct {
	Position    int `json:"position"`
	WaitSeconds int `json:"wait_seconds"`
}

// VisitorConversation is a conversation as its visitor sees it: no labels,
// priority or internal details, and a last message that is never private.
type VisitorConversation struct {
	ID             string          `json:"id"`
	Status         string          `json:"status"`
	Handoff        string          `json:"handoff"`
	Queue          *QueuePlace     `json:"queue,omitempty"`
	Assignee       *Author         `json:"assignee,omitempty"`
	LastMessage    *MessagePreview `json:"last_message,omitempty"`
	LastSeq        int64           `json:"last_seq"`
	AgentReadSeq   int64           `json:"agent_read_seq"`
	VisitorReadSeq int64           `json:"visitor_read_seq"`
	Rating         *Rating         `json:"rating,omitempty"`
	Survey         *SurveyPrompt   `json:"survey,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	LastActivityAt time.Time       `json:"last_activity_at"`
}

// ForVisitor is the conversation as its visitor sees it.
func (c Conversation) ForVisitor() VisitorConversation {
	return VisitorConversation{
		ID: c.ID, Status: c.Status, Handoff: c.Handoff, Queue: c.Queue, Assignee: c.Assignee, LastMessage: c.LastMessage, LastSeq: c.LastSeq,
		AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, Rating: c.Rating, Survey: c.Survey,
		CreatedAt: c.CreatedAt, LastActivityAt: c.LastActivityAt,
	}
}

// SendRequest adds a message to a conversation. Sending is idempotent on
// (sender, ClientMsgID).
type SendRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	Body           string `json:"body"`
	ClientMsgID    string `json:"client_msg_id"`
	Private        bool   `json:"private,omitempty"`
	// Attachments are ids of files the same actor uploaded
	// (ConversationUploadAccept) and has not sent yet; at most MaxAttachments.
	Attachments []string `json:"attachments,omitempty"`
}

// StartRequest is a visitor's first message, which starts a conversation.
type StartRequest struct {
	Actor       Actor    `json:"actor"`
	Body        string   `json:"body"`
	ClientMsgID string   `json:"client_msg_id"`
	Attachments []string `json:"attachments,omitempty"` // as in SendRequest
	// The visitor's context, stored with the first message so that the bot's
	// first answer already knows it (optional, validated like VisitorUpdateRequest).
	CurrentURL *string `json:"current_url,omitempty"`
	Locale     *string `json:"locale,omitempty"`
	Timezone   *string `json:"timezone,omitempty"`
}

// SendResult is the stored message (the first one, on a retry) and its conversation.
type SendResult struct {
	Message      Message      `json:"message"`
	Conversation Conversation `json:"conversation"`
	Replayed     bool         `json:"replayed,omitempty"` // a retry: nothing new was stored
}

// ListRequest filters an agent's conversation list. Assignee is "me",
// "unassigned", a member id or empty (all).
type ListRequest struct {
	Actor     Actor  `json:"actor"`
	Handoff   string `json:"handoff,omitempty"`    // e.g. queued
	VisitorID string `json:"visitor_id,omitempty"` // one visitor's conversations
	Status    string `json:"status,omitempty"`
	Assignee  string `json:"assignee,omitempty"`
	Query     string `json:"q,omitempty"`
	Label     string `json:"label,omitempty"` // conversations carrying this label
	Cursor    string `json:"cursor,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// ConversationPage is a page of conversations, newest activity first.
type ConversationPage struct {
	Conversations []Conversation `json:"conversations"`
	NextCursor    string         `json:"next_cursor,omitempty"`
}

// VisitorConversations are a visitor's own conversations, newest first.
type VisitorConversations struct {
	Conversations []VisitorConversation `json:"conversations"`
}

// ConversationRequest addresses one conversation.
type ConversationRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
}

// UpdateRequest changes a conversation; nil fields are left alone.
// AssigneeID "" unassigns.
type UpdateRequest struct {
	Actor          Actor      `json:"actor"`
	ConversationID string     `json:"conversation_id"`
	Status         *string    `json:"status,omitempty"`
	SnoozeUntil    *time.Time `json:"snooze_until,omitempty"`
	AssigneeID     *string    `json:"assignee_id,omitempty"`
	Priority       *string    `json:"priority,omitempty"`
	Labels         *[]string  `json:"labels,omitempty"`
}

// MessagesRequest pages through messages after a sequence number.
type MessagesRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	AfterSeq       int64  `json:"after_seq"`
	Limit          int    `json:"limit,omitempty"`
}

// MessagePage is up to Limit messages after AfterSeq, in seq order.
type MessagePage struct {
	Messages []Message `json:"messages"`
	HasMore  bool      `json:"has_more"`
}

// ReadRequest records that the actor has read up to Seq.
type ReadRequest struct {
	Actor          Actor  `json:"actor"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
}

// Transcript is a whole conversation, for download.
type Transcript struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
}

// VisitorUpdateRequest records what a visitor told us (a pre-chat or offline
// form) or what the host page said of them. Nil fields are left alone.
type VisitorUpdateRequest struct {
	Actor      Actor              `json:"actor"`
	Name       *string            `json:"name,omitempty"`
	Email      *string            `json:"email,omitempty"`
	Attributes *map[string]string `json:"attributes,omitempty"`
	CurrentURL *string            `json:"current_url,omitempty"`
	UserAgent  *string            `json:"user_agent,omitempty"`
	Locale     *string            `json:"locale,omitempty"`
	Timezone   *string            `json:"timezone,omitempty"`
}

// VisitorRequest addresses one visitor of a tenant.
type VisitorRequest struct {
	TenantID  string `json:"tenant_id"`
	VisitorID string `json:"visitor_id"`
}

// PresenceRequest tells the conversation service that an agent connected or
// left (after the grace period). Gateways repeat "online" while the agent
// stays connected, as a heartbeat.
type PresenceRequest struct {
	TenantID  string `json:"tenant_id"`
	AgentID   string `json:"agent_id"`
	AgentName string `json:"agent_name"`
	GatewayID string `json:"gateway_id"` // an agent is online while any gateway holds a socket of theirs
	Online    bool   `json:"online"`
}

// OnlineAgents lists the agents a visitor may see as online.
type OnlineAgents struct {
	Agents []Author `json:"agents"`
}

// Conversation endpoints.
var (
	ConversationSend          = Endpoint[SendRequest, SendResult]{ServiceConversation, "send"}
	ConversationStart         = Endpoint[StartRequest, SendResult]{ServiceConversation, "start"}
	ConversationList          = Endpoint[ListRequest, ConversationPage]{ServiceConversation, "list"}
	ConversationListOwn       = Endpoint[ConversationRequest, VisitorConversations]{ServiceConversation, "list_own"}
	ConversationGet           = Endpoint[ConversationRequest, Conversation]{ServiceConversation, "get"}
	ConversationUpdate        = Endpoint[UpdateRequest, Conversation]{ServiceConversation, "update"}
	ConversationMessages      = Endpoint[MessagesRequest, MessagePage]{ServiceConversation, "messages"}
	ConversationRead          = Endpoint[ReadRequest, Empty]{ServiceConversation, "read"}
	ConversationTranscript    = Endpoint[ConversationRequest, Transcript]{ServiceConversation, "transcript"}
	ConversationVisitorUpdate = Endpoint[VisitorUpdateRequest, Visitor]{ServiceConversation, "visitor_update"}
	ConversationVisitorGet    = Endpoint[VisitorRequest, Visitor]{ServiceConversation, "visitor_get"}
	ConversationPresence      = Endpoint[PresenceRequest, Empty]{ServiceConversation, "presence"}
	ConversationOnlineAgents  = Endpoint[TenantIDRequest, OnlineAgents]{ServiceConversation, "online_agents"}
)

// MessageCreated carries a new message and what it did to its conversation:
// Brief always, and the whole Conversation only when the message changed more
// than a message's own fields (a new conversation, a reopening, a claim, a
// hand-off). Most messages carry no Conversation, so the event stays small
// and an agent's socket gets one frame for them.
type MessageCreated struct {
	Message      Message           `json:"message"`
	Brief        ConversationBrief `json:"brief"`
	Conversation *Conversation     `json:"conversation,omitempty"`
}

// Summary is the conversation as the message left it: the whole one when
// the event carries it, or else one made of the brief, with the message as
// its last message if it is public.
func (e MessageCreated) Summary() Conversation {
	if e.Conversation != nil {
		return *e.Conversation
	}
	b := e.Brief
	c := Conversation{ID: b.ID, Status: b.Status, Handoff: b.Handoff, AssigneeID: b.AssigneeID,
		Visitor: Visitor{ID: b.Visitor.ID, Name: b.Visitor.Name, Email: b.Visitor.Email}, LastSeq: b.LastSeq,
		UnreadCount: b.UnreadCount, AgentReadSeq: b.AgentReadSeq, VisitorReadSeq: b.VisitorReadSeq,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, LastActivityAt: e.Message.CreatedAt}
	if !e.Message.Private {
		body := []rune(e.Message.Body)
		c.LastMessage = &MessagePreview{Seq: e.Message.Seq, Author: e.Message.Author, Body: string(body[:min(len(body), 140)]), CreatedAt: e.Message.CreatedAt}
	}
	return c
}

// ConversationBrief is a conversation as a new message leaves it: the fields
// a message moves and whose it is.
type ConversationBrief struct {
	ID             string       `json:"id"`
	Status         string       `json:"status"`
	Handoff        string       `json:"handoff"`
	AssigneeID     string       `json:"assignee_id,omitempty"`
	Visitor        VisitorBrief `json:"visitor"`
	LastSeq        int64        `json:"last_seq"`
	UnreadCount    int          `json:"unread_count"`
	AgentReadSeq   int64        `json:"agent_read_seq"`
	VisitorReadSeq int64        `json:"visitor_read_seq"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// VisitorBrief is who a conversation's visitor is.
type VisitorBrief struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// BotAsked is a visitor's message to a conversation the bot answers (its
// hand-off is bot, or queued while the bot takes a follow-up address): the
// bot's own event, so that it never wakes for the other messages.
type BotAsked struct {
	Message Message `json:"message"`
}

// ConversationUpdated carries a conversation after a change.
type ConversationUpdated struct {
	Conversation Conversation `json:"conversation"`
}

// ConversationReadEvent says a reader has read a conversation up to Seq.
type ConversationReadEvent struct {
	ConversationID string `json:"conversation_id"`
	VisitorID      string `json:"visitor_id"`
	Reader         Author `json:"reader"`
	Seq            int64  `json:"seq"`
}

// AgentPresence says an agent came online or went offline.
type AgentPresence struct {
	Agent  Author `json:"agent"`
	Status string `json:"status"` // online or offline
}

// Typing is a typing indicator. It is not stored: gateways publish it on a
// core NATS subject (LiveTyping) and every gateway forwards it to the
// tenant's agents and, unless Private, to the conversation's visitor.
type Typing struct {
	ConversationID string `json:"conversation_id"`
	VisitorID      string `json:"visitor_id,omitempty"` // set when the visitor types
	Author         Author `json:"author"`
	Typing         bool   `json:"typing"`
	Private        bool   `json:"private,omitempty"`
}

// LiveTyping is the core NATS subject of a tenant's typing indicators; they
// are outside every stream on purpose (nothing to store or replay).
func LiveTyping(tenantID string) string { return "live." + tenantID + ".typing" }

// Conversation events.
var (
	ConversationMessageCreated = EventType{ServiceConversation, "message", "created", 1}
	ConversationBotAsked       = EventType{ServiceConversation, "bot", "asked", 1}
	ConversationUpdatedEvent   = EventType{ServiceConversation, "conversation", "updated", 1}
	ConversationReadDone       = EventType{ServiceConversation, "conversation", "read", 1}
	ConversationAgentPresence  = EventType{ServiceConversation, "agent", "presence", 1}
)
