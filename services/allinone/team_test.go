package allinone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

func TestTeamPermissions(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Team Inc")
		admin := p.invite(owner, "admin")
		agent := p.invite(owner, "agent")

		// An agent is refused every admin-only route.
		p.do("POST", "/api/v1/invites", agent.Access, map[string]string{"email": uniqueEmail("x"), "role": "agent"}).problem(t, 403, "forbidden", "")
		p.do("GET", "/api/v1/invites", agent.Access, nil).problem(t, 403, "forbidden", "")
		p.do("PATCH", "/api/v1/members/"+admin.UserID, agent.Access, map[string]string{"role": "agent"}).problem(t, 403, "forbidden", "")
		p.do("DELETE", "/api/v1/members/"+admin.UserID, agent.Access, nil).problem(t, 403, "forbidden", "")
		p.do("PATCH", "/api/v1/tenant", agent.Access, map[string]string{"name": "Hijacked"}).problem(t, 403, "forbidden", "")
		p.do("GET", "/api/v1/members", agent.Access, nil).must(t, 200)

		// Invites: validation, listing, revocation.
		p.do("POST", "/api/v1/invites", admin.Access, map[string]string{"email": "x@example.com", "role": "owner"}).problem(t, 400, "invalid", "role")
		p.do("POST", "/api/v1/invites", admin.Access, map[string]string{"email": "nope", "role": "agent"}).problem(t, 400, "invalid", "email")
		p.do("POST", "/api/v1/invites", admin.Access, map[string]string{"email": agent.Email, "role": "agent"}).problem(t, 409, "conflict", "")
		// An address with an account in another workspace is invited like any
		// other, so that a tenant cannot probe another's members; accepting
		// is where the one-account-per-address rule answers.
		elsewhere := p.signup("Another Workspace")
		probe := p.do("POST", "/api/v1/invites", admin.Access, map[string]string{"email": elsewhere.Email, "role": "agent"}).must(t, 201)
		p.do("POST", "/api/v1/invites/"+probe.str("token")+"/accept", "", map[string]string{"name": "Twice", "password": "a second account"}).problem(t, 409, "conflict", "")
		p.do("DELETE", "/api/v1/invites/"+probe.str("id"), admin.Access, nil).must(t, 204)
		pending := p.do("POST", "/api/v1/invites", admin.Access, map[string]string{"email": uniqueEmail("pending"), "role": "agent"}).must(t, 201)
		list := p.do("GET", "/api/v1/invites", admin.Access, nil).must(t, 200)
		if n := len(list.Body["invites"].([]any)); n != 1 {
			t.Fatalf("pending invites: %d", n)
		}
		if _, leaked := list.Body["invites"].([]any)[0].(map[string]any)["token"]; leaked {
			t.Fatal("invite list shows tokens")
		}
		p.do("DELETE", "/api/v1/invites/"+pending.str("id"), admin.Access, nil).must(t, 204)
		p.do("POST", "/api/v1/invites/"+pending.str("token")+"/accept", "", map[string]string{"name": "Late", "password": "too late now"}).problem(t, 404, "not_found", "")
		p.do("POST", "/api/v1/invites/"+pending.str("token")+"/accept", "", map[string]string{"name": "", "password": "too late now"}).problem(t, 400, "invalid", "name")

		// Only an owner makes owners; the last owner stays.
		p.do("PATCH", "/api/v1/members/"+agent.UserID, admin.Access, map[string]string{"role": "owner"}).problem(t, 403, "forbidden", "")
		p.do("PATCH", "/api/v1/members/"+owner.UserID, admin.Access, map[string]string{"role": "agent"}).problem(t, 403, "forbidden", "")
		p.do("PATCH", "/api/v1/members/"+owner.UserID, owner.Access, map[string]string{"role": "admin"}).problem(t, 409, "conflict", "")
		p.do("DELETE", "/api/v1/members/"+owner.UserID, owner.Access, nil).problem(t, 409, "conflict", "")
		p.do("PATCH", "/api/v1/members/"+agent.UserID, admin.Access, map[string]string{"role": "root"}).problem(t, 400, "invalid", "role")

		// A second owner can be made, and then the first may step down.
		p.do("PATCH", "/api/v1/members/"+admin.UserID, owner.Access, map[string]string{"role": "owner"}).must(t, 200)
		p.do("PATCH", "/api/v1/members/"+owner.UserID, owner.Access, map[string]string{"role": "admin"}).must(t, 200)

		// A role change applies to tokens issued before it.
		p.do("PATCH", "/api/v1/members/"+agent.UserID, admin.Access, map[string]string{"role": "admin"}).must(t, 200)
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := p.do("GET", "/api/v1/invites", agent.Access, nil); r.Status != 200 {
				return fmt.Errorf("promoted agent still refused: %d", r.Status)
			}
			return nil
		})

		// Removing a member ends their sessions at once.
		p.do("DELETE", "/api/v1/members/"+agent.UserID, admin.Access, nil).must(t, 204)
		testkit.Eventually(t, 5*time.Second, func() error {
			if r := p.do("GET", "/api/v1/me", agent.Access, nil); r.Status != 401 {
				return fmt.Errorf("removed member's token still works: %d", r.Status)
			}
			return nil
		})
		p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": agent.Refresh}).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": agent.Email, "password": agent.Password}).problem(t, 401, "unauthenticated", "")
		p.do("DELETE", "/api/v1/members/"+agent.UserID, admin.Access, nil).problem(t, 404, "not_found", "")
	})
}

// Tenant B's token never reaches tenant A's objects: every id of A is 404.
func TestCrossTenantAccessIsNotFound(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		a := p.signup("Tenant A")
		aAgent := p.invite(a, "agent")
		b := p.signup("Tenant B")
		inviteA := p.do("POST", "/api/v1/invites", a.Access, map[string]string{"email": uniqueEmail("a"), "role": "agent"}).must(t, 201)

		p.do("PATCH", "/api/v1/members/"+aAgent.UserID, b.Access, map[string]string{"role": "admin"}).problem(t, 404, "not_found", "")
		p.do("DELETE", "/api/v1/members/"+aAgent.UserID, b.Access, nil).problem(t, 404, "not_found", "")
		p.do("DELETE", "/api/v1/invites/"+inviteA.str("id"), b.Access, nil).problem(t, 404, "not_found", "")
		p.do("PATCH", "/api/v1/members/not-a-uuid", b.Access, map[string]string{"role": "admin"}).problem(t, 404, "not_found", "")

		members := p.do("GET", "/api/v1/members", b.Access, nil).must(t, 200)
		for _, m := range members.Body["members"].([]any) {
			if m.(map[string]any)["tenant_id"] != b.TenantID {
				t.Fatalf("tenant B sees a member of another tenant: %v", m)
			}
		}
		if r := p.do("GET", "/api/v1/tenant", b.Access, nil).must(t, 200); r.str("id") != b.TenantID {
			t.Fatalf("tenant B got tenant %s", r.str("id"))
		}
		// A's agent is untouched.
		p.do("GET", "/api/v1/me", aAgent.Access, nil).must(t, 200)
	})
}

func TestTenantSettings(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Old Name")
	r := p.do("PATCH", "/api/v1/tenant", owner.Access, map[string]string{"name": "  New Name  "}).must(t, 200)
	if r.str("name") != "New Name" || r.str("slug") != "old-name" {
		t.Fatalf("patch: %s", r.Raw)
	}
	p.do("PATCH", "/api/v1/tenant", owner.Access, map[string]string{"name": ""}).problem(t, 400, "invalid", "name")
	p.do("PATCH", "/api/v1/tenant", owner.Access, map[string]any{"name": 7}).problem(t, 400, "invalid", "name")
	if r := p.do("GET", "/api/v1/tenant", owner.Access, nil).must(t, 200); r.str("name") != "New Name" {
		t.Fatalf("get: %s", r.Raw)
	}
	// A second tenant with the same name gets its own slug.
	other := p.signup("Old Name")
	if r := p.do("GET", "/api/v1/tenant", other.Access, nil).must(t, 200); r.str("slug") == "old-name" || r.str("widget_key") == "" {
		t.Fatalf("slug not unique: %s", r.Raw)
	}
}
