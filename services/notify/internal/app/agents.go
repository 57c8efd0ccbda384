package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/notify/internal/domain"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// waitingUnassigned: open, nobody assigned, and not (only) with a bot.
func waitingUnassigned(c store.Conversation) bool {
	return c.Status == contracts.StatusOpen && c.AssigneeID == "" && c.Handoff != "bot"
}

// waitingFor: the conversation still needs this agent.
func waitingFor(c store.Conversation, agentID string, assigned bool) bool {
	if assigned {
		return c.Status == contracts.StatusOpen && c.AssigneeID == agentID
	}
	return waitingUnassigned(c)
}

func preview(m *contracts.MessagePreview) string {
	if m == nil || m.Author.Type != contracts.AuthorVisitor {
		return ""
	}
	return m.Body
}

// staleAfter is the age past which an event still updates what notify
// knows but emails nobody: a notify started on an install with a week of
// history must not email old news.
const staleAfter = time.Hour

func stale(env contracts.Envelope) bool { return time.Since(env.OccurredAt) > staleAfter }

// track stores a conversation's new state and raises alerts for the agents
// who should hear of it (unless alert is false): its new assignee, or every
// member when it starts waiting unassigned.
func track(tx *store.Tx, c contracts.Conversation, alert bool) error {
	prev, known, err := tx.Conversation(c.ID)
	if err != nil {
		return err
	}
	if known && prev.UpdatedAt.After(c.UpdatedAt) {
		return nil // an older event, arriving late
	}
	next := store.Conversation{
		ID: c.ID, Status: c.Status, Handoff: c.Handoff, AssigneeID: c.AssigneeID,
		VisitorID: c.Visitor.ID, VisitorName: c.Visitor.Name, Preview: preview(c.LastMessage), UpdatedAt: c.UpdatedAt,
	}
	if next.Preview == "" && known {
		next.Preview = prev.Preview
	}
	if err := tx.SaveConversation(next); err != nil || !alert {
		return err
	}
	switch {
	case next.AssigneeID != "" && next.Status == contracts.StatusOpen && (!known || prev.AssigneeID != next.AssigneeID):
		return tx.AddAlert(next.AssigneeID, c.ID, true)
	case waitingUnassigned(next) && (!known || !waitingUnassigned(prev)):
		members, err := tx.MemberIDs()
		if err != nil {
			return err
		}
		for _, id := range members {
			if err := tx.AddAlert(id, c.ID, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncMembers reads a tenant's whole member list from identity the first
// time notify needs it, so members who joined before the event stream's
// retention are known too. Every message and conversation event passes
// here, so once a tenant is known to be synced it costs nothing.
func (a *App) syncMembers(ctx context.Context, tenantID string) error {
	if _, ok := a.synced.Load(tenantID); ok {
		return nil
	}
	var synced bool
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		var err error
		synced, err = tx.MembersSynced()
		return err
	}); err != nil {
		return err
	}
	if synced {
		a.synced.Store(tenantID, struct{}{})
		return nil
	}
	list, err := natsx.Call(ctx, a.nc, contracts.IdentityMemberList, contracts.PrincipalRequest{Principal: contracts.Principal{TenantID: tenantID}})
	if err != nil {
		return err
	}
	ms := make([]store.Member, 0, len(list.Members))
	for _, u := range list.Members {
		ms = append(ms, store.Member{UserID: u.ID, Name: u.Name, Email: domain.NormalizeEmail(u.Email), Role: string(u.Role), Locale: u.Locale})
	}
	if err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error { return tx.SyncMembers(ms) }); err != nil {
		return err
	}
	a.synced.Store(tenantID, struct{}{})
	return nil
}

// OnConversation follows a conversation's changes (assignment, status).
func (a *App) OnConversation(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.ConversationUpdated
	if err := env.Decode(&ev); err != nil || ev.Conversation.ID == "" {
		return apperr.New(apperr.Invalid, "bad conversation.updated payload")
	}
	if err := a.syncMembers(ctx, env.TenantID); err != nil {
		return err
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error { return track(tx, ev.Conversation, !stale(env)) })
}

// OnPresence follows whether agents have a dashboard open.
func (a *App) OnPresence(ctx context.Context, env contracts.Envelope) error {
	var ev contracts.AgentPresence
	if err := env.Decode(&ev); err != nil || ev.Agent.ID == "" {
		return apperr.New(apperr.Invalid, "bad agent.presence payload")
	}
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		return tx.SetPresence(ev.Agent.ID, ev.Status == "online", env.OccurredAt)
	})
}

// SendDigests queues one digest for each agent who has conversations
// waiting, no dashboard open, the preference on, and no digest within the
// interval. An agent who is online drops their alerts: the inbox shows them.
func (a *App) SendDigests(ctx context.Context, now time.Time) error {
	var agents []store.Alert
	if err := a.store.Global(ctx, func(tx *store.Tx) error {
		var err error
		agents, err = tx.AgentsWithAlerts(200)
		return err
	}); err != nil {
		return err
	}
	known := brands{}
	for _, ag := range agents {
		b, err := a.brand(ctx, known, ag.TenantID)
		if err != nil {
			a.log.Warn("digest: tenant unavailable", "tenant", ag.TenantID, "err", err)
			continue
		}
		if err := a.store.Tenant(ctx, ag.TenantID, func(tx *store.Tx) error { return a.digest(tx, b, ag.AgentID, now) }); err != nil {
			a.log.Warn("digest", "tenant", ag.TenantID, "agent", ag.AgentID, "err", err)
		}
	}
	return nil
}

func (a *App) digest(tx *store.Tx, b domain.Brand, agentID string, now time.Time) error {
	member, known, err := tx.Member(agentID)
	if err != nil {
		return err
	}
	if !known {
		return tx.ClearAlerts(agentID) // no address to write to
	}
	wants, err := tx.EmailNewConversations(agentID)
	if err != nil {
		return err
	}
	online, err := tx.Online(agentID)
	if err != nil {
		return err
	}
	if !wants || online {
		return tx.ClearAlerts(agentID)
	}
	last, err := tx.LastDigest(agentID)
	if err != nil {
		return err
	}
	if !last.IsZero() && now.Sub(last) < a.opt.DigestInterval {
		return nil // the next window collects them
	}
	alerts, err := tx.Alerts(agentID)
	if err != nil {
		return err
	}
	d := domain.Digest{
		TenantID: tx.TenantID, Brand: b, AgentID: agentID, Name: member.Name, Email: member.Email, Locale: member.Locale,
		InboxURL: strings.TrimRight(a.opt.PublicURL, "/") + "/inbox", Window: fmt.Sprint(now.UnixNano()),
	}
	for _, al := range alerts {
		c, ok, err := tx.Conversation(al.ConversationID)
		if err != nil {
			return err
		}
		if ok && waitingFor(c, agentID, al.Assigned) {
			d.Waiting = append(d.Waiting, domain.Waiting{ConversationID: c.ID, VisitorName: c.VisitorName, Preview: c.Preview, Assigned: al.Assigned})
		}
	}
	if err := tx.ClearAlerts(agentID); err != nil || len(d.Waiting) == 0 {
		return err
	}
	if len(d.Waiting) == 1 {
		d.InboxURL += "/" + d.Waiting[0].ConversationID
	}
	e, err := d.Build()
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			a.log.Warn("digest not sent", "agent", agentID, "err", err)
			return nil
		}
		return err
	}
	if err := tx.SetLastDigest(agentID, now); err != nil {
		return err
	}
	return a.queue(tx, e)
}
