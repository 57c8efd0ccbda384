package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/services/gateway/internal/ratelimit"
)

// perIP limits a route group by client IP (in memory, per gateway replica:
// see package ratelimit). It blunts floods on the unauthenticated auth
// endpoints; the exact brute-force limit on passwords lives in identity,
// which every replica shares.
func perIP(l *ratelimit.Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, wait := l.Allow(ratelimit.Network(c.ClientIP()), time.Now()); !ok {
			fail(c, apperr.RateLimitedFor(wait))
			return
		}
		c.Next()
	}
}
