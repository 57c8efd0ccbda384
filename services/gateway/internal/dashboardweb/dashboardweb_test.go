package dashboardweb

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

const indexHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title>` +
	`<script type="module" crossorigin src="/assets/index-abc123.js"></script>` +
	`<link rel="modulepreload" crossorigin href="/assets/vendor-def456.js">` +
	`<link rel="stylesheet" crossorigin href="/assets/index-abc123.css"></head><body><div id="root"></div></body></html>`

var bigJS = "console.log('parley');" + strings.Repeat("export const x = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';\n", 100)

func builtFS() fstest.MapFS {
	return fstest.MapFS{
		".gitkeep":                 {Data: nil},
		"index.html":               {Data: []byte(indexHTML)},
		"preview.html":             {Data: []byte(`<!doctype html><title>Preview</title><script type="module" src="/assets/preview-1.js"></script>`)},
		"assets/index-abc123.js":   {Data: []byte(bigJS)},
		"assets/vendor-def456.js":  {Data: []byte("export const v = 1;")},
		"assets/index-abc123.css":  {Data: []byte("body{color:red}")},
		"favicon.svg":              {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/sub/deep-77aa.png": {Data: []byte("\x89PNG\r\n\x1a\n")},
	}
}

// apiNotFound stands in for httpapi's problem+json 404.
func apiNotFound(c *gin.Context) {
	c.Header("Content-Type", "application/problem+json")
	c.String(http.StatusNotFound, `{"type":"about:blank","title":"Not Found","status":404,"code":"not_found"}`)
	c.Abort()
}

func newEngine(t *testing.T, dist fstest.MapFS) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.NoRoute(func(c *gin.Context) { t.Error("the gateway's NoRoute must be replaced"); c.Status(599) })
	e.GET("/api/v1/me", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) })
	e.POST("/api/v1/auth/login", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) })
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	register(e, dist, Deps{Log: slog.New(slog.DiscardHandler), APINotFound: apiNotFound})
	return e
}

func do(e http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.Host = "parley.example:8080"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func checkSecurityHeaders(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %s", what, csp, want)
		}
	}
	if !strings.Contains(csp, "object-src 'none'") && !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("%s: CSP %q allows plugins", what, csp)
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("%s: CSP %q contains %s", what, csp, bad)
		}
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" && got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", what, got)
	}
}

func TestEveryDashboardResponseCarriesTheSecurityHeaders(t *testing.T) {
	built := newEngine(t, builtFS())
	cases := []struct {
		method, target string
		header         []string
		status         int
	}{
		{"GET", "/", nil, 200},
		{"HEAD", "/", nil, 200},
		{"GET", "/inbox", nil, 200},
		{"GET", "/settings/widget", []string{"Accept-Encoding", "gzip"}, 200},
		{"GET", "/preview?key=wk_1", nil, 200},
		{"GET", "/assets/index-abc123.js", nil, 200},
		{"GET", "/assets/index-abc123.js", []string{"Accept-Encoding", "gzip"}, 200},
		{"GET", "/assets/index-abc123.js", []string{"If-None-Match", etagOf(t, built, "/assets/index-abc123.js")}, 304},
		{"GET", "/assets/missing-000.js", nil, 404},
		{"GET", "/favicon.svg", nil, 200},
		{"GET", "/robots.txt", nil, 404},
	}
	for _, tc := range cases {
		w := do(built, tc.method, tc.target, tc.header...)
		if w.Code != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, w.Code, tc.status)
		}
		checkSecurityHeaders(t, tc.method+" "+tc.target, w)
	}
	unbuilt := newEngine(t, fstest.MapFS{".gitkeep": {}})
	for _, target := range []string{"/", "/inbox", "/assets/index-abc123.js"} {
		checkSecurityHeaders(t, "unbuilt "+target, do(unbuilt, "GET", target))
	}
}

func etagOf(t *testing.T, e http.Handler, target string) string {
	t.Helper()
	tag := do(e, "GET", target).Header().Get("ETag")
	if tag == "" {
		t.Fatalf("%s has no ETag", target)
	}
	return tag
}

func TestSPAFallbackServesTheShellButNeverForAPIPaths(t *testing.T) {
	e := newEngine(t, builtFS())
	shell := []string{"/", "/inbox", "/inbox/c_123", "/settings/team", "/accept-invite", "/login?next=%2Finbox", "/getting-started/"}
	for _, p := range shell {
		w := do(e, "GET", p)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `<div id="root">`) {
			t.Errorf("GET %s: %d %q, want the SPA shell", p, w.Code, w.Body.String())
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
	}
	problem := []struct{ method, target string }{
		{"GET", "/api"}, {"GET", "/api/"}, {"GET", "/api/v1/nope"}, {"GET", "/api/v2/me"},
		{"GET", "/widget/wk_abc.js"}, {"GET", "/widget/"}, {"GET", "/.well-known/security.txt"},
		{"GET", "/healthz/deep"}, {"GET", "/readyz"}, {"GET", "/metrics"}, {"GET", "/webhooks/stripe"},
		{"POST", "/inbox"}, {"DELETE", "/"}, {"PUT", "/settings"},
	}
	for _, tc := range problem {
		w := do(e, tc.method, tc.target)
		if tc.method == "DELETE" && tc.target == "/" {
			// "/" is a GET route, so gin answers 405 through NoMethod.
			if w.Code != http.StatusMethodNotAllowed {
				t.Errorf("DELETE /: %d, want 405", w.Code)
			}
			continue
		}
		if w.Code != 404 || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s, want the API's problem+json 404", tc.method, tc.target, w.Code, w.Header().Get("Content-Type"))
		}
		if strings.Contains(w.Body.String(), "<html") {
			t.Errorf("%s %s answered HTML", tc.method, tc.target)
		}
	}
	// Real routes are untouched.
	if w := do(e, "GET", "/api/v1/me"); w.Code != 200 || !strings.Contains(w.Body.String(), "ok") {
		t.Errorf("GET /api/v1/me: %d %s", w.Code, w.Body.String())
	}
	if w := do(e, "GET", "/healthz"); w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("GET /healthz: %d %s", w.Code, w.Body.String())
	}
	if w := do(e, "GET", "/api/v1/auth/login"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/v1/auth/login: %d, want 405", w.Code)
	}
	// File-like paths that do not exist are 404s, not HTML.
	for _, p := range []string{"/favicon.ico", "/assets/nope.js", "/assets/", "/inbox/app.js", "/assets/../index.html"} {
		w := do(e, "GET", p)
		if w.Code == 200 && strings.Contains(w.Body.String(), "<div id=\"root\">") && p != "/assets/../index.html" {
			t.Errorf("GET %s served the shell", p)
		}
		if strings.HasPrefix(p, "/assets/") && w.Code != 404 && p != "/assets/../index.html" {
			t.Errorf("GET %s: %d, want 404", p, w.Code)
		}
	}
	// Nested assets resolve, and traversal stays inside the build.
	if w := do(e, "GET", "/assets/sub/deep-77aa.png"); w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
		t.Errorf("nested asset: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestCachingRules(t *testing.T) {
	e := newEngine(t, builtFS())
	asset := do(e, "GET", "/assets/index-abc123.js")
	if cc := asset.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("asset Cache-Control %q", cc)
	}
	if ct := asset.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "application/javascript") {
		t.Errorf("asset Content-Type %q", ct)
	}
	if asset.Body.String() != bigJS {
		t.Error("asset body differs from the file")
	}
	again := do(e, "GET", "/assets/index-abc123.js", "If-None-Match", asset.Header().Get("ETag"))
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want an empty 304", again.Code, again.Body.Len())
	}
	for _, p := range []string{"/", "/inbox"} {
		w := do(e, "GET", p)
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s Cache-Control %q, want no-cache", p, cc)
		}
		if w.Header().Get("ETag") != "" {
			t.Errorf("%s has an ETag; a 304 would pair a new nonce with an old body", p)
		}
	}
	if cc := do(e, "GET", "/favicon.svg").Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unhashed public file Cache-Control %q", cc)
	}
	if cc := do(e, "GET", "/assets/missing.js").Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("missing asset Cache-Control %q", cc)
	}
}

func TestGzipWhenAccepted(t *testing.T) {
	e := newEngine(t, builtFS())
	for _, tc := range []struct {
		target, accept string
		gz             bool
	}{
		{"/assets/index-abc123.js", "gzip, deflate, br", true},
		{"/assets/index-abc123.js", "br;q=1, gzip;q=0.5", true},
		{"/assets/index-abc123.js", "", false},
		{"/assets/index-abc123.js", "gzip;q=0", false},
		{"/assets/index-abc123.js", "identity", false},
		{"/inbox", "gzip", true},
		{"/inbox", "", false},
		{"/assets/vendor-def456.js", "gzip", false}, // too small to pay
	} {
		w := do(e, "GET", tc.target, "Accept-Encoding", tc.accept)
		got := w.Header().Get("Content-Encoding") == "gzip"
		if got != tc.gz {
			t.Errorf("%s with Accept-Encoding %q: gzip=%v, want %v", tc.target, tc.accept, got, tc.gz)
			continue
		}
		body := w.Body.Bytes()
		if got {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
			if w.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: gzip without Vary: Accept-Encoding", tc.target)
			}
		}
		if tc.target == "/assets/index-abc123.js" && string(body) != bigJS {
			t.Errorf("%s: decoded body differs", tc.target)
		}
		if tc.target == "/inbox" && !strings.Contains(string(body), `<div id="root">`) {
			t.Errorf("%s: decoded body is not the shell", tc.target)
		}
	}
}

func TestDocumentsCarryAFreshNonceMatchingTheirCSP(t *testing.T) {
	e := newEngine(t, builtFS())
	nonceRe := regexp.MustCompile(`'nonce-([A-Za-z0-9+/=]+)'`)
	seen := map[string]bool{}
	for range 3 {
		w := do(e, "GET", "/inbox")
		csp := w.Header().Get("Content-Security-Policy")
		m := nonceRe.FindStringSubmatch(csp)
		if m == nil {
			t.Fatalf("no nonce in %q", csp)
		}
		if !strings.Contains(csp, "script-src 'self' 'nonce-"+m[1]+"' 'strict-dynamic'") {
			t.Errorf("script-src is not nonce + strict-dynamic: %q", csp)
		}
		if !strings.Contains(csp, "connect-src 'self' ws://parley.example:8080 wss://parley.example:8080") {
			t.Errorf("connect-src does not allow the same-origin WebSocket: %q", csp)
		}
		for _, want := range []string{"style-src 'self'", "frame-src 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP lacks %s: %q", want, csp)
			}
		}
		body := w.Body.String()
		if strings.Count(body, `nonce="`+m[1]+`"`) != 2 {
			t.Errorf("the script and modulepreload tags must carry the nonce: %s", body)
		}
		seen[m[1]] = true
	}
	if len(seen) != 3 {
		t.Error("nonces repeat across responses")
	}
	// A hostile Host header cannot inject sources into the policy.
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "evil.example; script-src *"
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "evil") {
		t.Errorf("Host reflected into CSP: %q", csp)
	}
}

func TestWithoutABuildTheDashboardAnswers503(t *testing.T) {
	for name, dist := range map[string]fstest.MapFS{"empty": {}, "placeholder only": {".gitkeep": {}}} {
		e := newEngine(t, dist)
		for _, p := range []string{"/", "/inbox", "/settings/widget"} {
			w := do(e, "GET", p)
			if w.Code != http.StatusServiceUnavailable {
				t.Errorf("%s: GET %s = %d, want 503", name, p, w.Code)
			}
			if !strings.Contains(w.Body.String(), "npm run build") {
				t.Errorf("%s: the 503 page does not say how to build: %s", name, w.Body.String())
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s: a 503 must not be cached", name)
			}
		}
		if w := do(e, "GET", "/api/v1/nope"); w.Code != 404 || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: API 404 changed without a build: %d", name, w.Code)
		}
	}
}

// The embedded build (whatever this checkout holds) registers without panicking.
func TestRegisterWithTheEmbeddedBuild(t *testing.T) {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	Register(e, Deps{Log: slog.New(slog.DiscardHandler), APINotFound: apiNotFound})
	w := do(e, "GET", "/")
	if w.Code != 200 && w.Code != 503 {
		t.Fatalf("GET / = %d", w.Code)
	}
	checkSecurityHeaders(t, "embedded /", w)
	if w := do(e, "GET", "/api/v1/x"); w.Code != 404 {
		t.Errorf("GET /api/v1/x = %d", w.Code)
	}
}
