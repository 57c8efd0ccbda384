package tenant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

func TestAuditLog(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Audited")
		other := r.workspace("Elsewhere")
		alice, bob := ids.New(), ids.New()
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		type ev struct {
			et     contracts.EventType
			actor  string
			action string
		}
		evs := []ev{
			{contracts.IdentityAuditRecorded, alice, contracts.AuditMemberJoined},
			{contracts.IdentityAuditRecorded, alice, contracts.AuditMemberUpdated},
			{contracts.BillingAuditRecorded, bob, contracts.AuditBillingChanged},
			{contracts.ConversationAuditRecorded, bob, contracts.AuditVisitorErased},
			{contracts.IdentityAuditRecorded, bob, contracts.AuditMemberRemoved},
			{contracts.IdentityAuditRecorded, alice, contracts.AuditAPIKeyCreated},
		}
		var envs []contracts.Envelope
		for i, e := range evs {
			at := base.Add(time.Duration(i) * time.Hour)
			envs = append(envs, r.publish(e.et, p.TenantID, contracts.AuditRecorded{
				Actor: contracts.AuditActor{Type: "member", ID: e.actor, Name: "N", IP: "198.51.100.1"}, Action: e.action,
				TargetType: "member", TargetID: "x", After: json.RawMessage(`{"role":"admin"}`),
			}, func(env *contracts.Envelope) { env.OccurredAt = at }))
		}
		// Another tenant's entry stays there.
		r.publish(contracts.IdentityAuditRecorded, other.TenantID, contracts.AuditRecorded{Actor: contracts.AuditActor{Type: "member", ID: alice}, Action: contracts.AuditMemberJoined}, nil)

		list := func(req contracts.AuditListRequest) contracts.AuditPage {
			req.Principal = p
			return call(t, r.nc, contracts.TenantAuditList, req)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(list(contracts.AuditListRequest{}).Entries); n != len(evs) {
				return fmt.Errorf("%d entries", n)
			}
			return nil
		})
		// A redelivered event (after the stream's duplicate window) is stored once.
		msg, err := natsx.NewMsg(contracts.IdentityAuditRecorded.Subject(p.TenantID), envs[0])
		if err != nil {
			t.Fatal(err)
		}
		msg.Header.Set(jetstream.MsgIDHeader, ids.New())
		if _, err := r.js.PublishMsg(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			info, err := r.js.Consumer(context.Background(), contracts.IdentityStream.Name, "tenant-audit-identity")
			if err != nil {
				return err
			}
			ci, err := info.Info(context.Background())
			if err != nil {
				return err
			}
			if ci.AckFloor.Stream < ci.Delivered.Stream || ci.NumPending > 0 {
				return fmt.Errorf("consumer at %d of %d", ci.AckFloor.Stream, ci.Delivered.Stream)
			}
			return nil
		})
		all := list(contracts.AuditListRequest{})
		if len(all.Entries) != len(evs) || all.NextCursor != "" {
			t.Fatalf("after redelivery %d entries", len(all.Entries))
		}
		newest := all.Entries[0]
		if newest.ID != envs[5].ID || newest.Service != "identity" || newest.Action != contracts.AuditAPIKeyCreated ||
			newest.Actor.IP != "198.51.100.1" || string(newest.After) != `{"role":"admin"}` || !newest.OccurredAt.Equal(base.Add(5*time.Hour)) {
			t.Fatalf("newest %+v", newest)
		}
		if all.Entries[3].Service != "billing" && all.Entries[2].Service != "conversation" {
			t.Fatalf("services %+v", all.Entries)
		}

		count := func(req contracts.AuditListRequest) int { return len(list(req).Entries) }
		if n := count(contracts.AuditListRequest{ActorID: alice}); n != 3 {
			t.Errorf("alice: %d", n)
		}
		if n := count(contracts.AuditListRequest{Action: "member."}); n != 3 {
			t.Errorf("member.: %d", n)
		}
		if n := count(contracts.AuditListRequest{Action: contracts.AuditMemberJoined}); n != 1 {
			t.Errorf("member.joined: %d", n)
		}
		if n := count(contracts.AuditListRequest{Action: "member"}); n != 0 {
			t.Errorf("member (exact): %d", n)
		}
		if n := count(contracts.AuditListRequest{Since: ptr(base.Add(time.Hour)), Until: ptr(base.Add(4 * time.Hour))}); n != 3 {
			t.Errorf("since/until: %d", n)
		}
		if n := count(contracts.AuditListRequest{ActorID: bob, Action: "member."}); n != 1 {
			t.Errorf("bob's member.: %d", n)
		}

		// Pages of two walk the log newest first, each entry once.
		var seen []string
		cursor := ""
		for range 10 {
			page := list(contracts.AuditListRequest{Limit: 2, Cursor: cursor})
			for _, e := range page.Entries {
				seen = append(seen, e.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != len(evs) {
			t.Fatalf("paged %d entries", len(seen))
		}
		for i, id := range seen {
			if id != envs[len(evs)-1-i].ID {
				t.Fatalf("page order: entry %d is %s", i, id)
			}
		}

		req := contracts.AuditListRequest{Principal: p}
		for _, c := range []struct {
			edit  func(*contracts.AuditListRequest)
			field string
		}{
			{func(q *contracts.AuditListRequest) { q.Limit = 201 }, "limit"},
			{func(q *contracts.AuditListRequest) { q.Limit = -1 }, "limit"},
			{func(q *contracts.AuditListRequest) { q.Cursor = "garbage" }, "cursor"},
			{func(q *contracts.AuditListRequest) { q.Since, q.Until = ptr(base), ptr(base.Add(-time.Hour)) }, "until"},
		} {
			q := req
			c.edit(&q)
			refused(t, r.nc, contracts.TenantAuditList, q, apperr.Invalid, c.field)
		}
		agent := p
		agent.Role = contracts.RoleAgent
		refused(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: agent}, apperr.Forbidden, "")
		if n := len(call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: other}).Entries); n > 1 {
			t.Fatalf("the other tenant sees %d entries", n)
		}
	})
}

func TestSettingsAuditAndRetention(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Retention")
		for _, bad := range []int{-1, 1, 6, 3651} {
			refused(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, RetentionDays: ptr(bad)}, apperr.Invalid, "retention_days")
		}
		s := call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, RetentionDays: ptr(7), AllowedDomains: ptr([]string{"https://shop.example"})})
		if s.RetentionDays != 7 {
			t.Fatalf("settings %+v", s)
		}
		if !hasPolicy(call(t, r.nc, contracts.TenantRetentionPolicies, contracts.Empty{}), p.TenantID, 7) {
			t.Fatal("no retention policy")
		}
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, RetentionDays: ptr(0)})
		if hasPolicy(call(t, r.nc, contracts.TenantRetentionPolicies, contracts.Empty{}), p.TenantID, 0) {
			t.Fatal("retention off is still a policy")
		}
		call(t, r.nc, contracts.TenantSecretRotate, contracts.PrincipalRequest{Principal: p})
		call(t, r.nc, contracts.TenantUpdate, contracts.TenantUpdateRequest{Principal: p, Name: ptr("Retained")})
		c := call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: p, Shortcut: ptr("hi"), Body: ptr("Hi")})
		call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: p, ID: c.ID, Body: ptr("Hello")})
		call(t, r.nc, contracts.TenantCannedDelete, contracts.IDRequest{Principal: p, ID: c.ID})

		var page contracts.AuditPage
		testkit.Eventually(t, 10*time.Second, func() error {
			page = call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p})
			if len(page.Entries) != 7 {
				return fmt.Errorf("%d entries", len(page.Entries))
			}
			return nil
		})
		byAction := map[string]contracts.AuditEntry{}
		for _, e := range page.Entries {
			byAction[e.Action+string(e.After)] = e
		}
		first, ok := byAction[contracts.AuditSettingsUpdated+`{"allowed_domains":["https://shop.example"],"retention_days":7}`]
		if !ok || string(first.Before) != `{"allowed_domains":[],"retention_days":0}` || first.Actor.ID != p.UserID || first.Actor.Name != p.Name {
			t.Fatalf("settings.updated entries %+v", page.Entries)
		}
		if _, ok := byAction[contracts.AuditTenantUpdated+`{"name":"Retained"}`]; !ok {
			t.Fatalf("tenant.updated missing: %+v", page.Entries)
		}
		if _, ok := byAction[contracts.AuditSecretRotated]; !ok {
			t.Fatalf("identity_secret.rotated missing: %+v", page.Entries)
		}
		for _, key := range []string{
			contracts.AuditCannedCreated + `{"body":"Hi","shortcut":"hi"}`,
			contracts.AuditCannedUpdated + `{"body":"Hello"}`,
			contracts.AuditCannedDeleted,
		} {
			if e, ok := byAction[key]; !ok || e.TargetID != c.ID {
				t.Errorf("%s missing: %+v", key, page.Entries)
			}
		}
	})
}

func TestAuditSweepKeepsAYearAtLeast(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Sweep")
		now := time.Now().UTC()
		old := r.publish(contracts.IdentityAuditRecorded, p.TenantID, contracts.AuditRecorded{Actor: contracts.SystemActor("test"), Action: contracts.AuditMemberJoined},
			func(e *contracts.Envelope) { e.OccurredAt = now.AddDate(0, 0, -400) })
		kept := r.publish(contracts.IdentityAuditRecorded, p.TenantID, contracts.AuditRecorded{Actor: contracts.SystemActor("test"), Action: contracts.AuditMemberRemoved},
			func(e *contracts.Envelope) { e.OccurredAt = now.AddDate(0, 0, -300) })
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p, Action: "member."}).Entries); n != 2 {
				return fmt.Errorf("%d entries", n)
			}
			return nil
		})
		// Retention of 30 days keeps audit entries a year; a replica sweeps as it starts.
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, RetentionDays: ptr(30)})
		r.start(0)
		testkit.Eventually(t, 10*time.Second, func() error {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p, Action: "member."})
			if len(page.Entries) != 1 || page.Entries[0].ID != kept.ID {
				return fmt.Errorf("entries %+v (the one of 400 days ago is %s)", page.Entries, old.ID)
			}
			return nil
		})
	})
}

func TestBotAuditHoldsNoSecret(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Bots")
		bot := call(t, r.nc, contracts.TenantBotGet, contracts.PrincipalRequest{Principal: p})
		bot.Name = "Robo"
		bot.External = contracts.ExternalBotConfig{URL: "https://bot.example/hook", Secret: "s3cr3t-webhook-key"}
		call(t, r.nc, contracts.TenantBotSave, contracts.BotConfigRequest{Principal: p, Config: bot})
		var entry contracts.AuditEntry
		testkit.Eventually(t, 10*time.Second, func() error {
			page := call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p, Action: contracts.AuditBotUpdated})
			if len(page.Entries) != 1 {
				return fmt.Errorf("%d bot.updated entries", len(page.Entries))
			}
			entry = page.Entries[0]
			return nil
		})
		var after map[string]json.RawMessage
		if err := json.Unmarshal(entry.After, &after); err != nil {
			t.Fatal(err)
		}
		if string(after["name"]) != `"Robo"` || len(after) != 2 || !strings.Contains(string(after["external"]), `"secret_set":true`) {
			t.Fatalf("bot.updated after %s", entry.After)
		}
		if strings.Contains(string(entry.Before)+string(entry.After), "s3cr3t") {
			t.Fatalf("the audit log holds the webhook secret: %s", entry.After)
		}
	})
}
