package app

import (
	"context"
	"slices"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// List returns the tenant's conversations for the team, newest activity first.
func (a *App) List(ctx context.Context, r contracts.ListRequest) (contracts.ConversationPage, error) {
	out := contracts.ConversationPage{Conversations: []contracts.Conversation{}}
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	f := store.Filter{Status: r.Status, Query: r.Query, Label: r.Label, Cursor: r.Cursor, Limit: r.Limit}
	if f.Status != "" && !slices.Contains(domain.Statuses, f.Status) {
		return out, apperr.InvalidField("status", "status must be open, pending, snoozed or resolved")
	}
	switch r.Handoff {
	case "", contracts.HandoffBot, contracts.HandoffQueued, contracts.HandoffAgent:
		f.Handoff = r.Handoff
	default:
		return out, apperr.InvalidField("handoff", "handoff must be bot, queued or agent")
	}
	if r.VisitorID != "" {
		if !ids.Valid(r.VisitorID) {
			return out, apperr.NotFoundf("visitor not found")
		}
		f.VisitorID = r.VisitorID
	}
	switch r.Assignee {
	case "":
	case "me":
		f.AssigneeID = r.Actor.ID
	case "unassigned":
		f.Unassigned = true
	default:
		if !ids.Valid(r.Assignee) {
			return out, apperr.InvalidField("assignee", `assignee must be "me", "unassigned" or a member id`)
		}
		f.AssigneeID = r.Assignee
	}
	if f.Limit == 0 {
		f.Limit = 25
	}
	if f.Limit < 1 || f.Limit > 100 {
		return out, apperr.InvalidField("limit", "limit must be between 1 and 100")
	}
	if f.Label != "" {
		l, err := domain.CleanLabels([]string{f.Label})
		if err != nil {
			return out, apperr.InvalidField("label", "label must be 1–32 letters, digits, spaces, - or _")
		}
		f.Label = l[0]
	}
	if len([]rune(f.Query)) > 200 {
		return out, apperr.InvalidField("q", "q must be at most 200 characters")
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		rows, next, err := tx.ListConversations(f)
		if err != nil {
			return err
		}
		out.NextCursor = next
		out.Conversations, err = views(tx, rows)
		return err
	})
	return out, err
}

// ListOwn returns a visitor's own conversations.
func (a *App) ListOwn(ctx context.Context, r contracts.ConversationRequest) (contracts.VisitorConversations, error) {
	out := contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{}}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		rows, err := tx.VisitorConversations(r.Actor.ID, 100)
		if err != nil {
			return err
		}
		vs, err := views(tx, rows)
		for _, c := range vs {
			out.Conversations = append(out.Conversations, c.ForVisitor())
		}
		return err
	})
	return out, err
}

// Get returns one conversation with its visitor's details.
func (a *App) Get(ctx context.Context, r contracts.ConversationRequest) (contracts.Conversation, error) {
	var out contracts.Conversation
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, false)
		if err != nil {
			return err
		}
		out, err = view(tx, c)
		return err
	})
	return out, err
}

// Update changes status, snooze, assignee, priority or labels. Freed
// capacity (a resolve, an unassign) lets the queue move at once.
func (a *App) Update(ctx context.Context, r contracts.UpdateRequest) (contracts.Conversation, error) {
	var out contracts.Conversation
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	now := a.now()
	if r.Status != nil {
		if err := domain.CheckStatus(*r.Status, r.SnoozeUntil, now); err != nil {
			return out, err
		}
	} else if r.SnoozeUntil != nil {
		return out, apperr.InvalidField("snooze_until", "snooze_until only goes with status snoozed")
	}
	if r.Priority != nil {
		if err := domain.CheckPriority(*r.Priority); err != nil {
			return out, err
		}
	}
	var labels []string
	if r.Labels != nil {
		var err error
		if labels, err = domain.CleanLabels(*r.Labels); err != nil {
			return out, err
		}
	}
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return out, err
	}
	err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return err
		}
		wasWaiting := c.Waiting()
		if r.AssigneeID != nil {
			if err := a.assign(tx, r.Actor, &c, *r.AssigneeID); err != nil {
				return err
			}
		}
		if r.Status != nil {
			from := c.SetStatus(*r.Status, r.SnoozeUntil, surveyScale(settings.Survey))
			if err := snoozeTimer(tx, c); err != nil {
				return err
			}
			if err := statusChanged(tx, &c, from, actorAuthor(r.Actor), now); err != nil {
				return err
			}
		}
		if r.Priority != nil {
			c.Priority = *r.Priority
		}
		if r.Labels != nil {
			c.SetLabels(labels)
		}
		c.UpdatedAt = now
		if err := tx.SaveConversation(&c); err != nil {
			return err
		}
		if out, err = view(tx, c); err != nil {
			return err
		}
		if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: out}); err != nil {
			return err
		}
		if r.Status == nil && r.AssigneeID == nil {
			return nil // labels and priority free no agent's capacity
		}
		assigned, err := a.fillQueue(tx, settings.AgentOpenLimit, now)
		if err != nil || len(assigned) > 0 || !wasWaiting || c.Waiting() {
			return err // fillQueue announces the line when it moved
		}
		return a.announceQueue(tx) // it left the line: the others move up
	})
	return out, err
}

func (a *App) assign(tx *store.Tx, actor contracts.Actor, c *store.Conversation, to string) error {
	if to != "" {
		if !ids.Valid(to) {
			return apperr.InvalidField("assignee_id", "assignee_id is not a member of this team")
		}
		ag, known, err := tx.Agent(to)
		if err != nil {
			return err
		}
		switch {
		case !known && to == actor.ID && actor.Type == contracts.AuthorAgent: // a member, before their member event arrived
			if err := tx.SaveAgent(&store.Agent{ID: to, Name: actor.Name}, false); err != nil {
				return err
			}
		case !known || ag.Removed:
			return apperr.InvalidField("assignee_id", "assignee_id is not a member of this team")
		}
	}
	if err := domain.CanAssign(actor, c.Assignee(), to); err != nil {
		return err
	}
	c.SetAssignee(to)
	return nil
}

// snoozeTimer sets the timer that wakes a snoozed conversation, or clears it.
func snoozeTimer(tx *store.Tx, c store.Conversation) error {
	if c.Status == contracts.StatusSnoozed {
		return tx.SetTimer(store.TimerSnooze, c.ID, *c.SnoozeUntil)
	}
	return tx.ClearTimer(store.TimerSnooze, c.ID)
}

// Messages pages through a conversation; visitors never see private notes.
func (a *App) Messages(ctx context.Context, r contracts.MessagesRequest) (contracts.MessagePage, error) {
	out := contracts.MessagePage{Messages: []contracts.Message{}}
	if r.AfterSeq < 0 {
		return out, apperr.InvalidField("after_seq", "after_seq must be 0 or more")
	}
	if r.Limit == 0 {
		r.Limit = 100
	}
	if r.Limit < 1 || r.Limit > 500 {
		return out, apperr.InvalidField("limit", "limit must be between 1 and 500")
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		if _, err := conversationFor(tx, r.Actor, r.ConversationID, false); err != nil {
			return err
		}
		rows, more, err := tx.Messages(r.ConversationID, r.AfterSeq, r.Limit, r.Actor.Type != contracts.AuthorVisitor)
		if err != nil {
			return err
		}
		if out.Messages, err = a.messagesOut(tx, rows, true); err != nil {
			return err
		}
		out.HasMore = more
		return nil
	})
	return out, err
}

// Read records a read receipt up to seq (never backwards, never past the end).
func (a *App) Read(ctx context.Context, r contracts.ReadRequest) (contracts.Empty, error) {
	if r.Seq < 1 {
		return contracts.Empty{}, apperr.InvalidField("seq", "seq must be 1 or more")
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return err
		}
		seq := min(r.Seq, c.LastSeq)
		if r.Actor.Type == contracts.AuthorVisitor {
			if seq <= c.VisitorReadSeq {
				return nil
			}
			c.VisitorReadSeq = seq
		} else {
			if seq <= c.AgentReadSeq {
				return nil
			}
			c.AgentReadSeq = seq
			if c.UnreadCount, err = tx.CountVisitorMessagesAfter(c.ID, seq); err != nil {
				return err
			}
		}
		if err := tx.SaveConversation(&c); err != nil {
			return err
		}
		return tx.Emit(contracts.ConversationReadDone, contracts.ConversationReadEvent{
			ConversationID: c.ID, VisitorID: c.VisitorID, Seq: seq,
			Reader: contracts.Author{Type: r.Actor.Type, ID: r.Actor.ID, Name: r.Actor.Name},
		})
	})
}

// Transcript is the whole conversation for the team, private notes included.
func (a *App) Transcript(ctx context.Context, r contracts.ConversationRequest) (contracts.Transcript, error) {
	var out contracts.Transcript
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, false)
		if err != nil {
			return err
		}
		if out.Conversation, err = view(tx, c); err != nil {
			return err
		}
		out.Messages = []contracts.Message{}
		for after := int64(0); ; {
			rows, more, err := tx.Messages(c.ID, after, 500, true)
			if err != nil {
				return err
			}
			page, err := a.messagesOut(tx, rows, true)
			if err != nil {
				return err
			}
			out.Messages = append(out.Messages, page...)
			if len(rows) > 0 {
				after = rows[len(rows)-1].Seq
			}
			if !more {
				return nil
			}
		}
	})
	return out, err
}
