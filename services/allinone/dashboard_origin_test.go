package allinone_test

import (
	"net/http"
	"testing"

	"github.com/parley-chat/parley/pkg/testkit"
)

// The dashboard opened at the address it was reached by (http://127.0.0.1:8080
// after `make run`, whose public URL says localhost) gets its live socket and
// keeps its session; a foreign page, or a client's own X-Forwarded-* headers,
// still get nothing.
func TestDashboardIsLiveAtTheAddressItWasOpenedAt(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_PUBLIC_URL": "https://chat.example"})
	owner := p.signup("Any Address")
	if s := p.dialStatus(owner.Access, http.Header{"Origin": {p.URL}}); s != http.StatusSwitchingProtocols {
		t.Fatalf("agent socket from the page's own origin %s: %d", p.URL, s)
	}
	forged := http.Header{"Origin": {"https://evil.example"}, "X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}}
	if s := p.dialStatus(owner.Access, forged); s != http.StatusForbidden {
		t.Fatalf("forwarded headers from an untrusted peer were believed: %d", s)
	}

	// The refresh cookie set for a plain-http page is not Secure (a browser
	// would drop it), and a refresh with it works; an https page gets a Secure one.
	login := func(origin string) *http.Cookie {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/auth/login", stringsReader(`{"email":"`+owner.Email+`","password":"`+owner.Password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Parley-Refresh", "cookie")
		req.Header.Set("Origin", origin)
		res, err := p.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(res)
		for _, c := range res.Cookies() {
			if c.Name == "parley_refresh" {
				return c
			}
		}
		t.Fatalf("login from %s set no refresh cookie (%d)", origin, res.StatusCode)
		return nil
	}
	if ck := login(p.URL); ck.Secure {
		t.Fatalf("the cookie for an http page is Secure: a browser would drop it")
	}
	if ck := login("https://chat.example"); !ck.Secure {
		t.Fatalf("the cookie for the https dashboard is not Secure")
	}
}

// Behind a trusted proxy, the origin the browser used is what the proxy's
// X-Forwarded-Proto and X-Forwarded-Host say.
func TestDashboardBehindATrustedProxy(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), map[string]string{"PARLEY_TRUSTED_PROXIES": "127.0.0.1"})
	owner := p.signup("Proxied")
	proxied := func(origin string) http.Header {
		return http.Header{"Origin": {origin}, "X-Forwarded-Host": {"chat.internal.example"}, "X-Forwarded-Proto": {"https"}}
	}
	if s := p.dialStatus(owner.Access, proxied("https://chat.internal.example")); s != http.StatusSwitchingProtocols {
		t.Fatalf("agent socket through the trusted proxy: %d", s)
	}
	if s := p.dialStatus(owner.Access, proxied("https://evil.example")); s != http.StatusForbidden {
		t.Fatalf("a foreign page through the trusted proxy: %d", s)
	}
}
