package gateway_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// An open socket ends as soon as its access does — a logout, a removal, a
// role change — not at the next heartbeat (20 s): a removed member must not
// keep reading the tenant's events, nor an agent keep an admin's socket.
func TestSocketsEndWhenAccessChanges(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	loggedOut, removed, demoted, bystander := h.member(tenant, contracts.RoleAgent), h.member(tenant, contracts.RoleAgent), h.member(tenant, contracts.RoleAdmin), h.member(tenant, contracts.RoleAgent)
	sockets := map[string]*websocket.Conn{}
	for name, m := range map[string]member{"logged out": loggedOut, "removed": removed, "demoted": demoted, "bystander": bystander} {
		sockets[name] = h.socket(m.token)
	}
	publish := func(et contracts.EventType, payload any) {
		env, err := contracts.NewEnvelope(et, tenant, "identity", "", payload)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(env)
		if _, err := h.js.Publish(context.Background(), et.Subject(tenant), raw); err != nil {
			t.Fatal(err)
		}
	}
	publish(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: loggedOut.UserID, SessionID: loggedOut.SessionID})
	publish(contracts.IdentityAccessRevoked, contracts.AccessRevoked{UserID: removed.UserID})
	publish(contracts.IdentityMemberChanged, contracts.MemberChanged{User: contracts.User{ID: demoted.UserID, TenantID: tenant, Role: contracts.RoleAgent, Name: demoted.name}})

	for _, name := range []string{"logged out", "removed", "demoted"} {
		ws := sockets[name]
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second)) // well within the 20 s heartbeat
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
					t.Fatalf("%s: the socket is still open 5 s later", name)
				}
				break // closed by the server
			}
		}
	}
	// The others' access is untouched: the bystander's socket still answers.
	ws := sockets["bystander"]
	if err := ws.WriteJSON(map[string]string{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("bystander: %v", err)
		}
		var f struct{ Type string }
		if json.Unmarshal(raw, &f) == nil && f.Type == "pong" {
			break
		}
	}
}
