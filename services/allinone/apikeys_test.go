package allinone_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Keyed")
		agent := p.invite(owner, "agent")
		other := p.signup("Other")
		p.do("POST", "/api/v1/api-keys", agent.Access, map[string]string{"name": "x"}).problem(t, 403, "forbidden", "")
		p.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": ""}).problem(t, 400, "invalid", "name")
		created := p.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": "Our bot"}).must(t, 201)
		key := created.str("key")
		if !strings.HasPrefix(key, "parley_") || !strings.HasPrefix(key, created.str("prefix")) {
			t.Fatalf("created: %s", created.Raw)
		}
		list := p.do("GET", "/api/v1/api-keys", owner.Access, nil).must(t, 200)
		if strings.Contains(string(list.Raw), key) || len(list.Body["api_keys"].([]any)) != 1 {
			t.Fatalf("the list shows the key: %s", list.Raw)
		}

		// The key works on the conversation routes, as a bot of its tenant only.
		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "hi bot").str("conversation.id")
		if r := p.do("GET", "/api/v1/conversations", key, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 1 {
			t.Fatalf("list with a key: %s", r.Raw)
		}
		rich := map[string]any{"kind": "quick_replies", "client_msg_id": msgID(), "payload": map[string]any{
			"text": "What can I do for you?", "options": []map[string]string{{"label": "Track an order", "value": "track"}}}}
		m := p.do("POST", "/api/v1/conversations/"+conv+"/messages", key, rich).must(t, 201)
		if m.str("author.type") != "bot" || m.str("author.name") != "Our bot" || m.str("kind") != "quick_replies" {
			t.Fatalf("rich message: %s", m.Raw)
		}
		rich["payload"] = map[string]any{"text": "x", "options": []map[string]string{}}
		rich["client_msg_id"] = msgID()
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", key, rich).problem(t, 400, "invalid", "payload.options")
		// Fields a rich message cannot carry are refused, not dropped.
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", key, map[string]any{"kind": "card", "body": "hello",
			"client_msg_id": msgID(), "payload": map[string]any{"title": "Shoe"}}).problem(t, 400, "invalid", "body")
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", key, map[string]any{"kind": "card", "private": true,
			"client_msg_id": msgID(), "payload": map[string]any{"title": "Shoe"}}).problem(t, 400, "invalid", "private")
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", key, map[string]any{"body": "hi", "client_msg_id": msgID(),
			"payload": map[string]any{"title": "Shoe"}}).problem(t, 400, "invalid", "payload")
		// A key is not a member: it cannot be given conversations.
		keyID := created.str("id")
		p.do("PATCH", "/api/v1/conversations/"+conv, key, map[string]any{"assignee_id": keyID}).problem(t, 400, "invalid", "assignee_id")
		p.do("POST", "/api/v1/conversations/"+conv+"/handoff", key, map[string]string{"to": "queued"}).must(t, 200)
		p.do("POST", "/api/v1/conversations/"+conv+"/handoff", key, map[string]string{"to": "agent"}).problem(t, 403, "forbidden", "")
		otherConv := p.startConversation(p.newVisitor(p.widgetKey(other)), "elsewhere").str("conversation.id")
		p.do("GET", "/api/v1/conversations/"+otherConv, key, nil).problem(t, 404, "not_found", "")
		// Not a member: the team routes refuse it.
		p.do("GET", "/api/v1/members", key, nil).problem(t, 401, "unauthenticated", "")
		p.do("GET", "/api/v1/conversations", "parley_garbage", nil).problem(t, 401, "unauthenticated", "")

		// Deleted: it stops working at once, everywhere.
		p.do("DELETE", "/api/v1/api-keys/"+created.str("id"), other.Access, nil).problem(t, 404, "not_found", "")
		p.do("DELETE", "/api/v1/api-keys/"+created.str("id"), owner.Access, nil).must(t, 204)
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := p.do("GET", "/api/v1/conversations", key, nil); r.Status != 401 {
				return fmt.Errorf("a deleted key still works: %d", r.Status)
			}
			return nil
		})
	})
}

// The tenant's own bot: Parley posts signed events to it; it answers through
// the REST API with an API key.
func TestExternalBot(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), allowPrivate)
	owner := p.signup("Own Bot Inc")
	key := p.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": "Own bot"}).must(t, 201).str("key")
	var ownBotErr error
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("webhook-signature") == "" {
			w.WriteHeader(401)
			return
		}
		var e struct {
			ConversationID string `json:"conversation_id"`
			Message        struct {
				Body string `json:"body"`
			} `json:"message"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			ownBotErr = err
			return
		}
		w.WriteHeader(202)
		go func() {
			reply := map[string]any{"body": "You said: " + e.Message.Body, "client_msg_id": "own-" + e.Message.Body}
			if strings.Contains(e.Message.Body, "human") {
				p.do("POST", "/api/v1/conversations/"+e.ConversationID+"/handoff", key, map[string]string{"to": "queued"})
				return
			}
			p.do("POST", "/api/v1/conversations/"+e.ConversationID+"/messages", key, reply)
		}()
	}))
	defer bot.Close()
	cfg := botConfig("external")
	cfg["external"] = map[string]any{"url": bot.URL, "secret": "own-bot-secret", "secret_set": false}
	p.do("PUT", "/api/v1/bot", owner.Access, cfg).must(t, 200)
	v := p.newVisitor(p.widgetKey(owner))
	conv := p.startConversation(v, "ping").str("conversation.id")
	msgs := p.waitMessages(t, v.Token, msgPath(conv), 2)
	if msgs[1]["body"] != "You said: ping" || msgs[1]["author"].(map[string]any)["type"] != "bot" {
		t.Fatalf("own bot reply: %v", msgs[1])
	}
	p.say(t, v, conv, "a human now")
	testkit.Eventually(t, 10*time.Second, func() error {
		if h := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).str("handoff"); h != "queued" {
			return fmt.Errorf("handoff %s", h)
		}
		return nil
	})
	if ownBotErr != nil {
		t.Fatal(ownBotErr)
	}
}
