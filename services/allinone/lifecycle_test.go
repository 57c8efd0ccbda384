package allinone_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/billing"
	"github.com/parley-chat/parley/services/gateway"
	"github.com/parley-chat/parley/services/identity"
	"github.com/parley-chat/parley/services/tenant"
)

// Stopping and starting again on the same data keeps tenants, members,
// sessions and signing keys.
func TestRestartKeepsEverything(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		dir := t.TempDir()
		first := start(t, d, dir, nil)
		owner := first.signup("Persistent Co")
		agent := first.invite(owner, "agent")
		first.stop()

		second := start(t, d, dir, nil)
		second.do("GET", "/api/v1/me", owner.Access, nil).must(t, 200) // same signing key
		second.do("POST", "/api/v1/auth/login", "", map[string]string{"email": agent.Email, "password": agent.Password}).must(t, 200)
		second.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).must(t, 200)
		if r := second.do("GET", "/api/v1/members", owner.Access, nil).must(t, 200); len(r.Body["members"].([]any)) != 2 {
			t.Fatalf("members after restart: %s", r.Raw)
		}
		if jwks := second.do("GET", "/.well-known/jwks.json", "", nil).must(t, 200); len(jwks.Body["keys"].([]any)) != 1 {
			t.Fatalf("a restart made a new key: %s", jwks.Raw)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	p.do("GET", "/healthz", "", nil).must(t, 200)
	var r response
	testkit.Eventually(t, 10*time.Second, func() error {
		if r = p.do("GET", "/readyz", "", nil); r.Status != 200 {
			return fmt.Errorf("readyz %d: %s", r.Status, r.Raw)
		}
		return nil
	})
	checks := r.Body["checks"].(map[string]any)
	for _, name := range []string{"nats", "identity", "tenant", "conversation", "billing", "revocations"} {
		if checks[name] != "ok" {
			t.Fatalf("readyz check %s = %v", name, checks[name])
		}
	}
}

// /metrics is off by default; with a token it counts requests by route
// template and shows the open sockets.
func TestMetrics(t *testing.T) {
	t.Parallel()
	off := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	off.do("GET", "/metrics", "", nil).problem(t, 404, "not_found", "")

	const token = "scrape-me-please-0123"
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_METRICS_TOKEN": token})
	p.do("GET", "/metrics", "", nil).problem(t, 401, "unauthenticated", "")
	p.do("GET", "/metrics", "wrong-token-0123456789", nil).problem(t, 401, "unauthenticated", "")
	owner := p.signup("Metrics Co")
	p.dial(t, owner.Access, nil)
	p.do("GET", "/api/v1/conversations/"+ids.New(), owner.Access, nil).must(t, 404)
	r := p.do("GET", "/metrics", token, nil).must(t, 200)
	text := string(r.Raw)
	for _, want := range []string{
		`parley_http_requests_total{method="POST",route="/api/v1/signup",status="201"} 1`,
		`parley_http_requests_total{method="GET",route="/api/v1/conversations/:id",status="404"} 1`,
		`parley_http_request_duration_seconds_count{method="POST",route="/api/v1/signup"} 1`,
		"\nparley_websockets 1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, owner.TenantID) || strings.Contains(text, owner.UserID) {
		t.Errorf("metrics name a tenant or a user:\n%s", text)
	}
}

// No password, token or secret reaches a log line, whatever the request.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Quiet Co")
	inv := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": uniqueEmail("quiet"), "role": "agent"}).must(t, 201)
	acc := p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "Q", "password": "invitee secret pw"}).must(t, 200)
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "a wrong password"})
	p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).must(t, 200)
	logs := p.logs.String()
	if !strings.Contains(logs, `"route":"/api/v1/invites/:token/accept"`) {
		t.Fatalf("expected access log lines, got:\n%s", logs)
	}
	secrets := []string{owner.Password, "invitee secret pw", "a wrong password", owner.Access, owner.Refresh, inv.str("token"),
		acc.str("access_token"), acc.str("refresh_token")}
	secrets = append(secrets, strings.Split(inv.str("token"), ".")[1])
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret reached the logs: %q", s)
		}
	}
}

// If billing is down during sign-up, sign-up fails cleanly and nothing is
// left: no tenant, no user. Once billing is back, the same email signs up.
func TestFailedSignupLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		ns := testkit.NATS(t)
		dir := t.TempDir()
		cfg, err := config.Load(env(d, dir, map[string]string{"PARLEY_NATS_URL": ns.ClientURL()}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		run := func(r service.Runner, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { _ = r.Run(ctx); close(done) }()
			t.Cleanup(func() { cancel(); <-done })
		}
		run(identity.New(ctx, cfg, identity.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
		run(tenant.New(ctx, cfg, tenant.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
		gw, err := gateway.New(ctx, cfg, gateway.Deps{NATS: testkit.Connect(t, ns), Logger: log})
		run(gw, err)
		p := &parley{t: t, URL: "http://" + gw.Addr().String(), http: newContractClient(t, 30*time.Second)}

		body := map[string]string{"business_name": "Half Built", "name": "Hal", "email": uniqueEmail("half"), "password": "a fine password"}
		p.do("POST", "/api/v1/signup", "", body).problem(t, 503, "unavailable", "")
		if n := countTenants(t, cfg); n != 0 {
			t.Fatalf("%d tenants left behind by a failed sign-up", n)
		}
		run(billing.New(ctx, cfg, billing.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
		p.do("POST", "/api/v1/signup", "", body).must(t, 201)
		if n := countTenants(t, cfg); n != 1 {
			t.Fatalf("%d tenants after a good sign-up", n)
		}
	})
}

func countTenants(t *testing.T, cfg config.Config) int64 {
	t.Helper()
	x, err := db.Open(context.Background(), db.Options{URL: cfg.ServiceDatabaseURL("tenant"), Schema: cfg.Schema("tenant"), Source: "tenant"})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var n int64
	if err := x.Global(context.Background(), func(g *gorm.DB) error { return g.Table("tenants").Count(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}
