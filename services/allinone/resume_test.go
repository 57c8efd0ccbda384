package allinone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// An agent whose socket dropped while visitors wrote in many conversations
// reconnects with the last cursor it got and receives every missed message
// once, in order, on that one socket (no request per conversation), then
// "resumed" and live frames.
func TestAgentResumesTheWholeInboxWithItsCursor(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Resume Everything Inc")
	key := p.widgetKey(owner)
	first := p.dial(t, owner.Access, nil)
	v0 := p.newVisitor(key)
	p.startConversation(v0, "before the drop")
	cursor := first.expect(5*time.Second, messageWithBody("before the drop")).num("cursor")
	if cursor < 1 {
		t.Fatalf("message.created without a cursor: %v", first.all())
	}
	_ = first.ws.Close()

	const convs = 12
	for i := range convs {
		v := p.newVisitor(key)
		conv := p.startConversation(v, fmt.Sprintf("missed %d.1", i)).str("conversation.id")
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": fmt.Sprintf("missed %d.2", i), "client_msg_id": msgID()}).must(t, 201)
	}
	// The cursor goes with the token in the query string, as the dashboard sends it.
	second := p.dial(t, fmt.Sprintf("%s&cursor=%d", owner.Access, int64(cursor)), nil)
	resumed := second.expect(10*time.Second, isType("resumed"))
	p.startConversation(p.newVisitor(key), "live again")
	second.expect(5*time.Second, messageWithBody("live again"))

	frames := second.all()
	at := map[string]int{}
	for i, f := range frames {
		if f["type"] == "message.created" {
			if _, dup := at[f.str("message.body")]; dup {
				t.Fatalf("%q arrived twice", f.str("message.body"))
			}
			at[f.str("message.body")] = i
		}
		if f["type"] == "resumed" && f.num("cursor") != resumed.num("cursor") {
			t.Fatal("two resumed frames")
		}
	}
	for i := range convs {
		one, ok1 := at[fmt.Sprintf("missed %d.1", i)]
		two, ok2 := at[fmt.Sprintf("missed %d.2", i)]
		if !ok1 || !ok2 || one > two {
			t.Fatalf("conversation %d: missed messages at %d (%v) and %d (%v)", i, one, ok1, two, ok2)
		}
	}
	if _, ok := at["before the drop"]; ok || len(at) != 2*convs+1 {
		t.Fatalf("%d messages, want the %d missed ones and the live one", len(at), 2*convs)
	}
}
