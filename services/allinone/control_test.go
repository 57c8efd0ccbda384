package allinone_test

import (
	"net/url"
	"testing"

	"github.com/parley-chat/parley/pkg/testkit"
)

// A NUL byte or another control character is refused with a 400 naming the
// field, in bodies and queries alike (a path with one names nothing: 404), and the same on both
// databases (PostgreSQL used to answer 500, SQLite to store it).
func TestControlCharactersAreRefusedInEveryTextField(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Null Byte Ltd")
		v := p.newVisitor(p.widgetKey(owner))

		p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "hi\x00there", "client_msg_id": msgID()}).problem(t, 400, "invalid", "body")
		conv := p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "hello\nsecond line\twith a tab", "client_msg_id": msgID()}).must(t, 201).str("conversation.id")
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "bell\a", "client_msg_id": msgID()}).problem(t, 400, "invalid", "body")
		p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]any{"locale": "en\x00"}).problem(t, 400, "invalid", "locale")
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]string{"body": "esc\x1b[31m", "client_msg_id": msgID()}).problem(t, 400, "invalid", "body")
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"offline_message": "away\x00"}).problem(t, 400, "invalid", "offline_message")
		p.do("GET", "/api/v1/conversations?q="+url.QueryEscape("refund\x00"), owner.Access, nil).problem(t, 400, "invalid", "q")
		p.do("GET", "/api/v1/conversations/"+url.PathEscape("x\x00y"), owner.Access, nil).problem(t, 404, "not_found", "")

		// Nothing of the refused requests was stored.
		msgs := p.do("GET", "/api/v1/conversations/"+conv+"/messages", owner.Access, nil).must(t, 200).Body["messages"].([]any)
		if len(msgs) != 1 {
			t.Fatalf("%d messages stored, want the one valid start", len(msgs))
		}
	})
}
