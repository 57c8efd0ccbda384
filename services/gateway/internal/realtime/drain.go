package realtime

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// FrameReconnect tells a client that this gateway is going away and that it
// should reconnect (to any gateway) and catch up with after_seq.
const FrameReconnect = "reconnect" // {type}

// Drain tells every socket to reconnect, after the frames already queued
// for it, then closes it with 1012 (service restart). It returns once every
// socket is closed, or after writeTimeout for a client that does not read.
func (h *Hub) Drain() {
	frame, _ := json.Marshal(ServerFrame{Type: FrameReconnect})
	var wg sync.WaitGroup
	for _, c := range h.snapshot() {
		wg.Go(func() {
			c.send(frame)
			c.waitWritten(time.Now().Add(writeTimeout))
			c.closeWith(websocket.CloseServiceRestart, "server restarting: reconnect")
		})
	}
	wg.Wait()
}

// waitWritten waits until the socket's queue is written, it closed, or the
// deadline passes.
func (c *Conn) waitWritten(deadline time.Time) {
	for time.Now().Before(deadline) {
		c.mu.Lock()
		idle := c.closed || (!c.writing && len(c.queue) == 0)
		c.mu.Unlock()
		if idle {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
