package scim

import (
	"context"
	"time"
)

// RateLimiterContext is a RateLimiter that takes the request's context,
// for limiters that keep their counts in a database or another service
// (sqlstore.RateLimiter): the handler calls AllowContext, so that the
// request's deadline and cancellation reach the lookup.
type RateLimiterContext interface {
	RateLimiter
	AllowContext(ctx context.Context, tenant string) (ok bool, retryAfter time.Duration)
}

// allowRequest asks rl whether the tenant of ctx may make a request now,
// through AllowContext when rl has it.
func allowRequest(ctx context.Context, rl RateLimiter) (bool, time.Duration) {
	if rc, ok := rl.(RateLimiterContext); ok {
		return rc.AllowContext(ctx, TenantFrom(ctx))
	}
	return rl.Allow(TenantFrom(ctx))
}
