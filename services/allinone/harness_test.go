package allinone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
)

// parley is one running all-in-one Parley and an HTTP client for it whose
// every exchange is checked against api/openapi.yaml.
type parley struct {
	t    *testing.T
	URL  string
	http *http.Client
	logs *testkit.Buffer
	stop func()
}

// env builds a configuration for a test instance on database d with data under dir.
func env(d testkit.DB, dir string, extra map[string]string) config.Getenv {
	m := map[string]string{
		"PARLEY_DATA_DIR":   dir,
		"PARLEY_HTTP_ADDR":  "127.0.0.1:0",
		"PARLEY_PUBLIC_URL": "http://parley.test",
		"PARLEY_LOG_LEVEL":  "debug",
	}
	if d.Name == "postgres" {
		m["PARLEY_DATABASE_URL"] = d.URL
		m["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.Prefix
	}
	for k, v := range extra {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// start runs Parley on d with its data under dir until the test ends (or stop).
func start(t *testing.T, d testkit.DB, dir string, extra map[string]string) *parley {
	t.Helper()
	return startWith(t, d, dir, extra)
}

// startWith is start with options for the all-in-one wiring (a billing clock).
func startWith(t *testing.T, d testkit.DB, dir string, extra map[string]string, opts ...allinone.Option) *parley {
	t.Helper()
	cfg, err := config.Load(env(d, dir, extra))
	if err != nil {
		t.Fatal(err)
	}
	logs := &testkit.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := allinone.New(ctx, cfg, logging.New(logs, "debug", ""), opts...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("parley stopped with: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("parley did not stop within 30s")
			}
		})
	}
	t.Cleanup(stop)
	p := &parley{t: t, URL: "http://" + app.Addr().String(), logs: logs, stop: stop}
	p.http = newContractClient(t, 30*time.Second)
	testkit.Eventually(t, 10*time.Second, func() error {
		_, err := p.http.Get(p.URL + "/healthz")
		return err
	})
	return p
}

// newContractClient is an HTTP client whose exchanges are checked against the spec.
func newContractClient(t *testing.T, timeout time.Duration) *http.Client {
	return &http.Client{Transport: &contractChecker{t: t, next: http.DefaultTransport}, Timeout: timeout}
}

// response is a decoded HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// do sends a JSON request; body may be nil, a string (sent as is) or a value
// (encoded). token, when set, is sent as a bearer token.
func (p *parley) do(method, path, token string, body any) response {
	p.t.Helper()
	return p.doWith(method, path, token, body, "application/json")
}

func (p *parley) doWith(method, path, token string, body any, contentType string) response {
	p.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			p.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, p.URL+path, r)
	if err != nil {
		p.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			p.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return out
}

// must fails the test unless the response has the wanted status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// str reads a string at a dotted path of the body ("user.id").
func (r response) str(path string) string {
	var v any = r.Body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// problem checks an error response: status, stable code and, if given, field.
func (r response) problem(t *testing.T, status int, code, field string) {
	t.Helper()
	if r.Status != status || r.Header.Get("Content-Type") != "application/problem+json" || r.str("code") != code || r.str("field") != field {
		t.Fatalf("got %d %s %s, want %d code=%s field=%q", r.Status, r.Header.Get("Content-Type"), r.Raw, status, code, field)
	}
}

// account is a signed-up or invited member.
type account struct {
	TenantID, UserID, Email, Password string
	Access, Refresh                   string
}

var (
	emailMu  sync.Mutex
	emailSeq int
)

// uniqueEmail returns an email no other test uses.
func uniqueEmail(prefix string) string {
	emailMu.Lock()
	defer emailMu.Unlock()
	emailSeq++
	return prefix + "-" + strings.ToLower(time.Now().Format("150405.000000")) + "-" + itoa(emailSeq) + "@example.com"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// signup creates a new tenant and returns its owner.
func (p *parley) signup(business string) account {
	p.t.Helper()
	email := uniqueEmail("owner")
	r := p.do("POST", "/api/v1/signup", "", map[string]string{
		"business_name": business, "name": "Owner of " + business, "email": email, "password": "correct horse battery",
	}).must(p.t, http.StatusCreated)
	return account{TenantID: r.str("tenant.id"), UserID: r.str("user.id"), Email: email, Password: "correct horse battery",
		Access: r.str("access_token"), Refresh: r.str("refresh_token")}
}

// invite adds a member with role to the owner's tenant and returns them.
func (p *parley) invite(owner account, role string) account {
	p.t.Helper()
	email := uniqueEmail(role)
	inv := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": email, "role": role}).must(p.t, http.StatusCreated)
	r := p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "New " + role, "password": "another good one"}).must(p.t, http.StatusOK)
	return account{TenantID: owner.TenantID, UserID: r.str("user.id"), Email: email, Password: "another good one",
		Access: r.str("access_token"), Refresh: r.str("refresh_token")}
}
