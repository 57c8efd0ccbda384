package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// Reply is a visitor's answer by email, already verified (the reply
// address's signed token named the tenant, conversation and visitor) and
// stripped of quotes and signature.
type Reply struct {
	TenantID       string
	ConversationID string
	VisitorID      string
	// MessageID is the email's Message-ID: the same email delivered twice
	// (a sending server's retry) becomes one message.
	MessageID string
	Body      string
}

// ReceiveReply adds the reply to its conversation as a message of its
// visitor, live in the inbox like any other. The conversation service checks
// that the visitor owns the conversation (NotFound otherwise).
func (a *App) ReceiveReply(ctx context.Context, r Reply) (contracts.Message, error) {
	body := strings.TrimSpace(r.Body)
	if body == "" {
		return contracts.Message{}, apperr.InvalidField("body", "the reply has no text")
	}
	if utf8.RuneCountInString(body) > contracts.MaxBodyLength {
		body = string([]rune(body)[:contracts.MaxBodyLength-1]) + "…"
	}
	key := sha256.Sum256([]byte(r.TenantID + "\x00" + r.ConversationID + "\x00" + r.MessageID))
	res, err := natsx.Call(ctx, a.nc, contracts.ConversationSend, contracts.SendRequest{
		Actor:          contracts.Actor{TenantID: r.TenantID, Type: contracts.AuthorVisitor, ID: r.VisitorID},
		ConversationID: r.ConversationID, Body: body, ClientMsgID: "email-" + hex.EncodeToString(key[:16]),
	})
	return res.Message, err
}
