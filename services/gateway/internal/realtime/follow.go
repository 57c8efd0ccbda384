package realtime

import (
	"context"
	"encoding/json"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
)

// follow pushes the CONVERSATION stream's new events to sockets.
func (h *Hub) follow(ctx context.Context) error {
	cons, err := h.js.OrderedConsumer(ctx, contracts.ConversationStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{contracts.ConversationStream.Subjects()},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var env contracts.Envelope
		if json.Unmarshal(m.Data(), &env) == nil && env.CheckSubject(m.Subject()) == nil {
			h.dispatch(env)
		}
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	cc.Stop()
	return nil
}

// dispatch turns one event into frames for the sockets that may see it.
func (h *Hub) dispatch(env contracts.Envelope) {
	switch env.Type {
	case contracts.ConversationMessageCreated.Name():
		var e contracts.MessageCreated
		if env.Decode(&e) != nil {
			return
		}
		msg := encodeFrame(ServerFrame{Type: FrameMessageCreated, Message: &e.Message})
		if e.Conversation != nil { // more changed than the message itself says
			h.toAgents(env.TenantID, msg, encodeFrame(ServerFrame{Type: FrameConversationUpdated, Conversation: *e.Conversation}))
		} else {
			h.toAgents(env.TenantID, msg)
		}
		if !e.Message.Private {
			h.toVisitor(env.TenantID, e.Brief.Visitor.ID, e.Brief.ID, msg)
		}
	case contracts.ConversationMessageDeleted.Name():
		var e contracts.MessageDeleted
		if env.Decode(&e) != nil {
			return
		}
		h.toAgents(env.TenantID, encodeFrame(ServerFrame{Type: FrameMessageDeleted, Message: &e.Message, Conversation: e.Conversation}))
		if !e.Message.Private {
			h.toVisitor(env.TenantID, e.Conversation.Visitor.ID, e.Conversation.ID, encodeFrame(ServerFrame{Type: FrameMessageDeleted, Message: &e.Message}))
		}
	case contracts.ConversationUpdatedEvent.Name():
		var e contracts.ConversationUpdated
		if env.Decode(&e) != nil {
			return
		}
		h.toAgents(env.TenantID, encodeFrame(ServerFrame{Type: FrameConversationUpdated, Conversation: e.Conversation}))
		h.toVisitor(env.TenantID, e.Conversation.Visitor.ID, e.Conversation.ID,
			encodeFrame(ServerFrame{Type: FrameConversationUpdated, Conversation: e.Conversation.ForVisitor()}))
	case contracts.ConversationReadDone.Name():
		var e contracts.ConversationReadEvent
		if env.Decode(&e) != nil {
			return
		}
		f := encodeFrame(ServerFrame{Type: FrameRead, ConversationID: e.ConversationID, Reader: &e.Reader, Seq: e.Seq})
		h.toAgents(env.TenantID, f)
		h.toVisitor(env.TenantID, e.VisitorID, e.ConversationID, f)
	case contracts.ConversationConversationsDeleted.Name():
		var e contracts.ConversationsDeleted
		if env.Decode(&e) != nil || len(e.ConversationIDs) == 0 {
			return
		}
		h.toAgents(env.TenantID, encodeFrame(ServerFrame{Type: FrameConversationsGone, ConversationIDs: e.ConversationIDs}))
	case contracts.ConversationAgentPresence.Name():
		var e contracts.AgentPresence
		if env.Decode(&e) != nil {
			return
		}
		f := encodeFrame(ServerFrame{Type: FramePresence, AgentID: e.Agent.ID, Author: &e.Agent, Status: e.Status})
		h.toAgents(env.TenantID, f)
		h.toAllVisitors(env.TenantID, f)
	}
}

// onTyping forwards a typing indicator: to the tenant's agents (except the
// typist) and, unless it is a private note, to the conversation's visitor.
func (h *Hub) onTyping(m *nats.Msg) {
	var t contracts.Typing
	if json.Unmarshal(m.Data, &t) != nil {
		return
	}
	tenant := tenantOf(m.Subject)
	typing := t.Typing
	f := encodeFrame(ServerFrame{Type: FrameTyping, ConversationID: t.ConversationID, Author: &t.Author, Typing: &typing})
	h.mu.RLock()
	rm := h.tenants[tenant]
	var targets []*Conn
	if rm != nil {
		for c := range rm.agents {
			if c.Actor.ID != t.Author.ID {
				targets = append(targets, c)
			}
		}
		if !t.Private && t.Author.Type != contracts.AuthorVisitor {
			for c := range rm.visitors[rm.owner[t.ConversationID]] {
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.send(f)
	}
}

// tenantOf is the tenant token of "live.<tenant>.typing".
func tenantOf(subject string) string {
	const prefix = "live."
	if len(subject) > len(prefix)+36 {
		return subject[len(prefix) : len(prefix)+36]
	}
	return ""
}

func (h *Hub) toAgents(tenant string, frames ...[]byte) {
	h.mu.RLock()
	var targets []*Conn
	if rm := h.tenants[tenant]; rm != nil {
		for c := range rm.agents {
			targets = append(targets, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		for _, f := range frames {
			c.send(f)
		}
	}
}

// toVisitor sends to a visitor's sockets and remembers that the
// conversation is theirs (a conversation they just started).
func (h *Hub) toVisitor(tenant, visitorID, conversationID string, frame []byte) {
	h.mu.Lock()
	var targets []*Conn
	if rm := h.tenants[tenant]; rm != nil {
		if set := rm.visitors[visitorID]; len(set) > 0 {
			rm.owner[conversationID] = visitorID
			for c := range set {
				targets = append(targets, c)
			}
		}
	}
	h.mu.Unlock()
	for _, c := range targets {
		c.send(frame)
	}
}

func (h *Hub) toAllVisitors(tenant string, frame []byte) {
	h.mu.RLock()
	var targets []*Conn
	if rm := h.tenants[tenant]; rm != nil {
		for _, set := range rm.visitors {
			for c := range set {
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.send(frame)
	}
}
