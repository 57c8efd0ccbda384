package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/notify/internal/store"
)

// world plays the conversation, tenant and identity services for one
// tenant with one visitor, one conversation and one member.
type world struct {
	tenantID string
	visitor  contracts.Visitor
	convID   string
	messages []contracts.Message
	member   contracts.User
}

func newWorld() world {
	tag := ids.New()[24:]
	w := world{
		tenantID: ids.New(), convID: ids.New(),
		visitor: contracts.Visitor{ID: ids.New(), Name: "Vera Visitor" + tag, Email: "vera-" + tag + "@example.com", CurrentURL: "https://shop.example/cart"},
		member:  contracts.User{ID: ids.New(), Name: "Olga Owner", Email: "olga-" + tag + "@example.com", Role: contracts.RoleOwner, Locale: "fr"},
	}
	now := time.Now().UTC()
	w.messages = []contracts.Message{
		{ID: ids.New(), ConversationID: w.convID, Seq: 1, Author: contracts.Author{Type: contracts.AuthorVisitor, ID: w.visitor.ID}, Body: "my order number is secret-" + tag, Kind: contracts.KindText, CreatedAt: now},
		{ID: ids.New(), ConversationID: w.convID, Seq: 2, Author: contracts.Author{Type: contracts.AuthorAgent, ID: w.member.ID, Name: "Olga"}, Body: "Found it, " + tag, Kind: contracts.KindText, CreatedAt: now},
	}
	w.member.TenantID = w.tenantID
	return w
}

// needles are the visitor's personal data that must not outlive an erasure.
func (w world) needles() []string {
	return []string{w.visitor.ID, w.visitor.Email, w.visitor.Name, w.convID, w.messages[0].Body, w.messages[1].Body}
}

func serve[Req, Resp any](t *testing.T, r *rig, ep contracts.Endpoint[Req, Resp], h natsx.Handler[Req, Resp]) {
	t.Helper()
	if _, err := natsx.Serve(r.nc, ep, slog.New(slog.NewTextHandler(io.Discard, nil)), h); err != nil {
		t.Fatal(err)
	}
}

func (w world) stubs(t *testing.T, r *rig) {
	serve(t, r, contracts.ConversationListOwn, func(context.Context, contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		return contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{{ID: w.convID, Status: "open", LastSeq: 2}}}, nil
	})
	serve(t, r, contracts.ConversationVisitorGet, func(context.Context, contracts.VisitorRequest) (contracts.Visitor, error) { return w.visitor, nil })
	serve(t, r, contracts.ConversationMessages, func(context.Context, contracts.MessagesRequest) (contracts.MessagePage, error) {
		return contracts.MessagePage{Messages: w.messages}, nil
	})
	serve(t, r, contracts.TenantGet, func(context.Context, contracts.PrincipalRequest) (contracts.TenantInfo, error) {
		return contracts.TenantInfo{ID: w.tenantID, Name: "Acme Shoes"}, nil
	})
	serve(t, r, contracts.TenantSettingsInternal, func(context.Context, contracts.TenantIDRequest) (contracts.Settings, error) {
		return contracts.Settings{}, nil
	})
	serve(t, r, contracts.IdentityMemberList, func(context.Context, contracts.PrincipalRequest) (contracts.MemberList, error) {
		return contracts.MemberList{Members: []contracts.User{w.member}}, nil
	})
}

// startWith runs notify and opens its database for the tests to search.
// extra adds settings (or nil).
func startWith(t *testing.T, d testkit.DB, mp *testkit.Mailpit, extra map[string]string) (*rig, *db.DB) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"PARLEY_DATA_DIR": dir}
	for k, v := range extra {
		env[k] = v
	}
	r := startNotify(t, d, mp, env)
	m := map[string]string{"PARLEY_DATA_DIR": dir, "PARLEY_DATABASE_URL": d.URL}
	if d.Name == "postgres" {
		m["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.Prefix
	}
	cfg, err := config.Load(func(k string) string { return m[k] })
	if err != nil {
		t.Fatal(err)
	}
	sql, err := db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("notify"), Schema: cfg.Schema("notify"), Source: "notify-test", GlobalTables: store.GlobalTables})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sql.Close() })
	return r, sql
}

// streamHolding lists the NOTIFY stream's messages of the tenant that hold any needle.
func (r *rig) streamHolding(tenantID string, needles ...string) []string {
	r.t.Helper()
	var found []string
	for _, m := range testkit.StreamMessages(r.t, r.js, contracts.NotifyStream, contracts.NotifyStream.TenantEvents(tenantID)) {
		for _, x := range needles {
			if bytes.Contains(m.Data(), []byte(x)) {
				found = append(found, x+" in "+m.Subject())
			}
		}
	}
	return found
}

// visitorEmailed has notify email the visitor a transcript, the visitor
// unsubscribe from its link, and an agent's answer wait for them.
func visitorEmailed(t *testing.T, r *rig, sql *db.DB, mp *testkit.Mailpit, w world) {
	t.Helper()
	visitor := contracts.Actor{TenantID: w.tenantID, Type: contracts.AuthorVisitor, ID: w.visitor.ID}
	if _, err := natsx.Call(context.Background(), r.nc, contracts.NotifyTranscriptEmail, contracts.TranscriptEmailRequest{Actor: visitor, ConversationID: w.convID, Email: w.visitor.Email}); err != nil {
		t.Fatal(err)
	}
	got := mp.WaitFor(t, w.visitor.Email, 1, 20*time.Second)[0]
	link := strings.Trim(got.Header.Get("List-Unsubscribe"), "<>")
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("List-Unsubscribe %q", link)
	}
	if _, err := natsx.Call(context.Background(), r.nc, contracts.NotifyUnsubscribe, contracts.UnsubscribeRequest{Token: u.Query().Get("token")}); err != nil {
		t.Fatal(err)
	}
	for _, m := range w.messages {
		conv := contracts.Conversation{ID: w.convID, Status: "open", Handoff: "agent", Visitor: w.visitor, LastSeq: m.Seq, UpdatedAt: m.CreatedAt,
			LastMessage: &contracts.MessagePreview{Seq: m.Seq, Author: m.Author, Body: m.Body, CreatedAt: m.CreatedAt}}
		r.publish(contracts.ConversationMessageCreated, w.tenantID, contracts.MessageCreated{Conversation: &conv, Message: m})
	}
	// The visitor's words in notify's copy of the conversation, and the answer pending for them.
	testkit.Eventually(t, 20*time.Second, func() error {
		if rows := testkit.RowsContaining(t, sql, w.tenantID, w.messages[0].Body, w.visitor.ID); len(rows) < 3 {
			return fmt.Errorf("the conversation is not tracked yet: %v", rows)
		}
		return nil
	})
}

func TestVisitorExportAndErasure(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r, sql := startWith(t, d, mp, nil)
		w := newWorld()
		w.stubs(t, r)
		other := newWorld() // the same tenant's other visitor keeps everything
		other.tenantID = w.tenantID
		visitorEmailed(t, r, sql, mp, w)

		admin := contracts.Actor{TenantID: w.tenantID, Type: contracts.AuthorAgent, ID: w.member.ID, Role: contracts.RoleAdmin}
		ex, err := natsx.Call(context.Background(), r.nc, contracts.NotifyVisitorExport, contracts.VisitorDataRequest{Actor: admin, VisitorID: w.visitor.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Emails) != 1 || ex.Emails[0].Kind != "transcript" || ex.Emails[0].To != w.visitor.Email || ex.Emails[0].Status != "sent" ||
			ex.Emails[0].SentAt == nil || ex.Emails[0].Subject != "Your conversation with Acme Shoes" || !ex.Suppressed {
			t.Fatalf("visitor export: %+v", ex)
		}
		self := contracts.Actor{TenantID: w.tenantID, Type: contracts.AuthorVisitor, ID: w.visitor.ID}
		if mine, err := natsx.Call(context.Background(), r.nc, contracts.NotifyVisitorExport, contracts.VisitorDataRequest{Actor: self, VisitorID: w.visitor.ID}); err != nil || len(mine.Emails) != 1 {
			t.Fatalf("the visitor's own export: %+v %v", mine, err)
		}
		agent := admin
		agent.Role = contracts.RoleAgent
		for _, a := range []contracts.Actor{agent, {TenantID: w.tenantID, Type: contracts.AuthorVisitor, ID: other.visitor.ID}} {
			if _, err := natsx.Call(context.Background(), r.nc, contracts.NotifyVisitorExport, contracts.VisitorDataRequest{Actor: a, VisitorID: w.visitor.ID}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s %s exported another visitor: %v", a.Type, a.Role, err)
			}
		}

		r.publish(contracts.ConversationVisitorErased, w.tenantID, contracts.VisitorErased{VisitorID: w.visitor.ID, ConversationIDs: []string{w.convID}, ErasedAt: time.Now()})
		testkit.Eventually(t, 20*time.Second, func() error {
			if rows := testkit.RowsContaining(t, sql, w.tenantID, w.needles()...); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			if msgs := r.streamHolding(w.tenantID, w.needles()...); len(msgs) > 0 {
				return fmt.Errorf("stream messages left: %v", msgs)
			}
			return nil
		})
		if ex, err := natsx.Call(context.Background(), r.nc, contracts.NotifyVisitorExport, contracts.VisitorDataRequest{Actor: admin, VisitorID: w.visitor.ID}); err != nil || len(ex.Emails) != 0 || ex.Suppressed {
			t.Fatalf("export after the erasure: %+v %v", ex, err)
		}
	})
}

func TestConversationsDeletedForgetsThem(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r, sql := startWith(t, d, mp, nil)
		w := newWorld()
		w.stubs(t, r)
		visitorEmailed(t, r, sql, mp, w)
		r.publish(contracts.ConversationConversationsDeleted, w.tenantID, contracts.ConversationsDeleted{ConversationIDs: []string{w.convID}, Reason: "retention"})
		gone := []string{w.convID, w.messages[0].Body, w.messages[1].Body}
		testkit.Eventually(t, 20*time.Second, func() error {
			if rows := testkit.RowsContaining(t, sql, w.tenantID, gone...); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			if msgs := r.streamHolding(w.tenantID, gone...); len(msgs) > 0 {
				return fmt.Errorf("stream messages left: %v", msgs)
			}
			return nil
		})
		// The visitor's unsubscribe is theirs, not the conversation's: it stays.
		if rows := testkit.RowsContaining(t, sql, w.tenantID, w.visitor.Email); len(rows) == 0 {
			t.Fatal("a retention sweep forgot the visitor's unsubscribe")
		}
	})
}

func TestExportEmailArrivesOnceAndWorkspaceDeletionLeavesNothing(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r, sql := startWith(t, d, mp, nil)
		w := newWorld()
		w.stubs(t, r)
		principal := contracts.Principal{TenantID: w.tenantID, UserID: w.member.ID, Role: contracts.RoleOwner}
		if _, err := natsx.Call(context.Background(), r.nc, contracts.NotifyPreferencesUpdate, contracts.NotifyPreferencesUpdateRequest{Principal: principal}); err != nil {
			t.Fatal(err)
		}
		visitorEmailed(t, r, sql, mp, w)

		expires := time.Now().Add(7 * 24 * time.Hour).UTC()
		done := contracts.ExportCompleted{ExportID: ids.New(), RequestedBy: w.member.ID, Status: contracts.JobDone, SizeBytes: 3 << 20, ExpiresAt: &expires, Path: "/settings/data"}
		env := r.publish(contracts.TenantExportCompleted, w.tenantID, done)
		got := mp.WaitFor(t, w.member.Email, 1, 20*time.Second)[0]
		if got.Subject != "Votre export de Acme Shoes est prêt" || !strings.Contains(got.Text, "http://parley.test/settings/data") || !strings.Contains(got.Text, "3.0 MB") ||
			!strings.Contains(got.Text, expires.Format("2006-01-02")) {
			t.Fatalf("export email: %s\n%s", got.Subject, got.Text)
		}
		// Redelivered past the duplicate window: still one email.
		seq := r.republish(contracts.TenantExportCompleted, env, ids.New())
		testkit.Eventually(t, 20*time.Second, func() error {
			if info, err := r.consumer("TENANT", "notify-export-completed"); err != nil {
				return err
			} else if info.AckFloor.Stream < seq {
				return fmt.Errorf("redelivery not handled yet")
			}
			return nil
		})
		failed := done
		failed.ExportID, failed.Status, failed.ExpiresAt = ids.New(), contracts.JobFailed, nil
		r.publish(contracts.TenantExportCompleted, w.tenantID, failed)
		testkit.Eventually(t, 20*time.Second, func() error {
			msgs, err := mp.To(w.member.Email)
			if err != nil {
				return err
			}
			if len(msgs) != 2 || msgs[1].Subject != "L'export de Acme Shoes a échoué" {
				return fmt.Errorf("%d emails to the member", len(msgs))
			}
			return nil
		})

		// Parts of an export carry no body, reply address or unsubscribe token.
		exportID := ids.New()
		req := contracts.ExportPartRequest{TenantID: w.tenantID, ExportID: exportID, Prefix: contracts.ExportPartPrefix(w.tenantID, exportID, contracts.ServiceNotify)}
		part, err := natsx.Call(context.Background(), r.nc, contracts.NotifyExportPart, req)
		if err != nil {
			t.Fatal(err)
		}
		bucket, err := natsx.DataBucket(context.Background(), r.js)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int64{}
		var all []byte
		for _, f := range part.Files {
			counts[f.Name] = f.Count
			b, err := bucket.GetBytes(context.Background(), f.Object)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if counts["email_deliveries.jsonl"] != 3 || counts["notification_preferences.jsonl"] != 1 || counts["suppressions.jsonl"] != 1 {
			t.Fatalf("counts %v:\n%s", counts, all)
		}
		var line map[string]any
		if err := json.Unmarshal(bytes.SplitN(all, []byte("\n"), 2)[0], &line); err != nil || line["subject"] == nil || line["to"] == nil || line["status"] == nil || line["created_at"] == nil {
			t.Fatalf("delivery line %v: %v", line, err)
		}
		for _, s := range []string{w.messages[0].Body, w.messages[1].Body, "token", "unsubscribe", "tenant_id", "html", "reply"} {
			if bytes.Contains(all, []byte(s)) {
				t.Fatalf("the export holds %q:\n%s", s, all)
			}
		}

		r.publish(contracts.TenantTenantDeleted, w.tenantID, contracts.TenantDeleted{Reason: contracts.TenantClosed})
		testkit.Eventually(t, 20*time.Second, func() error {
			if rows := testkit.RowsContaining(t, sql, w.tenantID, append(w.needles(), w.tenantID, w.member.Email)...); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			if msgs := r.streamHolding(w.tenantID, w.tenantID); len(msgs) > 0 {
				return fmt.Errorf("stream messages left: %v", msgs)
			}
			return nil
		})
	})
}

// A member's change reaches notify's copy on both databases: the second
// change of the same member updates the row (an upsert PostgreSQL refused).
func TestMemberChangesUpdateTheCopy(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r, sql := startWith(t, d, testkit.StartMailpit(t), nil)
		tenant, user := ids.New(), ids.New()
		for _, name := range []string{"Grace", "Grace Hopper"} {
			r.publish(contracts.IdentityMemberChanged, tenant, contracts.MemberChanged{User: contracts.User{ID: user, TenantID: tenant, Name: name, Email: "grace@example.com", Role: contracts.RoleAgent}})
		}
		testkit.Eventually(t, 20*time.Second, func() error {
			var names []string
			if err := sql.Tenant(context.Background(), tenant, func(tx *gorm.DB) error {
				return tx.Table("members").Where("tenant_id = ? AND user_id = ?", tenant, user).Pluck("name", &names).Error
			}); err != nil {
				return err
			}
			if len(names) != 1 || names[0] != "Grace Hopper" {
				return fmt.Errorf("members rows: %v", names)
			}
			return nil
		})
	})
}
