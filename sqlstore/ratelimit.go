package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/scimkit/scim"
)

// RateLimitConfig describes a RateLimiter.
type RateLimitConfig struct {
	// Dialect is the database's SQL dialect. Required.
	Dialect Dialect
	// Table is the counters table, optionally schema-qualified; Schema
	// creates it. Default "scim_rate_limits".
	Table string
	// Limit is how many requests a tenant may make in a Window, across
	// all replicas. Required.
	Limit int
	// Window is the length of a counting window. Default one second.
	Window time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnError, when set, is told of a failed database round trip. The
	// request is allowed then (the limiter fails open): a database that
	// cannot count requests cannot serve them either, and refusing them
	// with 429 would only add IdP failures to the outage.
	OnError func(error)
}

// RateLimiter is a scim.RateLimiter whose budgets hold across replicas:
// each tenant has one counter row in the database, counting its requests
// in fixed windows (Limit per Window), incremented atomically by one
// upsert per request (INSERT … ON CONFLICT DO UPDATE … RETURNING on
// PostgreSQL and SQLite, ON DUPLICATE KEY UPDATE with LAST_INSERT_ID on
// MySQL). However many replicas serve a tenant, together they allow it
// Limit requests a window; over it, a request gets 429 with a Retry-After
// of the rest of the window.
//
// A fixed window lets a tenant make up to 2×Limit requests across a
// window boundary; size Limit for that. Replicas' clocks should agree to
// well within a Window: a counter never moves back to an earlier window,
// so a replica whose clock is behind counts into the current one.
//
// Microsoft Entra ID's provisioning of non-gallery apps does not slow
// down when answered 429, and it quarantines an app whose requests fail
// more than 40% of the time: set Limit well above the rate Entra sends
// (gallery apps must sustain 25 requests a second per tenant), so that
// the limit stops a runaway client, not routine provisioning.
type RateLimiter struct {
	db  *sql.DB
	cfg RateLimitConfig
	q   string
}

var _ scim.RateLimiterContext = (*RateLimiter)(nil)

// NewRateLimiter returns a RateLimiter over db's counters table (see
// RateLimitConfig.Schema). It does not touch the database.
func NewRateLimiter(db *sql.DB, cfg RateLimitConfig) (*RateLimiter, error) {
	if db == nil {
		return nil, errors.New("sqlstore: NewRateLimiter needs a *sql.DB")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	l := &RateLimiter{db: db, cfg: cfg}
	switch cfg.Dialect {
	case PostgreSQL:
		l.q = "INSERT INTO " + cfg.Table + " (tenant, win, n) VALUES ($1, $2, 1) ON CONFLICT (tenant) DO UPDATE SET " +
			"n = CASE WHEN " + bare(cfg.Table) + ".win >= EXCLUDED.win THEN " + bare(cfg.Table) + ".n + 1 ELSE 1 END, " +
			"win = GREATEST(" + bare(cfg.Table) + ".win, EXCLUDED.win) RETURNING n, win"
	case SQLite:
		l.q = "INSERT INTO " + cfg.Table + " (tenant, win, n) VALUES (?, ?, 1) ON CONFLICT (tenant) DO UPDATE SET " +
			"n = CASE WHEN win >= excluded.win THEN n + 1 ELSE 1 END, win = max(win, excluded.win) RETURNING n, win"
	case MySQL:
		// Assignments run left to right: n sees the old win. The new n
		// comes back as the statement's LAST_INSERT_ID.
		l.q = "INSERT INTO " + cfg.Table + " (tenant, win, n) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE " +
			"n = LAST_INSERT_ID(IF(win >= VALUES(win), n + 1, 1)), win = GREATEST(win, VALUES(win))"
	}
	return l, nil
}

func (c RateLimitConfig) validate() error {
	if c.Dialect != PostgreSQL && c.Dialect != MySQL && c.Dialect != SQLite {
		return fmt.Errorf("sqlstore: RateLimitConfig.Dialect %v is not PostgreSQL, MySQL or SQLite", c.Dialect)
	}
	if c.Limit <= 0 {
		return fmt.Errorf("sqlstore: RateLimitConfig.Limit %d: must be positive", c.Limit)
	}
	if c.Window < 0 {
		return fmt.Errorf("sqlstore: RateLimitConfig.Window %v: must not be negative", c.Window)
	}
	if c := c.withDefaults(); !identifier.MatchString(c.Table) {
		return fmt.Errorf("sqlstore: RateLimitConfig.Table %q is not an SQL identifier", c.Table)
	}
	return nil
}

func (c RateLimitConfig) withDefaults() RateLimitConfig {
	if c.Table == "" {
		c.Table = "scim_rate_limits"
	}
	if c.Window == 0 {
		c.Window = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Schema returns the statement that creates the counters table: a row per
// tenant with its window number and count.
func (c RateLimitConfig) Schema() ([]string, error) {
	if c.Dialect == 0 && c.Limit == 0 {
		return nil, errors.New("sqlstore: RateLimitConfig.Schema needs Dialect and Limit")
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	tenant := "TEXT"
	if c.Dialect == MySQL {
		tenant = "VARCHAR(255)"
	}
	create := "CREATE TABLE " + c.Table + " (tenant " + tenant + " NOT NULL PRIMARY KEY, win BIGINT NOT NULL, n BIGINT NOT NULL)"
	if c.Dialect == MySQL {
		create += " DEFAULT CHARSET=utf8mb4"
	}
	return []string{create}, nil
}

// Allow implements scim.RateLimiter, without a deadline; the handler
// calls AllowContext.
func (l *RateLimiter) Allow(tenant string) (bool, time.Duration) {
	return l.AllowContext(context.Background(), tenant)
}

// AllowContext implements scim.RateLimiterContext: it counts the request
// and allows it when the tenant's count in the current window is within
// Limit.
func (l *RateLimiter) AllowContext(ctx context.Context, tenant string) (bool, time.Duration) {
	now := l.cfg.Now()
	win := now.UnixNano() / int64(l.cfg.Window)
	n, at, err := l.count(ctx, tenant, win)
	if err != nil {
		if l.cfg.OnError != nil {
			l.cfg.OnError(fmt.Errorf("sqlstore: rate limit of tenant %q: %w", tenant, err))
		}
		return true, 0
	}
	if n <= int64(l.cfg.Limit) {
		return true, 0
	}
	return false, time.Unix(0, (at+1)*int64(l.cfg.Window)).Sub(now)
}

// count adds one to the tenant's count in window win (or a later one
// another replica already counts in) and returns the count and window.
func (l *RateLimiter) count(ctx context.Context, tenant string, win int64) (n, at int64, err error) {
	if l.cfg.Dialect != MySQL {
		err = l.db.QueryRowContext(ctx, l.q, tenant, win).Scan(&n, &at)
		return n, at, err
	}
	res, err := l.db.ExecContext(ctx, l.q, tenant, win)
	if err != nil {
		return 0, 0, err
	}
	affected, err := res.RowsAffected()
	if err != nil {
		return 0, 0, err
	}
	if affected == 1 { // inserted: the first request of the tenant
		return 1, win, nil
	}
	n, err = res.LastInsertId()
	return n, win, err
}
