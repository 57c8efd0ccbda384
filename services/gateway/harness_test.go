package gateway_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/auth"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/gateway"
)

// harness is a real gateway on a real NATS server, with small responders
// standing in for the services a test needs.
type harness struct {
	t       *testing.T
	nc      *nats.Conn
	js      jetstream.JetStream
	objects jetstream.ObjectStore
	signer  auth.Signer
	cfg     config.Config
	base    string // the first gateway, http://127.0.0.1:port
	log     *calls
}

// calls records what the stand-in services were asked, in order.
type calls struct {
	mu   sync.Mutex
	list []string
	reqs map[string]any
}

func (c *calls) add(name string, req any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, name)
	c.reqs[name] = req
}

func (c *calls) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.list...)
}

func (c *calls) last(name string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reqs[name]
}

// newHarness starts the gateway. env adds configuration; the gateway trusts
// 127.0.0.1 as a proxy so that tests can set the client's IP.
func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	ns := testkit.NATS(t)
	nc := testkit.Connect(t, ns)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, nc: nc, js: js, signer: auth.Signer{Kid: "test-key", Key: priv}, log: &calls{reqs: map[string]any{}}}
	serveQuietly(h, contracts.IdentityJWKS, func(contracts.Empty) (contracts.JWKS, error) {
		return contracts.JWKS{Keys: []contracts.JWK{auth.PublicJWK("test-key", pub)}}, nil
	})
	serveQuietly(h, contracts.IdentityVisitorRevocations, func(contracts.Empty) (contracts.VisitorRevocations, error) {
		return contracts.VisitorRevocations{}, nil
	})
	serveQuietly(h, contracts.TenantSettingsInternal, func(contracts.TenantIDRequest) (contracts.Settings, error) {
		return contracts.Settings{Widget: contracts.WidgetSettings{Enabled: true}}, nil
	})
	vars := map[string]string{"PARLEY_HTTP_ADDR": "127.0.0.1:0", "PARLEY_TRUSTED_PROXIES": "127.0.0.1"}
	for k, v := range env {
		vars[k] = v
	}
	if h.cfg, err = config.Load(func(k string) string { return vars[k] }); err != nil {
		t.Fatal(err)
	}
	h.base = h.startGateway()
	if h.objects, err = natsx.DataBucket(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	return h
}

// startGateway starts a gateway (one more replica) on the harness's NATS and
// returns its base URL.
func (h *harness) startGateway() string {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	g, err := gateway.New(ctx, h.cfg, gateway.Deps{NATS: h.nc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		h.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("gateway: %v", err)
		}
	})
	return "http://" + g.Addr().String()
}

// serve answers ep with f, recording each request as "<service>.<method>".
func serve[Req, Resp any](h *harness, ep contracts.Endpoint[Req, Resp], f func(Req) (Resp, error)) {
	h.t.Helper()
	serveQuietly(h, ep, func(req Req) (Resp, error) {
		h.log.add(ep.Service+"."+ep.Method, req)
		return f(req)
	})
}

// serveQuietly answers ep with f, recording nothing (the harness's own responders).
func serveQuietly[Req, Resp any](h *harness, ep contracts.Endpoint[Req, Resp], f func(Req) (Resp, error)) {
	h.t.Helper()
	srv, err := natsx.Serve(h.nc, ep, slog.New(slog.DiscardHandler), func(_ context.Context, req Req) (Resp, error) {
		return f(req)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { srv.Stop(time.Second) })
}

// member is a signed-in member of a tenant.
type member struct {
	contracts.Principal
	name  string
	token string
}

func (h *harness) member(tenantID string, role contracts.Role) member {
	h.t.Helper()
	p := contracts.Principal{TenantID: tenantID, UserID: ids.New(), Role: role, SessionID: ids.New()}
	tok, err := h.signer.NewAccessToken(p, "Ada "+string(role), time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return member{Principal: p, name: "Ada " + string(role), token: tok}
}

func (h *harness) visitorToken(tenantID, visitorID string) string {
	h.t.Helper()
	tok, err := h.signer.NewVisitorToken(auth.VisitorClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: visitorID}, TenantID: tenantID}, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// problem is the problem+json body.
func (r response) problem() (code, field string) {
	var p struct{ Code, Field string }
	_ = json.Unmarshal(r.body, &p)
	return p.Code, p.Field
}

// do sends a request; body is JSON-encoded unless it is an io.Reader
// (sent with contentType).
func (h *harness) do(method, path, token string, body any, contentType string, hdr ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd, contentType = strings.NewReader(string(raw)), "application/json"
	}
	url := path // a full URL addresses another gateway
	if !strings.HasPrefix(path, "http") {
		url = h.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := (&http.Client{Transport: &contractChecker{t: h.t, next: http.DefaultTransport}}).Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// expect fails the test unless r has the status (and, for errors, the
// problem code and field when given).
func expect(t *testing.T, what string, r response, status int, codeField ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	code, field := r.problem()
	if len(codeField) > 0 && code != codeField[0] {
		t.Fatalf("%s: code %q, want %q: %s", what, code, codeField[0], r.body)
	}
	if len(codeField) > 1 && field != codeField[1] {
		t.Fatalf("%s: field %q, want %q: %s", what, field, codeField[1], r.body)
	}
}
