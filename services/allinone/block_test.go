package allinone_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// An agent blocks an abusive visitor: the visitor's socket closes and their
// token is refused at once, and neither they nor anyone from the networks
// they wrote from can get a widget session or start a conversation (403,
// saying why); others can.
// The list shows the block, the audit log who made it, and unblocking
// lets the network in again.
func TestAgentsBlockAVisitorAndTheirNetwork(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), map[string]string{"PARLEY_TRUSTED_PROXIES": "127.0.0.1"})
		owner := p.signup("Blocking Bakery")
		agent := p.invite(owner, "agent")
		key := p.widgetKey(owner)
		from := func(v visitor, method, path, ip string, body any) response {
			return p.doHeader(method, path, body, map[string]string{"Authorization": "Bearer " + v.Token, "X-Forwarded-For": ip})
		}
		startFrom := func(v visitor, ip string) response {
			return from(v, "POST", "/api/v1/widget/conversations", ip, map[string]string{"body": "hello", "client_msg_id": msgID()})
		}
		const abusive, elsewhere = "203.0.113.66", "2001:db8:77:1::5"
		troll := p.newVisitor(key)
		conv := startFrom(troll, abusive).must(t, http.StatusCreated).str("conversation.id")
		startFrom(troll, elsewhere).must(t, http.StatusCreated) // a second network of theirs
		ws := p.dial(t, troll.Token, http.Header{"X-Forwarded-For": {abusive}})

		p.do("POST", "/api/v1/visitors/"+troll.ID+"/block", troll.Token, nil).must(t, http.StatusUnauthorized)
		b := p.do("POST", "/api/v1/visitors/"+troll.ID+"/block", agent.Access, nil).must(t, http.StatusOK)
		if b.str("visitor_id") != troll.ID || b.num("networks") != 2 || b.str("blocked_by") != agent.UserID {
			t.Fatalf("block: %s", b.Raw)
		}
		select {
		case <-ws.closed:
		case <-time.After(5 * time.Second):
			t.Fatal("the blocked visitor's socket is still open")
		}
		from(troll, "POST", "/api/v1/widget/conversations/"+conv+"/messages", abusive, map[string]string{"body": "more", "client_msg_id": msgID()}).
			must(t, http.StatusUnauthorized)

		// A fresh anonymous session from either network cannot start.
		for _, ip := range []string{abusive, "2001:db8:77:1:abcd::1"} {
			r := startFrom(p.newVisitor(key), ip)
			r.problem(t, http.StatusForbidden, "forbidden", "")
			if !strings.Contains(r.str("detail"), "blocked") {
				t.Fatalf("403 does not say why: %s", r.Raw)
			}
		}
		startFrom(p.newVisitor(key), "198.51.100.200").must(t, http.StatusCreated)
		// Nor get a session there; elsewhere a session works.
		session := func(ip string) response {
			return p.doHeader("POST", "/api/v1/widget/"+key+"/session", map[string]any{}, map[string]string{"X-Forwarded-For": ip})
		}
		session(abusive).problem(t, http.StatusForbidden, "forbidden", "")
		session("198.51.100.200").must(t, http.StatusOK)

		list := p.do("GET", "/api/v1/blocked-visitors", owner.Access, nil).must(t, http.StatusOK)
		if vs := list.Body["visitors"].([]any); len(vs) != 1 || vs[0].(map[string]any)["visitor_id"] != troll.ID {
			t.Fatalf("blocked visitors: %s", list.Raw)
		}
		if e := p.audited(t, owner.Access, "visitor.blocked", troll.ID); e.Actor.ID != agent.UserID {
			t.Fatalf("audit entry %+v", e)
		}
		p.do("POST", "/api/v1/visitors/00000000-0000-0000-0000-000000000000/block", agent.Access, nil).problem(t, http.StatusNotFound, "not_found", "")

		p.do("DELETE", "/api/v1/visitors/"+troll.ID+"/block", agent.Access, nil).must(t, http.StatusNoContent)
		p.do("DELETE", "/api/v1/visitors/"+troll.ID+"/block", agent.Access, nil).problem(t, http.StatusNotFound, "not_found", "")
		startFrom(p.newVisitor(key), abusive).must(t, http.StatusCreated)
		if vs := p.do("GET", "/api/v1/blocked-visitors", owner.Access, nil).must(t, http.StatusOK).Body["visitors"].([]any); len(vs) != 0 {
			t.Fatalf("%d blocked after unblocking", len(vs))
		}
	})
}
