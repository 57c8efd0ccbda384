package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/gateway/internal/metrics"
	"github.com/parley-chat/parley/services/gateway/internal/realtime"
)

// healthz says the process is up.
func (a *API) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz says whether NATS, every service and its database answer, and
// whether the revocation list has caught up.
func (a *API) readyz(c *gin.Context) {
	checks := map[string]string{"nats": "ok", "revocations": "ok"}
	if !a.nc.IsConnected() {
		checks["nats"] = "disconnected"
	}
	if !a.revoked.Ready() {
		checks["revocations"] = "catching up"
	}
	ctx, cancel := context.WithTimeout(c, 2*time.Second)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, svc := range contracts.Services {
		wg.Go(func() {
			status := "ok"
			r, err := natsx.Call(ctx, a.nc, contracts.Health(svc), contracts.Empty{})
			switch {
			case err != nil:
				status = "unavailable"
			case r.Database != "ok":
				status = "database " + r.Database
			}
			mu.Lock()
			checks[svc] = status
			mu.Unlock()
		})
	}
	wg.Wait()
	code, overall := http.StatusOK, "ok"
	for _, v := range checks {
		if v != "ok" {
			code, overall = http.StatusServiceUnavailable, "unavailable"
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(code, gin.H{"status": overall, "checks": checks})
}

// newMetrics is the gateway's registry, with its gauges.
func newMetrics(hub *realtime.Hub) *metrics.Registry {
	m := metrics.New()
	m.Gauge("parley_websockets", "WebSockets open on this gateway (agents and visitors).", func() float64 { return float64(hub.Count()) })
	m.Gauge("parley_tenant_feeds", "Tenants whose events this gateway follows (one ordered consumer each, while it holds their sockets).", func() float64 { return float64(hub.Feeds()) })
	m.Gauge("go_goroutines", "Goroutines of the process.", func() float64 { return float64(runtime.NumGoroutine()) })
	m.Gauge("go_memstats_heap_inuse_bytes", "Bytes in in-use heap spans.", func() float64 {
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		return float64(s.HeapInuse)
	})
	return m
}

// serveMetrics answers Prometheus. It is off (404) unless PARLEY_METRICS_TOKEN
// is set, and then wants that token as a bearer token.
func (a *API) serveMetrics(c *gin.Context) {
	if a.cfg.MetricsToken == "" {
		fail(c, apperr.NotFoundf("metrics are off: set PARLEY_METRICS_TOKEN to turn them on"))
		return
	}
	if subtle.ConstantTimeCompare([]byte(bearer(c)), []byte(a.cfg.MetricsToken)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="parley-metrics"`)
		fail(c, apperr.New(apperr.Unauthenticated, "the metrics token is missing or wrong"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	c.Status(http.StatusOK)
	_ = a.metrics.Write(c.Writer)
}
