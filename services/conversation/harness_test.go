package conversation_test

// The harness of the service's tests: a running service on a real NATS and
// database, the tenant service played by the test, and ways to look into
// every table and the event stream.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/conversation"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// clock is a test clock that moves only when told to.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time      { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) set(d time.Duration) { c.offset.Store(int64(d)) }

// env is one running conversation service with the tenant service's
// endpoints it calls played by the test.
type env struct {
	t        testing.TB
	d        testkit.DB
	nc       *nats.Conn
	js       jetstream.JetStream
	db       *db.DB // the service's database, seen from outside (every tenant)
	obs      jetstream.ObjectStore
	clock    *clock
	mu       sync.Mutex
	policies []contracts.RetentionPolicy
	settings contracts.Settings                // what the tenant service answers, for every tenant
	bot      contracts.BotConfig               // likewise
	ents     map[string]contracts.Entitlements // what billing answers, per tenant (others: no answer)
	stop     func()                            // stops the service as a crash would (no more work); also run at the end
}

func start(t testing.TB, d testkit.DB) *env {
	t.Helper()
	return startOn(t, d, testkit.NATS(t))
}

// startOn starts the service on a given NATS server (a restart keeps it).
func startOn(t testing.TB, d testkit.DB, srv *server.Server) *env {
	t.Helper()
	vars := map[string]string{"PARLEY_DATA_DIR": t.TempDir(), "PARLEY_DATABASE_URL": d.URL}
	if d.Name == "postgres" {
		vars["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.Prefix
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	nc := testkit.Connect(t, srv)
	e := &env{t: t, d: d, nc: nc, clock: &clock{}, ents: map[string]contracts.Entitlements{}}
	e.settings.Attachments = contracts.DefaultAttachments()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	serve(t, nc, contracts.TenantSettingsInternal, func(context.Context, contracts.TenantIDRequest) (contracts.Settings, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.settings, nil
	})
	serve(t, nc, contracts.TenantBotInternal, func(context.Context, contracts.TenantIDRequest) (contracts.BotConfig, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.bot, nil
	})
	serve(t, nc, contracts.BillingEntitlements, func(_ context.Context, r contracts.TenantIDRequest) (contracts.Entitlements, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		ent, ok := e.ents[r.TenantID]
		if !ok {
			return ent, apperr.New(apperr.Unavailable, "billing is not played for this tenant")
		}
		return ent, nil
	})
	serve(t, nc, contracts.TenantRetentionPolicies, func(context.Context, contracts.Empty) (contracts.RetentionPolicies, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return contracts.RetentionPolicies{Policies: e.policies}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := conversation.New(ctx, cfg, conversation.Deps{NATS: nc, Logger: log, Clock: e.clock.now, RetentionEvery: 20 * time.Millisecond})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var stopped sync.Once
	e.stop = func() { stopped.Do(func() { cancel(); <-done; nc.Close() }) }
	t.Cleanup(e.stop)
	if e.db, err = db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("conversation"), Schema: cfg.Schema("conversation"),
		Source: "conversation-test", GlobalTables: store.GlobalTables}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.Close() })
	if e.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	if e.obs, err = natsx.DataBucket(context.Background(), e.js); err != nil {
		t.Fatal(err)
	}
	return e
}

func serve[Req, Resp any](t testing.TB, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], h natsx.Handler[Req, Resp]) {
	t.Helper()
	srv, err := natsx.Serve(nc, ep, slog.New(slog.DiscardHandler), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(time.Second) })
}

func call[Req, Resp any](t testing.TB, e *env, ep contracts.Endpoint[Req, Resp], req Req) Resp {
	t.Helper()
	out, err := try(e, ep, req)
	if err != nil {
		t.Fatalf("%s: %v", ep.Subject(), err)
	}
	return out
}

func try[Req, Resp any](e *env, ep contracts.Endpoint[Req, Resp], req Req) (Resp, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return natsx.Call(ctx, e.nc, ep, req)
}

func wantCode(t *testing.T, err error, code apperr.Code, contains string) {
	t.Helper()
	if !apperr.Is(err, code) || !strings.Contains(fmt.Sprint(err), contains) {
		t.Fatalf("got %v, want %s containing %q", err, code, contains)
	}
}

// workspace is what seed wrote into one tenant.
type workspace struct {
	tenant        string
	admin         contracts.Actor // Grace, an admin who answers
	ada, bob      contracts.Actor // visitors
	adaConvs      []string
	bobConv       string
	adaBookingID  string
	adaSecretText string
}

func visitor(tenant string) contracts.Actor {
	return contracts.Actor{TenantID: tenant, Type: contracts.AuthorVisitor, ID: ids.New()}
}

// seed fills a tenant: Ada with two conversations (a reply, a private note,
// an assignment, labels, a resolved one and a booking) and Bob with one
// whose text needs quoting in CSV.
func seed(t *testing.T, e *env) workspace {
	t.Helper()
	w := workspace{tenant: ids.New(), adaSecretText: "my order " + ids.New()[:8] + " never came"}
	w.admin = contracts.Actor{TenantID: w.tenant, Type: contracts.AuthorAgent, ID: ids.New(), Role: contracts.RoleAdmin, Name: "Grace Hopper"}
	w.ada, w.bob = visitor(w.tenant), visitor(w.tenant)
	name, email := "Ada Lovelace", "ada@example.com"
	call(t, e, contracts.ConversationVisitorUpdate, contracts.VisitorUpdateRequest{Actor: w.ada, Name: &name, Email: &email,
		Attributes: &map[string]string{"plan": "pro", "city": "London"}})
	first := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: w.ada, Body: "Hello! " + w.adaSecretText, ClientMsgID: ids.New()})
	c := first.Conversation.ID
	w.adaConvs = append(w.adaConvs, c)
	call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: w.admin, ConversationID: c, Body: "Hi Ada, let me look", ClientMsgID: ids.New()})
	call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: w.admin, ConversationID: c, Body: "note: Ada is a VIP", ClientMsgID: ids.New(), Private: true})
	call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: w.ada, ConversationID: c, Body: "Thanks, Grace", ClientMsgID: ids.New()})
	labels, prio := []string{"vip", "orders"}, "high"
	call(t, e, contracts.ConversationUpdate, contracts.UpdateRequest{Actor: w.admin, ConversationID: c, AssigneeID: &w.admin.ID, Labels: &labels, Priority: &prio})
	second := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: w.ada, Body: "One more question", ClientMsgID: ids.New()})
	w.adaConvs = append(w.adaConvs, second.Conversation.ID)
	resolved := contracts.StatusResolved
	call(t, e, contracts.ConversationUpdate, contracts.UpdateRequest{Actor: w.admin, ConversationID: second.Conversation.ID, Status: &resolved})
	bobName := "Bob Byte"
	call(t, e, contracts.ConversationVisitorUpdate, contracts.VisitorUpdateRequest{Actor: w.bob, Name: &bobName})
	w.bobConv = call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: w.bob, Body: "=SUM(A1) and \"quotes\", commas\nand a new line", ClientMsgID: ids.New()}).Conversation.ID

	// A booking as the bot's appointment skill writes it.
	w.adaBookingID = ids.New()
	now := e.clock.now().UTC().Truncate(time.Microsecond)
	if err := e.db.Tenant(context.Background(), w.tenant, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO bookings (id, tenant_id, service_id, service_name, start_at, end_at, status, visitor_id, name, email, conversation_id, ics_token_hash, created_at)
			VALUES (?, ?, 'demo', 'Demo call', ?, ?, 'booked', ?, ?, ?, ?, ?, ?)`,
			w.adaBookingID, w.tenant, now.Add(24*time.Hour), now.Add(25*time.Hour), w.ada.ID, name, email, c, ids.Hash("secret"), now).Error
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

// export runs the conversation part of an export and reads its files back.
func export(t testing.TB, e *env, tenant string) (contracts.ExportPart, map[string][]byte) {
	t.Helper()
	exportID := ids.New()
	part := call(t, e, contracts.ConversationExportPart, contracts.ExportPartRequest{TenantID: tenant, ExportID: exportID,
		Prefix: contracts.ExportPartPrefix(tenant, exportID, contracts.ServiceConversation)})
	files := map[string][]byte{}
	for _, f := range part.Files {
		b, err := e.obs.GetBytes(context.Background(), f.Object)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	return part, files
}

func lines(b []byte) []string {
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// importFiles copies an export's JSON Lines files to where the tenant
// service puts an upload's files and returns the Files of an import.
func importFiles(t testing.TB, e *env, tenant string, files map[string][]byte) (string, map[string]string) {
	t.Helper()
	importID := ids.New()
	out := map[string]string{}
	for name, b := range files {
		object := contracts.ImportFileObject(tenant, importID, name)
		if _, err := e.obs.PutBytes(context.Background(), object, b); err != nil {
			t.Fatal(err)
		}
		out[name] = object
	}
	return importID, out
}

func importPart(e *env, tenant string, files map[string][]byte, members map[string]string) (contracts.ImportPart, error) {
	importID, objects := importFiles(e.t, e, tenant, files)
	return try(e, contracts.ConversationImportPart, contracts.ImportPartRequest{TenantID: tenant, ImportID: importID, Files: objects, MemberMap: members})
}

// fresh is a new, empty database of the same kind as d (another server).
func fresh(t *testing.T, d testkit.DB) testkit.DB {
	if d.Name == "sqlite" {
		return testkit.SQLiteDB(t)
	}
	pg, _ := testkit.PostgresDB(t)
	return pg
}

// rowsOf counts a tenant's rows in every table that has a tenant_id.
func rowsOf(t *testing.T, e *env, tenant string) int {
	t.Helper()
	n := 0
	for _, table := range tables(t, e) {
		for _, r := range scan(t, e, table) {
			if fmt.Sprint(r["tenant_id"]) == tenant {
				n++
			}
		}
	}
	return n
}

// tables lists every table of the service's database.
func tables(t *testing.T, e *env) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if e.d.Name == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = '` + e.d.Schema("conversation") + `'`
	}
	var out []string
	for _, r := range query(t, e, q) {
		for _, v := range r {
			out = append(out, v)
		}
	}
	if len(out) < 8 {
		t.Fatalf("tables: %v", out)
	}
	return out
}

// scan reads a whole table, every tenant's rows: on PostgreSQL as the
// superuser, whom row-level security does not hide rows from.
func scan(t *testing.T, e *env, table string) []map[string]string {
	t.Helper()
	if e.d.Name == "postgres" {
		table = `"` + e.d.Schema("conversation") + `".` + table
	}
	return query(t, e, `SELECT * FROM `+table)
}

// query runs a query outside the service's connection pool and returns
// every value as text.
func query(t *testing.T, e *env, q string) []map[string]string {
	t.Helper()
	ctx := context.Background()
	var out []map[string]string
	if e.d.Name == "postgres" {
		c, err := pgx.Connect(ctx, e.d.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			row := map[string]string{}
			for i, f := range rows.FieldDescriptions() {
				if vals[i] != nil {
					row[f.Name] = text(vals[i])
				}
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	err := e.db.Global(ctx, func(tx *gorm.DB) error {
		rows, err := tx.Raw(q).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := map[string]string{}
			for i, c := range cols {
				row[c] = vals[i].String
			}
			out = append(out, row)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// text is a PostgreSQL value as text (UUIDs arrive as 16 bytes).
func text(v any) string {
	if u, ok := v.([16]byte); ok {
		return uuid.UUID(u).String()
	}
	return fmt.Sprint(v)
}

// mentions lists "table: row" for every row of every table holding any needle.
func mentions(t *testing.T, e *env, needles ...string) []string {
	t.Helper()
	var out []string
	for _, table := range tables(t, e) {
		for _, r := range scan(t, e, table) {
			for _, v := range r {
				for _, n := range needles {
					if strings.Contains(v, n) {
						out = append(out, table+": "+fmt.Sprint(r))
					}
				}
			}
		}
	}
	return out
}

// events lists every event of a tenant still in the CONVERSATION stream.
func events(t *testing.T, e *env, tenant string) []*jetstream.RawStreamMsg {
	t.Helper()
	ctx := context.Background()
	s, err := e.js.Stream(ctx, contracts.ConversationStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err == nil && strings.HasPrefix(m.Subject, contracts.ServiceConversation+"."+tenant+".") {
			out = append(out, m)
		}
	}
	return out
}

func eventsOf(t *testing.T, e *env, tenant string, et contracts.EventType) []contracts.Envelope {
	var out []contracts.Envelope
	for _, m := range events(t, e, tenant) {
		if m.Subject == et.Subject(tenant) {
			var env contracts.Envelope
			if err := json.Unmarshal(m.Data, &env); err != nil {
				t.Fatal(err)
			}
			out = append(out, env)
		}
	}
	return out
}

func audits(t *testing.T, e *env, tenant, action string) []contracts.AuditRecorded {
	var out []contracts.AuditRecorded
	for _, env := range eventsOf(t, e, tenant, contracts.ConversationAuditRecorded) {
		var a contracts.AuditRecorded
		_ = env.Decode(&a)
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// fill writes conversations of messages straight into the store, as many
// imports would; each is created a little after the one before.
func fill(tb testing.TB, e *env, tenant string, conversations, messages int) {
	tb.Helper()
	s := store.New(e.db, nil)
	for i := range conversations {
		now := time.Now().UTC().Truncate(time.Microsecond)
		v := store.Visitor{ID: ids.New(), Name: fmt.Sprintf("Visitor %d", i), Email: fmt.Sprintf("v%d@example.com", i), Attributes: "{}", CreatedAt: now, LastSeenAt: now}
		c := store.Conversation{ID: ids.New(), VisitorID: v.ID, Status: contracts.StatusOpen, Handoff: contracts.HandoffAgent, Priority: "none",
			Labels: "[]", LastSeq: int64(messages), CreatedAt: now, UpdatedAt: now, LastActivityAt: now}
		ms := make([]store.Message, messages)
		for j := range ms {
			ms[j] = store.Message{ID: ids.New(), ConversationID: c.ID, Seq: int64(j + 1), AuthorType: string(contracts.AuthorVisitor), AuthorID: v.ID,
				AuthorName: v.Name, Body: "a question of about this length, as visitors type them, with a few more words", Kind: string(contracts.KindText), CreatedAt: now}
		}
		if err := s.Tenant(context.Background(), tenant, func(tx *store.Tx) error {
			if err := tx.InsertVisitors([]store.Visitor{v}); err != nil {
				return err
			}
			if err := tx.InsertConversations([]store.Conversation{c}); err != nil {
				return err
			}
			return tx.InsertMessages(ms)
		}); err != nil {
			tb.Fatal(err)
		}
	}
}
