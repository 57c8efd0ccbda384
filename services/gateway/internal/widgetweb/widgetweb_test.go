package widgetweb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

const testKey = "wk_0123456789abcdef01234567"

// fakeBuild is a dist directory shaped like Vite's output.
func fakeBuild() fstest.MapFS {
	return fstest.MapFS{
		".gitkeep":                {Data: nil},
		"loader.js":               {Data: []byte(`(function(){var c=` + configMarker + `;window.Parley=function(){};console.log(c.key, "` + strings.Repeat("padding ", 80) + `")})();`)},
		"frame.html":              {Data: []byte(`<!doctype html><html><head>` + frameMarker + `<script type="module" crossorigin src="/widget/assets/frame-abc123.js"></script><link rel="stylesheet" crossorigin href="/widget/assets/style-def456.css"></head><body><div id="app"></div></body></html>`)},
		"assets/frame-abc123.js":  {Data: []byte(strings.Repeat("console.log('panel');\n", 100))},
		"assets/style-def456.css": {Data: []byte(strings.Repeat(".a{color:red}\n", 100))},
	}
}

type fake struct {
	tenants map[string]contracts.WidgetTenant
	err     error
	calls   int
}

func (f *fake) resolve(_ context.Context, key string) (contracts.WidgetTenant, error) {
	f.calls++
	if f.err != nil {
		return contracts.WidgetTenant{}, f.err
	}
	wt, ok := f.tenants[key]
	if !ok || !wt.Settings.Widget.Enabled {
		return contracts.WidgetTenant{}, apperr.NotFoundf("no such widget")
	}
	return wt, nil
}

func tenant() contracts.WidgetTenant {
	return contracts.WidgetTenant{
		TenantID: "t1",
		Name:     "Acme </script><script>alert(1)</script>",
		Settings: contracts.Settings{
			Widget: contracts.WidgetSettings{
				Enabled: true, Color: "#ff5500", Position: "left", LauncherText: "Chat",
				GreetingAnonymous: "Hi!", GreetingIdentified: "Hi {name}!", GreetingDelaySeconds: 3,
				Theme: "dark", Locale: "fr", ReplyTime: "minutes",
			},
			AllowedDomains: []string{},
		},
	}
}

func newServer(t *testing.T, dist fstest.MapFS, f *fake) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	e := gin.New()
	register(e, dist, Deps{Resolve: f.resolve, PublicURL: "https://chat.example.com/"})
	return e
}

func get(e http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = "chat.example.com"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoaderInlinesTheTenantsSettings(t *testing.T) {
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: tenant()}}
	e := newServer(t, fakeBuild(), f)
	rec := get(e, "/widget/"+testKey+".js")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Type") != "text/javascript; charset=utf-8" || h.Get("Cache-Control") != "no-cache" ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") == "" || h.Get("Content-Encoding") != "" {
		t.Fatalf("headers %v", h)
	}
	body := rec.Body.String()
	if strings.Contains(body, configMarker) {
		t.Fatal("the marker was not replaced")
	}
	m := regexp.MustCompile(`var c=(\{.*?\});window`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no config in %s", body)
	}
	var cfg loaderConfig
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatal(err)
	}
	want := loaderConfig{Key: testKey, Origin: "https://chat.example.com", Name: tenant().Name, Color: "#ff5500", Position: "left",
		LauncherText: "Chat", GreetingAnonymous: "Hi!", GreetingIdentified: "Hi {name}!", GreetingDelay: 3, Theme: "dark", Locale: "fr", Allowed: []string{}}
	if got, _ := json.Marshal(cfg); string(got) != string(must(json.Marshal(want))) {
		t.Fatalf("config %s, want %+v", got, want)
	}
	// A business name cannot close a script or inject one.
	if strings.Contains(body, "</script>") || strings.Contains(body, "<script>") {
		t.Fatal("tenant text reached the loader unescaped")
	}
	// A second request is served from the cache, and revalidates.
	rec2 := get(e, "/widget/"+testKey+".js", "If-None-Match", h.Get("ETag"))
	if rec2.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", rec2.Code)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestLoaderFollowsSettingsChanges(t *testing.T) {
	wt := tenant()
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: wt}}
	e := newServer(t, fakeBuild(), f)
	first := get(e, "/widget/"+testKey+".js").Body.String()
	wt.Settings.Widget.Color = "#00aa00"
	f.tenants[testKey] = wt
	second := get(e, "/widget/"+testKey+".js").Body.String()
	if first == second || !strings.Contains(second, `"#00aa00"`) {
		t.Fatal("the loader did not follow a settings change")
	}
}

func TestGzipWhenAccepted(t *testing.T) {
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: tenant()}}
	e := newServer(t, fakeBuild(), f)
	for _, target := range []string{"/widget/" + testKey + ".js", "/widget/assets/frame-abc123.js", "/widget/assets/style-def456.css", "/widget/" + testKey + "/frame"} {
		plain := get(e, target)
		gz := get(e, target, "Accept-Encoding", "br, gzip;q=0.8")
		if gz.Code != http.StatusOK || gz.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: %d %v", target, gz.Code, gz.Header())
		}
		if gz.Body.Len() >= plain.Body.Len() {
			t.Fatalf("%s: gzip is not smaller", target)
		}
		if target != "/widget/"+testKey+"/frame" && !bytes.Equal(gunzip(t, gz.Body.Bytes()), plain.Body.Bytes()) {
			t.Fatalf("%s: gzip body differs", target)
		}
		if no := get(e, target, "Accept-Encoding", "gzip;q=0, identity"); no.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: gzip;q=0 was compressed", target)
		}
	}
}

func TestUnknownOrDisabledKeyGetsAHarmlessScript(t *testing.T) {
	disabled := tenant()
	disabled.Settings.Widget.Enabled = false
	f := &fake{tenants: map[string]contracts.WidgetTenant{"wk_off": disabled}}
	e := newServer(t, fakeBuild(), f)
	for _, key := range []string{"wk_nope", "wk_off", "bad%22key%3Cscript%3E", strings.Repeat("a", 200)} {
		rec := get(e, "/widget/"+key+".js")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" ||
			rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: %d %v", key, rec.Code, rec.Header())
		}
		body := rec.Body.String()
		if !regexp.MustCompile(`^console\.warn\("[^\n]*"\);\n$`).MatchString(body) || strings.Contains(body, "Parley=") || strings.Contains(body, "</") {
			t.Fatalf("%s: %q", key, body)
		}
	}
	// A key that cannot be one is not even looked up.
	calls := f.calls
	get(e, "/widget/"+strings.Repeat("a", 200)+".js")
	if f.calls != calls {
		t.Fatal("an impossible key was resolved")
	}
	// Not a .js name: not the loader.
	if rec := get(e, "/widget/"+testKey); rec.Code != http.StatusNotFound {
		t.Fatalf("no .js: %d", rec.Code)
	}
}

func TestResolverFailureIsAProblemNotAScript(t *testing.T) {
	f := &fake{err: apperr.New(apperr.Unavailable, "tenant service did not answer")}
	e := newServer(t, fakeBuild(), f)
	rec := get(e, "/widget/"+testKey+".js")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}

func TestAssetsAreImmutableAndTyped(t *testing.T) {
	e := newServer(t, fakeBuild(), &fake{})
	js := get(e, "/widget/assets/frame-abc123.js")
	css := get(e, "/widget/assets/style-def456.css")
	for _, r := range []*httptest.ResponseRecorder{js, css} {
		if r.Code != http.StatusOK || r.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || r.Header().Get("X-Content-Type-Options") != "nosniff" || r.Header().Get("ETag") == "" {
			t.Fatalf("%d %v", r.Code, r.Header())
		}
	}
	if js.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || css.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatal("content types")
	}
	if r := get(e, "/widget/assets/frame-abc123.js", "If-None-Match", js.Header().Get("ETag")); r.Code != http.StatusNotModified {
		t.Fatalf("304: %d", r.Code)
	}
	for _, bad := range []string{"/widget/assets/nope.js", "/widget/assets/../loader.js", "/widget/assets/../frame.html", "/widget/assets/"} {
		if r := get(e, bad); r.Code != http.StatusNotFound && r.Code != http.StatusMovedPermanently {
			t.Fatalf("%s: %d", bad, r.Code)
		}
	}
}

var csp = regexp.MustCompile(`frame-ancestors ([^;]*)`)

func TestFrameCSP(t *testing.T) {
	wt := tenant()
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: wt}}
	e := newServer(t, fakeBuild(), f)

	// No allowed domains: any site may frame the panel.
	rec := get(e, "/widget/"+testKey+"/frame")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	policy := rec.Header().Get("Content-Security-Policy")
	if m := csp.FindStringSubmatch(policy); m == nil || m[1] != "*" {
		t.Fatalf("frame-ancestors without a list: %q", policy)
	}
	if rec.Header().Get("X-Frame-Options") != "" {
		t.Fatal("X-Frame-Options would forbid the embedding")
	}
	// Scripts: only this response's nonce, never inline.
	nonce := regexp.MustCompile(`'nonce-([A-Za-z0-9+/=]+)'`).FindStringSubmatch(policy)
	if nonce == nil || strings.Contains(policy, "unsafe-inline") || strings.Contains(policy, "unsafe-eval") || !strings.Contains(policy, "object-src 'none'") || !strings.Contains(policy, "base-uri 'none'") {
		t.Fatalf("policy %q", policy)
	}
	body := rec.Body.String()
	if !strings.Contains(body, `<script type="module" nonce="`+nonce[1]+`"`) {
		t.Fatalf("the panel script lacks the nonce: %s", body)
	}
	if again := get(e, "/widget/"+testKey+"/frame").Header().Get("Content-Security-Policy"); again == policy {
		t.Fatal("the nonce is reused")
	}
	// The page carries its key as data, not as script.
	m := regexp.MustCompile(`<script type="application/json" id="parley-config">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no config: %s", body)
	}
	var fc frameConfig
	if err := json.Unmarshal([]byte(m[1]), &fc); err != nil || fc.Key != testKey || len(fc.Allowed) != 0 {
		t.Fatalf("config %s: %v", m[1], err)
	}
	if rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("cache %q", rec.Header().Get("Cache-Control"))
	}

	// With allowed domains: exactly those plus Parley's own origin (for the
	// dashboard's preview), and nothing that breaks the policy.
	wt.Settings.AllowedDomains = []string{"https://shop.example.com", "http://localhost:3000", "https://*.acme.io", "https://evil.com; script-src *"}
	f.tenants[testKey] = wt
	rec = get(e, "/widget/"+testKey+"/frame")
	policy = rec.Header().Get("Content-Security-Policy")
	if m := csp.FindStringSubmatch(policy); m == nil || m[1] != "https://shop.example.com http://localhost:3000 https://*.acme.io https://chat.example.com" {
		t.Fatalf("frame-ancestors %q", policy)
	}
	if strings.Count(policy, "script-src") != 1 {
		t.Fatalf("policy injection: %q", policy)
	}
}

func TestFrameOfUnknownKeyIs404(t *testing.T) {
	e := newServer(t, fakeBuild(), &fake{})
	for _, key := range []string{"wk_nope", "x%3Cy"} {
		rec := get(e, "/widget/"+key+"/frame")
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("%s: %d %v", key, rec.Code, rec.Header())
		}
		if strings.Contains(rec.Body.String(), "<script") {
			t.Fatal("an error page with script")
		}
	}
}

func TestWithoutABuild(t *testing.T) {
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: tenant()}}
	e := newServer(t, fstest.MapFS{".gitkeep": {}}, f)
	rec := get(e, "/widget/"+testKey+".js")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	var p struct{ Code, Detail string }
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code != "unavailable" || !strings.Contains(p.Detail, "npm run build") {
		t.Fatalf("%s", rec.Body)
	}
	if rec := get(e, "/widget/"+testKey+"/frame"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("frame %d", rec.Code)
	}
	if rec := get(e, "/widget/assets/frame-abc123.js"); rec.Code != http.StatusNotFound {
		t.Fatalf("asset %d", rec.Code)
	}
}

func TestRegisterWithTheEmbeddedBuild(t *testing.T) {
	// Whatever dist holds (a build, or only .gitkeep on a fresh clone), the
	// routes register in a group beside others and answer without panicking.
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.GET("/widgetx", func(c *gin.Context) { c.Status(204) })
	f := &fake{tenants: map[string]contracts.WidgetTenant{testKey: tenant()}}
	Register(e.Group(""), Deps{Resolve: f.resolve, PublicURL: "http://localhost:8080"})
	rec := get(e, "/widget/"+testKey+".js")
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("%d", rec.Code)
	}
	if rec.Code == http.StatusOK {
		if strings.Contains(rec.Body.String(), configMarker) || !strings.Contains(rec.Body.String(), testKey) {
			t.Fatal("the built loader was not filled in")
		}
		page := get(e, "/widget/"+testKey+"/frame")
		src := regexp.MustCompile(`src="(/widget/assets/[^"]+\.js)"`).FindStringSubmatch(page.Body.String())
		if page.Code != http.StatusOK || src == nil {
			t.Fatalf("frame %d %s", page.Code, page.Body)
		}
		if a := get(e, src[1]); a.Code != http.StatusOK {
			t.Fatalf("%s: %d", src[1], a.Code)
		}
	}
}
