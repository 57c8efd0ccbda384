package allinone_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// The widget sends the visitor's time zone with the first message, so the
// bot's answer to that very message offers times in the visitor's zone; a
// bad zone is refused whole, naming the field.
func TestFirstMessageSlotsAreInTheVisitorsTimeZone(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Tokyo Bikes")
	p.do("PUT", "/api/v1/bot", owner.Access, botConfig("appointments", "faq")).must(t, 200)
	v := p.newVisitor(p.widgetKey(owner))

	p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "Can I book?", "client_msg_id": msgID(), "timezone": "Mars/Olympus"}).
		problem(t, 400, "invalid", "timezone")
	if n := len(p.do("GET", "/api/v1/widget/conversations", v.Token, nil).must(t, 200).Body["conversations"].([]any)); n != 0 {
		t.Fatalf("a refused first message left %d conversations", n)
	}

	conv := p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{
		"body": "Can I book an appointment?", "client_msg_id": msgID(), "timezone": "Asia/Tokyo", "locale": "ja-JP", "current_url": "https://shop.example.com/bikes",
	}).must(t, 201).str("conversation.id")
	offer := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]
	if body := offer["body"].(string); !strings.Contains(body, "Asia/Tokyo") {
		t.Fatalf("slots offered in another zone: %q", body)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	opt := options(offer)[0]
	parts := strings.Split(opt["value"].(string), ":")
	unix, _ := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if want := time.Unix(unix, 0).In(tokyo).Format("Mon 2 Jan, 15:04"); opt["label"] != want {
		t.Fatalf("slot label %v, want %s in Tokyo", opt["label"], want)
	}
	c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200)
	if c.str("visitor.timezone") != "Asia/Tokyo" || c.str("visitor.current_url") != "https://shop.example.com/bikes" {
		t.Fatalf("the visitor's context was not kept: %s", c.Raw)
	}
}
