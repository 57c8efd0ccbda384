package gateway_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

// serveSends answers starts and sends as the conversation service would,
// and every visitor's own conversations (owned) for their sockets.
func serveSends(h *harness, owned ...string) {
	msg := func(a contracts.Actor, conv, body string) contracts.Message {
		return contracts.Message{ID: ids.New(), ConversationID: conv, Seq: 1, Author: contracts.Author{Type: a.Type, ID: a.ID}, Body: body, Kind: contracts.KindText, CreatedAt: time.Now().UTC()}
	}
	serveQuietly(h, contracts.ConversationStart, func(r contracts.StartRequest) (contracts.SendResult, error) {
		now := time.Now().UTC()
		c := contracts.Conversation{ID: ids.New(), Status: contracts.StatusOpen, Handoff: contracts.HandoffAgent, Visitor: contracts.Visitor{ID: r.Actor.ID}, CreatedAt: now, UpdatedAt: now, LastActivityAt: now}
		return contracts.SendResult{Conversation: c, Message: msg(r.Actor, c.ID, r.Body)}, nil
	})
	serveQuietly(h, contracts.ConversationSend, func(r contracts.SendRequest) (contracts.SendResult, error) {
		return contracts.SendResult{Message: msg(r.Actor, r.ConversationID, r.Body)}, nil
	})
	serveQuietly(h, contracts.ConversationListOwn, func(contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		out := contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{}}
		for _, id := range owned {
			out.Conversations = append(out.Conversations, contracts.VisitorConversation{ID: id})
		}
		return out, nil
	})
}

// A visitor token starting conversations in a loop is stopped after 10 (an
// hour's allowance), long before it could use up a Free plan's 100; so is
// an IP after 200, whatever the tokens; another visitor and IP go on.
func TestConversationStartsAreLimited(t *testing.T) {
	h := newHarness(t, nil)
	serveSends(h)
	tenant := ids.New()
	start := func(tok, ip string) response {
		return h.do("POST", "/api/v1/widget/conversations", tok, map[string]string{"body": "hi", "client_msg_id": ids.New()}, "", "X-Forwarded-For", ip)
	}
	loop := h.visitorToken(tenant, ids.New())
	started := 0
	for i := range 99 {
		r := start(loop, "198.51.100.20")
		if r.status == http.StatusTooManyRequests {
			if r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "visitor") {
				t.Fatalf("429 without Retry-After or reason: %v %s", r.header, r.body)
			}
			continue
		}
		expect(t, fmt.Sprint("start ", i), r, http.StatusCreated)
		started++
	}
	if started != 10 {
		t.Fatalf("one visitor started %d conversations, want 10", started)
	}
	expect(t, "another visitor on the same IP", start(h.visitorToken(tenant, ids.New()), "198.51.100.20"), http.StatusCreated)

	// 200 an hour per IP: 11 already, so 189 more visitors get one each.
	for i := range 189 {
		expect(t, fmt.Sprint("visitor ", i), start(h.visitorToken(tenant, ids.New()), "198.51.100.20"), http.StatusCreated)
	}
	r := start(h.visitorToken(tenant, ids.New()), "198.51.100.20")
	expect(t, "the IP's 201st", r, http.StatusTooManyRequests, "rate_limited")
	if !strings.Contains(string(r.body), "network") {
		t.Fatalf("429 does not say the network is limited: %s", r.body)
	}
	expect(t, "another IP", start(h.visitorToken(tenant, ids.New()), "198.51.100.21"), http.StatusCreated)
}

// 300 messages of 9 KB in a burst from one visitor: after a minute's
// allowance (60) the rest get 429 with Retry-After on REST, and an error
// frame with the same code on the visitor's socket, which stays open. A
// visitor elsewhere is not held back; an IP's visitors share 600 a minute.
func TestVisitorMessagesAreLimited(t *testing.T) {
	h := newHarness(t, nil)
	serveSends(h)
	tenant, conv := ids.New(), ids.New()
	send := func(tok, ip string) response {
		return h.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", tok,
			map[string]string{"body": strings.Repeat("x", 9<<10), "client_msg_id": ids.New()}, "", "X-Forwarded-For", ip)
	}
	flood := h.visitorToken(tenant, ids.New())
	began, sent, refused := time.Now(), 0, 0
	for i := range 300 {
		switch r := send(flood, "198.51.100.30"); r.status {
		case http.StatusCreated:
			sent++
		case http.StatusTooManyRequests:
			if r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			refused++
		default:
			t.Fatalf("message %d: %d %s", i, r.status, r.body)
		}
	}
	// One more token comes back each second the burst takes.
	if most := 60 + int(time.Since(began).Seconds()) + 1; sent < 60 || sent > most {
		t.Fatalf("%d of 300 messages accepted, want 60 to %d (%d refused)", sent, most, refused)
	}

	ws := h.socket(flood) // the socket's sends count with the REST ones
	if err := ws.WriteJSON(map[string]any{"type": "message.send", "conversation_id": conv, "body": "more", "client_msg_id": "ws-1"}); err != nil {
		t.Fatal(err)
	}
	f := readFrame(t, ws, "error")
	if f["code"] != "rate_limited" || f["client_msg_id"] != "ws-1" || f["retry_after"].(float64) < 1 {
		t.Fatalf("error frame %v", f)
	}
	if err := ws.WriteJSON(map[string]any{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	readFrame(t, ws, "pong")

	other := h.visitorToken(tenant, ids.New())
	expect(t, "another visitor elsewhere", send(other, "198.51.100.31"), http.StatusCreated)
	otherWS := h.socket(other)
	if err := otherWS.WriteJSON(map[string]any{"type": "message.send", "conversation_id": conv, "body": "hello", "client_msg_id": "ws-2"}); err != nil {
		t.Fatal(err)
	}
	readFrame(t, otherWS, "message.ack")

	// The visitors of one IP share its allowance (600 a minute by default;
	// 30 here, to see it end quickly).
	h = newHarness(t, map[string]string{"PARLEY_IP_MESSAGES_PER_MINUTE": "30"})
	serveSends(h)
	sent = 0
	for {
		r := send(h.visitorToken(tenant, ids.New()), "198.51.100.32")
		if r.status == http.StatusTooManyRequests {
			if !strings.Contains(string(r.body), "network") || r.header.Get("Retry-After") == "" {
				t.Fatalf("429 for the IP: %v %s", r.header, r.body)
			}
			break
		}
		expect(t, fmt.Sprint("visitor ", sent, " on one IP"), r, http.StatusCreated)
		if sent++; sent > 40 {
			t.Fatalf("%d visitors on one IP were not limited", sent)
		}
	}
	if sent < 30 {
		t.Fatalf("the IP was limited after %d messages, want 30", sent)
	}
	expect(t, "another IP", send(h.visitorToken(tenant, ids.New()), "198.51.100.33"), http.StatusCreated)
}

// readAll reads a socket's frames into a channel, closed when the socket ends.
func readAll(ws *websocket.Conn) <-chan map[string]any {
	ch := make(chan map[string]any, 1<<16)
	go func() {
		defer close(ch)
		for {
			_, raw, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(raw, &f) == nil {
				ch <- f
			}
		}
	}()
	return ch
}

// untilPong sends a ping after what was sent and returns the frames up to
// its pong: the socket handles frames in order, so all were handled.
func untilPong(t *testing.T, ws *websocket.Conn, frames <-chan map[string]any) []map[string]any {
	t.Helper()
	if err := ws.WriteJSON(map[string]string{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	timeout := time.After(30 * time.Second)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("the socket closed")
			}
			if f["type"] == "pong" {
				return out
			}
			out = append(out, f)
		case <-timeout:
			t.Fatal("no pong")
		}
	}
}

// errorFrames are the rate_limited error frames among frames.
func errorFrames(t *testing.T, frames []map[string]any) int {
	t.Helper()
	n := 0
	for _, f := range frames {
		if f["type"] == "error" {
			if f["code"] != "rate_limited" || f["retry_after"] == nil {
				t.Fatalf("error frame %v", f)
			}
			n++
		}
	}
	return n
}

// A visitor's flood of 40,000 typing frames reaches the tenant's agents as
// a handful (10 at once, then one a second): the rest are dropped before
// they fan out, answered by one error frame (at most one a minute), and
// the agent's socket stays open. Read frames are limited the same way (30,
// then two a second).
func TestTypingAndReadFloodsAreDropped(t *testing.T) {
	h := newHarness(t, nil)
	tenant, conv := ids.New(), ids.New()
	serveSends(h, conv)
	serve(h, contracts.ConversationRead, func(contracts.ReadRequest) (contracts.Empty, error) { return contracts.Empty{}, nil })
	agentWS := h.socket(h.member(tenant, contracts.RoleAgent).token)
	agentFrames := readAll(agentWS)
	vtok := h.visitorToken(tenant, ids.New())
	ws := h.socket(vtok)
	frames := readAll(ws)

	began := time.Now()
	for range 40000 {
		if err := ws.WriteJSON(map[string]any{"type": "typing", "conversation_id": conv, "typing": true}); err != nil {
			t.Fatal(err)
		}
	}
	if n := errorFrames(t, untilPong(t, ws, frames)); n != 1 {
		t.Fatalf("%d error frames for the typing flood, want 1", n)
	}
	// Typing travels over NATS in order: once a "stopped typing" sent after
	// the flood reaches the agent (a token comes back each second), so has
	// every indicator of the flood that got through.
	typed := 0
	testkit.Eventually(t, 10*time.Second, func() error {
		if err := ws.WriteJSON(map[string]any{"type": "typing", "conversation_id": conv, "typing": false}); err != nil {
			t.Fatal(err)
		}
		for {
			select {
			case f, ok := <-agentFrames:
				if !ok {
					t.Fatal("the agent's socket closed")
				}
				if f["type"] != "typing" {
					continue
				}
				if f["typing"] == false {
					return nil
				}
				typed++
			default:
				return errors.New("the agent has not seen the visitor stop typing")
			}
		}
	})
	if most := 10 + int(time.Since(began).Seconds()) + 1; typed < 10 || typed > most {
		t.Fatalf("the agent got %d typing frames of 40,000, want 10 to %d", typed, most)
	}

	began = time.Now()
	for range 1000 {
		if err := ws.WriteJSON(map[string]any{"type": "read", "conversation_id": conv, "seq": 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := errorFrames(t, untilPong(t, ws, frames)); n != 1 {
		t.Fatalf("%d error frames for the read flood, want 1", n)
	}
	reads := 0
	for _, name := range h.log.names() {
		if name == "conversation.read" {
			reads++
		}
	}
	if most := 30 + 2*int(time.Since(began).Seconds()) + 2; reads < 30 || reads > most {
		t.Fatalf("%d of 1,000 read frames reached the conversation service, want 30 to %d", reads, most)
	}
}

// dial opens a socket for token as if from ip (the harness trusts its proxy).
func (h *harness) dial(token, ip string) (*websocket.Conn, *http.Response, error) {
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.base, "http")+"/api/v1/ws?access_token="+token, http.Header{"X-Forwarded-For": {ip}})
	if err == nil {
		h.t.Cleanup(func() { _ = ws.Close() })
	}
	return ws, res, err
}

// One visitor may hold 20 sockets on a gateway and one IP 200 visitor
// sockets: beyond, 429 with Retry-After; a closed socket frees its place.
// Agents, signed-in members, do not count against the IP.
func TestSocketsPerVisitorAndIPAreCapped(t *testing.T) {
	h := newHarness(t, nil)
	serveSends(h)
	tenant := ids.New()
	refused := func(what string, res *http.Response, err error) {
		t.Helper()
		if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: %v %v, want 429 with Retry-After", what, res, err)
		}
	}
	const ip = "198.51.100.40"
	var first []*websocket.Conn
	for v := range 10 {
		tok := h.visitorToken(tenant, ids.New())
		for i := range 20 {
			ws, _, err := h.dial(tok, ip)
			if err != nil {
				t.Fatalf("visitor %d, socket %d: %v", v, i, err)
			}
			if v == 0 {
				first = append(first, ws)
			}
		}
		if v == 0 {
			_, res, err := h.dial(tok, "198.51.100.41")
			refused("the 21st socket of one visitor, from another IP", res, err)
			_ = first[0].Close()
			testkit.Eventually(t, 5*time.Second, func() error {
				_, _, err := h.dial(tok, ip)
				return err
			})
		}
	}
	_, res, err := h.dial(h.visitorToken(tenant, ids.New()), ip)
	refused("the IP's 201st visitor socket", res, err)
	if _, _, err := h.dial(h.visitorToken(tenant, ids.New()), "198.51.100.42"); err != nil {
		t.Fatalf("a visitor elsewhere: %v", err)
	}
	if _, _, err := h.dial(h.member(tenant, contracts.RoleAgent).token, ip); err != nil {
		t.Fatalf("an agent behind the same IP: %v", err)
	}
}
