package allinone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
	"github.com/parley-chat/parley/services/billing"
	"github.com/parley-chat/parley/services/gateway"
	"github.com/parley-chat/parley/services/identity"
	"github.com/parley-chat/parley/services/tenant"
)

// withEvents runs Parley on its own NATS server and returns a connection to
// it, so a test can watch the events identity publishes for notify.
func withEvents(t *testing.T, d testkit.DB, opts ...allinone.Option) (*parley, *nats.Conn) {
	t.Helper()
	ns := testkit.NATS(t)
	p := startWith(t, d, t.TempDir(), map[string]string{"PARLEY_NATS_URL": ns.ClientURL()}, opts...)
	return p, testkit.Connect(t, ns)
}

// eventLog collects the events published on a subject from now on.
type eventLog struct {
	mu   sync.Mutex
	seen []contracts.Envelope
}

func watchEvents(t *testing.T, nc *nats.Conn, subject string) *eventLog {
	t.Helper()
	l := &eventLog{}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		var env contracts.Envelope
		if json.Unmarshal(m.Data, &env) == nil && env.CheckSubject(m.Subject) == nil {
			l.mu.Lock()
			l.seen = append(l.seen, env)
			l.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return l
}

// wait returns the n-th event (from 1), polling until it arrives.
func (l *eventLog) wait(t *testing.T, n int) contracts.Envelope {
	t.Helper()
	var env contracts.Envelope
	testkit.Eventually(t, 10*time.Second, func() error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.seen) < n {
			return fmt.Errorf("%d events, waiting for %d", len(l.seen), n)
		}
		env = l.seen[n-1]
		return nil
	})
	return env
}

func (l *eventLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

func decodeEvent[T any](t *testing.T, env contracts.Envelope) T {
	t.Helper()
	var v T
	if err := env.Decode(&v); err != nil {
		t.Fatalf("%s: %v", env.Type, err)
	}
	return v
}

// linkToken is the token in an emailed link's fragment.
func linkToken(t *testing.T, url, page string) string {
	t.Helper()
	base, token, ok := strings.Cut(url, "#")
	if !ok || base != "http://parley.test"+page || token == "" {
		t.Fatalf("link %q is not a %s link", url, page)
	}
	return token
}

// doHeader is do with extra request headers.
func (p *parley) doHeader(method, path string, body any, header map[string]string) response {
	p.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	out := response{Status: res.StatusCode, Header: res.Header}
	out.Raw, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(out.Raw, &out.Body)
	return out
}

// An invite publishes what its email needs, and the accept page can show the
// workspace, the inviter and the address — for that one open invite only.
func TestInviteEmailEventAndLookup(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p, nc := withEvents(t, d)
		email := uniqueEmail("owner")
		// The owner's language comes from the browser at sign-up.
		r := p.doHeader("POST", "/api/v1/signup", map[string]string{
			"business_name": "Café Lumière", "name": "Amélie Poulain", "email": email, "password": "correct horse battery",
		}, map[string]string{"Accept-Language": "fr-CH,fr;q=0.9,en;q=0.8"}).must(t, 201)
		if r.str("user.locale") != "fr" {
			t.Fatalf("sign-up locale: %s", r.Raw)
		}
		owner := account{TenantID: r.str("tenant.id"), Access: r.str("access_token")}
		invites := watchEvents(t, nc, contracts.IdentityInviteCreated.Subject(owner.TenantID))

		inv := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": "Zoe@Example.com", "role": "admin"}).must(t, 201)
		env := invites.wait(t, 1)
		ev := decodeEvent[contracts.InviteCreated](t, env)
		if env.TenantID != owner.TenantID || ev.InviteID != inv.str("id") || ev.Email != "zoe@example.com" || ev.Role != contracts.RoleAdmin ||
			ev.InviterName != "Amélie Poulain" || ev.TenantName != "Café Lumière" || ev.URL != inv.str("url") || ev.Locale != "fr" ||
			ev.ExpiresAt.Format(time.RFC3339Nano) != inv.str("expires_at") {
			t.Fatalf("invite.created: %+v for %s", ev, inv.Raw)
		}
		token := linkToken(t, ev.URL, "/accept-invite")

		look := p.do("GET", "/api/v1/invites/lookup?token="+token, "", nil).must(t, 200)
		if look.str("tenant_name") != "Café Lumière" || look.str("inviter_name") != "Amélie Poulain" || look.str("email") != "zoe@example.com" ||
			look.str("role") != "admin" || look.str("expires_at") == "" {
			t.Fatalf("lookup: %s", look.Raw)
		}
		// Unknown, malformed and another tenant's prefix: all not found.
		secret := strings.SplitN(token, ".", 2)[1]
		other := p.signup("Elsewhere")
		for _, bad := range []string{"", "nonsense", owner.TenantID + "." + strings.Repeat("x", 43), other.TenantID + "." + secret} {
			p.do("GET", "/api/v1/invites/lookup?token="+bad, "", nil).problem(t, 404, "not_found", "")
		}

		// The invitee's dashboard language wins over the inviter's.
		acc := p.do("POST", "/api/v1/invites/"+token+"/accept", "", map[string]string{"name": "Zoé", "password": "a fine password", "locale": "de"}).must(t, 200)
		if acc.str("user.locale") != "de" {
			t.Fatalf("accepted locale: %s", acc.Raw)
		}
		p.do("GET", "/api/v1/invites/lookup?token="+token, "", nil).problem(t, 404, "not_found", "")

		// A withdrawn invite is not found either.
		inv2 := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": uniqueEmail("gone"), "role": "agent"}).must(t, 201)
		p.do("DELETE", "/api/v1/invites/"+inv2.str("id"), owner.Access, nil).must(t, 204)
		p.do("GET", "/api/v1/invites/lookup?token="+inv2.str("token"), "", nil).problem(t, 404, "not_found", "")
	})
}

// A reset link works once, sets the password by the sign-up rule and ends
// every session of the member, on both databases.
func TestPasswordResetWorksOnceAndEndsEverySession(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p, nc := withEvents(t, d)
		owner := p.signup("Reset Co")
		elsewhere := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).must(t, 200)
		resets := watchEvents(t, nc, contracts.IdentityPasswordResetRequested.Subject(owner.TenantID))

		p.do("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": strings.ToUpper(owner.Email)}).must(t, 202)
		ev := decodeEvent[contracts.PasswordResetRequested](t, resets.wait(t, 1))
		if ev.UserID != owner.UserID || ev.Email != owner.Email || ev.Name != "Owner of Reset Co" || ev.Locale != "en" ||
			time.Until(ev.ExpiresAt) < 29*time.Minute || time.Until(ev.ExpiresAt) > 31*time.Minute {
			t.Fatalf("password_reset.requested: %+v", ev)
		}
		token := linkToken(t, ev.URL, "/reset-password")

		reset := func(tok, pw string) response {
			return p.do("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "password": pw})
		}
		reset(token, "short").problem(t, 400, "invalid", "password")
		reset("garbage", "a new password!").problem(t, 400, "invalid", "token")
		reset(owner.TenantID+"."+strings.Repeat("A", 43), "a new password!").problem(t, 400, "invalid", "token")
		reset(token, "a new password!").must(t, 204)
		// Once and only once.
		used := reset(token, "yet another one")
		used.problem(t, 400, "invalid", "token")
		if !strings.Contains(used.str("detail"), "already used") {
			t.Fatalf("a used link says: %s", used.Raw)
		}

		// Every session ended: refresh tokens at once, access tokens once
		// the gateway hears of it.
		for _, rt := range []string{owner.Refresh, elsewhere.str("refresh_token")} {
			p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": rt}).problem(t, 401, "unauthenticated", "")
		}
		for _, at := range []string{owner.Access, elsewhere.str("access_token")} {
			testkit.Eventually(t, 5*time.Second, func() error {
				if r := p.do("GET", "/api/v1/me", at, nil); r.Status != 401 {
					return fmt.Errorf("an old access token still works: %d", r.Status)
				}
				return nil
			})
		}
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).problem(t, 401, "unauthenticated", "")
		fresh := p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "a new password!"}).must(t, 200)
		p.do("GET", "/api/v1/me", fresh.str("access_token"), nil).must(t, 200)
	})
}

// A reset link expires after 30 minutes, and a newer link replaces an older one.
func TestResetLinksExpireAndAreReplaced(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	p, nc := withEvents(t, testkit.SQLiteDB(t), allinone.WithIdentityClock(clock.now))
	owner := p.signup("Clockwork")
	resets := watchEvents(t, nc, contracts.IdentityPasswordResetRequested.Subject(owner.TenantID))
	forgot := func(n int) string {
		t.Helper()
		p.do("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": owner.Email}).must(t, 202)
		return linkToken(t, decodeEvent[contracts.PasswordResetRequested](t, resets.wait(t, n)).URL, "/reset-password")
	}
	reset := func(tok string) response {
		return p.do("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "password": "after the clock"})
	}

	old := forgot(1)
	clock.advance(30*time.Minute + time.Second)
	expired := reset(old)
	expired.problem(t, 400, "invalid", "token")
	if !strings.Contains(expired.str("detail"), "expired") {
		t.Fatalf("an expired link says: %s", expired.Raw)
	}

	first, second := forgot(2), forgot(3)
	reset(first).problem(t, 400, "invalid", "token")
	clock.advance(29 * time.Minute)
	reset(second).must(t, 204)
	p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": "after the clock"}).must(t, 200)
}

// "Forgot password?" says the same for every address, emails only members,
// and is limited per address and per client IP.
func TestForgotPasswordDoesNotEnumerateAndIsLimited(t *testing.T) {
	t.Parallel()
	p, nc := withEvents(t, testkit.SQLiteDB(t))
	owner := p.signup("Quiet Ltd")
	all := watchEvents(t, nc, contracts.IdentityPasswordResetRequested.AllTenants())
	forgot := func(email string) response {
		return p.do("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": email})
	}

	unknown := forgot("nobody-at-all@example.com")
	unknown.must(t, 202)
	known := forgot(owner.Email)
	known.must(t, 202)
	if string(unknown.Raw) != string(known.Raw) {
		t.Fatalf("answers differ: %q vs %q", unknown.Raw, known.Raw)
	}
	// The first event is the member's: the unknown address published nothing.
	if ev := decodeEvent[contracts.PasswordResetRequested](t, all.wait(t, 1)); ev.Email != owner.Email {
		t.Fatalf("an event for %q", ev.Email)
	}
	forgot("not an email").problem(t, 400, "invalid", "email")

	// Three links an hour for one address, then 429 (known or not).
	for _, e := range []string{owner.Email, owner.Email, "nobody-at-all@example.com", "nobody-at-all@example.com"} {
		forgot(e).must(t, 202)
	}
	for _, e := range []string{owner.Email, "nobody-at-all@example.com"} {
		r := forgot(e)
		r.problem(t, 429, "rate_limited", "")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	}
	all.wait(t, 3)
	if n := all.count(); n != 3 {
		t.Fatalf("%d reset events, want 3", n)
	}
	// Thirty asks from one IP, whatever the addresses (six so far: refusals
	// and malformed addresses do not count).
	for i := 6; i < 30; i++ {
		forgot(uniqueEmail("spray")).must(t, 202)
	}
	forgot(uniqueEmail("spray")).problem(t, 429, "rate_limited", "")
}

// A member changes their email by a link sent to the new address. An
// address that has an account (here or in another workspace) is answered
// like any other: its link is sent, and opening it is a conflict; so no
// member can probe who has an account (issue 15).
func TestEmailChangeIsConfirmedByLink(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p, nc := withEvents(t, d)
		owner := p.signup("Movers")
		agent := p.invite(owner, "agent")
		changes := watchEvents(t, nc, contracts.IdentityEmailChangeRequested.Subject(owner.TenantID))
		change := func(acc account, email, pw string) response {
			return p.do("POST", "/api/v1/me/email", acc.Access, map[string]string{"email": email, "password": pw})
		}

		newEmail := uniqueEmail("moved")
		change(owner, newEmail, "not my password").problem(t, 400, "invalid", "password")
		change(owner, "nope", owner.Password).problem(t, 400, "invalid", "email")
		change(owner, owner.Email, owner.Password).problem(t, 400, "invalid", "email")
		p.do("POST", "/api/v1/me/email", "", map[string]string{"email": newEmail, "password": owner.Password}).problem(t, 401, "unauthenticated", "")
		confirm := func(tok string) response {
			return p.do("POST", "/api/v1/auth/email/confirm", "", map[string]string{"token": tok})
		}
		elsewhere := p.signup("Elsewhere")
		for i, taken := range []string{agent.Email, elsewhere.Email} {
			change(owner, taken, owner.Password).must(t, 202)
			ev := decodeEvent[contracts.EmailChangeRequested](t, changes.wait(t, i+1))
			if ev.NewEmail != taken {
				t.Fatalf("email_change.requested: %+v", ev)
			}
			confirm(linkToken(t, ev.URL, "/confirm-email")).problem(t, 409, "conflict", "")
		}

		change(owner, strings.ToUpper(newEmail), owner.Password).must(t, 202)
		ev := decodeEvent[contracts.EmailChangeRequested](t, changes.wait(t, 3))
		if ev.UserID != owner.UserID || ev.NewEmail != newEmail || ev.Name != "Owner of Movers" || ev.Locale != "en" || time.Until(ev.ExpiresAt) < 23*time.Hour {
			t.Fatalf("email_change.requested: %+v", ev)
		}
		token := linkToken(t, ev.URL, "/confirm-email")
		// Nothing changes until the link is opened.
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).must(t, 200)

		confirm("junk").problem(t, 400, "invalid", "token")
		if r := confirm(token).must(t, 200); r.str("email") != newEmail || r.str("id") != owner.UserID {
			t.Fatalf("confirm: %s", r.Raw)
		}
		confirm(token).problem(t, 400, "invalid", "token")
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": newEmail, "password": owner.Password}).must(t, 200)
		if r := p.do("GET", "/api/v1/me", owner.Access, nil).must(t, 200); r.str("user.email") != newEmail {
			t.Fatalf("me: %s", r.Raw)
		}
		// The old address is free again.
		p.do("POST", "/api/v1/signup", "", map[string]string{"business_name": "Reuse", "name": "New", "email": owner.Email, "password": "correct horse battery"}).must(t, 201)

		// An address taken between the request and the link is a conflict,
		// and the member keeps their address.
		taken := uniqueEmail("taken")
		change(agent, taken, agent.Password).must(t, 202)
		tok := linkToken(t, decodeEvent[contracts.EmailChangeRequested](t, changes.wait(t, 4)).URL, "/confirm-email")
		p.do("POST", "/api/v1/signup", "", map[string]string{"business_name": "Quick", "name": "Fast", "email": taken, "password": "correct horse battery"}).must(t, 201)
		confirm(tok).problem(t, 409, "conflict", "")
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": agent.Email, "password": agent.Password}).must(t, 200)

		// Five requests an hour per member (wrong passwords count), then 429.
		for range 4 {
			change(agent, uniqueEmail("again"), agent.Password).must(t, 202)
		}
		change(agent, uniqueEmail("again"), agent.Password).problem(t, 429, "rate_limited", "")
	})
}

// The profile's language is one Parley writes email in.
func TestProfileLocale(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Polyglot")
	if r := p.do("PATCH", "/api/v1/me", owner.Access, map[string]string{"locale": "es"}).must(t, 200); r.str("locale") != "es" {
		t.Fatalf("profile: %s", r.Raw)
	}
	p.do("PATCH", "/api/v1/me", owner.Access, map[string]string{"locale": "klingon"}).problem(t, 400, "invalid", "locale")
	if r := p.do("GET", "/api/v1/me", owner.Access, nil).must(t, 200); r.str("user.locale") != "es" {
		t.Fatalf("me: %s", r.Raw)
	}
}

// Without a notify service the email routes are 503 problems, never a crash,
// and bad input is still a 400.
func TestEmailRoutesWithoutNotify(t *testing.T) {
	t.Parallel()
	d := testkit.SQLiteDB(t)
	ns := testkit.NATS(t)
	cfg, err := config.Load(env(d, t.TempDir(), map[string]string{"PARLEY_NATS_URL": ns.ClientURL()}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	run := func(r interface{ Run(context.Context) error }, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { _ = r.Run(ctx) })
	}
	run(identity.New(ctx, cfg, identity.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
	run(tenant.New(ctx, cfg, tenant.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
	run(billing.New(ctx, cfg, billing.Deps{NATS: testkit.Connect(t, ns), Logger: log}))
	gw, err := gateway.New(ctx, cfg, gateway.Deps{NATS: testkit.Connect(t, ns), Logger: log})
	run(gw, err)
	p := &parley{t: t, URL: "http://" + gw.Addr().String(), http: newContractClient(t, 30*time.Second)}
	owner := p.signup("No Mail")

	p.do("GET", "/api/v1/email/status", owner.Access, nil).problem(t, 503, "unavailable", "")
	p.do("GET", "/api/v1/me/notifications", owner.Access, nil).problem(t, 503, "unavailable", "")
	p.do("PUT", "/api/v1/me/notifications", owner.Access, map[string]bool{"email_new_conversations": false}).problem(t, 503, "unavailable", "")
	p.do("PUT", "/api/v1/me/notifications", owner.Access, map[string]any{}).problem(t, 400, "invalid", "email_new_conversations")
	p.do("PUT", "/api/v1/me/notifications", owner.Access, map[string]any{"email_new_conversations": "yes"}).problem(t, 400, "invalid", "email_new_conversations")
	p.do("GET", "/api/v1/email/status", "", nil).problem(t, 503, "unavailable", "")
	p.do("GET", "/api/v1/me/notifications", "", nil).problem(t, 401, "unauthenticated", "")
	// Inviting still works: the link stays copyable.
	p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": uniqueEmail("copy"), "role": "agent"}).must(t, 201)
}
