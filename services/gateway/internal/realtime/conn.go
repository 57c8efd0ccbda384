package realtime

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/pkg/apperr"
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
	Actor   contracts.Actor
	Session string // agents: the session id, for revocation

	since  time.Time   // when the socket opened: a visitor revoked since then is cut off
	limits frameLimits // typing and read frames; the reader goroutine's only

	mu      sync.Mutex
	queue   [][]byte
	writing bool
	closed  bool
	// Agents: cursor is the stream sequence of the last event sent; while
	// resuming (only then, to keep idle sockets small), live events wait in
	// resuming.held until the replay has sent the events before them.
	cursor   uint64
	resuming *catchUp
}

type catchUp struct{ held []heldEvent }

type heldEvent struct {
	seq    uint64
	frames [][]byte
}

func (c *Conn) isAgent() bool { return c.Actor.Type == contracts.AuthorAgent }

func (c *Conn) maxQueued() int {
	if c.isAgent() {
		return maxQueuedAgent
	}
	return maxQueuedVisitor
}

// send queues frames; a client too slow to keep up is disconnected (it
// reconnects and resumes).
func (c *Conn) send(frames ...[]byte) {
	c.mu.Lock()
	start, ok := c.queueLocked(frames)
	c.mu.Unlock()
	c.started(start, ok)
}

// queueLocked appends frames for the writer. It reports whether a writer
// must start, and false for a client too slow to keep up. c.mu is held.
func (c *Conn) queueLocked(frames [][]byte) (start, ok bool) {
	if c.closed || len(frames) == 0 {
		return false, true
	}
	if len(c.queue)+len(frames) > c.maxQueued() {
		return false, false
	}
	c.queue = append(c.queue, frames...)
	start = !c.writing
	c.writing = true
	return start, true
}

// started acts on queueLocked's answer once c.mu is released.
func (c *Conn) started(start, ok bool) {
	if !ok {
		c.close()
	} else if start {
		go c.writeLoop()
	}
}

// deliver queues an agent's frames of the live event seq: held back while
// the socket resumes, dropped if the replay sent them already.
func (c *Conn) deliver(seq uint64, frames [][]byte) {
	start, ok := false, true
	c.mu.Lock()
	switch {
	case c.closed:
	case c.resuming != nil:
		if ok = len(c.resuming.held) < c.maxQueued(); ok {
			c.resuming.held = append(c.resuming.held, heldEvent{seq, frames})
		}
	case seq > c.cursor:
		c.cursor = seq
		start, ok = c.queueLocked(frames)
	}
	c.mu.Unlock()
	c.started(start, ok)
}

// replayed queues the frames of a missed event; false once the socket is closed.
func (c *Conn) replayed(seq uint64, frames [][]byte) bool {
	start, ok := false, true
	c.mu.Lock()
	closed := c.closed
	if !closed && seq > c.cursor {
		c.cursor = seq
		start, ok = c.queueLocked(frames)
	}
	c.mu.Unlock()
	c.started(start, ok)
	return !closed && ok
}

// endResume queues frame (resumed or resync), then the live events held
// meanwhile that the replay did not send, and goes live. After a resync the
// socket goes on from cursor live, the feed's position when it registered.
func (c *Conn) endResume(frame []byte, resync bool, live uint64) {
	c.mu.Lock()
	if resync {
		c.cursor = live
	}
	frames := [][]byte{frame}
	var held []heldEvent
	if c.resuming != nil { // nil once the socket closed
		held = c.resuming.held
	}
	for _, e := range held {
		if e.seq > c.cursor {
			c.cursor = e.seq
			frames = append(frames, e.frames...)
		}
	}
	c.resuming = nil
	start, ok := c.queueLocked(frames)
	c.mu.Unlock()
	c.started(start, ok)
}

func (c *Conn) sendFrame(f ServerFrame) {
	b, err := json.Marshal(f)
	if err == nil {
		c.send(b)
	}
}

// sendError answers a frame with an error frame; the socket stays open.
func (c *Conn) sendError(err error, clientMsgID string) {
	e := apperr.As(err)
	c.sendFrame(ServerFrame{Type: FrameError, Code: string(e.Code), Detail: e.Message, ClientMsgID: clientMsgID,
		RetryAfter: int((e.RetryAfter + time.Second - 1) / time.Second)})
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
	c.queue, c.resuming = nil, nil
	c.mu.Unlock()
	if !already {
		_ = c.ws.Close()
	}
}
