package widgetweb

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/problem"
	"github.com/parley-chat/parley/services/gateway/internal/asset"
)

//go:embed all:dist
var embedded embed.FS

// Deps is what the widget routes need from the gateway.
type Deps struct {
	// Resolve returns the tenant of an active, enabled widget key, or an
	// apperr NotFound error for unknown and disabled keys.
	Resolve func(ctx context.Context, widgetKey string) (contracts.WidgetTenant, error)
	// PublicURL is Parley's browser-facing base URL: the panel is framed
	// from its origin, and the loader posts messages to exactly that origin.
	PublicURL string
	// Log receives one line at start-up saying whether a build was found.
	Log *slog.Logger
}

// Cache lifetimes. The loader carries the tenant's settings (allowed
// domains, colours), so browsers revalidate it on every page load (a 304
// while it is unchanged): a change applies at the next load, not a minute later.
const (
	loaderMaxAge  = "no-cache"
	unknownMaxAge = "no-cache"
	assetMaxAge   = "public, max-age=31536000, immutable"
)

// configMarker is where the loader takes its settings; frameMarker is where
// the frame page takes its {key, allowed} JSON.
const (
	configMarker = "__PARLEY_CONFIG__"
	frameMarker  = "<!--parley-config-->"
)

// Register serves the widget routes on r.
func Register(r gin.IRouter, deps Deps) {
	dist, err := fs.Sub(embedded, "dist")
	if err != nil { // cannot happen: "dist" is embedded
		panic(err)
	}
	register(r, dist, deps)
}

func register(r gin.IRouter, dist fs.FS, deps Deps) *server {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Resolve == nil {
		deps.Resolve = func(context.Context, string) (contracts.WidgetTenant, error) {
			return contracts.WidgetTenant{}, apperr.NotFoundf("no such widget")
		}
	}
	s := load(dist, deps)
	switch {
	case s.loader == nil || s.frame == nil:
		deps.Log.Warn("widget not built: /widget/<key>.js answers 503; run `npm ci && npm run build` in frontend/widget, then rebuild")
	case s.origin == "":
		deps.Log.Error("widget disabled: PublicURL is not an http(s) URL", "public_url", deps.PublicURL)
	default:
		deps.Log.Info("widget embedded", "assets", len(s.assets))
	}
	r.GET("/widget/:file", s.serveLoader)
	r.HEAD("/widget/:file", s.serveLoader)
	r.GET("/widget/:file/frame", s.serveFrame)
	r.GET("/widget/assets/*filepath", s.serveAsset)
	r.HEAD("/widget/assets/*filepath", s.serveAsset)
	return s
}

type server struct {
	deps   Deps
	origin string                 // Parley's origin, from PublicURL
	assets map[string]*asset.File // "assets/…" paths
	loader []byte                 // dist/loader.js; nil without a build
	frame  []byte                 // dist/frame.html; nil without a build
	cache  loaders
}

func load(dist fs.FS, deps Deps) *server {
	s := &server{deps: deps, origin: originOf(deps.PublicURL), assets: map[string]*asset.File{}}
	_ = fs.WalkDir(dist, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return nil
		}
		body, err := fs.ReadFile(dist, name)
		if err != nil {
			deps.Log.Error("widget file unreadable", "file", name, "err", err)
			return nil
		}
		switch {
		case name == "loader.js":
			if bytes.Count(body, []byte(configMarker)) == 1 {
				s.loader = body
			} else {
				deps.Log.Error("widget loader.js has no single " + configMarker + " marker; rebuild frontend/widget")
			}
		case name == "frame.html":
			if bytes.Contains(body, []byte(frameMarker)) {
				s.frame = body
			} else {
				deps.Log.Error("widget frame.html has no " + frameMarker + " marker; rebuild frontend/widget")
			}
		case strings.HasPrefix(name, "assets/"):
			s.assets[name] = asset.New(name, body)
		}
		return nil
	})
	return s
}

// originOf is scheme://host[:port] of an http(s) URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validHost.MatchString(u.Host) {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func fail(c *gin.Context, err error) {
	c.Header("X-Content-Type-Options", "nosniff")
	problem.Write(c.Writer, err, c.GetString("request_id"))
	c.Abort()
}

// validKey is the shape of a widget key ("wk_" and hex today); anything else
// is unknown without asking the tenant service.
var validKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validHost is a host[:port] that cannot break out of a CSP source.
var validHost = regexp.MustCompile(`^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

func notBuilt() error {
	return apperr.New(apperr.Unavailable, "the chat widget is not built: run `npm ci && npm run build` in frontend/widget, then rebuild Parley")
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// serveAsset serves a hashed panel file.
func (s *server) serveAsset(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean("/assets/"+c.Param("filepath")), "/")
	f, ok := s.assets[name]
	if !ok {
		fail(c, apperr.NotFoundf("no such widget asset"))
		return
	}
	c.Header("Cross-Origin-Resource-Policy", "same-origin")
	f.Write(c, assetMaxAge)
}
