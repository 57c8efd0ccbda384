package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// FeedGrace is how long a tenant's feed outlives its last socket on this
// gateway, so that a page reload does not stop and restart it.
const FeedGrace = 5 * time.Second

// feed is what this gateway follows for one tenant while it holds sockets
// of that tenant: an ordered consumer of the tenant's events and the
// tenant's typing subject. A gateway's work grows with its own clients.
type feed struct {
	tenant  string
	holders int         // sockets (and upgrades in progress) of the tenant; h.mu
	stop    *time.Timer // pending stop after the last holder left; h.mu
	cancel  context.CancelFunc
	ready   chan struct{} // closed once the consumer and the subscription are in place
	// last is the stream sequence of the last event dispatched (or, before
	// the first, the stream's last sequence when the feed started): every
	// later event of the tenant reaches every socket registered now.
	last    atomic.Uint64
	started bool // the feed has read its start; only runFeed's goroutine
}

// acquire returns the tenant's feed, starting it if needed, once it is
// following (so a socket misses nothing after its hello).
func (h *Hub) acquire(ctx context.Context, tenant string) (*feed, error) {
	h.mu.Lock()
	f := h.feeds[tenant]
	if f == nil {
		fctx, cancel := context.WithCancel(context.Background())
		f = &feed{tenant: tenant, cancel: cancel, ready: make(chan struct{})}
		h.feeds[tenant] = f
		go h.runFeed(fctx, f)
	}
	f.holders++
	if f.stop != nil {
		f.stop.Stop()
		f.stop = nil
	}
	h.mu.Unlock()
	select {
	case <-f.ready:
		return f, nil
	case <-ctx.Done():
		h.release(f)
		return nil, apperr.New(apperr.Unavailable, "live events are unavailable right now; retry shortly")
	}
}

// release drops a holder; the last one stops the feed after FeedGrace.
func (h *Hub) release(f *feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f.holders--
	if f.holders > 0 {
		return
	}
	f.stop = time.AfterFunc(h.feedGrace, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if f.holders == 0 && h.feeds[f.tenant] == f {
			delete(h.feeds, f.tenant)
			f.cancel()
		}
	})
}

// stopFeeds ends every feed (the hub is shutting down).
func (h *Hub) stopFeeds() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t, f := range h.feeds {
		if f.stop != nil {
			f.stop.Stop()
		}
		f.cancel()
		delete(h.feeds, t)
	}
}

// Feeds returns how many tenants this gateway follows.
func (h *Hub) Feeds() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.feeds)
}

// runFeed follows the tenant until ctx ends, starting again after a failure
// (a stream leader election) from the event after the last one dispatched.
func (h *Hub) runFeed(ctx context.Context, f *feed) {
	wait := 100 * time.Millisecond
	for {
		err := h.follow(ctx, f)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("tenant feed failed, restarting it", "tenant_id", f.tenant, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// follow pushes the tenant's new events and typing indicators to its sockets.
func (h *Hub) follow(ctx context.Context, f *feed) error {
	typing, err := h.nc.Subscribe(contracts.LiveTyping(f.tenant), func(m *nats.Msg) { h.onTyping(f.tenant, m) })
	if err != nil {
		return err
	}
	defer func() { _ = typing.Unsubscribe() }()
	if !f.started {
		st, err := h.js.Stream(ctx, contracts.ConversationStream.Name)
		if err != nil {
			return err
		}
		f.last.Store(st.CachedInfo().State.LastSeq)
		f.started = true
	}
	start := f.last.Load()
	cons, err := h.js.OrderedConsumer(ctx, contracts.ConversationStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{contracts.ConversationStream.TenantEvents(f.tenant)},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    start + 1,
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		meta, err := m.Metadata()
		if err != nil {
			return
		}
		h.events.Add(1)
		h.dispatch(f, meta.Sequence.Stream, decodeEvent(m, meta.Sequence.Stream))
	})
	if err != nil {
		return err
	}
	defer cc.Stop()
	// The subscription must be known to the server before a socket's hello.
	if err := h.nc.FlushTimeout(natsx.DefaultTimeout); err != nil {
		return err
	}
	select {
	case <-f.ready:
	default:
		close(f.ready)
	}
	select {
	case <-ctx.Done():
		return nil
	case <-cc.Closed():
		return errors.New("consumer closed")
	}
}

// event is what one stored event becomes: the frames an agent gets (each
// with the event's cursor) and, for visitors, a frame encoded only if a
// visitor of the conversation (or any visitor) is connected here.
type event struct {
	agent          [][]byte
	visitorID      string
	conversationID string
	visitor        *ServerFrame // to the conversation's visitor
	allVisitors    *ServerFrame // to every visitor of the tenant
}

// decodeEvent turns one stored event into frames; an event that cannot be
// decoded, or that sockets do not show, gives none.
func decodeEvent(m jetstream.Msg, seq uint64) event {
	var env contracts.Envelope
	if json.Unmarshal(m.Data(), &env) != nil || env.CheckSubject(m.Subject()) != nil {
		return event{}
	}
	switch env.Type {
	case contracts.ConversationMessageCreated.Name():
		var e contracts.MessageCreated
		if env.Decode(&e) != nil {
			return event{}
		}
		ev := event{agent: [][]byte{encodeFrame(ServerFrame{Type: FrameMessageCreated, Message: &e.Message, Cursor: seq})}}
		if e.Conversation != nil { // more changed than the message itself says
			ev.agent = append(ev.agent, encodeFrame(ServerFrame{Type: FrameConversationUpdated, Conversation: *e.Conversation, Cursor: seq}))
		}
		if !e.Message.Private {
			ev.visitorID, ev.conversationID = e.Brief.Visitor.ID, e.Brief.ID
			ev.visitor = &ServerFrame{Type: FrameMessageCreated, Message: &e.Message}
		}
		return ev
	case contracts.ConversationMessageDeleted.Name():
		var e contracts.MessageDeleted
		if env.Decode(&e) != nil {
			return event{}
		}
		ev := event{agent: [][]byte{encodeFrame(ServerFrame{Type: FrameMessageDeleted, Message: &e.Message, Conversation: e.Conversation, Cursor: seq})}}
		if !e.Message.Private {
			ev.visitorID, ev.conversationID = e.Conversation.Visitor.ID, e.Conversation.ID
			ev.visitor = &ServerFrame{Type: FrameMessageDeleted, Message: &e.Message}
		}
		return ev
	case contracts.ConversationUpdatedEvent.Name():
		var e contracts.ConversationUpdated
		if env.Decode(&e) != nil {
			return event{}
		}
		return event{
			agent:     [][]byte{encodeFrame(ServerFrame{Type: FrameConversationUpdated, Conversation: e.Conversation, Cursor: seq})},
			visitorID: e.Conversation.Visitor.ID, conversationID: e.Conversation.ID,
			visitor: &ServerFrame{Type: FrameConversationUpdated, Conversation: e.Conversation.ForVisitor()},
		}
	case contracts.ConversationReadDone.Name():
		var e contracts.ConversationReadEvent
		if env.Decode(&e) != nil {
			return event{}
		}
		return event{
			agent:     [][]byte{encodeFrame(ServerFrame{Type: FrameRead, ConversationID: e.ConversationID, Reader: &e.Reader, Seq: e.Seq, Cursor: seq})},
			visitorID: e.VisitorID, conversationID: e.ConversationID,
			visitor: &ServerFrame{Type: FrameRead, ConversationID: e.ConversationID, Reader: &e.Reader, Seq: e.Seq},
		}
	case contracts.ConversationConversationsDeleted.Name():
		var e contracts.ConversationsDeleted
		if env.Decode(&e) != nil || len(e.ConversationIDs) == 0 {
			return event{}
		}
		return event{agent: [][]byte{encodeFrame(ServerFrame{Type: FrameConversationsGone, ConversationIDs: e.ConversationIDs, Cursor: seq})}}
	case contracts.ConversationAgentPresence.Name():
		var e contracts.AgentPresence
		if env.Decode(&e) != nil {
			return event{}
		}
		return event{
			agent:       [][]byte{encodeFrame(ServerFrame{Type: FramePresence, AgentID: e.Agent.ID, Author: &e.Agent, Status: e.Status, Cursor: seq})},
			allVisitors: &ServerFrame{Type: FramePresence, AgentID: e.Agent.ID, Author: &e.Agent, Status: e.Status},
		}
	}
	return event{}
}

// dispatch sends one event of the feed's tenant to the sockets that may see it.
func (h *Hub) dispatch(f *feed, seq uint64, ev event) {
	h.mu.RLock()
	// Advancing last and listing the agents under one lock: a socket
	// registering now either is in this list or starts after seq.
	f.last.Store(seq)
	var agents []*Conn
	if rm := h.tenants[f.tenant]; rm != nil && len(ev.agent) > 0 {
		agents = make([]*Conn, 0, len(rm.agents))
		for c := range rm.agents {
			agents = append(agents, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range agents {
		c.deliver(seq, ev.agent)
	}
	if ev.visitor != nil {
		h.toVisitor(f.tenant, ev.visitorID, ev.conversationID, ev.visitor)
	}
	if ev.allVisitors != nil {
		h.toAllVisitors(f.tenant, ev.allVisitors)
	}
}

// onTyping forwards a typing indicator: to the tenant's agents (except the
// typist) and, unless it is a private note, to the conversation's visitor.
func (h *Hub) onTyping(tenant string, m *nats.Msg) {
	var t contracts.Typing
	if json.Unmarshal(m.Data, &t) != nil {
		return
	}
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

// toVisitor sends to a visitor's sockets and remembers that the
// conversation is theirs (a conversation they just started).
func (h *Hub) toVisitor(tenant, visitorID, conversationID string, frame *ServerFrame) {
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
	sendTo(targets, frame)
}

func (h *Hub) toAllVisitors(tenant string, frame *ServerFrame) {
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
	sendTo(targets, frame)
}

// sendTo encodes frame once, and only if some socket is to get it.
func sendTo(targets []*Conn, frame *ServerFrame) {
	if len(targets) == 0 {
		return
	}
	b := encodeFrame(*frame)
	for _, c := range targets {
		c.send(b)
	}
}
