package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

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
	"github.com/parley-chat/parley/services/identity"
	"github.com/parley-chat/parley/services/identity/internal/store"
)

// env is identity on one database with the tenant and billing services
// played by stubs on the same NATS.
type env struct {
	t  *testing.T
	nc *nats.Conn
	js jetstream.JetStream
	db *db.DB
}

func start(t *testing.T, d testkit.DB) *env {
	t.Helper()
	vars := map[string]string{"PARLEY_DATA_DIR": t.TempDir(), "PARLEY_DATABASE_URL": d.URL}
	if d.Name == "postgres" {
		vars["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.Prefix
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	nc := testkit.Connect(t, testkit.NATS(t))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stub(t, nc, contracts.TenantCreate, func(_ context.Context, r contracts.TenantCreateRequest) (contracts.TenantInfo, error) {
		return contracts.TenantInfo{ID: r.TenantID, Name: r.Name}, nil
	})
	stub(t, nc, contracts.TenantActivate, func(_ context.Context, r contracts.TenantIDRequest) (contracts.TenantInfo, error) {
		return contracts.TenantInfo{ID: r.TenantID}, nil
	})
	stub(t, nc, contracts.TenantGet, func(context.Context, contracts.PrincipalRequest) (contracts.TenantInfo, error) {
		return contracts.TenantInfo{Name: "Acme"}, nil
	})
	stub(t, nc, contracts.BillingAccountCreate, func(context.Context, contracts.TenantIDRequest) (contracts.Account, error) {
		return contracts.Account{}, nil
	})
	stub(t, nc, contracts.BillingEntitlements, func(context.Context, contracts.TenantIDRequest) (contracts.Entitlements, error) {
		return contracts.Entitlements{Plan: "unlimited", Status: contracts.StatusUnlimited, Features: contracts.AllFeatures, Version: 1}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := identity.New(ctx, cfg, identity.Deps{NATS: nc, Logger: log})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	e := &env{t: t, nc: nc}
	e.js, _ = jetstream.New(nc)
	e.db, err = db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("identity"), Schema: cfg.Schema("identity"), Source: "identity-test", GlobalTables: store.GlobalTables})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.Close() })
	return e
}

func stub[Req, Resp any](t *testing.T, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], h natsx.Handler[Req, Resp]) {
	t.Helper()
	if _, err := natsx.Serve(nc, ep, slog.New(slog.NewTextHandler(io.Discard, nil)), h); err != nil {
		t.Fatal(err)
	}
}

func call[Req, Resp any](t *testing.T, e *env, ep contracts.Endpoint[Req, Resp], r Req) Resp {
	t.Helper()
	out, err := natsx.Call(context.Background(), e.nc, ep, r)
	if err != nil {
		t.Fatalf("%s: %v", ep.Method, err)
	}
	return out
}

// team is a workspace with an owner, an agent who joined by invite, a
// pending invite and an API key.
type team struct {
	tenantID      string
	owner, agent  contracts.AuthResult
	ownerPassword string
	pendingEmail  string
	key           contracts.APIKey
}

func (e *env) team() team {
	e.t.Helper()
	tag := ids.New()[24:]
	tm := team{ownerPassword: "correct horse battery staple", pendingEmail: "pending-" + tag + "@example.com"}
	s := call(e.t, e, contracts.IdentitySignup, contracts.SignupRequest{BusinessName: "Acme", Name: "Olive Owner", Email: "olive-" + tag + "@example.com", Password: tm.ownerPassword})
	tm.tenantID = s.Tenant.ID
	tm.owner = contracts.AuthResult{User: s.User, Tokens: s.Tokens}
	p := tm.ownerPrincipal()
	inv := call(e.t, e, contracts.IdentityInviteCreate, contracts.InviteCreateRequest{Principal: p, Email: "adam-" + tag + "@example.com", Role: contracts.RoleAgent})
	tm.agent = call(e.t, e, contracts.IdentityInviteAccept, contracts.InviteAcceptRequest{Token: inv.Token, Name: "Adam Agent", Password: "another long password", ClientIP: "203.0.113.7"})
	call(e.t, e, contracts.IdentityInviteCreate, contracts.InviteCreateRequest{Principal: p, Email: tm.pendingEmail, Role: contracts.RoleAdmin})
	tm.key = call(e.t, e, contracts.IdentityAPIKeyCreate, contracts.APIKeyCreateRequest{Principal: p, Name: "Zapier"})
	return tm
}

func (tm team) ownerPrincipal() contracts.Principal {
	return contracts.Principal{TenantID: tm.tenantID, UserID: tm.owner.User.ID, Role: contracts.RoleOwner, Name: "Olive Owner", IP: "198.51.100.1"}
}

// events reads the stream's events on subject, oldest first.
func (e *env) events(stream contracts.Stream, subject string) []contracts.Envelope {
	return testkit.StreamEvents(e.t, e.js, stream, subject)
}

func (e *env) publish(t contracts.EventType, tenantID string, payload any) {
	e.t.Helper()
	env, err := contracts.NewEnvelope(t, tenantID, "test", "", payload)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := natsx.Publish(context.Background(), e.js, t.Subject(tenantID), env); err != nil {
		e.t.Fatal(err)
	}
}

func TestExportPartHoldsTheTeamWithoutAnyCredential(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tm := e.team()
		exportID := ids.New()
		req := contracts.ExportPartRequest{TenantID: tm.tenantID, ExportID: exportID, Prefix: contracts.ExportPartPrefix(tm.tenantID, exportID, contracts.ServiceIdentity)}
		part := call(t, e, contracts.IdentityExportPart, req)

		bucket, err := natsx.DataBucket(context.Background(), e.js)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"members.jsonl": 2, "invites.jsonl": 1, "api_keys.jsonl": 1}
		if len(part.Files) != len(want) {
			t.Fatalf("files: %+v", part.Files)
		}
		var all []byte
		for _, f := range part.Files {
			if f.Count != want[f.Name] || f.Object != req.Prefix+f.Name {
				t.Fatalf("file %+v, want %d rows under %s", f, want[f.Name], req.Prefix)
			}
			body, err := bucket.GetBytes(context.Background(), f.Object)
			if err != nil {
				t.Fatal(err)
			}
			if lines := bytes.Count(body, []byte("\n")); int64(lines) != f.Count {
				t.Fatalf("%s has %d lines, says %d:\n%s", f.Name, lines, f.Count, body)
			}
			all = append(all, body...)
		}
		var member map[string]any
		if err := json.Unmarshal(bytes.SplitN(all, []byte("\n"), 2)[0], &member); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "email", "name", "role", "locale", "created_at"} {
			if _, ok := member[k]; !ok {
				t.Fatalf("member line without %s: %v", k, member)
			}
		}
		if !bytes.Contains(all, []byte(tm.pendingEmail)) || !bytes.Contains(all, []byte(`"name":"Zapier"`)) {
			t.Fatalf("the pending invite or the key is missing:\n%s", all)
		}
		// No credential: no stored hash of any kind, no key, no token, no tenant column.
		secrets := []string{tm.key.Key, tm.key.Key[len(tm.key.Key)-20:], tm.owner.RefreshToken, "password", "hash", "token", "tenant_id", tm.key.Prefix}
		secrets = append(secrets, storedSecrets(t, e, tm.tenantID)...)
		for _, s := range secrets {
			if bytes.Contains(all, []byte(s)) {
				t.Fatalf("the export holds %q:\n%s", s, all)
			}
		}

		bad := req
		bad.Prefix = contracts.ExportPartPrefix(tm.tenantID, exportID, contracts.ServiceTenant)
		if _, err := natsx.Call(context.Background(), e.nc, contracts.IdentityExportPart, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("another service's prefix: %v", err)
		}
	})
}

// storedSecrets is every hash identity keeps for the tenant.
func storedSecrets(t *testing.T, e *env, tenantID string) []string {
	t.Helper()
	var out []string
	err := e.db.Tenant(context.Background(), tenantID, func(tx *gorm.DB) error {
		for _, q := range []string{
			`SELECT password_hash FROM users WHERE tenant_id = ?`, `SELECT token_hash FROM invites WHERE tenant_id = ?`,
			`SELECT key_hash FROM api_keys WHERE tenant_id = ?`, `SELECT token_hash FROM refresh_tokens WHERE tenant_id = ?`,
		} {
			var hs []string
			if err := tx.Raw(q, tenantID).Scan(&hs).Error; err != nil {
				return err
			}
			out = append(out, hs...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 5 {
		t.Fatalf("expected the tenant's hashes, got %d", len(out))
	}
	return out
}

func TestRevokeAllRefusesEveryTokenOfTheVisitor(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenantID := ids.New()
		first := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tenantID})
		again := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tenantID, VisitorToken: first.VisitorToken})
		if again.Actor.ID != first.Actor.ID {
			t.Fatalf("a renewal changed the visitor before any revocation")
		}
		call(t, e, contracts.IdentityVisitorRevokeAll, contracts.VisitorRevokeAllRequest{TenantID: tenantID, VisitorID: first.Actor.ID})
		for _, tok := range []string{first.VisitorToken, again.VisitorToken} {
			if s := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tenantID, VisitorToken: tok}); s.Actor.ID == first.Actor.ID {
				t.Fatal("a revoked token still renews the same visitor")
			}
		}
		revoked := func(visitorID string) error {
			for _, r := range call(t, e, contracts.IdentityVisitorRevocations, contracts.Empty{}).Revocations {
				if r.TenantID == tenantID && r.VisitorID == visitorID {
					return nil
				}
			}
			return fmt.Errorf("no revocation of %s", visitorID)
		}
		if err := revoked(first.Actor.ID); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(e.events(contracts.IdentityStream, contracts.IdentityVisitorRevoked.Subject(tenantID))); n != 1 {
				return fmt.Errorf("%d visitor.revoked events", n)
			}
			return nil
		})
		if _, err := natsx.Call(context.Background(), e.nc, contracts.IdentityVisitorRevokeAll, contracts.VisitorRevokeAllRequest{TenantID: tenantID, VisitorID: "nope"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a bad visitor id: %v", err)
		}

		// The erasure event revokes too, once however often it arrives.
		other := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tenantID})
		ev := contracts.VisitorErased{VisitorID: other.Actor.ID, ConversationIDs: []string{ids.New()}, ErasedAt: time.Now().UTC()}
		envl, _ := contracts.NewEnvelope(contracts.ConversationVisitorErased, tenantID, "conversation", "", ev)
		for range 2 {
			msg, _ := natsx.NewMsg(contracts.ConversationVisitorErased.Subject(tenantID), envl)
			msg.Header.Del(jetstream.MsgIDHeader) // a republish past the duplicate window
			if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
		}
		testkit.Eventually(t, 10*time.Second, func() error { return revoked(other.Actor.ID) })
		if s := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tenantID, VisitorToken: other.VisitorToken}); s.Actor.ID == other.Actor.ID {
			t.Fatal("an erased visitor's token still renews")
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(e.events(contracts.IdentityStream, contracts.IdentityVisitorRevoked.Subject(tenantID))); n != 2 {
				return fmt.Errorf("%d visitor.revoked events, want 2 (one per erasure event id)", n)
			}
			return nil
		})
	})
}

func TestTenantDeletionLeavesNothingAndLoginsFail(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tm := e.team()
		keep := e.team() // another tenant, untouched
		visitor := call(t, e, contracts.IdentityVisitorSession, contracts.VisitorSessionRequest{TenantID: tm.tenantID})
		call(t, e, contracts.IdentityVisitorRevokeAll, contracts.VisitorRevokeAllRequest{TenantID: tm.tenantID, VisitorID: visitor.Actor.ID})
		// A failed login leaves a limiter row keyed by the member's email.
		_, _ = natsx.Call(context.Background(), e.nc, contracts.IdentityLogin, contracts.LoginRequest{Email: tm.agent.User.Email, Password: "wrong password!!"})
		testkit.Eventually(t, 10*time.Second, func() error {
			if len(e.events(contracts.IdentityStream, contracts.IdentityStream.TenantEvents(tm.tenantID))) == 0 {
				return fmt.Errorf("no identity events of the tenant yet")
			}
			return nil
		})

		e.publish(contracts.TenantTenantDeleted, tm.tenantID, contracts.TenantDeleted{Reason: contracts.TenantClosed})

		needles := []string{tm.tenantID, tm.owner.User.Email, tm.agent.User.Email, tm.pendingEmail}
		testkit.Eventually(t, 15*time.Second, func() error {
			if rows := testkit.RowsContaining(t, e.db, tm.tenantID, needles...); len(rows) > 0 {
				return fmt.Errorf("rows left:\n%s", strings.Join(rows, "\n"))
			}
			if n := len(e.events(contracts.IdentityStream, contracts.IdentityStream.TenantEvents(tm.tenantID))); n > 0 {
				return fmt.Errorf("%d events of the tenant left in IDENTITY", n)
			}
			return nil
		})
		ctx := context.Background()
		if _, err := natsx.Call(ctx, e.nc, contracts.IdentityLogin, contracts.LoginRequest{Email: tm.owner.User.Email, Password: tm.ownerPassword}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("login after deletion: %v", err)
		}
		if _, err := natsx.Call(ctx, e.nc, contracts.IdentityRefresh, contracts.RefreshRequest{RefreshToken: tm.owner.RefreshToken}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("refresh after deletion: %v", err)
		}
		if _, err := natsx.Call(ctx, e.nc, contracts.IdentityAPIKeyCheck, contracts.APIKeyCheckRequest{Key: tm.key.Key}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("API key after deletion: %v", err)
		}
		// The other tenant is whole.
		call(t, e, contracts.IdentityRefresh, contracts.RefreshRequest{RefreshToken: keep.owner.RefreshToken})
		if m := call(t, e, contracts.IdentityMemberList, contracts.PrincipalRequest{Principal: keep.ownerPrincipal()}); len(m.Members) != 2 {
			t.Fatalf("the other tenant lost members: %+v", m)
		}
	})
}

func TestAuditRecordsTeamChangesWithoutSecrets(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tm := e.team()
		secrets := append(storedSecrets(t, e, tm.tenantID), tm.key.Key, tm.key.Prefix, tm.owner.RefreshToken, "hash", "password", "token")
		p := tm.ownerPrincipal()
		call(t, e, contracts.IdentityMemberUpdate, contracts.MemberUpdateRequest{Principal: p, ID: tm.agent.User.ID, Role: contracts.RoleAdmin})
		invites := call(t, e, contracts.IdentityInviteList, contracts.PrincipalRequest{Principal: p})
		call(t, e, contracts.IdentityInviteRevoke, contracts.IDRequest{Principal: p, ID: invites.Invites[0].ID})
		call(t, e, contracts.IdentityAPIKeyDelete, contracts.IDRequest{Principal: p, ID: tm.key.ID})
		call(t, e, contracts.IdentityMemberDelete, contracts.IDRequest{Principal: p, ID: tm.agent.User.ID})

		type entry struct {
			env contracts.Envelope
			rec contracts.AuditRecorded
		}
		var got []entry
		testkit.Eventually(t, 10*time.Second, func() error {
			got = nil
			for _, env := range e.events(contracts.IdentityStream, contracts.IdentityAuditRecorded.Subject(tm.tenantID)) {
				var r contracts.AuditRecorded
				if err := env.Decode(&r); err != nil {
					return err
				}
				got = append(got, entry{env, r})
			}
			if len(got) != 8 {
				return fmt.Errorf("%d audit events, want 8", len(got))
			}
			return nil
		})
		owner := contracts.AuditActor{Type: "member", ID: tm.owner.User.ID, Name: "Olive Owner", IP: "198.51.100.1"}
		want := []struct {
			action, target string
			actor          contracts.AuditActor
			before, after  string
		}{
			{contracts.AuditInviteCreated, "invite", owner, "", `"role":"agent"`},
			{contracts.AuditMemberJoined, tm.agent.User.ID, contracts.AuditActor{Type: "member", ID: tm.agent.User.ID, Name: "Adam Agent", IP: "203.0.113.7"}, "", `"role":"agent"`},
			{contracts.AuditInviteCreated, "invite", owner, "", `"email":"` + tm.pendingEmail + `"`},
			{contracts.AuditAPIKeyCreated, tm.key.ID, owner, "", `{"name":"Zapier"}`},
			{contracts.AuditMemberUpdated, tm.agent.User.ID, owner, `{"role":"agent"}`, `{"role":"admin"}`},
			{contracts.AuditInviteRevoked, invites.Invites[0].ID, owner, `"email":"` + tm.pendingEmail + `"`, ""},
			{contracts.AuditAPIKeyDeleted, tm.key.ID, owner, `{"name":"Zapier"}`, ""},
			{contracts.AuditMemberRemoved, tm.agent.User.ID, owner, `"role":"admin"`, ""},
		}
		for i, w := range want {
			g := got[i]
			if g.rec.Action != w.action || g.rec.Actor != w.actor {
				t.Fatalf("entry %d: %+v, want %s by %+v", i, g.rec, w.action, w.actor)
			}
			if w.target != "invite" && g.rec.TargetID != w.target {
				t.Fatalf("entry %d targets %s, want %s", i, g.rec.TargetID, w.target)
			}
			if !strings.Contains(string(g.rec.Before), w.before) || (w.before == "" && g.rec.Before != nil) {
				t.Fatalf("entry %d before %s, want %s", i, g.rec.Before, w.before)
			}
			if !strings.Contains(string(g.rec.After), w.after) || (w.after == "" && g.rec.After != nil) {
				t.Fatalf("entry %d after %s, want %s", i, g.rec.After, w.after)
			}
			for _, s := range secrets {
				if strings.Contains(string(g.env.Payload), s) {
					t.Fatalf("entry %d holds %q: %s", i, s, g.env.Payload)
				}
			}
		}
	})
}
