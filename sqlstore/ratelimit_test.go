package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scim/sqlstore"
)

// limitsTable creates a uniquely named counters table and drops it when
// the test ends.
func (d database) limitsTable(t testing.TB, db *sql.DB, cfg sqlstore.RateLimitConfig) sqlstore.RateLimitConfig {
	t.Helper()
	cfg.Dialect = d.dialect
	cfg.Table = "scim_limits_" + strings.ToLower(rand.Text()[:10])
	for _, s := range must(cfg.Schema())(t) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s\n%v", s, err)
		}
	}
	t.Cleanup(func() { db.Exec("DROP TABLE " + cfg.Table) })
	return cfg
}

// TestRateLimiter runs two limiters (two replicas) on one table: together
// they allow a tenant exactly its Limit in a window, whatever the
// concurrency, and each tenant has its own budget.
func TestRateLimiter(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		var dbErrs atomic.Int32
		cfg := d.limitsTable(t, db, sqlstore.RateLimitConfig{Limit: 10, Window: time.Minute, Now: c.Now,
			OnError: func(err error) { dbErrs.Add(1); t.Error(err) }})
		limiters := []*sqlstore.RateLimiter{must(sqlstore.NewRateLimiter(db, cfg))(t), must(sqlstore.NewRateLimiter(db, cfg))(t)}

		burst := func(tenant string, n int) (allowed int, waits []time.Duration) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					ok, wait := limiters[i%2].AllowContext(bg, tenant)
					mu.Lock()
					defer mu.Unlock()
					if ok {
						allowed++
					} else {
						waits = append(waits, wait)
					}
				})
			}
			wg.Wait()
			return allowed, waits
		}
		allowed, waits := burst("acme", 40)
		if allowed != 10 {
			t.Errorf("%d of 40 requests allowed through two replicas, want the tenant's budget of 10", allowed)
		}
		for _, w := range waits {
			if w != time.Minute {
				t.Errorf("Retry-After %v, want the rest of the window (1m)", w)
				break
			}
		}
		if allowed, _ := burst("globex", 12); allowed != 10 {
			t.Errorf("another tenant: %d of 12 allowed, want its own 10", allowed)
		}
		c.Add(45 * time.Second)
		if ok, wait := limiters[1].Allow("acme"); ok || wait != 15*time.Second {
			t.Errorf("later in the window: %v %v, want refused for 15s", ok, wait)
		}
		c.Add(15 * time.Second)
		if allowed, _ := burst("acme", 15); allowed != 10 {
			t.Errorf("next window: %d of 15 allowed, want 10", allowed)
		}
		if dbErrs.Load() != 0 {
			t.Errorf("%d database errors", dbErrs.Load())
		}
	})
}

// TestRateLimiterFailsOpen: without its table the limiter allows requests
// and reports the error.
func TestRateLimiterFailsOpen(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		var got error
		l := must(sqlstore.NewRateLimiter(db, sqlstore.RateLimitConfig{Dialect: d.dialect, Table: "scim_no_such_limits", Limit: 1,
			OnError: func(err error) { got = err }}))(t)
		if ok, _ := l.Allow("acme"); !ok || got == nil {
			t.Errorf("Allow without a table: %v, error %v; want allowed and the error reported", ok, got)
		}
	})
}
