package realtime

import (
	"fmt"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/gateway/internal/ratelimit"
)

// Frames of a kind one socket may send: a burst, then so many a minute.
// The widget sends typing at most every 3 s and read once per message seen,
// so these are far above honest use; a flood beyond them is dropped before
// it fans out to the tenant's agents (see Conn.allow).
const (
	typingBurst, typingPerMinute = 10, 60
	readBurst, readPerMinute     = 30, 120
)

// frameLimits are one socket's allowances, used by its reader goroutine
// only. Each is made on the first frame of its kind, so that an idle socket
// holds none.
type frameLimits struct{ typing, read *frameLimit }

type frameLimit struct {
	bucket *ratelimit.Bucket
	warned time.Time // the last error frame for this kind
}

// allowTyping and allowRead take a token for a typing or read frame.
func (c *Conn) allowTyping() bool {
	return c.allow(&c.limits.typing, "typing", typingPerMinute, typingBurst)
}

func (c *Conn) allowRead() bool { return c.allow(&c.limits.read, "read", readPerMinute, readBurst) }

// allow takes a token for a frame of kind. Beyond the limit the frame is
// dropped, and answered with a rate_limited error frame at most once a
// minute: the rest of a flood is dropped silently, so that refusing it does
// not become a flood of its own.
func (c *Conn) allow(l **frameLimit, kind string, perMinute, burst int) bool {
	now := time.Now()
	if *l == nil {
		*l = &frameLimit{bucket: ratelimit.NewBucket(perMinute, time.Minute, burst, now)}
	}
	ok, wait := (*l).bucket.Take(now)
	if !ok && now.Sub((*l).warned) >= time.Minute {
		(*l).warned = now
		e := apperr.RateLimitedFor(wait)
		e.Message = fmt.Sprintf("too many %s frames; the excess is dropped", kind)
		c.sendError(e, "")
	}
	return ok
}

// socketKeys are what a socket counts against: its visitor (or an agent's
// session) and, for visitors, the client IP. Agents are signed-in members,
// whose office may put a whole team behind one IP.
func socketKeys(a contracts.Actor, session string) (owner, ip string) {
	if a.Type == contracts.AuthorAgent {
		return "s/" + session, ""
	}
	if a.IP == "" {
		return "v/" + a.TenantID + "/" + a.ID, ""
	}
	return "v/" + a.TenantID + "/" + a.ID, ratelimit.Network(a.IP)
}

// reserve counts a new socket against its owner and IP, or refuses it
// with 429 once either holds as many as allowed (0: no limit).
func (h *Hub) reserve(a contracts.Actor, session string) error {
	owner, ip := socketKeys(a, session)
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.SocketsPerVisitor; n > 0 && h.sockets[owner] >= n {
		return socketsLimited("this visitor", n)
	}
	if n := h.SocketsPerIP; n > 0 && ip != "" && h.sockets["ip/"+ip] >= n {
		return socketsLimited("this network", n)
	}
	h.sockets[owner]++
	if ip != "" {
		h.sockets["ip/"+ip]++
	}
	return nil
}

// unreserve gives back what reserve counted.
func (h *Hub) unreserve(a contracts.Actor, session string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unreserveLocked(a, session)
}

// unreserveLocked is unreserve with h.mu held.
func (h *Hub) unreserveLocked(a contracts.Actor, session string) {
	owner, ip := socketKeys(a, session)
	h.uncountLocked(owner)
	if ip != "" {
		h.uncountLocked("ip/" + ip)
	}
}

func (h *Hub) uncountLocked(key string) {
	if h.sockets[key]--; h.sockets[key] <= 0 {
		delete(h.sockets, key)
	}
}

func socketsLimited(who string, n int) error {
	e := apperr.RateLimitedFor(10 * time.Second)
	e.Message = fmt.Sprintf("too many open chat sockets from %s (at most %d); close one and try again", who, n)
	return e
}
