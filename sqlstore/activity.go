package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// ActivityConfig configures an Activity sink.
type ActivityConfig struct {
	// Dialect is the database's SQL dialect. Required.
	Dialect Dialect
	// Table names the events table; the health counts go in Table +
	// "_health". Default "scim_activity".
	Table string
	// MaxAge is how long events and counts are kept; older ones are pruned
	// as the sink flushes. Default 30 days.
	MaxAge time.Duration
	// MaxPending bounds the events waiting for the next flush; beyond it
	// events are dropped (and counted in a log record), so that a flood of
	// refused requests cannot grow memory. Default 10,000.
	MaxPending int
	// Logger receives flush errors. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Activity is a scim.ActivitySink and activitylog.Reader in the host's
// database, so that every replica's requests show on every replica's
// setup page. Record never touches the database: it appends events and
// adds to per-minute counters in memory, and Run (or Flush) writes them in
// one transaction, events as rows and counts as upserts of one row per
// tenant, client and minute. Pages therefore lag by up to a flush interval.
type Activity struct {
	db  *sql.DB
	cfg ActivityConfig

	mu      sync.Mutex
	events  []scim.Activity
	counts  map[countKey]*minuteCount
	dropped int
}

type countKey struct {
	tenant string
	client scim.Client
	minute int64
}

type minuteCount struct {
	requests, failures int
	last               int64 // Unix milliseconds
}

var activityTableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,50}$`)

// NewActivity returns a sink over db. Create its tables with Schema.
func NewActivity(db *sql.DB, cfg ActivityConfig) (*Activity, error) {
	if cfg.Dialect != PostgreSQL && cfg.Dialect != MySQL && cfg.Dialect != SQLite {
		return nil, fmt.Errorf("sqlstore: ActivityConfig.Dialect %v is not PostgreSQL, MySQL or SQLite", cfg.Dialect)
	}
	if cfg.Table == "" {
		cfg.Table = "scim_activity"
	}
	if !activityTableName.MatchString(cfg.Table) {
		return nil, fmt.Errorf("sqlstore: ActivityConfig.Table %q is not a plain identifier", cfg.Table)
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 30 * 24 * time.Hour
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Activity{db: db, cfg: cfg, counts: map[countKey]*minuteCount{}}, nil
}

// Schema returns the statements that create the sink's two tables and
// their index.
func (a *Activity) Schema() []string {
	t := a.cfg.Table
	id := "id INTEGER PRIMARY KEY AUTOINCREMENT"
	switch a.cfg.Dialect {
	case PostgreSQL:
		id = "id BIGSERIAL PRIMARY KEY"
	case MySQL:
		id = "id BIGINT AUTO_INCREMENT PRIMARY KEY"
	}
	// Times are Unix milliseconds: one portable, sortable type in all three.
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + t + ` (` + id + `, at BIGINT NOT NULL, tenant VARCHAR(255) NOT NULL,
	kind VARCHAR(16) NOT NULL, user_id VARCHAR(255) NOT NULL, user_name TEXT NOT NULL, status INTEGER NOT NULL,
	scim_type VARCHAR(32) NOT NULL, detail TEXT NOT NULL, request_id VARCHAR(64) NOT NULL, method VARCHAR(16) NOT NULL,
	path TEXT NOT NULL, token_label TEXT NOT NULL, client VARCHAR(32) NOT NULL)`,
		`CREATE INDEX ` + t + `_tenant_at ON ` + t + ` (tenant, at)`,
		`CREATE TABLE IF NOT EXISTS ` + t + `_health (tenant VARCHAR(255) NOT NULL, client VARCHAR(32) NOT NULL,
	minute BIGINT NOT NULL, requests INTEGER NOT NULL, failures INTEGER NOT NULL, last_at BIGINT NOT NULL,
	PRIMARY KEY (tenant, client, minute))`,
	}
}

// Record implements scim.ActivitySink. It only takes a lock and appends
// or adds in memory.
func (a *Activity) Record(_ context.Context, ac scim.Activity) {
	if ac.Time.IsZero() {
		ac.Time = a.cfg.Now()
	}
	ms := ac.Time.UnixMilli()
	k := countKey{ac.Tenant, ac.Client, ms / 60000}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.counts[k]
	if c == nil {
		c = &minuteCount{}
		a.counts[k] = c
	}
	c.requests++
	if ac.Failed() {
		c.failures++
	}
	c.last = max(c.last, ms)
	if ac.Kind == scim.ActivityRequest {
		return
	}
	if len(a.events) >= a.cfg.MaxPending {
		a.dropped++
		return
	}
	a.events = append(a.events, ac)
}

func (a *Activity) ph(n int) string { return a.cfg.Dialect.Placeholder(n) }

// Flush writes what Record collected since the last flush, in one
// transaction, and prunes rows older than MaxAge. On an error the
// collected activity is lost (it is a log, not a ledger) and the error
// returned.
func (a *Activity) Flush(ctx context.Context) error {
	a.mu.Lock()
	events, counts, dropped := a.events, a.counts, a.dropped
	a.events, a.counts, a.dropped = nil, map[countKey]*minuteCount{}, 0
	a.mu.Unlock()
	if dropped > 0 {
		a.cfg.Logger.WarnContext(ctx, "sqlstore: activity events dropped: more than MaxPending between flushes", "dropped", dropped)
	}
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: flushing activity: %w", err)
	}
	defer tx.Rollback()
	t := a.cfg.Table
	if len(events) > 0 {
		var phs []string
		for i := range 13 {
			phs = append(phs, a.ph(i+1))
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO `+t+` (at, tenant, kind, user_id, user_name, status, scim_type, detail, request_id, method, path, token_label, client) VALUES (`+strings.Join(phs, ", ")+`)`)
		if err != nil {
			return fmt.Errorf("sqlstore: flushing activity: %w", err)
		}
		defer ins.Close()
		for _, e := range events {
			if _, err := ins.ExecContext(ctx, e.Time.UnixMilli(), e.Tenant, string(e.Kind), e.ResourceID, e.ResourceName, e.Status,
				e.ScimType, e.Detail, e.RequestID, e.Method, e.Path, e.TokenLabel, string(e.Client)); err != nil {
				return fmt.Errorf("sqlstore: flushing activity: %w", err)
			}
		}
	}
	if len(counts) > 0 {
		q := `INSERT INTO ` + t + `_health (tenant, client, minute, requests, failures, last_at) VALUES (` +
			a.ph(1) + `, ` + a.ph(2) + `, ` + a.ph(3) + `, ` + a.ph(4) + `, ` + a.ph(5) + `, ` + a.ph(6) + `) `
		if a.cfg.Dialect == MySQL {
			q += `ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), failures = failures + VALUES(failures), last_at = GREATEST(last_at, VALUES(last_at))`
		} else {
			h := t + `_health`
			greatest := "GREATEST"
			if a.cfg.Dialect == SQLite {
				greatest = "MAX"
			}
			q += `ON CONFLICT (tenant, client, minute) DO UPDATE SET requests = ` + h + `.requests + excluded.requests, failures = ` +
				h + `.failures + excluded.failures, last_at = ` + greatest + `(` + h + `.last_at, excluded.last_at)`
		}
		up, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlstore: flushing activity: %w", err)
		}
		defer up.Close()
		for k, c := range counts {
			if _, err := up.ExecContext(ctx, k.tenant, string(k.client), k.minute, c.requests, c.failures, c.last); err != nil {
				return fmt.Errorf("sqlstore: flushing activity: %w", err)
			}
		}
	}
	cutoff := a.cfg.Now().Add(-a.cfg.MaxAge).UnixMilli()
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE at < `+a.ph(1), cutoff); err != nil {
		return fmt.Errorf("sqlstore: pruning activity: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+`_health WHERE minute < `+a.ph(1), cutoff/60000); err != nil {
		return fmt.Errorf("sqlstore: pruning activity: %w", err)
	}
	return tx.Commit()
}

// Run flushes every interval until ctx is done, then once more; errors
// are logged. Start it in a goroutine beside the server.
func (a *Activity) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := a.Flush(ctx); err != nil {
				a.cfg.Logger.ErrorContext(ctx, "sqlstore: activity flush failed", "error", err)
			}
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := a.Flush(final); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				a.cfg.Logger.ErrorContext(ctx, "sqlstore: activity flush failed", "error", err)
			}
			cancel()
			return
		}
	}
}

// Activities implements activitylog.Reader.
func (a *Activity) Activities(ctx context.Context, q activitylog.Query) (activitylog.Page, error) {
	var page activitylog.Page
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = min(max(q.Limit, 50), 500)
	}
	where := []string{"tenant = " + a.ph(1)}
	args := []any{q.Tenant}
	if q.Kind != "" {
		args = append(args, string(q.Kind))
		where = append(where, "kind = "+a.ph(len(args)))
	}
	if q.Name != "" {
		r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
		args = append(args, "%"+strings.ToLower(r.Replace(q.Name))+"%")
		where = append(where, "LOWER(user_name) LIKE "+a.ph(len(args))+" ESCAPE '!'")
	}
	rows, err := a.db.QueryContext(ctx, `SELECT at, kind, user_id, user_name, status, scim_type, detail, request_id, method, path, token_label, client FROM `+
		a.cfg.Table+` WHERE `+strings.Join(where, " AND ")+` ORDER BY at DESC, id DESC LIMIT `+fmt.Sprint(q.Limit+1)+` OFFSET `+fmt.Sprint(max(q.Offset, 0)), args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: reading activity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e scim.Activity
		var at int64
		var kind, client string
		if err := rows.Scan(&at, &kind, &e.ResourceID, &e.ResourceName, &e.Status, &e.ScimType, &e.Detail, &e.RequestID, &e.Method, &e.Path, &e.TokenLabel, &client); err != nil {
			return page, fmt.Errorf("sqlstore: reading activity: %w", err)
		}
		if len(page.Activities) == q.Limit {
			page.More = true
			break
		}
		e.Time, e.Tenant, e.Kind, e.Client = time.UnixMilli(at).UTC(), q.Tenant, scim.ActivityKind(kind), scim.Client(client)
		page.Activities = append(page.Activities, e)
	}
	return page, rows.Err()
}

// Health implements activitylog.Reader, over the last 60 and 1,440
// minutes.
func (a *Activity) Health(ctx context.Context, tenant string) ([]activitylog.ClientHealth, error) {
	minute := a.cfg.Now().UnixMilli() / 60000
	rows, err := a.db.QueryContext(ctx, `SELECT client,
	SUM(CASE WHEN minute > `+a.ph(1)+` THEN requests ELSE 0 END), SUM(CASE WHEN minute > `+a.ph(2)+` THEN failures ELSE 0 END),
	SUM(requests), SUM(failures), MAX(last_at)
	FROM `+a.cfg.Table+`_health WHERE tenant = `+a.ph(3)+` AND minute > `+a.ph(4)+` AND minute <= `+a.ph(5)+` GROUP BY client`,
		minute-60, minute-60, tenant, minute-1440, minute)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading activity health: %w", err)
	}
	defer rows.Close()
	byClient := map[scim.Client]activitylog.ClientHealth{}
	for rows.Next() {
		var h activitylog.ClientHealth
		var client string
		var last int64
		if err := rows.Scan(&client, &h.Hour.Requests, &h.Hour.Failures, &h.Day.Requests, &h.Day.Failures, &last); err != nil {
			return nil, fmt.Errorf("sqlstore: reading activity health: %w", err)
		}
		h.Client, h.LastCall = scim.Client(client), time.UnixMilli(last).UTC()
		byClient[h.Client] = h
	}
	var out []activitylog.ClientHealth
	for _, c := range scim.Clients {
		if h, ok := byClient[c]; ok {
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

var (
	_ scim.ActivitySink  = (*Activity)(nil)
	_ activitylog.Reader = (*Activity)(nil)
)
