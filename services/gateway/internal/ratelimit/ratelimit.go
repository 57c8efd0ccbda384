// Package ratelimit holds the gateway's token buckets. They live in memory,
// per gateway replica: with N replicas behind a balancer a client gets up
// to N times a limit, which is still far from a flood. Limits that must
// hold across replicas (failed logins, a visitor's share of the quota) are
// kept by the service that owns the data.
package ratelimit

import (
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Limiter is a token bucket per key. A nil Limiter allows everything.
type Limiter struct {
	mu      sync.Mutex
	n       int
	per     time.Duration
	burst   int
	buckets map[string]*Bucket
	swept   time.Time
}

// New lets n requests per key through per period, all at once if they come
// at once (burst n). n 0 means no limit (nil).
func New(n int, per time.Duration) *Limiter { return NewBurst(n, per, n) }

// NewBurst lets burst requests through at once, then n per period.
func NewBurst(n int, per time.Duration, burst int) *Limiter {
	if n <= 0 {
		return nil
	}
	return &Limiter{n: n, per: per, burst: burst, buckets: map[string]*Bucket{}, swept: time.Now()}
}

// Allow takes a token for key, or says how long until one is free.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// A bucket idle long enough to be full again is the same as none.
		full := l.per * time.Duration(l.burst) / time.Duration(l.n)
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = NewBucket(l.n, l.per, l.burst, now)
		l.buckets[key] = b
	}
	return b.Take(now)
}

// Bucket is one token bucket, for one owner (not safe for concurrent use).
type Bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// NewBucket is a full bucket of burst tokens, refilled at n per period.
func NewBucket(n int, per time.Duration, burst int, now time.Time) *Bucket {
	return &Bucket{rate: float64(n) / per.Seconds(), burst: float64(burst), tokens: float64(burst), last: now}
}

// Take takes a token, or says how long until one is free.
func (b *Bucket) Take(now time.Time) (bool, time.Duration) {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// Visitors limits the conversations anonymous visitors start and the
// messages they send, per visitor and per client IP, on REST and socket
// alike. A nil Visitors allows everything.
type Visitors struct {
	startsByVisitor, startsByIP     *Limiter
	messagesByVisitor, messagesByIP *Limiter
}

// NewVisitors applies the configured limits.
func NewVisitors(l config.Limits) *Visitors {
	return &Visitors{
		startsByVisitor: New(l.VisitorStartsPerHour, time.Hour), startsByIP: New(l.IPStartsPerHour, time.Hour),
		messagesByVisitor: New(l.VisitorMessagesPerMinute, time.Minute), messagesByIP: New(l.IPMessagesPerMinute, time.Minute),
	}
}

// Start takes a visitor's conversation start: nil, or 429 with the wait.
func (v *Visitors) Start(a contracts.Actor) error {
	if v == nil {
		return nil
	}
	return check(a, v.startsByVisitor, v.startsByIP, "conversations")
}

// Message takes a visitor's message: nil, or 429 with the wait.
func (v *Visitors) Message(a contracts.Actor) error {
	if v == nil {
		return nil
	}
	return check(a, v.messagesByVisitor, v.messagesByIP, "messages")
}

func check(a contracts.Actor, byVisitor, byIP *Limiter, what string) error {
	now := time.Now()
	if ok, wait := byVisitor.Allow(a.TenantID+"/"+a.ID, now); !ok {
		return limited(wait, what, "visitor")
	}
	if a.IP == "" {
		return nil
	}
	if ok, wait := byIP.Allow(Network(a.IP), now); !ok {
		return limited(wait, what, "network")
	}
	return nil
}

// limited is 429 saying what was limited, for whom, and for how long.
func limited(wait time.Duration, what, who string) error {
	e := apperr.RateLimitedFor(wait)
	e.Message = fmt.Sprintf("too many %s from this %s; try again in %s", what, who, e.RetryAfter.Round(time.Second))
	return e
}

// Network is the key of a client IP's limits: the address, or for IPv6 its
// /64, the block one subscriber gets (one machine can use all of it).
func Network(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if addr = addr.Unmap(); addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
