package app

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Presence timing: gateways repeat "online" every PresenceHeartbeat; a
// presence not repeated within PresenceTTL (a gateway that died) lapses.
const (
	PresenceHeartbeat = 20 * time.Second
	PresenceTTL       = 3 * PresenceHeartbeat
)

// fillQueue routes the tenant's queued conversations to online agents with
// room, locking the tenant's agents so that concurrent routing (another
// replica, another request) cannot exceed a limit. It returns the
// assignments it made, by conversation.
func (a *App) fillQueue(tx *store.Tx, limit int, now time.Time) (map[string]string, error) {
	online, err := tx.LockOnlineAgents()
	if err != nil || len(online) == 0 {
		return nil, err
	}
	queue, err := tx.QueuedConversations(100)
	if err != nil || len(queue) == 0 {
		return nil, err
	}
	counts, err := tx.OpenCounts()
	if err != nil {
		return nil, err
	}
	candidates := make([]domain.Agent, 0, len(online))
	for _, ag := range online {
		c := domain.Agent{ID: ag.ID, Open: counts[ag.ID]}
		if ag.LastAssignedAt != nil {
			c.LastAssignedAt = *ag.LastAssignedAt
		}
		candidates = append(candidates, c)
	}
	names := map[string]string{}
	for _, ag := range online {
		names[ag.ID] = ag.Name
	}
	assigned := map[string]string{}
	for _, as := range domain.Route(queue, candidates, limit, now) {
		c, err := tx.LockConversation(as.ConversationID)
		if err != nil {
			return nil, err
		}
		if err := tx.SetLastAssigned(as.AgentID, now); err != nil {
			return nil, err
		}
		var conv contracts.Conversation
		if c.Handoff == contracts.HandoffQueued { // a person was asked for: say who joined
			v, _, err := tx.Visitor(c.VisitorID)
			if err != nil {
				return nil, err
			}
			joined, err := a.join(tx, &c, v, contracts.Actor{Type: contracts.AuthorAgent, ID: as.AgentID, Name: names[as.AgentID]}, now)
			if err != nil {
				return nil, err
			}
			if conv, err = a.publish(tx, c, v, joined); err != nil {
				return nil, err
			}
		} else {
			c.SetAssignee(as.AgentID)
			c.UpdatedAt = now
			if err := tx.SaveConversation(&c); err != nil {
				return nil, err
			}
			if conv, err = view(tx, c); err != nil {
				return nil, err
			}
		}
		if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: conv}); err != nil {
			return nil, err
		}
		assigned[c.ID] = as.AgentID
	}
	if len(assigned) > 0 { // the line moved: tell those still waiting
		if err := a.announceQueue(tx); err != nil {
			return nil, err
		}
	}
	return assigned, nil
}

// Presence records that a gateway holds (or no longer holds) sockets of an
// agent. An agent coming online takes queued conversations at once.
func (a *App) Presence(ctx context.Context, r contracts.PresenceRequest) (contracts.Empty, error) {
	if !ids.Valid(r.TenantID) || !ids.Valid(r.AgentID) || r.GatewayID == "" {
		return contracts.Empty{}, apperr.New(apperr.Invalid, "presence needs a tenant, an agent and a gateway")
	}
	settings, err := a.settings.Get(ctx, r.TenantID)
	if err != nil {
		return contracts.Empty{}, err
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		now := a.now()
		if r.Online {
			expires := now.Add(PresenceTTL)
			if err := tx.KeepPresence(r.AgentID, r.GatewayID, expires); err != nil {
				return err
			}
			if err := tx.SetTimer(store.TimerPresence, r.AgentID, expires); err != nil {
				return err
			}
		} else if err := tx.DropPresence(r.AgentID, r.GatewayID); err != nil {
			return err
		}
		return a.settlePresence(tx, r.AgentID, r.AgentName, settings.AgentOpenLimit, now)
	})
}

// settlePresence brings an agent's online flag in line with their live
// presences, announcing a change and routing when they come online.
func (a *App) settlePresence(tx *store.Tx, agentID, name string, limit int, now time.Time) error {
	until, err := tx.PresenceUntil(agentID, now)
	if err != nil {
		return err
	}
	ag, known, err := tx.Agent(agentID)
	if err != nil {
		return err
	}
	online := !until.IsZero() && !ag.Removed
	renamed := name != "" && name != ag.Name
	if name != "" {
		ag.Name = name
	}
	if known && ag.Online == online && !renamed {
		return nil
	}
	changed := ag.Online != online
	ag.Online = online
	if err := tx.SaveAgent(&ag, known); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	status := "offline"
	if online {
		status = "online"
	}
	if err := tx.Emit(contracts.ConversationAgentPresence, contracts.AgentPresence{
		Agent: contracts.Author{Type: contracts.AuthorAgent, ID: ag.ID, Name: ag.Name}, Status: status,
	}); err != nil {
		return err
	}
	if online {
		_, err = a.fillQueue(tx, limit, now)
	}
	return err
}

// OnlineAgents lists who a visitor may see as online.
func (a *App) OnlineAgents(ctx context.Context, r contracts.TenantIDRequest) (contracts.OnlineAgents, error) {
	out := contracts.OnlineAgents{Agents: []contracts.Author{}}
	if !ids.Valid(r.TenantID) {
		return out, apperr.NotFoundf("tenant not found")
	}
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		agents, err := tx.OnlineAgents()
		for _, ag := range agents {
			out.Agents = append(out.Agents, contracts.Author{Type: contracts.AuthorAgent, ID: ag.ID, Name: ag.Name})
		}
		return err
	})
	return out, err
}

// MemberChanged keeps the local copy of the team current. A removed member
// goes offline and their open conversations go back to the queue.
func (a *App) MemberChanged(ctx context.Context, env contracts.Envelope) error {
	var m contracts.MemberChanged
	if err := env.Decode(&m); err != nil {
		return apperr.New(apperr.Invalid, "bad member.changed payload")
	}
	settings, err := a.settings.Get(ctx, env.TenantID)
	if err != nil {
		return err
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		first, err := tx.FirstDelivery("conversation-members", env.ID)
		if err != nil || !first {
			return err
		}
		ag, known, err := tx.Agent(m.User.ID)
		if err != nil {
			return err
		}
		ag.Name, ag.AvatarURL, ag.Removed = m.User.Name, m.User.AvatarURL, m.Removed
		a.avatars.remember(env.TenantID, ag.ID, ag.AvatarURL)
		if m.Removed {
			ag.Online = false
		}
		if err := tx.SaveAgent(&ag, known); err != nil {
			return err
		}
		if !m.Removed {
			return nil
		}
		now := a.now()
		open, err := tx.AssignedOpen(m.User.ID)
		if err != nil {
			return err
		}
		for _, id := range open {
			c, err := tx.LockConversation(id)
			if err != nil {
				return err
			}
			c.SetAssignee("")
			c.UpdatedAt = now
			if err := tx.SaveConversation(&c); err != nil {
				return err
			}
			v, err := view(tx, c)
			if err != nil {
				return err
			}
			if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: v}); err != nil {
				return err
			}
		}
		_, err = a.fillQueue(tx, settings.AgentOpenLimit, now)
		return err
	})
}

// RunTimers handles due timers: snoozed conversations wake up, and lapsed
// presences (a gateway that stopped heartbeating) go offline. Timers are
// deleted in the transaction that handles them, so each is handled once even
// with several replicas.
func (a *App) RunTimers(ctx context.Context) error {
	var due []store.Timer
	if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { due, err = tx.DueTimers(a.now(), 100); return err }); err != nil {
		return err
	}
	for _, t := range due {
		settings, err := a.settings.Get(ctx, t.TenantID)
		if err != nil {
			return err
		}
		var swept []store.File
		err = a.store.Tenant(ctx, t.TenantID, func(tx *store.Tx) error {
			if err := tx.FinishTimer(t); err != nil {
				return err
			}
			now := a.now()
			switch t.Kind {
			case store.TimerSnooze:
				return a.wake(tx, t.RefID, settings.AgentOpenLimit, now)
			case store.TimerPresence:
				return a.settlePresence(tx, t.RefID, "", settings.AgentOpenLimit, now)
			case store.TimerUpload: // an upload nobody sent
				f, ok, err := tx.DeleteUnsentFile(t.RefID)
				if ok {
					swept = append(swept, f)
				}
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		a.deleteBlobs(ctx, t.TenantID, swept)
	}
	return nil
}

func (a *App) wake(tx *store.Tx, conversationID string, limit int, now time.Time) error {
	c, err := tx.LockConversation(conversationID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil || c.Status != contracts.StatusSnoozed || c.SnoozeUntil == nil || c.SnoozeUntil.After(now) {
		return err
	}
	c.Reopen()
	c.UpdatedAt, c.LastActivityAt = now, now
	if err := tx.SaveConversation(&c); err != nil {
		return err
	}
	v, err := view(tx, c)
	if err != nil {
		return err
	}
	if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: v}); err != nil {
		return err
	}
	_, err = a.fillQueue(tx, limit, now)
	return err
}
