// Package domain is what notify sends and to whom: the email as a value
// (recipient, subject, text and HTML, threading headers), its stable id, the
// languages it speaks and the rules that pick its recipients. It imports no
// SMTP, GORM or NATS.
//
// Invariants: an Email's ID is derived from what caused it (an event, a
// conversation and the last answer it carries, a digest window), never
// random, so a cause that is processed twice yields the same ID and the
// delivery record keyed by it lets only one copy out.
package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Kind is what an email is for.
type Kind string

// Kinds of email.
const (
	KindInvite        Kind = "invite"
	KindPasswordReset Kind = "password_reset"
	KindEmailChange   Kind = "email_change"
	KindVisitorReply  Kind = "visitor_reply"
	KindTranscript    Kind = "transcript"
	KindAgentDigest   Kind = "agent_digest"
	KindExportReady   Kind = "export_ready"
	KindExportFailed  Kind = "export_failed"
	KindSurvey        Kind = "survey" // "How did we do?" after a resolution
)

// ToVisitor reports whether the kind goes to a visitor, so it carries
// List-Unsubscribe. Only unrequested visitor email (answers, surveys) is
// suppressed by an unsubscribe; a transcript is sent because the visitor
// asked for it.
func (k Kind) ToVisitor() bool {
	return k == KindVisitorReply || k == KindTranscript || k == KindSurvey
}

// Suppressible reports whether an unsubscribe stops this kind.
func (k Kind) Suppressible() bool { return k == KindVisitorReply || k == KindSurvey }

// Email is one email, ready to send.
type Email struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	TenantID string `json:"tenant_id"`
	To       string `json:"to"`
	ToName   string `json:"to_name,omitempty"`
	// FromName replaces the display name of the configured sender (the
	// tenant's name on visitor email); the address stays the configured one.
	FromName string `json:"from_name,omitempty"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
	// Thread is the per-conversation thread id: conversation emails set it
	// as In-Reply-To and References, so mail clients group them.
	Thread string `json:"thread,omitempty"`
	// ReplyTo is the signed reply address of a conversation email.
	ReplyTo string `json:"reply_to,omitempty"`
	// Unsubscribe is the one-click unsubscribe URL of a visitor email.
	Unsubscribe string `json:"unsubscribe,omitempty"`
	// VisitorID and ConversationID say whom and what a visitor email is
	// about, so that an erasure finds it (in the database and the stream).
	VisitorID      string `json:"visitor_id,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
}

// EmailID derives the stable id of an email from its cause: the parts are
// joined and hashed, so the same cause always gives the same id.
func EmailID(kind Kind, parts ...string) string {
	h := sha256.Sum256([]byte(string(kind) + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// NormalizeEmail is how addresses are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
