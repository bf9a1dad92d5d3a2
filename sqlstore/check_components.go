package sqlstore

import (
	"context"
	"fmt"
	"strings"
)

// Check reads the tokens table from the catalog and reports, in one
// error, whatever of it is missing, each with the statement of
// TokensConfig.Schema that creates it: the table, a column, or its
// primary key on hash. Call it once at start-up, after NewTokens, so that
// a missing table is not found by the first request's authentication (a
// 500 for every request); it changes nothing in the database.
func (t *Tokens) Check(ctx context.Context) error {
	stmts, err := t.cfg.Schema()
	if err != nil {
		return err
	}
	return checkTables(ctx, catalog(t.db, t.cfg.Dialect), "TokensConfig", tableCheck{
		field: "TokensConfig.Table", table: t.cfg.Table, stmts: stmts, key: []string{"hash"},
		why: "without it every request's token lookup reads the whole table",
	})
}

// Check reads the counters table from the catalog and reports, in one
// error, whatever of it is missing, each with the statement of
// RateLimitConfig.Schema that creates it: the table, a column, or its
// primary key on tenant, which the counting upsert needs. Call it once at
// start-up, after NewRateLimiter: the limiter fails open, so a missing
// table would otherwise show only as a limit that never holds (and as
// OnError calls); it changes nothing in the database.
func (l *RateLimiter) Check(ctx context.Context) error {
	stmts, err := l.cfg.Schema()
	if err != nil {
		return err
	}
	return checkTables(ctx, catalog(l.db, l.cfg.Dialect), "RateLimitConfig", tableCheck{
		field: "RateLimitConfig.Table", table: l.cfg.Table, stmts: stmts, key: []string{"tenant"},
		why: "the counting upsert needs it (without it PostgreSQL and SQLite refuse the statement, and MySQL adds a row per request)",
	})
}

// Check reads the events and health tables from the catalog and reports,
// in one error, whatever of them is missing, each with the statement of
// Schema that creates it: a table, a column, or the health table's
// primary key on (tenant, client, minute), which the counts' upsert
// needs. Call it once at start-up, after NewActivity: Flush runs in the
// background and only logs its errors, so a missing table would otherwise
// show as an empty activity page; it changes nothing in the database.
func (a *Activity) Check(ctx context.Context) error {
	stmts := a.Schema()
	t := a.cfg.Table
	return checkTables(ctx, catalog(a.db, a.cfg.Dialect), "ActivityConfig",
		tableCheck{field: "ActivityConfig.Table", table: t, stmts: stmts},
		tableCheck{field: "ActivityConfig.Table (health counts)", table: t + "_health", stmts: stmts, key: []string{"tenant", "client", "minute"},
			why: "the counts' upsert needs it (without it PostgreSQL and SQLite refuse the statement, and MySQL adds a row per flush)"})
}

// checkTables runs checkTable on each of checks and reports every problem
// in one error headed by what.
func checkTables(ctx context.Context, s *Store, what string, checks ...tableCheck) error {
	var problems []string
	for _, c := range checks {
		p, err := s.checkTable(ctx, c, UUIDs)
		if err != nil {
			return err
		}
		problems = append(problems, p...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlstore: Check: %s:\n\t%s", what, strings.Join(problems, "\n\t"))
	}
	return nil
}
