package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// SendRich sends a quick_replies or card message from the team or the
// tenant's own bot (an API key). Idempotent like Send.
func (a *App) SendRich(ctx context.Context, r contracts.RichSendRequest) (contracts.SendResult, error) {
	if err := requireMember(r.Actor); err != nil {
		return contracts.SendResult{}, err
	}
	if err := domain.CheckClientMsgID(r.ClientMsgID); err != nil {
		return contracts.SendResult{}, err
	}
	payload, text, err := domain.CheckRich(r.Kind, r.Payload)
	if err != nil {
		return contracts.SendResult{}, err
	}
	return a.idempotent(ctx, r.Actor, r.ClientMsgID, func(tx *store.Tx) (contracts.SendResult, error) {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return contracts.SendResult{}, err
		}
		v, _, err := tx.Visitor(c.VisitorID)
		if err != nil {
			return contracts.SendResult{}, err
		}
		return a.appendDraft(tx, c, v, draft{actor: r.Actor, kind: r.Kind, body: text, payload: payload, clientMsgID: r.ClientMsgID}, a.now())
	})
}

// TryFAQ shows an admin what the bot's FAQ would answer to a question.
func (a *App) TryFAQ(ctx context.Context, r contracts.FAQTryRequest) (contracts.FAQTryResult, error) {
	out := contracts.FAQTryResult{Matches: []contracts.FAQMatch{}}
	if !r.Principal.Role.CanAdminister() {
		return out, apperr.New(apperr.Forbidden, "only owners and admins can try the bot")
	}
	if len([]rune(r.Question)) > 1000 {
		return out, apperr.InvalidField("question", "question must be at most 1000 characters")
	}
	bot, err := a.bots.Get(ctx, r.Principal.TenantID)
	if err != nil {
		return out, err
	}
	if m := bot.Index.Match(r.Question, 5); len(m) > 0 {
		out.Matches = m
		out.Answered = m[0].Score >= bot.FAQ.Threshold
	}
	return out, nil
}
