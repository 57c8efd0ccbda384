package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Start is a visitor's first message: it creates the conversation and routes
// it to an online agent. Retrying with the same client_msg_id returns the
// first result and creates nothing.
func (a *App) Start(ctx context.Context, r contracts.StartRequest) (contracts.SendResult, error) {
	if r.Actor.Type != contracts.AuthorVisitor {
		return contracts.SendResult{}, apperr.New(apperr.Forbidden, "only visitors start conversations")
	}
	if err := checkMessage(r.Body, r.ClientMsgID, r.Attachments); err != nil {
		return contracts.SendResult{}, err
	}
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return contracts.SendResult{}, err
	}
	bot, err := a.bots.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return contracts.SendResult{}, err
	}
	quota := a.startQuota(ctx, r.Actor)
	return a.idempotent(ctx, r.Actor, r.ClientMsgID, func(tx *store.Tx) (contracts.SendResult, error) {
		if err := a.admit(tx, quota); err != nil {
			return contracts.SendResult{}, err
		}
		now := a.now()
		v, err := a.touchVisitor(tx, r.Actor, now)
		if err != nil {
			return contracts.SendResult{}, err
		}
		if r.CurrentURL != nil || r.Locale != nil || r.Timezone != nil {
			// Stored before the message's event, which the bot answers from.
			err := applyVisitorUpdate(&v, contracts.VisitorUpdateRequest{CurrentURL: r.CurrentURL, Locale: r.Locale, Timezone: r.Timezone})
			if err == nil {
				err = tx.SaveVisitor(&v, true)
			}
			if err != nil {
				return contracts.SendResult{}, err
			}
		}
		// With the bot on, the conversation starts with the bot (which answers
		// the first message from its event); otherwise it goes to the team.
		handoff := contracts.HandoffAgent
		if bot.Enabled {
			handoff = contracts.HandoffBot
		}
		c := store.Conversation{ID: ids.New(), VisitorID: r.Actor.ID, Status: contracts.StatusOpen, Priority: "none",
			CreatedAt: now, UpdatedAt: now, LastActivityAt: now, Handoff: handoff}
		c.SetLabels([]string{})
		if err := tx.CreateConversation(&c); err != nil {
			return contracts.SendResult{}, err
		}
		if !bot.Enabled {
			if err := reachedTeam(tx, &c, contracts.Author{Type: contracts.AuthorVisitor, ID: r.Actor.ID}, now); err != nil {
				return contracts.SendResult{}, err
			}
		}
		res, err := a.appendDraft(tx, c, v, draft{actor: r.Actor, kind: contracts.KindText, body: r.Body, clientMsgID: r.ClientMsgID, files: r.Attachments}, now)
		if err != nil || bot.Enabled {
			return res, err
		}
		assigned, err := a.fillQueue(tx, settings.AgentOpenLimit, now)
		if err != nil {
			return res, err
		}
		if assigned[c.ID] != "" { // the new conversation found an agent: show it assigned
			if res.Conversation, err = reload(tx, c.ID); err != nil {
				return res, err
			}
		}
		return res, nil
	})
}

// Send adds a message to an existing conversation. Idempotent like Start.
// Sends queue for the group-commit writer (see batch.go).
func (a *App) Send(ctx context.Context, r contracts.SendRequest) (contracts.SendResult, error) {
	if err := checkMessage(r.Body, r.ClientMsgID, r.Attachments); err != nil {
		return contracts.SendResult{}, err
	}
	if r.Private && r.Actor.Type == contracts.AuthorVisitor {
		return contracts.SendResult{}, apperr.InvalidField("private", "visitors cannot write private notes")
	}
	return a.sends.send(ctx, r)
}

// sendIn stores a send in tx. A client_msg_id its sender already used makes
// the INSERT fail on the unique index (a duplicate-key error, which rolls
// the send back): the caller then replays the stored message. Retries are
// rare, so the common send skips a SELECT for them.
func (a *App) sendIn(tx *store.Tx, r contracts.SendRequest) (contracts.SendResult, error) {
	// Locking the conversation serialises its senders: seq = last_seq + 1 is theirs alone.
	c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
	if err != nil {
		return contracts.SendResult{}, err
	}
	now := a.now()
	var v store.Visitor
	if r.Actor.Type == contracts.AuthorVisitor {
		v, err = a.touchVisitor(tx, r.Actor, now)
	} else {
		v, _, err = tx.Visitor(c.VisitorID)
	}
	if err != nil {
		return contracts.SendResult{}, err
	}
	return a.appendDraft(tx, c, v, draft{actor: r.Actor, kind: contracts.KindText, body: r.Body, private: r.Private, clientMsgID: r.ClientMsgID, files: r.Attachments}, now)
}

func checkMessage(body, clientMsgID string, files []string) error {
	if err := domain.CheckMessageContent(body, files); err != nil {
		return err
	}
	return domain.CheckClientMsgID(clientMsgID)
}

// idempotent runs write in its own transaction unless the sender already
// sent clientMsgID. Two identical requests racing each other collide on the
// unique index; the loser's transaction rolls back whole (its seq with it)
// and it returns the winner's message.
func (a *App) idempotent(ctx context.Context, actor contracts.Actor, clientMsgID string, write func(*store.Tx) (contracts.SendResult, error)) (contracts.SendResult, error) {
	var res contracts.SendResult
	for attempt := 0; ; attempt++ {
		err := a.store.Tenant(ctx, actor.TenantID, func(tx *store.Tx) error {
			var ok bool
			var err error
			if res, ok, err = a.replay(tx, actor, clientMsgID); ok || err != nil {
				return err
			}
			res, err = write(tx)
			return err
		})
		if db.IsDuplicate(err) && attempt == 0 {
			continue
		}
		return res, err
	}
}

// replay returns the message a sender already sent with clientMsgID.
func (a *App) replay(tx *store.Tx, actor contracts.Actor, clientMsgID string) (contracts.SendResult, bool, error) {
	m, ok, err := tx.MessageByClientID(actor.Type, actor.ID, clientMsgID)
	if !ok || err != nil {
		return contracts.SendResult{}, false, err
	}
	c, err := conversationFor(tx, actor, m.ConversationID, false)
	if err != nil {
		return contracts.SendResult{}, false, err
	}
	out, err := a.messagesOut(tx, []store.Message{m}, true)
	if err != nil {
		return contracts.SendResult{}, false, err
	}
	res := contracts.SendResult{Message: out[0], Replayed: true}
	res.Conversation, err = view(tx, c)
	return res, true, err
}

// draft is a message about to be written.
type draft struct {
	actor       contracts.Actor // who writes (agents' replies also claim the conversation)
	kind        contracts.MessageKind
	body        string
	payload     json.RawMessage
	private     bool
	clientMsgID string   // "" when the writer has none (the bot and system lines use derived ids)
	files       []string // ids of the writer's unsent files it sends
}

// appendDraft writes a message and publishes it. An agent's public reply to
// a conversation the bot or the queue has is also the take-over: the system
// line saying they joined comes first.
func (a *App) appendDraft(tx *store.Tx, c store.Conversation, v store.Visitor, d draft, now time.Time) (contracts.SendResult, error) {
	before := c
	var msgs []store.Message
	if d.actor.Type == contracts.AuthorAgent && !d.private && c.Handoff != contracts.HandoffAgent {
		joined, err := a.join(tx, &c, v, d.actor, now)
		if err != nil {
			return contracts.SendResult{}, err
		}
		msgs = append(msgs, joined)
	}
	m, err := a.write(tx, &c, v, d, now)
	if err != nil {
		return contracts.SendResult{}, err
	}
	// Most messages change only the hot fields: write and announce just those.
	hot := c.OnlyHotChanged(before) && c.LastSeq > 1
	if hot {
		err = tx.AdvanceConversation(&c)
	} else {
		err = tx.SaveConversation(&c)
	}
	if err != nil {
		return contracts.SendResult{}, err
	}
	conv, out, err := a.announce(tx, c, v, !hot, append(msgs, m)...)
	return contracts.SendResult{Message: out, Conversation: conv}, err
}

// write stores one message as the conversation's next seq (c must be locked
// or new) and updates c in memory: preview, activity, unread count, read
// marks, reopening on a visitor's message, an agent's reply claiming an
// unassigned conversation. The caller saves c once with publish.
func (a *App) write(tx *store.Tx, c *store.Conversation, v store.Visitor, d draft, now time.Time) (store.Message, error) {
	seq := c.NextSeq()
	m := store.Message{ID: ids.New(), ConversationID: c.ID, Seq: seq, AuthorType: string(d.actor.Type),
		AuthorID: d.actor.ID, AuthorName: authorName(d.actor, v), Body: d.body, Kind: string(d.kind),
		Private: d.private, CreatedAt: now}
	if d.clientMsgID != "" {
		m.ClientMsgID = &d.clientMsgID
	}
	if d.payload != nil {
		p := string(d.payload)
		m.Payload = &p
	}
	if err := tx.InsertMessage(&m); err != nil {
		return m, err
	}
	if err := attachFiles(tx, d.actor, &m, d.files); err != nil {
		return m, err
	}
	preview := ""
	if !d.private {
		preview = domain.Preview(d.body)
		if preview == "" && len(m.Files) > 0 {
			preview = domain.Preview("📎 " + m.Files[0].Name)
		}
	}
	author := contracts.Author{Type: d.actor.Type, ID: d.actor.ID, Name: m.AuthorName}
	did := c.Append(domain.Post{Seq: seq, Author: author, Private: d.private, Preview: preview}, now)
	if did.Claimed {
		a.names.remember(c.TenantID, d.actor.ID, d.actor.Name)
	}
	if did.ReopenedFrom != "" {
		if did.ReopenedFrom == contracts.StatusSnoozed {
			if err := tx.ClearTimer(store.TimerSnooze, c.ID); err != nil {
				return m, err
			}
		}
		if err := statusChanged(tx, c, did.ReopenedFrom, author, now); err != nil {
			return m, err
		}
	}
	return m, nil
}

// publish saves the conversation and announces its new messages with the
// whole conversation (its callers change more than the hot fields).
func (a *App) publish(tx *store.Tx, c store.Conversation, v store.Visitor, msgs ...store.Message) (contracts.Conversation, error) {
	if err := tx.SaveConversation(&c); err != nil {
		return contracts.Conversation{}, err
	}
	conv, _, err := a.announce(tx, c, v, true, msgs...)
	return conv, err
}

// announce emits each new message with the brief of its conversation and,
// when whole, the conversation itself; a visitor's message to a conversation
// the bot answers is also the bot's bot.asked. It returns the conversation
// as it now is and the last message.
func (a *App) announce(tx *store.Tx, c store.Conversation, v store.Visitor, whole bool, msgs ...store.Message) (contracts.Conversation, contracts.Message, error) {
	conv, err := a.viewWith(tx, c, v)
	if err != nil {
		return conv, contracts.Message{}, err
	}
	ev := contracts.MessageCreated{Brief: brief(c, v)}
	if whole {
		ev.Conversation = &conv
	}
	for _, m := range msgs {
		if ev.Message, err = a.messageOut(tx, m); err != nil {
			return conv, ev.Message, err
		}
		if err := tx.Emit(contracts.ConversationMessageCreated, ev); err != nil {
			return conv, ev.Message, err
		}
		if m.AuthorType == string(contracts.AuthorVisitor) && (c.Handoff == contracts.HandoffBot || c.Handoff == contracts.HandoffQueued) {
			if err := tx.Emit(contracts.ConversationBotAsked, contracts.BotAsked{Message: ev.Message}); err != nil {
				return conv, ev.Message, err
			}
		}
	}
	return conv, ev.Message, nil
}

func brief(c store.Conversation, v store.Visitor) contracts.ConversationBrief {
	return contracts.ConversationBrief{ID: c.ID, Status: c.Status, Handoff: c.Handoff, AssigneeID: c.Assignee(),
		Visitor: contracts.VisitorBrief{ID: v.ID, Name: v.Name, Email: v.Email}, LastSeq: c.LastSeq, UnreadCount: c.UnreadCount,
		AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func reload(tx *store.Tx, id string) (contracts.Conversation, error) {
	c, err := tx.Conversation(id)
	if err != nil {
		return contracts.Conversation{}, err
	}
	return view(tx, c)
}

// authorName is how a message's author is shown.
func authorName(a contracts.Actor, v store.Visitor) string {
	switch a.Type {
	case contracts.AuthorVisitor:
		if v.Name != "" {
			return v.Name
		}
		if a.Identity != nil {
			return a.Identity.Name
		}
		return ""
	}
	return a.Name
}

// visitorSeenEvery is how stale last_seen_at may get before a message
// updates it: writing it on every message would double the writes.
const visitorSeenEvery = time.Minute

// touchVisitor creates the visitor on first contact (with what a verified
// identity says of them) and keeps last_seen_at roughly current.
func (a *App) touchVisitor(tx *store.Tx, actor contracts.Actor, now time.Time) (store.Visitor, error) {
	v, exists, err := tx.Visitor(actor.ID)
	if err != nil {
		return v, err
	}
	changed := !exists || now.Sub(v.LastSeenAt) > visitorSeenEvery
	if !exists {
		v.CreatedAt = now
	}
	if id := actor.Identity; id != nil && (!v.Verified || v.ExternalID != id.ID || id.Name != "" && v.Name != id.Name || id.Email != "" && v.Email != id.Email) {
		v.Verified, v.ExternalID = true, id.ID
		if id.Name != "" {
			v.Name = id.Name
		}
		if id.Email != "" {
			v.Email = id.Email
		}
		changed = true
	}
	if !changed {
		return v, nil
	}
	v.LastSeenAt = now
	return v, tx.SaveVisitor(&v, exists)
}
