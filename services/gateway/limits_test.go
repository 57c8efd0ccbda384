package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// serveSends answers starts and sends as the conversation service would,
// and the visitor's own conversations for their sockets.
func serveSends(h *harness) {
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
		return contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{}}, nil
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
