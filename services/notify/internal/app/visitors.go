package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// contextMessages is how many messages a visitor email shows.
const contextMessages = 8

// OnMessage follows new messages: an agent's or bot's public answer to a
// visitor who left an address waits VisitorDelay to be read before it is
// emailed; the visitor writing means they are here and read it.
func (a *App) OnMessage(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.MessageCreated
	if err := env.Decode(&ev); err != nil || ev.Summary().ID == "" {
		return apperr.New(apperr.Invalid, "bad message.created payload")
	}
	m, c := ev.Message, ev.Summary()
	if err := a.syncMembers(ctx, env.TenantID); err != nil {
		return err
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		if err := track(tx, c, !stale(env)); err != nil {
			return err
		}
		switch {
		case m.Private, stale(env) && m.Author.Type != contracts.AuthorVisitor:
			return nil
		case c.Visitor.Email == "":
			return nil // nothing is pending for a visitor without an address
		case m.Author.Type == contracts.AuthorVisitor:
			return tx.ReadUpTo(c.ID, m.Seq)
		case m.Author.Type == contracts.AuthorAgent || m.Author.Type == contracts.AuthorBot:
			if !a.Enabled() || c.VisitorReadSeq >= m.Seq {
				return nil
			}
			return tx.AddPending(store.Pending{
				ConversationID: c.ID, VisitorID: c.Visitor.ID, Seq: m.Seq, ReadSeq: c.VisitorReadSeq,
				DueAt: env.OccurredAt.Add(a.opt.VisitorDelay),
			})
		}
		return nil
	})
}

// OnRead drops a pending answer once its visitor has read it.
func (a *App) OnRead(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.ConversationReadEvent
	if err := env.Decode(&ev); err != nil || ev.ConversationID == "" {
		return apperr.New(apperr.Invalid, "bad conversation.read payload")
	}
	if ev.Reader.Type != contracts.AuthorVisitor {
		return nil
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error { return tx.ReadUpTo(ev.ConversationID, ev.Seq) })
}

// SendDueVisitorEmails queues the email of every answer whose visitor did
// not read it in time. One that fails (a service did not answer) stays
// pending for the next pass.
func (a *App) SendDueVisitorEmails(ctx context.Context, now time.Time) error {
	var due []store.Pending
	if err := a.store.Global(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.DuePending(now, 100)
		return err
	}); err != nil {
		return err
	}
	known := brands{}
	for _, p := range due {
		if err := a.emailAnswer(ctx, known, p); err != nil {
			a.log.Warn("visitor email", "tenant", p.TenantID, "conversation", p.ConversationID, "err", err)
		}
	}
	return nil
}

func (a *App) emailAnswer(ctx context.Context, known brands, p store.Pending) error {
	actor := contracts.Actor{TenantID: p.TenantID, Type: contracts.AuthorVisitor, ID: p.VisitorID}
	c, err := a.conversation(ctx, known, actor, p.ConversationID)
	drop := func() error {
		return a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error { _, _, err := tx.TakePending(p.ConversationID); return err })
	}
	if apperr.Is(err, apperr.NotFound) {
		return drop()
	}
	if err != nil {
		return err
	}
	if c.View.VisitorReadSeq >= p.Seq || c.Visitor.Email == "" {
		return drop()
	}
	c.Mail.Messages = recent(c.Mail.Messages, p.Seq)
	return a.store.Tenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, found, err := tx.TakePending(p.ConversationID); err != nil || !found {
			return err // another replica took it
		}
		if off, err := tx.Suppressed(domain.NormalizeEmail(c.Mail.Visitor.Email)); err != nil || off {
			return err
		}
		if err := a.unsubscribeLink(tx, &c.Mail); err != nil {
			return err
		}
		e, err := c.Mail.Reply(p.ReadSeq)
		if err != nil {
			return err
		}
		return a.queue(tx, e)
	})
}

// recent is up to contextMessages public messages ending at seq.
func recent(ms []contracts.Message, seq int64) []contracts.Message {
	var out []contracts.Message
	for _, m := range ms {
		if m.Seq <= seq && !m.Private {
			out = append(out, m)
		}
	}
	return out[max(0, len(out)-contextMessages):]
}

// conversationMail is a conversation, its visitor and the visitor's view of it.
type conversationMail struct {
	Mail    domain.Conversation
	Visitor contracts.Visitor
	View    contracts.VisitorConversation
}

// conversation gathers what an email about a conversation needs, as its
// visitor may see it: NotFound unless the visitor owns it.
func (a *App) conversation(ctx context.Context, known brands, visitor contracts.Actor, id string) (conversationMail, error) {
	var out conversationMail
	var err error
	if out.View, err = a.ownView(ctx, visitor, id); err != nil {
		return out, err
	}
	if out.Visitor, err = natsx.Call(ctx, a.nc, contracts.ConversationVisitorGet, contracts.VisitorRequest{TenantID: visitor.TenantID, VisitorID: visitor.ID}); err != nil {
		return out, err
	}
	var msgs []contracts.Message
	for after := int64(0); len(msgs) < 5000; {
		page, err := natsx.Call(ctx, a.nc, contracts.ConversationMessages, contracts.MessagesRequest{Actor: visitor, ConversationID: id, AfterSeq: after, Limit: 500})
		if err != nil {
			return out, err
		}
		msgs = append(msgs, page.Messages...)
		if !page.HasMore || len(page.Messages) == 0 {
			break
		}
		after = page.Messages[len(page.Messages)-1].Seq
	}
	b, err := a.brand(ctx, known, visitor.TenantID)
	if err != nil {
		return out, err
	}
	out.Mail = domain.Conversation{
		TenantID: visitor.TenantID, ConversationID: id, Brand: b, Visitor: out.Visitor, Messages: msgs,
		Link: widgetLink(out.Visitor.CurrentURL, id), Thread: "conversation-" + id, // every email of the conversation refers to it
	}
	if a.opt.ReplyAddress != nil {
		if out.Mail.ReplyTo, err = a.opt.ReplyAddress(visitor.TenantID, id, visitor.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ownView is the visitor's view of their conversation: NotFound unless
// they own it.
func (a *App) ownView(ctx context.Context, visitor contracts.Actor, id string) (contracts.VisitorConversation, error) {
	own, err := natsx.Call(ctx, a.nc, contracts.ConversationListOwn, contracts.ConversationRequest{Actor: visitor})
	if err != nil {
		return contracts.VisitorConversation{}, err
	}
	for _, c := range own.Conversations {
		if c.ID == id {
			return c, nil
		}
	}
	return contracts.VisitorConversation{}, apperr.NotFoundf("conversation not found")
}

// widgetLink is the visitor's last page with the fragment that makes the
// loader reopen the conversation; empty when the page is unknown.
func widgetLink(page, conversationID string) string {
	u, err := url.Parse(page)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "parley-conversation="+conversationID, ""
	return u.String()
}

// unsubscribeLink makes and stores a new List-Unsubscribe link for the
// conversation's visitor.
func (a *App) unsubscribeLink(tx *store.Tx, c *domain.Conversation) (err error) {
	c.Unsubscribe, err = a.unsubscribeURL(tx, c.Visitor.Email, c.Visitor.ID)
	return err
}

// unsubscribeURL makes and stores a new List-Unsubscribe link for a
// visitor's address.
func (a *App) unsubscribeURL(tx *store.Tx, email, visitorID string) (string, error) {
	token := ids.Secret(24)
	if err := tx.AddUnsubscribeToken(ids.Hash(token), domain.NormalizeEmail(email), visitorID); err != nil {
		return "", err
	}
	return strings.TrimRight(a.opt.PublicURL, "/") + "/api/v1/email/unsubscribe?token=" + url.QueryEscape(token), nil
}

// TranscriptEmail emails a conversation to its visitor ("Email me this
// conversation"). Asking again with nothing new sends nothing new.
func (a *App) TranscriptEmail(ctx context.Context, r contracts.TranscriptEmailRequest) (contracts.Empty, error) {
	var none contracts.Empty
	if r.Actor.Type != contracts.AuthorVisitor || r.Actor.ID == "" {
		return none, apperr.New(apperr.Forbidden, "only a conversation's visitor can have it emailed")
	}
	email, err := validEmail("email", r.Email)
	if err != nil {
		return none, err
	}
	if !ids.Valid(r.ConversationID) {
		return none, apperr.NotFoundf("conversation not found")
	}
	if !a.Enabled() {
		return none, apperr.New(apperr.Unavailable, "email is not set up on this server")
	}
	c, err := a.conversation(ctx, nil, r.Actor, r.ConversationID)
	if err != nil {
		return none, err
	}
	c.Mail.Visitor.Email = email
	if len(c.Mail.Messages) == 0 {
		return none, apperr.New(apperr.Conflict, "the conversation has no messages yet")
	}
	return none, a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		if err := a.unsubscribeLink(tx, &c.Mail); err != nil {
			return err
		}
		e, err := c.Mail.Transcript(r.Locale)
		if err != nil {
			return err
		}
		return a.queue(tx, e)
	})
}

// Unsubscribe follows a List-Unsubscribe link: the address gets no more
// conversation email from that tenant. Following it twice is fine.
func (a *App) Unsubscribe(ctx context.Context, r contracts.UnsubscribeRequest) (contracts.Empty, error) {
	var none contracts.Empty
	if r.Token == "" || len(r.Token) > 200 {
		return none, apperr.InvalidField("token", "token is missing or malformed")
	}
	var tenantID, email string
	var found bool
	if err := a.store.Global(ctx, func(tx *store.Tx) error {
		var err error
		tenantID, email, found, err = tx.UnsubscribeToken(ids.Hash(r.Token))
		return err
	}); err != nil {
		return none, err
	}
	if !found {
		return none, apperr.NotFoundf("this unsubscribe link is not known")
	}
	return none, a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { return tx.Suppress(email) })
}
