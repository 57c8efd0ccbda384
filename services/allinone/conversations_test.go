package allinone_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// A visitor and an agent talk over REST; each sees what they should.
func TestVisitorAndAgentConverse(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Chatty Cafe")
		v := p.newVisitor(p.widgetKey(owner))

		started := p.startConversation(v, "Do you have oat milk?")
		conv := started.str("conversation.id")
		if started.Body["message"].(map[string]any)["seq"] != float64(1) || started.str("conversation.status") != "open" {
			t.Fatalf("start: %s", started.Raw)
		}
		list := p.do("GET", "/api/v1/conversations", owner.Access, nil).must(t, 200)
		got := list.Body["conversations"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["unread_count"] != float64(1) {
			t.Fatalf("agent list: %s", list.Raw)
		}
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]string{"body": "We do!", "client_msg_id": msgID()}).must(t, 201)
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, map[string]any{"body": "regular, VIP", "client_msg_id": msgID(), "private": true}).must(t, 201)
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "Great, thanks", "client_msg_id": msgID()}).must(t, 201)

		// The visitor never sees the private note; the agent sees all four.
		vis := p.do("GET", "/api/v1/widget/conversations/"+conv+"/messages?after_seq=0", v.Token, nil).must(t, 200)
		seqs := []float64{}
		for _, m := range vis.Body["messages"].([]any) {
			mm := m.(map[string]any)
			if mm["private"] == true || mm["body"] == "regular, VIP" {
				t.Fatalf("the visitor sees a private note: %v", mm)
			}
			seqs = append(seqs, mm["seq"].(float64))
		}
		if fmt.Sprint(seqs) != "[1 2 4]" {
			t.Fatalf("visitor seqs %v", seqs)
		}
		all := p.do("GET", "/api/v1/conversations/"+conv+"/messages?after_seq=1", owner.Access, nil).must(t, 200)
		if n := len(all.Body["messages"].([]any)); n != 3 {
			t.Fatalf("agent after_seq=1: %d messages", n)
		}
		page := p.do("GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0&limit=2", owner.Access, nil).must(t, 200)
		if page.Body["has_more"] != true || len(page.Body["messages"].([]any)) != 2 {
			t.Fatalf("paging: %s", page.Raw)
		}
		// The visitor's list shows a public preview and no internals.
		own := p.do("GET", "/api/v1/widget/conversations", v.Token, nil).must(t, 200)
		c := own.Body["conversations"].([]any)[0].(map[string]any)
		if c["last_message"].(map[string]any)["body"] != "Great, thanks" || c["labels"] != nil || c["assignee"].(map[string]any)["name"] == "" {
			t.Fatalf("visitor list: %s", own.Raw)
		}
		// Detail for the agent carries the visitor.
		detail := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200)
		if detail.str("visitor.id") != v.ID || detail.str("assignee_id") != owner.UserID {
			t.Fatalf("detail: %s", detail.Raw)
		}
	})
}

// Other visitors and other tenants get 404 for everything that is not theirs.
func TestConversationsAreIsolated(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		a := p.signup("Tenant A")
		b := p.signup("Tenant B")
		va := p.newVisitor(p.widgetKey(a))
		other := p.newVisitor(p.widgetKey(a))
		vb := p.newVisitor(p.widgetKey(b))
		conv := p.startConversation(va, "mine").str("conversation.id")
		body := map[string]string{"body": "intruder", "client_msg_id": msgID()}

		for _, tok := range []string{other.Token, vb.Token} {
			p.do("GET", "/api/v1/widget/conversations/"+conv+"/messages", tok, nil).problem(t, 404, "not_found", "")
			p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", tok, body).problem(t, 404, "not_found", "")
			p.do("POST", "/api/v1/widget/conversations/"+conv+"/read", tok, map[string]int{"seq": 1}).problem(t, 404, "not_found", "")
			if r := p.do("GET", "/api/v1/widget/conversations", tok, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 0 {
				t.Fatalf("another visitor lists %s", r.Raw)
			}
		}
		for _, path := range []string{"/api/v1/conversations/" + conv, "/api/v1/conversations/" + conv + "/messages", "/api/v1/conversations/" + conv + "/transcript"} {
			p.do("GET", path, b.Access, nil).problem(t, 404, "not_found", "")
		}
		p.do("PATCH", "/api/v1/conversations/"+conv, b.Access, map[string]string{"status": "resolved"}).problem(t, 404, "not_found", "")
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", b.Access, body).problem(t, 404, "not_found", "")
		p.do("GET", "/api/v1/visitors/"+va.ID+"/conversations", b.Access, nil).must(t, 200)
		if r := p.do("GET", "/api/v1/conversations", b.Access, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 0 {
			t.Fatalf("tenant B lists %s", r.Raw)
		}
		p.do("GET", "/api/v1/conversations/not-a-uuid", a.Access, nil).problem(t, 404, "not_found", "")
		// A visitor token is not an agent token, nor the other way round.
		p.do("GET", "/api/v1/conversations", va.Token, nil).problem(t, 401, "unauthenticated", "")
		p.do("GET", "/api/v1/widget/conversations", a.Access, nil).problem(t, 401, "unauthenticated", "")
	})
}

func TestMessageBodiesAndIdempotency(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Careful Co")
		v := p.newVisitor(p.widgetKey(owner))
		p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "  ", "client_msg_id": msgID()}).problem(t, 400, "invalid", "body")
		p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": strings.Repeat("x", 10001), "client_msg_id": msgID()}).problem(t, 413, "too_large", "body")
		p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]string{"body": "hi"}).problem(t, 400, "invalid", "client_msg_id")

		// Retrying a start with the same client_msg_id returns the first result.
		start := map[string]string{"body": "<script>alert(1)</script> **bold**", "client_msg_id": "start-1"}
		first := p.do("POST", "/api/v1/widget/conversations", v.Token, start).must(t, 201)
		again := p.do("POST", "/api/v1/widget/conversations", v.Token, start).must(t, 200)
		if first.str("message.id") != again.str("message.id") || first.str("conversation.id") != again.str("conversation.id") {
			t.Fatalf("retry made something new: %s vs %s", first.Raw, again.Raw)
		}
		if first.str("message.body") != start["body"] {
			t.Fatalf("body not stored as given: %q", first.str("message.body"))
		}
		conv := first.str("conversation.id")
		send := map[string]string{"body": "again?", "client_msg_id": "dup-1"}
		m1 := p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, send).must(t, 201)
		m2 := p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, send).must(t, 200)
		if m1.str("id") != m2.str("id") {
			t.Fatal("a retried message was stored twice")
		}
		// The same client_msg_id from another sender is another message.
		p.do("POST", "/api/v1/conversations/"+conv+"/messages", owner.Access, send).must(t, 201)
		if r := p.do("GET", "/api/v1/conversations/"+conv+"/messages", owner.Access, nil).must(t, 200); len(r.Body["messages"].([]any)) != 3 {
			t.Fatalf("messages: %s", r.Raw)
		}
		// Concurrent identical retries still store one message.
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Go(func() {
				r := p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "storm", "client_msg_id": "storm-1"})
				ids[i] = r.str("id")
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id == "" || id != ids[0] {
				t.Fatalf("concurrent retries gave %v", ids)
			}
		}
	})
}

// Sequence numbers stay 1..N without gaps or repeats while a visitor and two
// agents all write at once.
func TestSeqIsGapFreeUnderConcurrentSenders(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Busy Bee")
		agent := p.invite(owner, "agent")
		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "first").str("conversation.id")
		const each = 25
		var wg sync.WaitGroup
		for _, sender := range []struct{ path, token string }{
			{"/api/v1/widget/conversations/" + conv + "/messages", v.Token},
			{"/api/v1/conversations/" + conv + "/messages", owner.Access},
			{"/api/v1/conversations/" + conv + "/messages", agent.Access},
		} {
			wg.Go(func() {
				for i := range each {
					p.do("POST", sender.path, sender.token, map[string]string{"body": fmt.Sprint("m", i), "client_msg_id": msgID()}).must(t, http.StatusCreated)
				}
			})
		}
		wg.Wait()
		r := p.do("GET", "/api/v1/conversations/"+conv+"/messages?limit=500", owner.Access, nil).must(t, 200)
		msgs := r.Body["messages"].([]any)
		if len(msgs) != 1+3*each {
			t.Fatalf("%d messages, want %d", len(msgs), 1+3*each)
		}
		for i, m := range msgs {
			if seq := m.(map[string]any)["seq"].(float64); seq != float64(i+1) {
				t.Fatalf("message %d has seq %v", i, seq)
			}
		}
	})
}

func TestAgentListFiltersSearchAndPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Filter Fair")
		key := p.widgetKey(owner)
		var convs []string
		for i := range 5 {
			v := p.newVisitor(key)
			convs = append(convs, p.startConversation(v, fmt.Sprintf("question number %d about refunds%d", i, i)).str("conversation.id"))
		}
		// Newest activity first; pages of two with a cursor.
		var seen []string
		cursor := ""
		for page := 0; page < 5; page++ {
			r := p.do("GET", "/api/v1/conversations?limit=2&cursor="+cursor, owner.Access, nil).must(t, 200)
			for _, c := range r.Body["conversations"].([]any) {
				seen = append(seen, c.(map[string]any)["id"].(string))
			}
			if cursor = r.str("next_cursor"); cursor == "" {
				break
			}
		}
		if len(seen) != 5 || seen[0] != convs[4] || seen[4] != convs[0] {
			t.Fatalf("pages gave %v, created %v", seen, convs)
		}
		// Activity reorders: answering the oldest brings it to the top.
		p.do("POST", "/api/v1/conversations/"+convs[0]+"/messages", owner.Access, map[string]string{"body": "sure", "client_msg_id": msgID()}).must(t, 201)
		if r := p.do("GET", "/api/v1/conversations?limit=1", owner.Access, nil).must(t, 200); r.Body["conversations"].([]any)[0].(map[string]any)["id"] != convs[0] {
			t.Fatal("activity did not reorder the list")
		}
		// The reply claimed it: mine / unassigned.
		mine := p.do("GET", "/api/v1/conversations?assignee=me", owner.Access, nil).must(t, 200)
		un := p.do("GET", "/api/v1/conversations?assignee=unassigned", owner.Access, nil).must(t, 200)
		byID := p.do("GET", "/api/v1/conversations?assignee="+owner.UserID, owner.Access, nil).must(t, 200)
		if len(mine.Body["conversations"].([]any)) != 1 || len(un.Body["conversations"].([]any)) != 4 || len(byID.Body["conversations"].([]any)) != 1 {
			t.Fatalf("mine %s unassigned %s", mine.Raw, un.Raw)
		}
		p.do("PATCH", "/api/v1/conversations/"+convs[1], owner.Access, map[string]string{"status": "resolved"}).must(t, 200)
		if r := p.do("GET", "/api/v1/conversations?status=resolved", owner.Access, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 1 {
			t.Fatalf("resolved: %s", r.Raw)
		}
		// Search by message text.
		if r := p.do("GET", "/api/v1/conversations?q=refunds3", owner.Access, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 1 {
			t.Fatalf("search: %s", r.Raw)
		}
		if r := p.do("GET", "/api/v1/conversations?q=REFUNDS", owner.Access, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 5 {
			t.Fatalf("case-insensitive prefix search: %s", r.Raw)
		}
		// Injection-looking queries are data, not SQL.
		for _, q := range []string{"' OR 1=1 --", "%", "_", `\`, "refunds'); DROP TABLE messages; --"} {
			r := p.do("GET", "/api/v1/conversations?q="+urlQuery(q), owner.Access, nil).must(t, 200)
			if len(r.Body["conversations"].([]any)) != 0 {
				t.Fatalf("q=%q matched %s", q, r.Raw)
			}
		}
		for q, field := range map[string]string{"status=closed": "status", "assignee=bob": "assignee", "limit=500": "limit", "limit=x": "limit", "cursor=garbage!": "cursor"} {
			p.do("GET", "/api/v1/conversations?"+q, owner.Access, nil).problem(t, 400, "invalid", field)
		}
	})
}

func TestUpdatingConversations(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Patchy")
		agent := p.invite(owner, "agent")
		other := p.invite(owner, "agent")
		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "hello").str("conversation.id")
		path := "/api/v1/conversations/" + conv

		r := p.do("PATCH", path, owner.Access, map[string]any{"priority": "high", "labels": []string{"VIP", "vip", "billing"}}).must(t, 200)
		if r.str("priority") != "high" || fmt.Sprint(r.Body["labels"]) != "[vip billing]" {
			t.Fatalf("patch: %s", r.Raw)
		}
		for body, field := range map[string]map[string]any{
			"status":       {"status": "closed"},
			"priority":     {"priority": "extreme"},
			"labels":       {"labels": []string{"<b>"}},
			"snooze_until": {"status": "snoozed"},
			"assignee_id":  {"assignee_id": "not-a-member"},
		} {
			p.do("PATCH", path, owner.Access, field).problem(t, 400, "invalid", body)
		}
		p.do("PATCH", path, owner.Access, map[string]any{"status": "snoozed", "snooze_until": "tomorrow"}).problem(t, 400, "invalid", "snooze_until")
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		p.do("PATCH", path, owner.Access, map[string]any{"status": "snoozed", "snooze_until": past}).problem(t, 400, "invalid", "snooze_until")

		// Agents claim unassigned conversations and give back their own;
		// only owners and admins reassign.
		p.do("PATCH", path, agent.Access, map[string]string{"assignee_id": agent.UserID}).must(t, 200)
		p.do("PATCH", path, other.Access, map[string]string{"assignee_id": other.UserID}).problem(t, 403, "forbidden", "")
		p.do("PATCH", path, owner.Access, map[string]string{"assignee_id": other.UserID}).must(t, 200)
		p.do("PATCH", path, other.Access, map[string]string{"assignee_id": ""}).must(t, 200)
		if r := p.do("GET", path, owner.Access, nil).must(t, 200); r.str("assignee_id") != "" {
			t.Fatalf("unassign: %s", r.Raw)
		}

		// Snoozed conversations wake at snooze_until, or when the visitor writes.
		soon := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
		if r := p.do("PATCH", path, owner.Access, map[string]any{"status": "snoozed", "snooze_until": soon}).must(t, 200); r.str("status") != "snoozed" {
			t.Fatalf("snooze: %s", r.Raw)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			if s := p.do("GET", path, owner.Access, nil).str("status"); s != "open" {
				return fmt.Errorf("status %s", s)
			}
			return nil
		})
		later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		p.do("PATCH", path, owner.Access, map[string]any{"status": "snoozed", "snooze_until": later}).must(t, 200)
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "still there?", "client_msg_id": msgID()}).must(t, 201)
		if r := p.do("GET", path, owner.Access, nil).must(t, 200); r.str("status") != "open" || r.Body["snooze_until"] != nil {
			t.Fatalf("visitor message did not reopen: %s", r.Raw)
		}
		// Resolved conversations reopen on a visitor message too.
		p.do("PATCH", path, owner.Access, map[string]string{"status": "resolved"}).must(t, 200)
		p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "one more thing", "client_msg_id": msgID()}).must(t, 201)
		if s := p.do("GET", path, owner.Access, nil).str("status"); s != "open" {
			t.Fatalf("status after a visitor message: %s", s)
		}
	})
}

func TestReadReceiptsAndTranscripts(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Readers")
	v := p.newVisitor(p.widgetKey(owner))
	conv := p.startConversation(v, "one").str("conversation.id")
	p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": "two", "client_msg_id": msgID()}).must(t, 201)
	path := "/api/v1/conversations/" + conv
	if r := p.do("GET", path, owner.Access, nil); r.Body["unread_count"] != float64(2) {
		t.Fatalf("unread: %s", r.Raw)
	}
	p.do("POST", path+"/read", owner.Access, map[string]int{"seq": 1}).must(t, 204)
	if r := p.do("GET", path, owner.Access, nil); r.Body["unread_count"] != float64(1) || r.Body["agent_read_seq"] != float64(1) {
		t.Fatalf("after reading 1: %s", r.Raw)
	}
	p.do("POST", path+"/read", owner.Access, map[string]int{"seq": 99}).must(t, 204) // clamps to the end
	if r := p.do("GET", path, owner.Access, nil); r.Body["unread_count"] != float64(0) || r.Body["agent_read_seq"] != float64(2) {
		t.Fatalf("after reading all: %s", r.Raw)
	}
	p.do("POST", path+"/read", owner.Access, map[string]int{"seq": 0}).problem(t, 400, "invalid", "seq")
	p.do("POST", "/api/v1/widget/conversations/"+conv+"/read", v.Token, map[string]int{"seq": 2}).must(t, 204)

	txt := p.do("GET", path+"/transcript", owner.Access, nil).must(t, 200)
	if !strings.Contains(string(txt.Raw), "one") || !strings.Contains(txt.Header.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(txt.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("text transcript: %s %v", txt.Raw, txt.Header)
	}
	js := p.do("GET", path+"/transcript?format=json", owner.Access, nil).must(t, 200)
	if len(js.Body["messages"].([]any)) != 2 {
		t.Fatalf("json transcript: %s", js.Raw)
	}
	p.do("GET", path+"/transcript?format=pdf", owner.Access, nil).problem(t, 400, "invalid", "format")
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "'", "%27", "\\", "%5C", ";", "%3B", "(", "%28", ")", "%29", "=", "%3D", "_", "%5F")
	return r.Replace(s)
}
