package allinone_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// Messages, typing and read receipts reach the other side live; a visitor's
// socket never carries a private note; message.send is acknowledged.
func TestLiveDeliveryBothWays(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Live Ltd")
		agentWS := p.dial(t, owner.Access, nil)
		v := p.newVisitor(p.widgetKey(owner))
		visitorWS := p.dial(t, v.Token, nil)

		conv := p.startConversation(v, "anyone?").str("conversation.id")
		agentWS.expect(5*time.Second, messageWithBody("anyone?"))
		agentWS.expect(5*time.Second, func(f frame) bool { return f["type"] == "conversation.updated" && f.str("conversation.id") == conv })
		visitorWS.expect(5*time.Second, messageWithBody("anyone?"))

		// The agent answers over the socket and gets an ack; the visitor sees it.
		agentWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": "right here", "client_msg_id": "ws-1"})
		ack := agentWS.expect(5*time.Second, isType("message.ack"))
		if ack.str("client_msg_id") != "ws-1" || ack.num("message.seq") != 2 {
			t.Fatalf("ack: %v", ack)
		}
		visitorWS.expect(5*time.Second, messageWithBody("right here"))

		// A private note reaches agents only.
		agentWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": "secret note", "client_msg_id": "ws-2", "private": true})
		agentWS.expect(5*time.Second, messageWithBody("secret note"))
		visitorWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": "after the note", "client_msg_id": "ws-3"})
		agentWS.expect(5*time.Second, messageWithBody("after the note"))
		visitorWS.expect(5*time.Second, messageWithBody("after the note"))
		if n := visitorWS.count(messageWithBody("secret note")); n != 0 {
			t.Fatal("the visitor's socket carried a private note")
		}

		// Typing both ways; a private-note typing indicator stays with agents.
		visitorWS.send(map[string]any{"type": "typing", "conversation_id": conv, "typing": true})
		agentWS.expect(5*time.Second, func(f frame) bool { return f["type"] == "typing" && f.str("author.type") == "visitor" })
		agentWS.send(map[string]any{"type": "typing", "conversation_id": conv, "typing": true, "private": true})
		agentWS.send(map[string]any{"type": "typing", "conversation_id": conv, "typing": true})
		visitorWS.expect(5*time.Second, func(f frame) bool { return f["type"] == "typing" && f.str("author.type") == "agent" })
		if n := visitorWS.count(func(f frame) bool { return f["type"] == "typing" && f.str("author.type") == "agent" }); n != 1 {
			t.Fatalf("visitor saw %d agent typing frames, want 1 (the private one must not arrive)", n)
		}

		// Read receipts both ways.
		agentWS.send(map[string]any{"type": "read", "conversation_id": conv, "seq": 4})
		visitorWS.expect(5*time.Second, func(f frame) bool { return f["type"] == "read" && f.str("reader.type") == "agent" && f.num("seq") == 4 })
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]string{"body": "please read me", "client_msg_id": msgID()}).must(t, 201)
		visitorWS.expect(5*time.Second, messageWithBody("please read me"))
		visitorWS.send(map[string]any{"type": "read", "conversation_id": conv, "seq": 5})
		agentWS.expect(5*time.Second, func(f frame) bool {
			return f["type"] == "read" && f.str("reader.type") == "visitor" && f.num("seq") == 5
		})

		// The longest body (10,000 characters, here 20,000 bytes of UTF-8) fits a frame.
		long := strings.Repeat("é", 10000)
		visitorWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": long, "client_msg_id": "ws-long"})
		visitorWS.expect(5*time.Second, func(f frame) bool { return f["type"] == "message.ack" && f.str("client_msg_id") == "ws-long" })

		// Bad frames get error frames, the socket stays up; ping → pong.
		visitorWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": "", "client_msg_id": "ws-4"})
		e := visitorWS.expect(5*time.Second, isType("error"))
		if e.str("code") != "invalid" || e.str("client_msg_id") != "ws-4" {
			t.Fatalf("error frame: %v", e)
		}
		visitorWS.send(map[string]any{"type": "dance"})
		visitorWS.send(map[string]any{"type": "ping"})
		visitorWS.expect(5*time.Second, isType("pong"))
	})
}

// A visitor on another conversation, or of another tenant, hears nothing.
func TestSocketsOnlyCarryWhatTheirOwnerMaySee(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	a := p.signup("Tenant A")
	b := p.signup("Tenant B")
	va := p.newVisitor(p.widgetKey(a))
	nosy := p.newVisitor(p.widgetKey(a))
	nosyWS := p.dial(t, nosy.Token, nil)
	bWS := p.dial(t, b.Access, nil)
	aWS := p.dial(t, a.Access, nil)
	conv := p.startConversation(va, "for tenant A only").str("conversation.id")
	aWS.expect(5*time.Second, messageWithBody("for tenant A only"))
	// Typing into someone else's conversation goes nowhere.
	nosyWS.send(map[string]any{"type": "typing", "conversation_id": conv, "typing": true})
	p.do("POST", "/api/v1/conversations/"+conv+"/messages", a.Access, map[string]string{"body": "marker", "client_msg_id": msgID()}).must(t, 201)
	aWS.expect(5*time.Second, messageWithBody("marker"))
	time.Sleep(50 * time.Millisecond) // let any misrouted frame arrive before looking
	for name, s := range map[string]*socket{"another visitor": nosyWS, "another tenant": bWS} {
		if n := s.count(func(f frame) bool { return f["type"] != "hello" && f["type"] != "presence" }); n != 0 {
			t.Fatalf("%s got %d frames: %v", name, n, s.all())
		}
	}
	if n := aWS.count(func(f frame) bool { return f["type"] == "typing" }); n != 0 {
		t.Fatal("a visitor typed into a conversation that is not theirs")
	}
}

// A visitor who was offline while the agent wrote catches up with after_seq.
func TestReconnectAndResumeMissesNothing(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Resume Inc")
	v := p.newVisitor(p.widgetKey(owner))
	first := p.dial(t, v.Token, nil)
	conv := p.startConversation(v, "hello").str("conversation.id")
	seen := int(first.expect(5*time.Second, messageWithBody("hello")).num("message.seq"))
	_ = first.ws.Close()
	for i := range 3 {
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]string{"body": fmt.Sprint("while away ", i), "client_msg_id": msgID()}).must(t, 201)
	}
	second := p.dial(t, v.Token, nil)
	missed := p.do("GET", fmt.Sprintf("/api/v1/widget/conversations/%s/messages?after_seq=%d", conv, seen), v.Token, nil).must(t, 200)
	if n := len(missed.Body["messages"].([]any)); n != 3 {
		t.Fatalf("after_seq=%d returned %d messages, want 3", seen, n)
	}
	p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]string{"body": "live again", "client_msg_id": msgID()}).must(t, 201)
	if f := second.expect(5*time.Second, messageWithBody("live again")); f.num("message.seq") != 5 {
		t.Fatalf("seq after resume: %v", f)
	}
}

func TestSocketAuthenticationAndOrigins(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Guarded Sockets")
	v := p.newVisitor(p.widgetKey(owner))
	if s := p.dialStatus("garbage", nil); s != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", s)
	}
	p.do("GET", "/api/v1/ws", owner.Access, nil).problem(t, 400, "invalid", "")
	evil := http.Header{"Origin": {"https://evil.example"}}
	if s := p.dialStatus(owner.Access, evil); s != http.StatusForbidden {
		t.Fatalf("agent socket from a foreign origin: %d", s)
	}
	if s := p.dialStatus(owner.Access, http.Header{"Origin": {"http://parley.test"}}); s != http.StatusSwitchingProtocols {
		t.Fatalf("agent socket from the dashboard origin: %d", s)
	}
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"allowed_domains": []string{"shop.example.com"}}).must(t, 200)
	testkit.Eventually(t, 5*time.Second, func() error {
		if s := p.dialStatus(v.Token, evil); s != http.StatusForbidden {
			return fmt.Errorf("visitor socket from a disallowed origin: %d", s)
		}
		return nil
	})
	if s := p.dialStatus(v.Token, http.Header{"Origin": {"https://shop.example.com"}}); s != http.StatusSwitchingProtocols {
		t.Fatalf("visitor socket from an allowed origin: %d", s)
	}
}

// Removing a member closes their open sockets.
func TestRevokedSessionsLoseTheirSockets(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Kicky")
	agent := p.invite(owner, "agent")
	s := p.dial(t, agent.Access, nil)
	p.do("DELETE", "/api/v1/members/"+agent.UserID, owner.Access, nil).must(t, 204)
	select {
	case <-s.closed:
	case <-time.After(45 * time.Second):
		t.Fatal("a removed member's socket stayed open")
	}
}
