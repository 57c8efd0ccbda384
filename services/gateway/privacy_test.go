package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

// Erasure revokes the visitor's tokens before anything is erased, and stops
// if that fails; the visitor's own erasure ends their token at once.
func TestVisitorErasure(t *testing.T) {
	h := newHarness(t, nil)
	tenant, visitor, stuck := ids.New(), ids.New(), ids.New()
	serve(h, contracts.IdentityVisitorRevokeAll, func(r contracts.VisitorRevokeAllRequest) (contracts.Empty, error) {
		if r.VisitorID == stuck {
			return contracts.Empty{}, apperr.New(apperr.Unavailable, "identity's database is down")
		}
		return contracts.Empty{}, nil
	})
	serve(h, contracts.ConversationVisitorErase, func(r contracts.VisitorDataRequest) (contracts.VisitorErasure, error) {
		return contracts.VisitorErasure{VisitorID: r.VisitorID, Conversations: 2, Messages: 9}, nil
	})
	admin := h.member(tenant, contracts.RoleAdmin)

	r := h.do("DELETE", "/api/v1/visitors/"+visitor, admin.token, nil, "", "X-Forwarded-For", "198.51.100.7")
	expect(t, "erase", r, http.StatusOK)
	var out contracts.VisitorErasure
	if err := json.Unmarshal(r.body, &out); err != nil || out != (contracts.VisitorErasure{VisitorID: visitor, Conversations: 2, Messages: 9}) {
		t.Fatalf("erasure = %s", r.body)
	}
	if got := h.log.names(); !slices.Equal(got, []string{"identity.visitor_revoke_all", "conversation.visitor_erase"}) {
		t.Fatalf("calls = %v, want revoke before erase", got)
	}
	req := h.log.last("conversation.visitor_erase").(contracts.VisitorDataRequest)
	if req.Actor.TenantID != tenant || req.Actor.ID != admin.UserID || req.Actor.Name != admin.name || req.Actor.IP != "198.51.100.7" {
		t.Fatalf("erase actor = %+v", req.Actor)
	}

	before := len(h.log.names())
	expect(t, "revocation fails", h.do("DELETE", "/api/v1/visitors/"+stuck, admin.token, nil, ""), http.StatusServiceUnavailable, "unavailable")
	if got := h.log.names()[before:]; !slices.Equal(got, []string{"identity.visitor_revoke_all"}) {
		t.Fatalf("calls after a failed revocation = %v, want no erasure", got)
	}
	expect(t, "not an id", h.do("DELETE", "/api/v1/visitors/nobody", admin.token, nil, ""), http.StatusNotFound, "not_found")

	// From the widget: the caller erases themself, and their token is dead.
	self := ids.New()
	tok := h.visitorToken(tenant, self)
	r = h.do("DELETE", "/api/v1/widget/visitor", tok, nil, "", "X-Forwarded-For", "192.0.2.44")
	expect(t, "widget erase", r, http.StatusOK)
	if req := h.log.last("conversation.visitor_erase").(contracts.VisitorDataRequest); req.VisitorID != self || req.Actor.Type != contracts.AuthorVisitor || req.Actor.IP != "192.0.2.44" {
		t.Fatalf("widget erase request = %+v", req)
	}
	if rv := h.log.last("identity.visitor_revoke_all").(contracts.VisitorRevokeAllRequest); rv != (contracts.VisitorRevokeAllRequest{TenantID: tenant, VisitorID: self}) {
		t.Fatalf("revoke_all = %+v", rv)
	}
	expect(t, "token after erasure", h.do("GET", "/api/v1/widget/visitor/export", tok, nil, ""), http.StatusUnauthorized)
}

// A visitor's export is conversation's part and notify's together, or 503.
func TestVisitorExport(t *testing.T) {
	h := newHarness(t, nil)
	tenant, visitor := ids.New(), ids.New()
	serve(h, contracts.ConversationVisitorExport, func(r contracts.VisitorDataRequest) (contracts.VisitorData, error) {
		if r.Actor.TenantID != tenant {
			return contracts.VisitorData{}, apperr.NotFoundf("visitor not found")
		}
		return contracts.VisitorData{Visitor: contracts.Visitor{ID: r.VisitorID, Name: "Grace"}, Conversations: []contracts.VisitorDataConversation{}, Bookings: []contracts.Booking{}}, nil
	})
	admin := h.member(tenant, contracts.RoleAdmin)
	expect(t, "notify does not answer", h.do("GET", "/api/v1/visitors/"+visitor+"/export", admin.token, nil, ""), http.StatusServiceUnavailable, "unavailable")

	serve(h, contracts.NotifyVisitorExport, func(r contracts.VisitorDataRequest) (contracts.VisitorEmails, error) {
		return contracts.VisitorEmails{Emails: []contracts.EmailRecord{{Kind: "transcript", To: "grace@example.com", Status: "sent"}}, Suppressed: true}, nil
	})
	r := h.do("GET", "/api/v1/visitors/"+visitor+"/export", admin.token, nil, "")
	expect(t, "export", r, http.StatusOK)
	var out contracts.VisitorExport
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Visitor.Name != "Grace" || len(out.Emails.Emails) != 1 || !out.Emails.Suppressed || out.ExportedAt.IsZero() {
		t.Fatalf("export = %s", r.body)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="parley-visitor-`+visitor+`.json"` {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	expect(t, "another tenant's visitor", h.do("GET", "/api/v1/visitors/"+visitor+"/export", h.member(ids.New(), contracts.RoleOwner).token, nil, ""), http.StatusNotFound, "not_found")

	self := ids.New()
	r = h.do("GET", "/api/v1/widget/visitor/export", h.visitorToken(tenant, self), nil, "")
	expect(t, "widget export", r, http.StatusOK)
	if req := h.log.last("notify.visitor_export").(contracts.VisitorDataRequest); req.VisitorID != self || req.Actor.Type != contracts.AuthorVisitor {
		t.Fatalf("notify asked %+v", req)
	}
}

// A deleted workspace: the gateway that deleted it and, through the
// tenant.deleted event, every other one refuse all its tokens, close its
// sockets and forget its widget key.
func TestDeletedTenantIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	closed, other := ids.New(), ids.New()
	serve(h, contracts.TenantDelete, func(r contracts.TenantDeleteRequest) (contracts.Empty, error) {
		if r.ConfirmName != "Acme" {
			return contracts.Empty{}, apperr.InvalidField("confirm_name", "type the workspace's name to confirm")
		}
		return contracts.Empty{}, nil
	})
	serve(h, contracts.TenantExportList, func(contracts.PrincipalRequest) (contracts.ExportList, error) {
		return contracts.ExportList{Exports: []contracts.Export{}}, nil
	})
	owner := h.member(closed, contracts.RoleOwner)
	expect(t, "wrong name", h.do("DELETE", "/api/v1/tenant", owner.token, map[string]string{"confirm_name": "acme"}, ""), http.StatusBadRequest, "invalid", "confirm_name")
	expect(t, "still open", h.do("GET", "/api/v1/exports", owner.token, nil, ""), http.StatusOK)
	expect(t, "delete", h.do("DELETE", "/api/v1/tenant", owner.token, map[string]string{"confirm_name": "Acme"}, ""), http.StatusNoContent)
	expect(t, "owner after deletion", h.do("GET", "/api/v1/exports", owner.token, nil, ""), http.StatusUnauthorized)

	// Another gateway's deletion arrives as the event.
	const apiKey = "parley_0123456789abcdef0123456789abcdef_secret"
	serve(h, contracts.IdentityAPIKeyCheck, func(contracts.APIKeyCheckRequest) (contracts.Actor, error) {
		return contracts.Actor{TenantID: other, Type: contracts.AuthorBot, ID: ids.New(), Name: "Shop bot"}, nil
	})
	serve(h, contracts.ConversationList, func(contracts.ListRequest) (contracts.ConversationPage, error) {
		return contracts.ConversationPage{Conversations: []contracts.Conversation{}}, nil
	})
	serve(h, contracts.ConversationListOwn, func(contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		return contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{}}, nil
	})
	const widgetKey = "wk_acme"
	serve(h, contracts.TenantWidgetResolve, func(contracts.WidgetKeyRequest) (contracts.WidgetTenant, error) {
		// A tenant service slow to forget: the gateway must not need it to.
		return contracts.WidgetTenant{TenantID: other, Name: "Other", Settings: contracts.Settings{Widget: contracts.WidgetSettings{Enabled: true}}}, nil
	})
	agent, visitorTok := h.member(other, contracts.RoleAgent), h.visitorToken(other, ids.New())
	expect(t, "agent", h.do("GET", "/api/v1/conversations", agent.token, nil, ""), http.StatusOK)
	expect(t, "api key", h.do("GET", "/api/v1/conversations", apiKey, nil, "", "X-Forwarded-For", "192.0.2.9"), http.StatusOK)
	if a := h.log.last("conversation.list").(contracts.ListRequest).Actor; a.Type != contracts.AuthorBot || a.IP != "192.0.2.9" {
		t.Fatalf("API key actor = %+v", a)
	}
	expect(t, "visitor", h.do("GET", "/api/v1/widget/conversations", visitorTok, nil, ""), http.StatusOK)
	// Resolved (then identity, absent here, does not answer the session).
	expect(t, "widget key", h.do("POST", "/api/v1/widget/"+widgetKey+"/session", "", map[string]string{}, ""), http.StatusServiceUnavailable)
	agentWS, visitorWS := h.socket(agent.token), h.socket(visitorTok)

	env, err := contracts.NewEnvelope(contracts.TenantTenantDeleted, other, "tenant", "", contracts.TenantDeleted{Reason: contracts.TenantClosed})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(env)
	if _, err := h.js.Publish(context.Background(), contracts.TenantTenantDeleted.Subject(other), raw); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 5*time.Second, func() error {
		if r := h.do("GET", "/api/v1/conversations", agent.token, nil, ""); r.status != http.StatusUnauthorized {
			return fmt.Errorf("agent token: %d", r.status)
		}
		return nil
	})
	expect(t, "api key after deletion", h.do("GET", "/api/v1/conversations", apiKey, nil, ""), http.StatusUnauthorized)
	expect(t, "visitor after deletion", h.do("GET", "/api/v1/widget/conversations", visitorTok, nil, ""), http.StatusUnauthorized)
	expect(t, "widget key after deletion", h.do("POST", "/api/v1/widget/"+widgetKey+"/session", "", map[string]string{}, ""), http.StatusNotFound, "not_found")
	// A gateway that starts later knows of the deletion before it says it is ready.
	late := h.startGateway()
	testkit.Eventually(t, 5*time.Second, func() error {
		var ready struct{ Checks map[string]string }
		if err := json.Unmarshal(h.do("GET", late+"/readyz", "", nil, "").body, &ready); err != nil || ready.Checks["revocations"] != "ok" {
			return fmt.Errorf("revocations: %q (%v)", ready.Checks["revocations"], err)
		}
		return nil
	})
	expect(t, "agent on a gateway started after the deletion", h.do("GET", late+"/api/v1/conversations", agent.token, nil, ""), http.StatusUnauthorized)
	expect(t, "visitor on a gateway started after the deletion", h.do("GET", late+"/api/v1/widget/conversations", visitorTok, nil, ""), http.StatusUnauthorized)

	for name, ws := range map[string]*websocket.Conn{"agent": agentWS, "visitor": visitorWS} {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
					t.Fatalf("%s socket: %v, want closed for policy", name, err)
				}
				break
			}
		}
	}
}

// socket opens a WebSocket and reads its hello.
func (h *harness) socket(token string) *websocket.Conn {
	h.t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.base, "http")+"/api/v1/ws?access_token="+token, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = ws.Close() })
	if _, _, err := ws.ReadMessage(); err != nil {
		h.t.Fatal(err)
	}
	return ws
}
