package realtime

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Timing of the socket protocol.
const (
	PingInterval = 25 * time.Second
	readTimeout  = 60 * time.Second // a socket silent this long is dead
	writeTimeout = 10 * time.Second
	// Frames waiting for a slow client before it is dropped. An agent gets
	// every event of the tenant, so a burst across many conversations must not
	// drop the inbox; a visitor gets only their own conversations'.
	maxQueuedAgent   = 8192
	maxQueuedVisitor = 512
	maxFrame         = 64 << 10 // a 10,000-character body is up to 40 KB of UTF-8
)

// Conn is one client socket.
type Conn struct {
	ws      *websocket.Conn
	hub     *Hub
	Actor   contracts.Actor
	Session string // agents: the session id, for revocation

	since time.Time // when the socket opened: a visitor revoked since then is cut off

	mu      sync.Mutex
	queue   [][]byte
	writing bool
	closed  bool
}

func (c *Conn) isAgent() bool { return c.Actor.Type == contracts.AuthorAgent }

func (c *Conn) maxQueued() int {
	if c.isAgent() {
		return maxQueuedAgent
	}
	return maxQueuedVisitor
}

// send queues a frame; a client too slow to keep up is disconnected (it
// reconnects and catches up with after_seq).
func (c *Conn) send(frame []byte) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= c.maxQueued() {
		c.mu.Unlock()
		c.close()
		return
	}
	c.queue = append(c.queue, frame)
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
}

func (c *Conn) sendFrame(f ServerFrame) {
	b, err := json.Marshal(f)
	if err == nil {
		c.send(b)
	}
}

// writeLoop drains the queue and exits when it is empty.
func (c *Conn) writeLoop() {
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 || c.closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for _, frame := range batch {
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
				c.close()
				return
			}
		}
	}
}

func (c *Conn) ping() {
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
		c.close()
	}
}

// closeWith tells the client why, then closes the socket.
func (c *Conn) closeWith(code int, reason string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.close()
}

// close ends the socket once; the reader then unregisters it.
func (c *Conn) close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.queue = nil
	c.mu.Unlock()
	if !already {
		_ = c.ws.Close()
	}
}
