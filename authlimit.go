package scim

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// failedAuth blocks client addresses that spent their budget of failed
// bearer tokens (Config.FailedAuthLimiter). A blocked address gets a 429
// before its token is looked at, so that guessing stops rather than goes
// on at the price of a different status code.
type failedAuth struct {
	limiter RateLimiter
	now     func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // address → end of its block
	prune int                  // prune expired blocks when until grows past this
}

// clientAddr is the host part of r.RemoteAddr: the connection's peer, or
// whatever the host's proxy middleware put there.
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// blocked returns the time left of addr's block, or 0.
func (f *failedAuth) blocked(addr string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	end, ok := f.until[addr]
	if !ok {
		return 0
	}
	left := end.Sub(f.now())
	if left <= 0 {
		delete(f.until, addr)
		return 0
	}
	return left
}

// failed records a failed attempt from addr and returns the block it
// earned, or 0 while addr is within its budget.
func (f *failedAuth) failed(addr string) time.Duration {
	ok, wait := f.limiter.Allow(addr)
	if ok {
		return 0
	}
	wait = max(wait, time.Second)
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.until == nil {
		f.until = map[string]time.Time{}
	}
	if len(f.until) >= max(f.prune, 1024) {
		// Many addresses: drop the expired blocks, in time amortised
		// over the inserts since the last pass.
		for a, end := range f.until {
			if !end.After(now) {
				delete(f.until, a)
			}
		}
		f.prune = 2 * len(f.until)
	}
	f.until[addr] = now.Add(wait)
	return wait
}

// tooManyFailures is the 429 for a blocked address.
func tooManyFailures(w http.ResponseWriter, wait time.Duration) *Error {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return errorf(http.StatusTooManyRequests, "", fmt.Sprintf("too many requests with invalid bearer tokens from this address; retry after %d seconds", secs))
}
