package httpapi

import (
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
)

// limiter is a per-key token bucket, kept in memory per gateway replica. It
// blunts floods on the unauthenticated auth endpoints; the exact brute-force
// limit on passwords lives in identity, which every replica shares.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute int) *limiter { return newBurstLimiter(perMinute, perMinute) }

// newBurstLimiter lets burst requests through at once, then perMinute.
func newBurstLimiter(perMinute, burst int) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}, swept: time.Now()}
}

// allow takes a token for key, or says how long until one is free.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.last) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// perIP limits a route group by client IP.
func (l *limiter) perIP(c *gin.Context) {
	if ok, wait := l.allow(c.ClientIP(), time.Now()); !ok {
		fail(c, apperr.RateLimitedFor(wait))
		return
	}
	c.Next()
}
