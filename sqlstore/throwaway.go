package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Throwaway makes empty copies of the tables cfg uses (users, groups and
// memberships, declared resources and their references tables) with the
// same columns, types, NOT NULL constraints, defaults and indexes, and
// returns cfg pointing at them, for scimtest.TestStore and
// scimtest.TestResourceStore, which refuse a store that holds anything:
//
//   - PostgreSQL: a new schema, each table created LIKE the host's
//     INCLUDING ALL. A serial column's default still draws from the
//     host's sequence (ids skip numbers; no row is written); an identity
//     column gets its own.
//   - MySQL and MariaDB: a new database, each table created LIKE the
//     host's. The connection's user needs CREATE and DROP on databases.
//   - SQLite: new tables in the same database, named after the host's
//     with a suffix, made by replaying the table's and its indexes' SQL
//     from sqlite_master.
//
// cleanup drops the copies, whatever they then hold; call it when the
// tests end (t.Cleanup). Throwaway writes nothing to the host's tables.
// Table names must be unquoted identifiers (PostgreSQL's may be qualified
// by a schema).
func Throwaway(ctx context.Context, db *sql.DB, cfg Config) (Config, func(), error) {
	if err := cfg.Validate(); err != nil {
		return Config{}, nil, err
	}
	full := cfg.withDefaults()
	// The tables to copy, as pointers into the returned config so that
	// each is renamed in place.
	out := cfg
	out.Table = full.Table
	names := []*string{&out.Table}
	if cfg.Groups != nil {
		g := *cfg.Groups
		gd := g.withDefaults(full)
		g.Table, g.Members = gd.Table, gd.Members
		out.Groups = &g
		names = append(names, &g.Table, &g.Members)
	}
	out.Resources = append([]ResourceTable(nil), cfg.Resources...)
	for i := range out.Resources {
		r := &out.Resources[i]
		rd := r.withDefaults(full)
		r.Table = rd.Table
		names = append(names, &r.Table)
		if rd.hasRefs() {
			r.Refs = rd.Refs
			names = append(names, &r.Refs)
		}
	}
	for _, n := range names {
		if !plainName.MatchString(*n) || cfg.Dialect != PostgreSQL && strings.Contains(*n, ".") {
			return Config{}, nil, fmt.Errorf("sqlstore: Throwaway copies tables with plain names; %q is not one", *n)
		}
	}
	suffix := strings.ToLower(rand.Text()[:10])
	var (
		drop []string // the statements of cleanup, in order
		err  error
	)
	cleanup := func() {
		for _, q := range drop {
			db.ExecContext(context.Background(), q)
		}
	}
	switch cfg.Dialect {
	case PostgreSQL:
		schema := "scimkit_throwaway_" + suffix
		if _, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			break
		}
		drop = append(drop, "DROP SCHEMA "+schema+" CASCADE")
		for _, n := range names {
			copyName := schema + "." + bareName(*n)
			if _, err = db.ExecContext(ctx, "CREATE TABLE "+copyName+" (LIKE "+*n+" INCLUDING ALL)"); err != nil {
				break
			}
			*n = copyName
		}
	case MySQL:
		database := "scimkit_throwaway_" + suffix
		if _, err = db.ExecContext(ctx, "CREATE DATABASE "+database); err != nil {
			break
		}
		drop = append(drop, "DROP DATABASE "+database)
		for _, n := range names {
			copyName := database + "." + *n
			if _, err = db.ExecContext(ctx, "CREATE TABLE "+copyName+" LIKE "+*n); err != nil {
				break
			}
			*n = copyName
		}
	case SQLite:
		for _, n := range names {
			copyName := *n + "_throwaway_" + suffix
			if err = copySQLiteTable(ctx, db, *n, copyName); err != nil {
				break
			}
			drop = append(drop, "DROP TABLE "+copyName)
			*n = copyName
		}
	default:
		err = fmt.Errorf("unknown dialect %v", cfg.Dialect)
	}
	if err != nil {
		cleanup()
		return Config{}, nil, fmt.Errorf("sqlstore: Throwaway: %w", err)
	}
	return out, cleanup, nil
}

// plainName is an unquoted table name, qualified by a schema or not.
var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)

// bareName is a table name without its schema.
func bareName(n string) string { return n[strings.LastIndexByte(n, '.')+1:] }

// sqliteCreateTable and sqliteCreateIndex match the heads of CREATE TABLE
// and CREATE INDEX statements as sqlite_master keeps them.
var (
	sqliteCreateTable = regexp.MustCompile(`(?is)^(CREATE\s+TABLE\s+)("[^"]+"|\S+?)(\s*\()`)
	sqliteCreateIndex = regexp.MustCompile(`(?is)^(CREATE\s+(?:UNIQUE\s+)?INDEX\s+)("[^"]+"|\S+)(\s+ON\s+)("[^"]+"|\S+?)(\s*\()`)
)

// copySQLiteTable creates table to, empty, with from's columns and indexes,
// by replaying their SQL under the new names.
func copySQLiteTable(ctx context.Context, db *sql.DB, from, to string) error {
	rows, err := db.QueryContext(ctx, "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL ORDER BY type = 'index'", from)
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var typ, name, q string
		if err := rows.Scan(&typ, &name, &q); err != nil {
			rows.Close()
			return err
		}
		switch typ {
		case "table":
			q = sqliteCreateTable.ReplaceAllString(q, "${1}"+to+"${3}")
		case "index":
			q = sqliteCreateIndex.ReplaceAllString(q, "${1}"+strings.Trim(name, `"`)+"_"+to+"${3}"+to+"${5}")
		default:
			continue
		}
		stmts = append(stmts, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(stmts) == 0 || !strings.HasPrefix(strings.ToUpper(stmts[0]), "CREATE TABLE") {
		return errors.New("no table " + from + " in the database")
	}
	for i, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			if i > 0 {
				db.ExecContext(ctx, "DROP TABLE "+to)
			}
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
