package allinone_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// frame is a decoded socket frame.
type frame map[string]any

func (f frame) str(path string) string {
	var v any = map[string]any(f)
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func (f frame) num(path string) float64 {
	var v any = map[string]any(f)
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	n, _ := v.(float64)
	return n
}

// socket is a test client of /api/v1/ws that records every frame it gets.
type socket struct {
	t      *testing.T
	ws     *websocket.Conn
	mu     sync.Mutex
	frames []frame
	closed chan struct{}
	// violations are frames that do not match api/asyncapi.yaml.
	violations []string
}

// dial opens a socket with a token (agent access token or visitor token).
func (p *parley) dial(t *testing.T, token string, header http.Header) *socket {
	t.Helper()
	url := strings.Replace(p.URL, "http://", "ws://", 1) + "/api/v1/ws?access_token=" + token
	ws, res, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	s := &socket{t: t, ws: ws, closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		role := ""
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(data, &f) == nil {
				if f["type"] == "hello" {
					role = f.str("role")
				}
				s.mu.Lock()
				s.frames = append(s.frames, f)
				if err := checkFrame(role, data); err != nil {
					s.violations = append(s.violations, err.Error())
				}
				s.mu.Unlock()
			}
		}
	}()
	// Frames that break the contract fail the test once the socket is done.
	t.Cleanup(func() {
		_ = ws.Close()
		<-s.closed
		for _, v := range s.violations {
			t.Errorf("contract: %s", v)
		}
	})
	s.expect(5*time.Second, func(f frame) bool { return f["type"] == "hello" })
	return s
}

// dialStatus tries to open a socket and returns the HTTP status of a refusal.
func (p *parley) dialStatus(token string, header http.Header) int {
	url := strings.Replace(p.URL, "http://", "ws://", 1) + "/api/v1/ws?access_token=" + token
	ws, res, err := websocket.DefaultDialer.Dial(url, header)
	if err == nil {
		ws.Close()
		return http.StatusSwitchingProtocols
	}
	if res == nil {
		return 0
	}
	return res.StatusCode
}

func (s *socket) send(v any) {
	s.t.Helper()
	if err := s.ws.WriteJSON(v); err != nil {
		s.t.Fatal(err)
	}
}

// expect waits for a frame matching pred and returns it.
func (s *socket) expect(timeout time.Duration, pred func(frame) bool) frame {
	s.t.Helper()
	var got frame
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		for _, f := range s.frames {
			if pred(f) {
				got = f
				break
			}
		}
		seen := len(s.frames)
		s.mu.Unlock()
		if got != nil {
			return got
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no matching frame within %s; got %d frames: %v", timeout, seen, s.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// all returns a copy of the frames so far.
func (s *socket) all() []frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]frame(nil), s.frames...)
}

// count counts frames matching pred.
func (s *socket) count(pred func(frame) bool) int {
	n := 0
	for _, f := range s.all() {
		if pred(f) {
			n++
		}
	}
	return n
}

func isType(typ string) func(frame) bool { return func(f frame) bool { return f["type"] == typ } }

func messageWithBody(body string) func(frame) bool {
	return func(f frame) bool { return f["type"] == "message.created" && f.str("message.body") == body }
}

// visitor is a widget visitor.
type visitor struct {
	ID, Token string
}

// widgetKey returns the owner's tenant's widget key.
func (p *parley) widgetKey(owner account) string {
	p.t.Helper()
	return p.do("GET", "/api/v1/tenant", owner.Access, nil).must(p.t, 200).str("widget_key")
}

// newVisitor starts an anonymous visitor session on a tenant's widget.
func (p *parley) newVisitor(widgetKey string) visitor {
	p.t.Helper()
	r := p.do("POST", "/api/v1/widget/"+widgetKey+"/session", "", map[string]any{}).must(p.t, 200)
	return visitor{ID: r.str("visitor.id"), Token: r.str("visitor_token")}
}

var msgSeq struct {
	sync.Mutex
	n int
}

// msgID returns a fresh client_msg_id.
func msgID() string {
	msgSeq.Lock()
	defer msgSeq.Unlock()
	msgSeq.n++
	return fmt.Sprintf("m-%d-%d", time.Now().UnixNano(), msgSeq.n)
}

// startConversation has a visitor start a conversation.
func (p *parley) startConversation(v visitor, body string) response {
	p.t.Helper()
	return p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": body, "client_msg_id": msgID()}).must(p.t, 201)
}
