package scim

import (
	"math"
	"sync"
	"time"
)

// RateLimiter decides whether a tenant may make another request now. When
// it may not, the handler answers 429 with a Retry-After of the returned
// wait, which Okta and Entra ID both honour.
type RateLimiter interface {
	Allow(tenant string) (ok bool, retryAfter time.Duration)
}

// TokenBucket is a ready RateLimiter: one bucket per tenant, refilled at
// Rate tokens a second up to Burst. It is safe for concurrent use.
type TokenBucket struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewTokenBucket returns a limiter that allows each tenant rate requests a
// second on average and bursts of up to burst. Entra ID expects at least 25
// requests a second per tenant from gallery apps. now is the clock (nil
// means time.Now).
func NewTokenBucket(rate float64, burst int, now func() time.Time) *TokenBucket {
	if now == nil {
		now = time.Now
	}
	return &TokenBucket{rate: rate, burst: float64(max(burst, 1)), now: now, buckets: map[string]*bucket{}}
}

// Allow implements RateLimiter.
func (tb *TokenBucket) Allow(tenant string) (bool, time.Duration) {
	now := tb.now()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	b, ok := tb.buckets[tenant]
	if !ok {
		b = &bucket{tokens: tb.burst, last: now}
		tb.buckets[tenant] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(tb.burst, b.tokens+elapsed*tb.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if tb.rate <= 0 {
		return false, time.Hour
	}
	wait := time.Duration((1 - b.tokens) / tb.rate * float64(time.Second))
	return false, wait
}

var _ RateLimiter = (*TokenBucket)(nil)
