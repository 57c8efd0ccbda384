package conversation_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

func TestExportPartWritesEveryFileInAStableOrder(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		w := seed(t, e)
		seed(t, e) // another tenant, which must not show up
		part, files := export(t, e, w.tenant)

		counts := map[string]int64{}
		for _, f := range part.Files {
			counts[f.Name] = f.Count
			if !strings.HasPrefix(f.Object, "exports/"+w.tenant+"/") || !strings.HasSuffix(f.Object, "/parts/conversation/"+f.Name) {
				t.Errorf("%s written to %s", f.Name, f.Object)
			}
		}
		want := map[string]int64{"visitors.jsonl": 2, "conversations.jsonl": 3, "messages.jsonl": 6, "bookings.jsonl": 1, "activities.jsonl": 4,
			"conversations.csv": 3, "messages.csv": 6}
		for name, n := range want {
			if counts[name] != n {
				t.Errorf("%s: %d rows, want %d", name, counts[name], n)
			}
		}
		for name, b := range files {
			if bytes.Contains(b, []byte("tenant_id")) || bytes.Contains(b, []byte(w.tenant)) {
				t.Errorf("%s mentions the tenant", name)
			}
		}

		// Conversations by creation; each line one object with every column.
		var convs []map[string]any
		for _, l := range lines(files["conversations.jsonl"]) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("conversations.jsonl: %v in %q", err, l)
			}
			convs = append(convs, m)
		}
		if convs[0]["id"] != w.adaConvs[0] || convs[1]["id"] != w.adaConvs[1] || convs[2]["id"] != w.bobConv {
			t.Fatalf("conversations out of order: %v %v %v", convs[0]["id"], convs[1]["id"], convs[2]["id"])
		}
		c := convs[0]
		if c["assignee_id"] != w.admin.ID || c["priority"] != "high" || fmt.Sprint(c["labels"]) != "[vip orders]" || c["last_seq"] != 4.0 ||
			c["visitor_id"] != w.ada.ID || c["handoff"] == nil || c["preview"] == nil || c["agent_read_seq"] == nil || c["last_activity_at"] == nil {
			t.Fatalf("first conversation: %v", c)
		}
		if convs[1]["status"] != "resolved" {
			t.Fatalf("second conversation: %v", convs[1])
		}

		// Messages grouped by conversation, by seq, notes marked private.
		type message struct {
			ConversationID string           `json:"conversation_id"`
			Seq            int64            `json:"seq"`
			Author         contracts.Author `json:"author"`
			Body           string           `json:"body"`
			Private        bool             `json:"private"`
			ClientMsgID    string           `json:"client_msg_id"`
			CreatedAt      time.Time        `json:"created_at"`
		}
		var msgs []message
		for _, l := range lines(files["messages.jsonl"]) {
			var m message
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		}
		order := []string{w.adaConvs[0], w.adaConvs[0], w.adaConvs[0], w.adaConvs[0], w.adaConvs[1], w.bobConv}
		for i, m := range msgs {
			if m.ConversationID != order[i] {
				t.Fatalf("message %d belongs to %s, want %s", i, m.ConversationID, order[i])
			}
		}
		note := msgs[2]
		if !note.Private || note.Body != "note: Ada is a VIP" || note.Author != (contracts.Author{Type: contracts.AuthorAgent, ID: w.admin.ID, Name: "Grace Hopper"}) ||
			note.Seq != 3 || note.ClientMsgID == "" || note.CreatedAt.Location() != time.UTC {
			t.Fatalf("note: %+v", note)
		}

		// CSV: RFC 4180, a header, CRLF, quoting, formula-safe text.
		for name, header := range map[string]string{"conversations.csv": "id,created_at,updated_at,last_activity_at,status,handoff,priority,labels,visitor_id,visitor_name,visitor_email,assignee_id,messages,unread_count",
			"messages.csv": "id,conversation_id,seq,created_at,author_type,author_id,author_name,kind,private,body"} {
			if !bytes.HasPrefix(files[name], []byte(header+"\r\n")) {
				t.Fatalf("%s starts %q", name, files[name][:min(200, len(files[name]))])
			}
		}
		rows, err := csv.NewReader(bytes.NewReader(files["messages.csv"])).ReadAll()
		if err != nil || len(rows) != 7 {
			t.Fatalf("messages.csv: %d rows, %v", len(rows), err)
		}
		if got := rows[6][9]; got != "'=SUM(A1) and \"quotes\", commas\nand a new line" {
			t.Fatalf("bob's body in CSV: %q", got)
		}
		crows, err := csv.NewReader(bytes.NewReader(files["conversations.csv"])).ReadAll()
		if err != nil || len(crows) != 4 || crows[1][9] != "Ada Lovelace" || crows[1][10] != "ada@example.com" || crows[1][7] != "vip; orders" {
			t.Fatalf("conversations.csv: %v %v", crows, err)
		}

		// The same data exports to the same bytes.
		_, again := export(t, e, w.tenant)
		for name, b := range files {
			if !bytes.Equal(b, again[name]) {
				t.Errorf("%s differs between two exports of the same data", name)
			}
		}
	})
}

func TestImportRoundTripGivesTheSameFiles(t *testing.T) {
	t.Parallel()
	dbs := map[string]testkit.DB{}
	for _, d := range testkit.Databases(t) {
		dbs[d.Name] = d
	}
	// A move to another server: SQLite → SQLite, and with PostgreSQL every
	// other pair, SQLite → PostgreSQL and back included.
	type trip struct{ from, to string }
	trips := []trip{{"sqlite", "sqlite"}}
	if _, ok := dbs["postgres"]; ok {
		trips = append(trips, trip{"postgres", "postgres"}, trip{"sqlite", "postgres"}, trip{"postgres", "sqlite"})
	}
	for _, tr := range trips {
		t.Run(tr.from+"_to_"+tr.to, func(t *testing.T) {
			src, dst := start(t, fresh(t, dbs[tr.from])), start(t, fresh(t, dbs[tr.to]))
			w := seed(t, src)
			_, files := export(t, src, w.tenant)

			// The admin has an account in the new workspace under a new id.
			newAdmin := ids.New()
			target := ids.New()
			res, err := importPart(dst, target, files, map[string]string{w.admin.ID: newAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if res.Counts["messages.jsonl"] != 6 || res.Counts["conversations.jsonl"] != 3 || res.Counts["visitors.jsonl"] != 2 || res.Counts["bookings.jsonl"] != 1 {
				t.Fatalf("counts: %v", res.Counts)
			}
			_, again := export(t, dst, target)
			for name, b := range files {
				want := bytes.ReplaceAll(b, []byte(w.admin.ID), []byte(newAdmin))
				if !bytes.Equal(want, again[name]) {
					t.Errorf("%s after the round trip:\n%s\nwant:\n%s", name, again[name], want)
				}
			}

			// The imported workspace works: the new admin sees the history with its seq.
			admin := contracts.Actor{TenantID: target, Type: contracts.AuthorAgent, ID: newAdmin, Role: contracts.RoleAdmin, Name: "Grace Hopper"}
			page := call(t, dst, contracts.ConversationMessages, contracts.MessagesRequest{Actor: admin, ConversationID: w.adaConvs[0]})
			if len(page.Messages) != 4 || page.Messages[2].Author.ID != newAdmin || !page.Messages[2].Private {
				t.Fatalf("imported messages: %+v", page.Messages)
			}
			next := call(t, dst, contracts.ConversationSend, contracts.SendRequest{Actor: admin, ConversationID: w.adaConvs[0], Body: "Welcome back", ClientMsgID: ids.New()})
			if next.Message.Seq != 5 {
				t.Fatalf("next message after the import has seq %d, want 5", next.Message.Seq)
			}

			// A second import into a workspace with conversations is refused.
			_, err = importPart(dst, target, files, nil)
			wantCode(t, err, apperr.Conflict, "already has conversations")

			// Without a matching member: the assignee is cleared, the author keeps id and name.
			w2 := seed(t, src)
			_, files2 := export(t, src, w2.tenant)
			plain := ids.New()
			if _, err := importPart(dst, plain, files2, nil); err != nil {
				t.Fatal(err)
			}
			_, unmapped := export(t, dst, plain)
			var first struct {
				AssigneeID string `json:"assignee_id"`
			}
			_ = json.Unmarshal([]byte(lines(unmapped["conversations.jsonl"])[0]), &first)
			if first.AssigneeID != "" {
				t.Fatalf("an unmapped assignee was kept: %s", first.AssigneeID)
			}
			if !bytes.Equal(unmapped["messages.jsonl"], files2["messages.jsonl"]) {
				t.Fatal("unmapped authors changed")
			}

			// Ids are kept, so the server the archive came from refuses it.
			_, err = importPart(src, ids.New(), files, nil)
			wantCode(t, err, apperr.Invalid, "another workspace on this server")
		})
	}
}

func TestImportRefusesABadRowAndWritesNothing(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		src, e := start(t, d), start(t, fresh(t, d))
		w := seed(t, src)
		_, files := export(t, src, w.tenant)
		edit := func(name string, line int, f func(string) string) map[string][]byte {
			out := map[string][]byte{}
			for k, v := range files {
				out[k] = v
			}
			ls := lines(files[name])
			ls[line-1] = f(ls[line-1])
			out[name] = []byte(strings.Join(ls, "\n") + "\n")
			return out
		}
		cases := []struct {
			name  string
			files map[string][]byte
			want  string
		}{
			{"bad status", edit("conversations.jsonl", 2, func(s string) string { return strings.Replace(s, `"status":"resolved"`, `"status":"gone"`, 1) }), "conversations.jsonl line 2: status"},
			{"not JSON", edit("visitors.jsonl", 1, func(string) string { return "{nope" }), "visitors.jsonl line 1"},
			{"unknown field", edit("visitors.jsonl", 2, func(s string) string { return strings.Replace(s, `{"id"`, `{"tenant_id":"x","id"`, 1) }), "visitors.jsonl line 2"},
			{"unknown conversation", edit("messages.jsonl", 5, func(s string) string { return strings.Replace(s, w.adaConvs[1], ids.New(), 1) }), "messages.jsonl line 5: conversation_id"},
			{"seq after last_seq", edit("messages.jsonl", 4, func(s string) string { return strings.Replace(s, `"seq":4`, `"seq":9`, 1) }), "messages.jsonl line 4: seq 9"},
			{"repeated message", edit("messages.jsonl", 2, func(string) string { return lines(files["messages.jsonl"])[0] }), "messages.jsonl lines 1–6"},
			// The last file is bad: what the earlier files inserted is rolled back too.
			{"bad booking", edit("bookings.jsonl", 1, func(s string) string { return strings.Replace(s, `"status":"booked"`, `"status":"maybe"`, 1) }), "bookings.jsonl line 1: status"},
		}
		for _, c := range cases {
			tenant := ids.New()
			_, err := importPart(e, tenant, c.files, nil)
			wantCode(t, err, apperr.Invalid, c.want)
			if n := rowsOf(t, e, tenant); n != 0 {
				t.Fatalf("%s: %d rows written", c.name, n)
			}
		}
	})
}

func TestVisitorErasureLeavesNoTrace(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		w := seed(t, e)
		agent := w.admin
		agent.Role = contracts.RoleAgent
		_, err := try(e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: agent, VisitorID: w.ada.ID})
		wantCode(t, err, apperr.Forbidden, "owner or admin")
		_, err = try(e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: w.bob, VisitorID: w.ada.ID})
		wantCode(t, err, apperr.Forbidden, "")
		// The message events are in the stream before the erasure.
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(eventsOf(t, e, w.tenant, contracts.ConversationMessageCreated)); n < 6 {
				return fmt.Errorf("%d message events", n)
			}
			return nil
		})

		if n := len(activities(t, e, w.tenant, w.adaConvs[0])) + len(activities(t, e, w.tenant, w.adaConvs[1])); n == 0 {
			t.Fatal("the seed gave Ada's conversations no activity to erase")
		}
		admin := w.admin
		admin.IP = "203.0.113.9"
		got := call(t, e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: admin, VisitorID: w.ada.ID})
		if got != (contracts.VisitorErasure{VisitorID: w.ada.ID, Conversations: 2, Messages: 5}) {
			t.Fatalf("erasure: %+v", got)
		}
		_, err = try(e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: admin, VisitorID: w.ada.ID})
		wantCode(t, err, apperr.NotFound, "visitor not found")
		_, err = try(e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: admin, VisitorID: w.ada.ID})
		wantCode(t, err, apperr.NotFound, "visitor not found")

		// Nothing in any table, the outbox included once it has drained.
		personal := []string{"Ada", "ada@example.com", w.adaSecretText, "London", "Thanks, Grace", "VIP"}
		ids := append([]string{w.ada.ID, w.adaBookingID}, w.adaConvs...)
		testkit.Eventually(t, 10*time.Second, func() error {
			if m := mentions(t, e, append(personal, ids...)...); len(m) > 0 {
				return fmt.Errorf("still stored: %v", m)
			}
			return nil
		})
		for _, conv := range w.adaConvs {
			if acts := activities(t, e, w.tenant, conv); len(acts) > 0 {
				t.Fatalf("%s keeps its activities: %v", conv, kinds(acts))
			}
		}
		// Nothing in the stream but the erasure's own events, which hold ids and counts only.
		testkit.Eventually(t, 10*time.Second, func() error {
			for _, m := range events(t, e, w.tenant) {
				for _, n := range personal {
					if bytes.Contains(m.Data, []byte(n)) {
						return fmt.Errorf("%s still says %q", m.Subject, n)
					}
				}
				kept := m.Subject == contracts.ConversationVisitorErased.Subject(w.tenant) ||
					m.Subject == contracts.ConversationConversationsDeleted.Subject(w.tenant) ||
					m.Subject == contracts.ConversationAuditRecorded.Subject(w.tenant)
				for _, n := range ids {
					if !kept && bytes.Contains(m.Data, []byte(n)) {
						return fmt.Errorf("%s still mentions %s", m.Subject, n)
					}
				}
			}
			return nil
		})
		erased := eventsOf(t, e, w.tenant, contracts.ConversationVisitorErased)
		var ev contracts.VisitorErased
		if len(erased) != 1 || erased[0].Decode(&ev) != nil || ev.VisitorID != w.ada.ID || len(ev.ConversationIDs) != 2 {
			t.Fatalf("visitor.erased: %+v", ev)
		}
		a := audits(t, e, w.tenant, contracts.AuditVisitorErased)
		if len(a) != 1 || a[0].Actor != (contracts.AuditActor{Type: "member", ID: w.admin.ID, Name: "Grace Hopper", IP: "203.0.113.9"}) ||
			a[0].TargetID != w.ada.ID || string(a[0].After) != `{"conversations":2,"messages":5}` {
			t.Fatalf("audit: %+v", a)
		}

		// Bob is untouched, and can erase himself.
		if m := mentions(t, e, "Bob Byte"); len(m) != 3 { // visitor, message author, conversation preview
			t.Fatalf("bob: %v", m)
		}
		got = call(t, e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: w.bob, VisitorID: w.bob.ID})
		if got.Conversations != 1 || got.Messages != 1 {
			t.Fatalf("bob's erasure: %+v", got)
		}
		a = audits(t, e, w.tenant, contracts.AuditVisitorErased)
		testkit.Eventually(t, 10*time.Second, func() error {
			if a = audits(t, e, w.tenant, contracts.AuditVisitorErased); len(a) != 2 {
				return fmt.Errorf("%d audits", len(a))
			}
			return nil
		})
		if a[1].Actor != (contracts.AuditActor{Type: "visitor", ID: w.bob.ID}) {
			t.Fatalf("a visitor's own erasure is recorded as %+v", a[1].Actor)
		}
		if m := mentions(t, e, "Bob Byte", w.bob.ID); len(m) > 0 {
			t.Fatalf("bob: %v", m)
		}
	})
}

// A crash after the erasure committed, before the stream was scrubbed: the
// durable consumer scrubs it when the service is back.
func TestErasureScrubSurvivesARestart(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		srv := testkit.NATS(t)
		e := startOn(t, d, srv)
		w := seed(t, e)
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(eventsOf(t, e, w.tenant, contracts.ConversationMessageCreated)); n < 6 {
				return fmt.Errorf("%d message events", n)
			}
			return nil
		})
		e.stop()
		// What the relay publishes right after the erasure's commit, with nobody left to act on it.
		js, err := jetstream.New(testkit.Connect(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		env, err := contracts.NewEnvelope(contracts.ConversationVisitorErased, w.tenant, "conversation", "",
			contracts.VisitorErased{VisitorID: w.ada.ID, ConversationIDs: w.adaConvs, ErasedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := natsx.Publish(context.Background(), js, contracts.ConversationVisitorErased.Subject(w.tenant), env); err != nil {
			t.Fatal(err)
		}

		e = startOn(t, d, srv)
		testkit.Eventually(t, 10*time.Second, func() error {
			for _, m := range eventsOf(t, e, w.tenant, contracts.ConversationMessageCreated) {
				if bytes.Contains(m.Payload, []byte(w.ada.ID)) {
					return fmt.Errorf("a message event of Ada is still in the stream")
				}
			}
			return nil
		})
		if n := len(eventsOf(t, e, w.tenant, contracts.ConversationMessageCreated)); n != 1 {
			t.Fatalf("%d message events left, want Bob's one", n)
		}
	})
}

func TestVisitorExport(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		w := seed(t, e)
		data := call(t, e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: w.admin, VisitorID: w.ada.ID})
		if data.Visitor.Name != "Ada Lovelace" || len(data.Conversations) != 2 || len(data.Conversations[0].Messages) != 4 ||
			len(data.Bookings) != 1 || data.Bookings[0].ID != w.adaBookingID {
			t.Fatalf("admin's export: %+v", data)
		}
		own := call(t, e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: w.ada, VisitorID: w.ada.ID})
		if len(own.Conversations[0].Messages) != 3 {
			t.Fatalf("the visitor's own export has %d messages, want 3 (no note)", len(own.Conversations[0].Messages))
		}
		for _, c := range own.Conversations {
			for _, m := range c.Messages {
				if m.Private {
					t.Fatal("a private note in the visitor's own export")
				}
			}
		}
		_, err := try(e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: w.bob, VisitorID: w.ada.ID})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = try(e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: w.admin, VisitorID: ids.New()})
		wantCode(t, err, apperr.NotFound, "visitor not found")
		// Only the member's request is audited.
		testkit.Eventually(t, 10*time.Second, func() error {
			if a := audits(t, e, w.tenant, contracts.AuditVisitorExported); len(a) != 1 || a[0].Actor.ID != w.admin.ID || a[0].TargetID != w.ada.ID {
				return fmt.Errorf("audits: %+v", a)
			}
			return nil
		})
	})
}

func TestRetentionSweepDeletesOnlyOldConversations(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenant := ids.New()
		e.clock.set(-100 * 24 * time.Hour)
		const old = 130 // two batches
		for range old {
			call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: visitor(tenant), Body: "an old question", ClientMsgID: ids.New()})
		}
		e.clock.set(0)
		recent := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: visitor(tenant), Body: "a new question", ClientMsgID: ids.New()})
		other := seed(t, e) // a tenant without retention

		admin := contracts.Principal{TenantID: tenant, UserID: ids.New(), Role: contracts.RoleAdmin}
		p := call(t, e, contracts.ConversationRetentionPreview, contracts.RetentionPreviewRequest{Principal: admin, Days: 30})
		if p.Conversations != old || p.Messages != old || p.Days != 30 || time.Since(p.Before) < 29*24*time.Hour {
			t.Fatalf("preview: %+v", p)
		}
		for _, days := range []int{0, 6, 3651} {
			_, err := try(e, contracts.ConversationRetentionPreview, contracts.RetentionPreviewRequest{Principal: admin, Days: days})
			wantCode(t, err, apperr.Invalid, "days")
		}
		agent := admin
		agent.Role = contracts.RoleAgent
		_, err := try(e, contracts.ConversationRetentionPreview, contracts.RetentionPreviewRequest{Principal: agent, Days: 30})
		wantCode(t, err, apperr.Forbidden, "")

		e.mu.Lock()
		e.policies = []contracts.RetentionPolicy{{TenantID: tenant, Days: 30}}
		e.mu.Unlock()
		testkit.Eventually(t, 20*time.Second, func() error {
			var n int64
			err := e.db.Tenant(context.Background(), tenant, func(tx *gorm.DB) error {
				return tx.Table("conversations").Where("tenant_id = ?", tenant).Count(&n).Error
			})
			if err != nil || n != 1 {
				return fmt.Errorf("%d conversations left (%v)", n, err)
			}
			return nil
		})
		left := call(t, e, contracts.ConversationGet, contracts.ConversationRequest{
			Actor: contracts.Actor{TenantID: tenant, Type: contracts.AuthorAgent, ID: admin.UserID, Role: contracts.RoleAdmin}, ConversationID: recent.Conversation.ID})
		if left.ID != recent.Conversation.ID {
			t.Fatal("the recent conversation is gone")
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			deleted := 0
			for _, env := range eventsOf(t, e, tenant, contracts.ConversationConversationsDeleted) {
				var ev contracts.ConversationsDeleted
				_ = env.Decode(&ev)
				if ev.Reason != "retention" || len(ev.ConversationIDs) > 100 {
					return fmt.Errorf("event: %+v", ev)
				}
				deleted += len(ev.ConversationIDs)
			}
			a := audits(t, e, tenant, contracts.AuditRetentionSwept)
			if deleted != old || len(a) != 1 {
				return fmt.Errorf("%d deleted in events, %d audits", deleted, len(a))
			}
			if a[0].Actor != contracts.SystemActor("retention") || string(a[0].After) != fmt.Sprintf(`{"conversations":%d,"messages":%d}`, old, old) {
				return fmt.Errorf("audit: %+v %s", a[0], a[0].After)
			}
			return nil
		})
		// The other tenant kept everything.
		if _, files := export(t, e, other.tenant); len(lines(files["conversations.jsonl"])) != 3 {
			t.Fatal("retention reached a tenant without it")
		}
	})
}

func TestWorkspaceDeletionErasesTheTenant(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		gone, kept := seed(t, e), seed(t, e)
		testkit.Eventually(t, 10*time.Second, func() error {
			if len(events(t, e, gone.tenant)) == 0 {
				return fmt.Errorf("no events yet")
			}
			return nil
		})
		if err := natsx.EnsureStream(context.Background(), e.js, contracts.TenantStream); err != nil {
			t.Fatal(err)
		}
		for range 2 { // a second deletion event finds nothing left
			env, err := contracts.NewEnvelope(contracts.TenantTenantDeleted, gone.tenant, "tenant", "", contracts.TenantDeleted{Reason: contracts.TenantClosed})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := natsx.Publish(context.Background(), e.js, contracts.TenantTenantDeleted.Subject(gone.tenant), env); err != nil {
				t.Fatal(err)
			}
			testkit.Eventually(t, 20*time.Second, func() error {
				if m := mentions(t, e, gone.tenant); len(m) > 0 {
					return fmt.Errorf("still stored: %v", m[0])
				}
				if n := len(events(t, e, gone.tenant)); n > 0 {
					return fmt.Errorf("%d events left", n)
				}
				return nil
			})
		}
		if _, files := export(t, e, kept.tenant); len(lines(files["messages.jsonl"])) != 6 {
			t.Fatal("another tenant lost data")
		}
		if len(events(t, e, kept.tenant)) == 0 {
			t.Fatal("another tenant's events were purged")
		}
	})
}

// BenchmarkExportPart100kMessages measures the export of a workspace with
// 100,000 messages (1,000 conversations of 100) and the heap it peaks at
// while the part streams out (peak-heap-MiB, heap-growth-MiB: the service
// and the embedded NATS server run in the benchmark's process).
func BenchmarkExportPart100kMessages(b *testing.B) {
	for _, d := range testkit.Databases(b) {
		b.Run(d.Name, func(b *testing.B) {
			e := start(b, d)
			tenant := ids.New()
			fill(b, e, tenant, 1000, 100)
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
				}
			}()
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				exportID := ids.New() // the part only: reading it back would count here
				part := call(b, e, contracts.ConversationExportPart, contracts.ExportPartRequest{TenantID: tenant, ExportID: exportID,
					Prefix: contracts.ExportPartPrefix(tenant, exportID, contracts.ServiceConversation)})
				if part.Files[2].Count != 100_000 {
					b.Fatalf("exported %d messages", part.Files[2].Count)
				}
			}
			b.StopTimer()
			close(stop)
			<-sampled
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peak.Load()-min(peak.Load(), before.HeapInuse))/(1<<20), "heap-growth-MiB")
		})
	}
}

// A conversation longer than a page is read a page at a time, between
// shorter ones read together, and keeps its place and order.
func TestExportPagesThroughLongConversations(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenant := ids.New()
		fill(t, e, tenant, 3, 400)
		fill(t, e, tenant, 1, 2500)
		fill(t, e, tenant, 2, 10)
		part, files := export(t, e, tenant)
		if part.Files[2].Count != 3*400+2500+2*10 {
			t.Fatalf("%d messages exported", part.Files[2].Count)
		}
		var convs []string
		for _, l := range lines(files["conversations.jsonl"]) {
			var c struct{ ID string }
			_ = json.Unmarshal([]byte(l), &c)
			convs = append(convs, c.ID)
		}
		at, seq := 0, int64(0)
		for i, l := range lines(files["messages.jsonl"]) {
			var m struct {
				ConversationID string `json:"conversation_id"`
				Seq            int64  `json:"seq"`
			}
			_ = json.Unmarshal([]byte(l), &m)
			if m.ConversationID != convs[at] {
				at, seq = at+1, 0
			}
			if m.ConversationID != convs[at] || m.Seq != seq+1 {
				t.Fatalf("line %d: conversation %d seq %d, want conversation %d seq %d", i+1, slices.Index(convs, m.ConversationID), m.Seq, at, seq+1)
			}
			seq = m.Seq
		}
	})
}
