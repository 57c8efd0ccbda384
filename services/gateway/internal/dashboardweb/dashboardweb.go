package dashboardweb

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/parley-chat/parley/services/gateway/internal/asset"
)

//go:embed all:dist
var embedded embed.FS

// Deps is what the dashboard needs from the gateway.
type Deps struct {
	// Log receives one line at start-up saying whether a build was found.
	Log *slog.Logger
	// APINotFound answers paths the dashboard must not claim (the API's
	// problem+json 404). The dashboard takes over gin's NoRoute, so it calls
	// this for every reserved or non-GET path it does not serve.
	APINotFound gin.HandlerFunc
}

// Register serves the dashboard on e: "/" and "/assets/*filepath" as routes,
// and every other unmatched GET path through e.NoRoute (the SPA fallback).
// It replaces any NoRoute handler set before; unmatched API paths still get
// deps.APINotFound.
func Register(e *gin.Engine, deps Deps) {
	dist, err := fs.Sub(embedded, "dist")
	if err != nil { // cannot happen: "dist" is a valid, embedded path
		panic(err)
	}
	register(e, dist, deps)
}

func register(e *gin.Engine, dist fs.FS, deps Deps) {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.APINotFound == nil {
		deps.APINotFound = func(c *gin.Context) {
			c.AbortWithStatus(http.StatusNotFound)
		}
	}
	s := load(dist, deps)
	if s.index == nil {
		deps.Log.Warn("dashboard not built: / answers 503; run `npm ci && npm run build` in frontend/dashboard, then rebuild")
	} else {
		deps.Log.Info("dashboard embedded", "files", len(s.files))
	}
	e.GET("/", s.page)
	e.HEAD("/", s.page)
	e.GET("/assets/*filepath", s.asset)
	e.HEAD("/assets/*filepath", s.asset)
	e.NoRoute(s.fallback)
}

type site struct {
	files       map[string]*asset.File // by slash path without the leading "/"
	index       *asset.File            // nil without a build
	preview     *asset.File            // the widget preview page, when built
	apiNotFound gin.HandlerFunc
}

// reserved are the path roots that belong to the API and the widget; the SPA
// fallback never answers under them.
var reserved = []string{"/api", "/widget", "/.well-known", "/healthz", "/readyz", "/metrics", "/webhooks"}

func isReserved(p string) bool {
	for _, r := range reserved {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

func load(dist fs.FS, deps Deps) *site {
	s := &site{files: map[string]*asset.File{}, apiNotFound: deps.APINotFound}
	_ = fs.WalkDir(dist, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return nil
		}
		body, err := fs.ReadFile(dist, name)
		if err != nil {
			deps.Log.Error("dashboard file unreadable", "file", name, "err", err)
			return nil
		}
		s.files[name] = asset.New(name, body)
		return nil
	})
	s.index = s.files["index.html"]
	s.preview = s.files["preview.html"]
	return s
}

// page serves index.html (the SPA shell) or, without a build, the 503 page.
func (s *site) page(c *gin.Context) {
	if s.index == nil {
		s.notBuilt(c)
		return
	}
	s.html(c, s.index)
}

// html serves an HTML document with a fresh script nonce.
func (s *site) html(c *gin.Context, f *asset.File) {
	nonce := newNonce()
	setSecurityHeaders(c, documentCSP(c.Request.Host, nonce))
	asset.WriteGenerated(c, http.StatusOK, "text/html; charset=utf-8", "no-cache", withNonce(f.Body, nonce))
}

// asset serves a hashed build file from /assets/, immutable for a year.
func (s *site) asset(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean("/assets/"+c.Param("filepath")), "/")
	f, ok := s.files[name]
	if !ok || !strings.HasPrefix(name, "assets/") {
		s.missing(c)
		return
	}
	s.static(c, f, "public, max-age=31536000, immutable")
}

// fallback answers every path no route matched: reserved and non-GET paths
// get the API's 404, files at the root of the build are served as they are,
// other file-like paths get a 404, and everything else gets the SPA shell.
func (s *site) fallback(c *gin.Context) {
	p := c.Request.URL.Path
	if isReserved(p) || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		s.apiNotFound(c)
		return
	}
	clean := path.Clean("/" + p)
	if clean == "/preview" && s.preview != nil {
		s.html(c, s.preview)
		return
	}
	name := strings.TrimPrefix(clean, "/")
	if f, ok := s.files[name]; ok && !strings.HasPrefix(name, "assets/") {
		if strings.HasSuffix(name, ".html") {
			s.html(c, f)
			return
		}
		// Files from Vite's public/ keep their names, so they must be revalidated.
		s.static(c, f, "no-cache")
		return
	}
	if strings.Contains(path.Base(clean), ".") {
		s.missing(c)
		return
	}
	s.page(c)
}

func (s *site) static(c *gin.Context, f *asset.File, cacheControl string) {
	setSecurityHeaders(c, staticCSP)
	f.Write(c, cacheControl)
}

func (s *site) missing(c *gin.Context) {
	setSecurityHeaders(c, staticCSP)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 not found\n"))
}

const notBuiltStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}`

var (
	notBuiltCSP = strings.Join([]string{
		"default-src 'none'",
		"style-src 'sha256-" + sha256Base64(notBuiltStyle) + "'",
		"base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
	}, "; ")
	notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley dashboard not built</title><style>` +
		notBuiltStyle + `</style></head><body><h1>The dashboard has not been built</h1>` +
		`<p>This Parley binary was compiled without the dashboard's files. Build them, then build Parley again:</p>` +
		`<p><code>cd frontend/dashboard &amp;&amp; npm ci &amp;&amp; npm run build</code></p>` +
		`<p>The API under <code>/api/v1</code> works without them.</p></body></html>`
)

func (s *site) notBuilt(c *gin.Context) {
	setSecurityHeaders(c, notBuiltCSP)
	c.Header("Cache-Control", "no-store")
	c.Header("Retry-After", "60")
	c.Data(http.StatusServiceUnavailable, "text/html; charset=utf-8", []byte(notBuiltPage))
}

func sha256Base64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
