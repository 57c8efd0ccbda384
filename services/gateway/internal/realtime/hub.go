package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/problem"
	"github.com/parley-chat/parley/services/gateway/internal/ratelimit"
)

// Revoked says whether an agent's session has ended since it connected.
type Revoked func(p contracts.Principal) (contracts.Principal, bool)

// Hub holds a gateway's sockets.
type Hub struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	log       *slog.Logger
	revoked   Revoked
	gatewayID string
	upgrader  websocket.Upgrader

	// VisitorRevoked reports whether a visitor's tokens issued by the given
	// time were revoked (Parley('reset')); such sockets are closed too.
	VisitorRevoked func(tenantID, visitorID string, issuedBy time.Time) bool
	// Visitors limits visitors' message.send frames, with the REST sends.
	Visitors *ratelimit.Visitors
	// SocketsPerVisitor and SocketsPerIP cap the sockets open at once on
	// this gateway per visitor (or agent session) and per visitor IP; 0 is
	// no cap (see limits.go).
	SocketsPerVisitor, SocketsPerIP int

	mu      sync.RWMutex
	tenants map[string]*room
	feeds   map[string]*feed // by tenant id
	agents  map[agentKey]*agentState
	conns   map[*Conn]struct{}
	sockets map[string]int // open sockets by socketKeys

	feedGrace time.Duration // FeedGrace
	events    atomic.Int64  // live events the feeds decoded
}

// room is one tenant's sockets on this gateway.
type room struct {
	agents   map[*Conn]struct{}
	visitors map[string]map[*Conn]struct{} // by visitor id
	owner    map[string]string             // conversation id → visitor id, for connected visitors
}

type agentKey struct{ tenant, agent string }

type agentState struct {
	conns   int
	name    string
	offline *time.Timer // pending "offline" after the grace period
}

// PresenceGrace is how long an agent's last socket may be gone before they
// count as offline (a page reload or a short network drop is not leaving).
const PresenceGrace = 10 * time.Second

// New returns a hub.
func New(nc *nats.Conn, js jetstream.JetStream, revoked Revoked, log *slog.Logger) *Hub {
	return &Hub{
		nc: nc, js: js, log: log, revoked: revoked, gatewayID: ids.New(),
		upgrader: websocket.Upgrader{
			ReadBufferSize: 512, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
			HandshakeTimeout: 10 * time.Second,
			// Origins are checked by the caller before Serve.
			CheckOrigin: func(*http.Request) bool { return true },
		},
		feedGrace: FeedGrace, tenants: map[string]*room{}, feeds: map[string]*feed{}, agents: map[agentKey]*agentState{}, conns: map[*Conn]struct{}{},
		sockets: map[string]int{},
	}
}

// Serve upgrades the request to a socket for an authenticated actor and
// returns at once: the socket lives on in its own reader goroutine.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, actor contracts.Actor, session string) {
	if !websocket.IsWebSocketUpgrade(r) {
		problem.Write(w, apperr.New(apperr.Invalid, "this endpoint speaks WebSocket only"), "")
		return
	}
	after, resuming, err := resumeCursor(r, actor)
	if err != nil {
		problem.Write(w, err, "")
		return
	}
	// Counted before any work, so that a flood of sockets costs nothing
	// once over the cap; given back unless the socket opens.
	if err := h.reserve(actor, session); err != nil {
		problem.Write(w, err, "")
		return
	}
	opened := false
	defer func() {
		if !opened {
			h.unreserve(actor, session)
		}
	}()
	var owned []string
	if actor.Type == contracts.AuthorVisitor {
		// The visitor's conversations, so that typing can be routed to them.
		list, err := natsx.Call(r.Context(), h.nc, contracts.ConversationListOwn, contracts.ConversationRequest{Actor: actor})
		if err != nil {
			problem.Write(w, err, "")
			return
		}
		for _, c := range list.Conversations {
			owned = append(owned, c.ID)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), natsx.DefaultTimeout)
	f, err := h.acquire(ctx, actor.TenantID)
	cancel()
	if err != nil {
		problem.Write(w, err, "")
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.release(f)
		return // the upgrader has answered
	}
	opened = true // unregister gives the count back
	ws.SetReadLimit(maxFrame)
	now := time.Now()
	c := &Conn{ws: ws, Actor: actor, Session: session, since: now, cursor: after}
	if resuming {
		c.resuming = &catchUp{}
	}
	upto := h.register(c, owned, f)
	if resuming {
		go h.resume(c, after, upto)
	}
	go h.readLoop(c, f)
}

// register adds the socket and queues its hello before any event can
// reach it. An agent's hello carries the cursor from which it gets every
// event (its own when resuming); the feed's position is returned.
func (h *Hub) register(c *Conn, owned []string, f *feed) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	upto := f.last.Load()
	hello := ServerFrame{Type: FrameHello, Role: "visitor", ServerTime: time.Now().UTC().Format(time.RFC3339Nano)}
	if c.isAgent() {
		hello.Role = "agent"
		if c.resuming == nil {
			c.cursor = upto
		}
		hello.Cursor = c.cursor
	}
	c.sendFrame(hello)
	h.conns[c] = struct{}{}
	rm := h.tenants[c.Actor.TenantID]
	if rm == nil {
		rm = &room{agents: map[*Conn]struct{}{}, visitors: map[string]map[*Conn]struct{}{}, owner: map[string]string{}}
		h.tenants[c.Actor.TenantID] = rm
	}
	if c.isAgent() {
		rm.agents[c] = struct{}{}
		h.agentConnected(c)
		return upto
	}
	set := rm.visitors[c.Actor.ID]
	if set == nil {
		set = map[*Conn]struct{}{}
		rm.visitors[c.Actor.ID] = set
	}
	set[c] = struct{}{}
	for _, id := range owned {
		rm.owner[id] = c.Actor.ID
	}
	return upto
}

func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return
	}
	delete(h.conns, c)
	h.unreserveLocked(c.Actor, c.Session)
	rm := h.tenants[c.Actor.TenantID]
	if c.isAgent() {
		delete(rm.agents, c)
		h.agentDisconnected(c)
	} else if set := rm.visitors[c.Actor.ID]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(rm.visitors, c.Actor.ID)
			for conv, v := range rm.owner {
				if v == c.Actor.ID {
					delete(rm.owner, conv)
				}
			}
		}
	}
	if len(rm.agents) == 0 && len(rm.visitors) == 0 {
		delete(h.tenants, c.Actor.TenantID)
	}
}

// readLoop reads client frames until the socket dies.
func (h *Hub) readLoop(c *Conn, f *feed) {
	defer func() {
		c.close()
		h.unregister(c)
		h.release(f)
	}()
	_ = c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(readTimeout)) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(readTimeout))
		var f ClientFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.sendFrame(ServerFrame{Type: FrameError, Code: string(apperr.Invalid), Detail: "frames are JSON objects with a type"})
			continue
		}
		h.handle(c, f)
	}
}

func (h *Hub) handle(c *Conn, f ClientFrame) {
	ctx, cancel := context.WithTimeout(context.Background(), natsx.DefaultTimeout)
	defer cancel()
	switch f.Type {
	case FramePing:
		c.sendFrame(ServerFrame{Type: FramePong})
	case FrameSend:
		if !c.isAgent() {
			if err := h.Visitors.Message(c.Actor); err != nil {
				c.sendError(err, f.ClientMsgID)
				return
			}
		}
		res, err := natsx.Call(ctx, h.nc, contracts.ConversationSend, contracts.SendRequest{
			Actor: c.Actor, ConversationID: f.ConversationID, Body: f.Body, ClientMsgID: f.ClientMsgID, Private: f.Private,
			Attachments: f.Attachments,
		})
		if err != nil {
			c.sendError(err, f.ClientMsgID)
			return
		}
		c.sendFrame(ServerFrame{Type: FrameMessageAck, ClientMsgID: f.ClientMsgID, Message: &res.Message})
	case FrameRead:
		if !c.allowRead() {
			return
		}
		if _, err := natsx.Call(ctx, h.nc, contracts.ConversationRead, contracts.ReadRequest{Actor: c.Actor, ConversationID: f.ConversationID, Seq: f.Seq}); err != nil {
			c.sendError(err, "")
		}
	case FrameTyping:
		if c.allowTyping() {
			h.publishTyping(c, f)
		}
	default:
		c.sendFrame(ServerFrame{Type: FrameError, Code: string(apperr.Invalid), Detail: "unknown frame type " + f.Type})
	}
}

// publishTyping forwards a typing indicator to every gateway. A visitor may
// only type in their own conversations.
func (h *Hub) publishTyping(c *Conn, f ClientFrame) {
	t := contracts.Typing{ConversationID: f.ConversationID, Typing: f.Typing,
		Author: contracts.Author{Type: c.Actor.Type, ID: c.Actor.ID, Name: c.Actor.Name}}
	if c.isAgent() {
		t.Private = f.Private
	} else {
		h.mu.RLock()
		owner := h.tenants[c.Actor.TenantID].owner[f.ConversationID]
		h.mu.RUnlock()
		if owner != c.Actor.ID {
			return
		}
		t.VisitorID = c.Actor.ID
	}
	b, _ := json.Marshal(t)
	_ = h.nc.Publish(contracts.LiveTyping(c.Actor.TenantID), b)
}

// Run pings sockets and keeps presence until ctx ends, then closes every
// socket and stops the tenants' feeds (each socket's tenant is followed
// from its first socket on; see feed.go).
func (h *Hub) Run(ctx context.Context) error {
	// Presence calls the conversation service once per agent: on its own
	// goroutine, so a slow service never delays pings or shutdown.
	go h.keepPresence(ctx)
	ping := time.NewTicker(PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			h.closeAll()
			h.stopFeeds()
			return nil
		case <-ping.C:
			for _, c := range h.snapshot() {
				c.ping()
			}
		}
	}
}

// keepPresence runs the heartbeat until ctx ends; a heartbeat still running
// when the next is due makes the ticker drop that tick.
func (h *Hub) keepPresence(ctx context.Context) {
	t := time.NewTicker(heartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.heartbeat()
		}
	}
}

func (h *Hub) snapshot() []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		out = append(out, c)
	}
	return out
}

func (h *Hub) closeAll() { h.Drain() }

// Count returns how many sockets the hub holds.
func (h *Hub) Count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.conns)
}

// CloseTenant closes every socket of a tenant (its workspace was deleted).
func (h *Hub) CloseTenant(tenantID string) {
	h.mu.RLock()
	var targets []*Conn
	if rm := h.tenants[tenantID]; rm != nil {
		for c := range rm.agents {
			targets = append(targets, c)
		}
		for _, set := range rm.visitors {
			for c := range set {
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.closeWith(websocket.ClosePolicyViolation, "this workspace was deleted")
	}
}

// CloseVisitor closes a visitor's sockets (their data was erased, or the
// team blocked them), telling them why.
func (h *Hub) CloseVisitor(tenantID, visitorID, reason string) {
	h.mu.RLock()
	var targets []*Conn
	if rm := h.tenants[tenantID]; rm != nil {
		for c := range rm.visitors[visitorID] {
			targets = append(targets, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.closeWith(websocket.ClosePolicyViolation, reason)
	}
}
