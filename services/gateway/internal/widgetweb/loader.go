package widgetweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/gateway/internal/asset"
)

// loaderConfig is what the loader needs, inlined as JSON (see
// frontend/widget/src/loader/config.ts).
type loaderConfig struct {
	Key                string   `json:"key"`
	Origin             string   `json:"origin"`
	Name               string   `json:"name"`
	Color              string   `json:"color"`
	Position           string   `json:"position"`
	LauncherText       string   `json:"launcherText"`
	GreetingAnonymous  string   `json:"greetingAnonymous"`
	GreetingIdentified string   `json:"greetingIdentified"`
	GreetingDelay      int      `json:"greetingDelay"`
	Theme              string   `json:"theme"`
	Locale             string   `json:"locale"`
	Allowed            []string `json:"allowed"`
}

func newLoaderConfig(key, origin string, wt contracts.WidgetTenant) loaderConfig {
	w := wt.Settings.Widget
	allowed := withSelf(wt.Settings.AllowedDomains, origin)
	return loaderConfig{
		Key: key, Origin: origin, Name: wt.Name, Color: w.Color, Position: w.Position, LauncherText: w.LauncherText,
		GreetingAnonymous: w.GreetingAnonymous, GreetingIdentified: w.GreetingIdentified, GreetingDelay: w.GreetingDelaySeconds,
		Theme: w.Theme, Locale: w.Locale, Allowed: allowed,
	}
}

// maxLoaders bounds the per-key cache of built loaders.
const maxLoaders = 10_000

// loaders caches each key's loader, rebuilt when its settings change.
type loaders struct {
	mu sync.Mutex
	m  map[string]loaderEntry
}

type loaderEntry struct {
	config string
	f      *asset.File
}

func (l *loaders) get(key string, config []byte, build func() *asset.File) *asset.File {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.m[key]; ok && e.config == string(config) {
		return e.f
	}
	if l.m == nil || len(l.m) >= maxLoaders {
		l.m = map[string]loaderEntry{}
	}
	f := build()
	l.m[key] = loaderEntry{config: string(config), f: f}
	return f
}

// serveLoader serves /widget/<key>.js.
func (s *server) serveLoader(c *gin.Context) {
	key, ok := strings.CutSuffix(c.Param("file"), ".js")
	if !ok {
		fail(c, apperr.NotFoundf("no such route"))
		return
	}
	if s.loader == nil || s.frame == nil {
		fail(c, notBuilt())
		return
	}
	if s.origin == "" {
		fail(c, apperr.New(apperr.Unavailable, "the chat widget is unavailable: PARLEY_PUBLIC_URL is not an http(s) URL"))
		return
	}
	c.Header("Cross-Origin-Resource-Policy", "cross-origin")
	if !validKey.MatchString(key) {
		s.unknown(c, key)
		return
	}
	wt, err := s.deps.Resolve(c.Request.Context(), key)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !wt.Settings.Widget.Enabled) {
		s.unknown(c, key)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	config, err := json.Marshal(newLoaderConfig(key, s.origin, wt))
	if err != nil {
		fail(c, err)
		return
	}
	f := s.cache.get(key, config, func() *asset.File {
		return asset.New("loader.js", bytes.Replace(s.loader, []byte(configMarker), config, 1))
	})
	f.Write(c, loaderMaxAge)
}

// unknown answers an unknown or disabled key with a script that warns once
// and does nothing.
func (s *server) unknown(c *gin.Context, key string) {
	if len(key) > 64 {
		key = key[:64] + "…"
	}
	msg, _ := json.Marshal("Parley: the chat widget key \"" + key + "\" is unknown or disabled; nothing is shown.")
	body := append(append([]byte("console.warn("), msg...), ");\n"...)
	asset.WriteGenerated(c, http.StatusOK, "text/javascript; charset=utf-8", unknownMaxAge, body)
}

// withSelf adds Parley's own origin to a non-empty allowed list, so the
// dashboard's preview page can show the widget whatever the tenant allows.
// An empty list (every site) stays empty.
func withSelf(allowed []string, origin string) []string {
	if len(allowed) == 0 {
		return []string{}
	}
	return append(append([]string{}, allowed...), origin)
}
