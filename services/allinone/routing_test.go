package allinone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// assigneeOf polls a conversation until its assignee is want ("" = none).
func (p *parley) waitAssignee(t *testing.T, token, conv, want string) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, func() error {
		if got := p.do("GET", "/api/v1/conversations/"+conv, token, nil).str("assignee_id"); got != want {
			return fmt.Errorf("conversation %s assigned to %q, want %q", conv, got, want)
		}
		return nil
	})
}

// New conversations go to online agents by round robin within the
// per-agent limit, wait in the queue when nobody has room, and move as soon
// as someone comes online or frees up.
func TestRoutingWithLimitsAndPresence(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Routed Co")
		ann := p.invite(owner, "agent")
		bob := p.invite(owner, "agent")
		key := p.widgetKey(owner)
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"agent_open_limit": 1}).must(t, 200)

		c1 := p.startConversation(p.newVisitor(key), "first").str("conversation.id")
		if got := p.do("GET", "/api/v1/conversations/"+c1, owner.Access, nil).str("assignee_id"); got != "" {
			t.Fatalf("assigned with nobody online: %s", got)
		}
		annWS := p.dial(t, ann.Access, nil)
		p.waitAssignee(t, owner.Access, c1, ann.UserID) // the queue moves when Ann comes online
		annWS.expect(5*time.Second, func(f frame) bool {
			return f["type"] == "conversation.updated" && f.str("conversation.assignee_id") == ann.UserID
		})

		c2 := p.startConversation(p.newVisitor(key), "second").str("conversation.id")
		p.waitAssignee(t, owner.Access, c2, "") // Ann is at her limit
		p.dial(t, bob.Access, nil)
		p.waitAssignee(t, owner.Access, c2, bob.UserID)

		c3 := p.startConversation(p.newVisitor(key), "third").str("conversation.id")
		p.waitAssignee(t, owner.Access, c3, "")
		p.do("PATCH", "/api/v1/conversations/"+c1, ann.Access, map[string]string{"status": "resolved"}).must(t, 200)
		p.waitAssignee(t, owner.Access, c3, ann.UserID) // room again

		// Without a limit, turns alternate: Bob was given one longest ago.
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"agent_open_limit": 0}).must(t, 200)
		testkit.Eventually(t, 5*time.Second, func() error {
			if s := p.do("GET", "/api/v1/settings", owner.Access, nil); s.Body["agent_open_limit"] != float64(0) {
				return fmt.Errorf("limit not saved")
			}
			return nil
		})
		c4 := p.startConversation(p.newVisitor(key), "fourth").str("conversation.id")
		c5 := p.startConversation(p.newVisitor(key), "fifth").str("conversation.id")
		p.waitAssignee(t, owner.Access, c4, bob.UserID)
		p.waitAssignee(t, owner.Access, c5, ann.UserID)

		// An agent who leaves goes offline after the grace period and gets nothing more.
		_ = annWS.ws.Close()
		testkit.Eventually(t, 30*time.Second, func() error {
			r := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}).must(t, 200)
			if n := len(r.Body["config"].(map[string]any)["agents_online"].([]any)); n != 1 {
				return fmt.Errorf("%d agents online, want 1", n)
			}
			return nil
		})
		for i := range 2 {
			c := p.startConversation(p.newVisitor(key), fmt.Sprint("late ", i)).str("conversation.id")
			p.waitAssignee(t, owner.Access, c, bob.UserID)
		}
	})
}

// Removing an agent sends their open conversations back to the queue.
func TestRemovedAgentsConversationsAreRequeued(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Requeue Ltd")
	ann := p.invite(owner, "agent")
	p.dial(t, ann.Access, nil)
	conv := p.startConversation(p.newVisitor(p.widgetKey(owner)), "help").str("conversation.id")
	p.waitAssignee(t, owner.Access, conv, ann.UserID)
	p.do("DELETE", "/api/v1/members/"+ann.UserID, owner.Access, nil).must(t, 204)
	p.waitAssignee(t, owner.Access, conv, "")
}
