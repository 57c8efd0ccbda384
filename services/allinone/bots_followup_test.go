package allinone_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// labelsOf is a conversation's labels as the inbox sees them.
func (p *parley) labelsOf(owner account, conv string) string {
	return mustJSON(p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).Body["labels"])
}

// Asking for a person after hours gets one honest answer — away, leave your
// email — and no place in a queue; the email lands on the visitor and the
// conversation gets the follow-up label then, not before.
func TestAskingForAPersonAfterHours(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Closed Shop")
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"business_hours": map[string]any{
			"enabled": true, "timezone": "UTC", "weekly": map[string]any{}, "holidays": []string{}}}).must(t, 200)
		p.do("PUT", "/api/v1/bot", owner.Access, botConfig("after_hours", "faq")).must(t, 200)
		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "I want to talk to a person").str("conversation.id")
		msgs := p.waitMessages(t, v.Token, msgPath(conv), 2)
		if body := msgs[1]["body"].(string); !strings.Contains(body, "away") || !strings.Contains(body, "email") {
			t.Fatalf("after-hours answer: %q", body)
		}
		c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200)
		if c.str("handoff") != "bot" || c.Body["queue"] != nil {
			t.Fatalf("after hours the conversation was queued: %s", c.Raw)
		}
		w := p.do("GET", "/api/v1/widget/conversations", v.Token, nil).must(t, 200).Body["conversations"].([]any)[0].(map[string]any)
		if w["queue"] != nil {
			t.Fatalf("the visitor is shown a place in line after hours: %v", w["queue"])
		}
		if l := p.labelsOf(owner, conv); strings.Contains(l, "follow-up") {
			t.Fatalf("labelled for follow-up before leaving an email: %s", l)
		}

		p.say(t, v, conv, "late@example.com")
		testkit.Eventually(t, 10*time.Second, func() error {
			if l := p.labelsOf(owner, conv); !strings.Contains(l, "follow-up") {
				return fmt.Errorf("labels %s", l)
			}
			return nil
		})
		msgs = p.waitMessages(t, v.Token, msgPath(conv), 4)
		if len(msgs) != 4 || !strings.Contains(msgs[3]["body"].(string), "late@example.com") {
			t.Fatalf("want visitor, away, email, thanks; got %d messages, last %v", len(msgs), msgs[len(msgs)-1]["body"])
		}
		if got := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).str("visitor.email"); got != "late@example.com" {
			t.Fatalf("visitor email %q", got)
		}
		if l := p.labelsOf(owner, conv); strings.Count(l, "follow-up") != 1 {
			t.Fatalf("labels %s", l)
		}
	})
}

// In business hours with nobody online the conversation waits in the queue,
// and the email the bot asked for is still taken and labelled.
func TestQueuedWithNobodyOnlineTakesTheEmail(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Empty Desk")
	p.do("PUT", "/api/v1/bot", owner.Access, botConfig("faq")).must(t, 200)
	v := p.newVisitor(p.widgetKey(owner))
	conv := p.startConversation(v, "I want to talk to a human").str("conversation.id")
	msgs := p.waitMessages(t, v.Token, msgPath(conv), 2)
	if body := msgs[1]["body"].(string); !strings.Contains(body, "Nobody") || !strings.Contains(body, "email") {
		t.Fatalf("answer with nobody online: %q", body)
	}
	p.say(t, v, conv, "waiting@example.com")
	testkit.Eventually(t, 10*time.Second, func() error {
		c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil)
		if c.str("visitor.email") != "waiting@example.com" || !strings.Contains(mustJSON(c.Body["labels"]), "follow-up") || c.str("handoff") != "queued" {
			return fmt.Errorf("conversation %s", c.Raw)
		}
		return nil
	})
}

// The inbox lists the conversations labelled for follow-up, and only the
// tenant's own.
func TestInboxFiltersByTheFollowUpLabel(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner, other := p.signup("Label Shop"), p.signup("Other Shop")
		key := p.widgetKey(owner)
		tagged := p.startConversation(p.newVisitor(key), "Please call me back").str("conversation.id")
		p.startConversation(p.newVisitor(key), "Just browsing")
		p.do("PATCH", "/api/v1/conversations/"+tagged, owner.Access, map[string]any{"labels": []string{"Follow-up", "vip_1"}}).must(t, 200)
		ids := func(token, query string) []string {
			var out []string
			for _, c := range p.do("GET", "/api/v1/conversations?"+query, token, nil).must(t, 200).Body["conversations"].([]any) {
				out = append(out, c.(map[string]any)["id"].(string))
			}
			return out
		}
		if got := ids(owner.Access, "label=follow-up"); len(got) != 1 || got[0] != tagged {
			t.Fatalf("label=follow-up: %v, want [%s]", got, tagged)
		}
		if got := ids(owner.Access, "label=VIP_1"); len(got) != 1 {
			t.Fatalf("label=VIP_1: %v", got)
		}
		if got := ids(owner.Access, "label=vipx1"); len(got) != 0 { // the _ of vip_1 is no wildcard
			t.Fatalf("a LIKE wildcard matched: %v", got)
		}
		if got := ids(owner.Access, "label=follow"); len(got) != 0 {
			t.Fatalf("a part of a label matched: %v", got)
		}
		if got := ids(other.Access, "label=follow-up"); len(got) != 0 {
			t.Fatalf("another tenant sees %v", got)
		}
		p.do("GET", "/api/v1/conversations?label=%22x%22", owner.Access, nil).problem(t, 400, "invalid", "label")
	})
}

// "We're back …" is on the visitor's clock when the widget told their zone.
func TestAwayAnswerSaysWhenTheTeamIsBackInTheVisitorsZone(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Back Tomorrow")
	tomorrow := strings.ToLower(time.Now().UTC().AddDate(0, 0, 1).Weekday().String()[:3])
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"business_hours": map[string]any{
		"enabled": true, "timezone": "UTC", "weekly": map[string]any{tomorrow: []map[string]string{{"open": "09:00", "close": "10:00"}}}, "holidays": []string{}}}).must(t, 200)
	p.do("PUT", "/api/v1/bot", owner.Access, botConfig("faq")).must(t, 200)
	v := p.newVisitor(p.widgetKey(owner))
	conv := p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{
		"body": "I want to talk to a person", "client_msg_id": msgID(), "timezone": "Asia/Tokyo"}).must(t, 201).str("conversation.id")
	body := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]["body"].(string)
	if !strings.Contains(body, "at 18:00 JST") {
		t.Fatalf("the team's 09:00 UTC on a Tokyo visitor's clock: %q", body)
	}
}
