package realtime

import (
	"context"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

// heartbeatInterval is how often this gateway tells the conversation service
// which agents it still holds (well inside its presence TTL).
const heartbeatInterval = 20 * time.Second

// agentConnected counts a socket of an agent; the first one makes them
// online (or cancels a pending offline). Called with h.mu held.
func (h *Hub) agentConnected(c *Conn) {
	k := agentKey{c.Actor.TenantID, c.Actor.ID}
	st := h.agents[k]
	if st == nil {
		st = &agentState{}
		h.agents[k] = st
	}
	st.conns++
	st.name = c.Actor.Name
	if st.offline != nil {
		st.offline.Stop()
		st.offline = nil
	}
	if st.conns == 1 {
		go h.reportPresence(k, st.name, true)
	}
}

// agentDisconnected uncounts a socket; after the last one, the agent goes
// offline unless a socket returns within PresenceGrace. Called with h.mu held.
func (h *Hub) agentDisconnected(c *Conn) {
	k := agentKey{c.Actor.TenantID, c.Actor.ID}
	st := h.agents[k]
	if st == nil {
		return
	}
	st.conns--
	if st.conns > 0 {
		return
	}
	st.offline = time.AfterFunc(PresenceGrace, func() {
		h.mu.Lock()
		cur := h.agents[k]
		gone := cur == st && st.conns == 0
		if gone {
			delete(h.agents, k)
		}
		h.mu.Unlock()
		if gone {
			h.reportPresence(k, st.name, false)
		}
	})
}

func (h *Hub) reportPresence(k agentKey, name string, online bool) {
	ctx, cancel := context.WithTimeout(context.Background(), natsx.DefaultTimeout)
	defer cancel()
	_, err := natsx.Call(ctx, h.nc, contracts.ConversationPresence, contracts.PresenceRequest{
		TenantID: k.tenant, AgentID: k.agent, AgentName: name, GatewayID: h.gatewayID, Online: online,
	})
	if err != nil {
		h.log.Warn("report presence", "tenant_id", k.tenant, "agent_id", k.agent, "online", online, "err", err)
	}
}

// Recheck closes the sockets whose access ended since they connected: a
// session logged out or revoked, a member removed, a visitor forgotten,
// and a member whose role changed (the client reconnects with its new
// role). The heartbeat runs it, and the gateway at once on such an event.
func (h *Hub) Recheck() {
	h.mu.RLock()
	var ended []*Conn
	for c := range h.conns {
		if c.isAgent() {
			p, ok := h.revoked(contracts.Principal{TenantID: c.Actor.TenantID, UserID: c.Actor.ID, Role: c.Actor.Role, SessionID: c.Session})
			if !ok || p.Role != c.Actor.Role {
				ended = append(ended, c)
			}
		} else if h.VisitorRevoked != nil && h.VisitorRevoked(c.Actor.TenantID, c.Actor.ID, c.since) {
			// Its token was issued before the socket opened, so before the revocation.
			ended = append(ended, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range ended {
		c.close()
	}
}

// heartbeat renews the presence of every agent this gateway holds, and
// closes the sockets of sessions that ended since they connected.
func (h *Hub) heartbeat() {
	h.mu.RLock()
	var online []agentKey
	names := map[agentKey]string{}
	for k, st := range h.agents {
		if st.conns > 0 {
			online = append(online, k)
			names[k] = st.name
		}
	}
	h.mu.RUnlock()
	h.Recheck()
	for _, k := range online {
		h.reportPresence(k, names[k], true)
	}
}
