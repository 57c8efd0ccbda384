package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/problem"
	"github.com/parley-chat/parley/services/gateway/internal/metrics"
)

const requestIDKey = "request_id"

// fail writes err as problem+json and stops the chain.
func fail(c *gin.Context, err error) {
	problem.Write(c.Writer, err, c.GetString(requestIDKey))
	c.Abort()
}

// requestID tags the request, its log line and its NATS calls with one id.
func requestID(c *gin.Context) {
	id := ids.New()
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	c.Request = c.Request.WithContext(natsx.WithCorrelation(c.Request.Context(), id))
	c.Next()
}

// deadline bounds the NATS requests a handler makes by the configured
// request timeout, so a service that died mid-request costs the caller a
// prompt 503 rather than a hang.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// accessLog logs one line per request, and counts it, with the route
// template, not the path.
func accessLog(log *slog.Logger, m *metrics.Registry) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "(unmatched)"
		}
		m.Observe(c.Request.Method, route, c.Writer.Status(), took)
		log.Info("http", "method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"duration_ms", float64(took.Microseconds())/1000, "client_ip", c.ClientIP(),
			"request_id", c.GetString(requestIDKey))
	}
}

// recovery turns a panic into a logged 500 problem.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic in handler", "panic", r, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
				fail(c, apperr.New(apperr.Internal, "internal error"))
			}
		}()
		c.Next()
	}
}

// strictTransport tells browsers to reach this Parley only over HTTPS for a
// year (HSTS), on every response, when its public URL is https. Not for
// subdomains: a self-hosted Parley may share its domain with other sites.
func strictTransport(c *gin.Context) {
	c.Header("Strict-Transport-Security", "max-age=31536000")
	c.Next()
}

// apiHeaders are set on every API response: nothing is cached, sniffed,
// framed or leaked through Referer.
func apiHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.Next()
}

func notFound(c *gin.Context) { fail(c, apperr.NotFoundf("no such route")) }

func methodNotAllowed(c *gin.Context) {
	fail(c, apperr.New(apperr.MethodNotAllowed, "%s is not allowed here", c.Request.Method))
}
