package sqlstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// checkUnique returns an error wrapping scim.ErrUniqueness when another
// resource of the tenant (not self, the row's key, when replacing) has
// one of r's values of an attribute the type's Unique lists, compared as
// a filter eq compares them. Every such attribute has a column of its own
// (ResourceTable.Columns) and a unique index on (tenant, key): each
// lookup is one probe of that index, whatever the table's size.
//
// It runs in the write's transaction. Two writers of one value must not
// both pass it, and the lock that keeps them apart costs the same on a
// table of ten rows as on one of ten million:
//
//   - SQLite: the transaction's own (BEGIN IMMEDIATE).
//   - PostgreSQL: a transaction-scoped advisory lock on the table and
//     tenant, released at commit or rollback, so a pooled connection never
//     keeps it.
//   - MySQL and MariaDB: the unique index. A locking read of the one
//     candidate range would hold only gap locks when the value is free,
//     which every writer of the range is granted at once, so that their
//     INSERTs deadlock (and at READ COMMITTED it would lock nothing); a
//     session lock (GET_LOCK) outlives the transaction on a pooled
//     connection. The INSERT or UPDATE instead waits on the one index
//     entry a concurrent writer holds, and fails with a duplicate key once
//     that writer commits, which writeError answers as this check would.
func (s *Store) checkUnique(ctx context.Context, tx txConn, rt *resourceTable, tenant string, r *scim.Resource, self any) error {
	locked := s.cfg.Dialect != PostgreSQL
	for _, rc := range rt.cols {
		q, args, ok, err := s.uniqueQuery(rt, tenant, rc, r.Attributes[rc.attr], self)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if !locked {
			h := fnv.New64a()
			h.Write([]byte(rt.t.Table + "\x00" + tenant))
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
				return fmt.Errorf("sqlstore: lock %s for its unique attributes: %w", rt.t.Type.Name, err)
			}
			locked = true
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlstore: %s's unique attribute %q: %w", rt.t.Type.Name, rc.attr, err)
		}
		taken := rows.Next()
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlstore: %s's unique attribute %q: %w", rt.t.Type.Name, rc.attr, err)
		}
		if taken {
			return fmt.Errorf("sqlstore: another %s of the tenant has this %q: %w", rt.t.Type.Name, rc.attr, scim.ErrUniqueness)
		}
	}
	return nil
}

// uniqueQuery returns the lookup of v, a value of the unique column rc,
// among the tenant's rows other than self (nil when creating): the
// comparison a filter eq compiles to (lower(col) = lower($1) on
// PostgreSQL, the folded column elsewhere, the column itself when
// caseExact), which the column's unique index serves. ok is false when rc
// is not unique or v is no value to check.
func (s *Store) uniqueQuery(rt *resourceTable, tenant string, rc resourceColumn, v, self any) (q string, args []any, ok bool, err error) {
	if !rc.unique {
		return "", nil, false, nil
	}
	val, ok := filterValue(v)
	if !ok || val.Kind == filter.String && val.Str == "" {
		return "", nil, false, nil
	}
	k := rt.t
	cond := &filter.Compare{Path: filter.AttrPath{Name: rc.attr}, Op: filter.Eq, Value: val, CaseExact: rc.exact}
	where, args, err := s.where(tenant, k.Tenant, cond, rt.column(s))
	if err != nil {
		return "", nil, false, fmt.Errorf("sqlstore: %s's unique attribute %q: %w", k.Type.Name, rc.attr, err)
	}
	q = "SELECT " + k.ID + " FROM " + k.Table + where
	if self != nil {
		args = append(args, self)
		q += " AND " + k.ID + " <> " + s.ph(len(args))
	}
	return q + " LIMIT 1", args, true, nil
}

// checkUniqueIndexes reports each unique attribute of Config.Resources
// whose table has no unique index on (tenant, key), with the statement
// that creates it: without it each write's check scans the tenant's rows,
// and on MySQL and MariaDB concurrent writers can store one value twice.
func (s *Store) checkUniqueIndexes(ctx context.Context) ([]string, error) {
	var problems []string
	for _, rt := range s.resources {
		var indexes [][]string
		loaded := false
		for _, rc := range rt.cols {
			if !rc.unique {
				continue
			}
			if !loaded {
				var err error
				if indexes, err = s.uniqueIndexColumns(ctx, rt.t.Table); err != nil {
					return nil, fmt.Errorf("sqlstore: Check: reading the unique indexes of %s: %w", rt.t.Table, err)
				}
				loaded = true
			}
			want := identifiers("(" + rc.key() + ")")
			if rt.t.Tenant != "" {
				want = append(identifiers("("+rt.t.Tenant+")"), want...)
			}
			found := false
			for _, idx := range indexes {
				found = found || slicesEqualFold(idx, want)
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: attribute %q is unique, but table %s has no unique index on (%s); without it every write scans the tenant's rows to check it: create it with: %s",
					rt.t.Type.Name, rc.attr, rt.t.Table, strings.Join(want, ", "), s.cfg.uniqueIndex(rt.t, rc)))
			}
		}
	}
	return problems, nil
}

func slicesEqualFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// uniqueIndexColumns reads the unique indexes of table from the catalog:
// each as the identifiers of its key in order, an expression's included
// on PostgreSQL (lower(name) is "lower", "name").
func (s *Store) uniqueIndexColumns(ctx context.Context, table string) ([][]string, error) {
	var q string
	var args []any
	switch s.cfg.Dialect {
	case PostgreSQL:
		q = `SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
			WHERE x.indrelid = $1::regclass AND x.indisunique`
		args = []any{table}
	case MySQL:
		schema, name := splitTable(table)
		q = `SELECT INDEX_NAME, COALESCE(COLUMN_NAME, '') FROM information_schema.STATISTICS
			WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0
			ORDER BY INDEX_NAME, SEQ_IN_INDEX`
		args = []any{schema, name}
	case SQLite:
		_, name := splitTable(table)
		q = `SELECT l.name, COALESCE(i.name, '') FROM pragma_index_list(?) l JOIN pragma_index_info(l.name) i
			WHERE l."unique" ORDER BY l.name, i.seqno`
		args = []any{name}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	last := ""
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return nil, err
		}
		if s.cfg.Dialect == PostgreSQL {
			// A varchar column's lower() is rendered lower((name)::text).
			out = append(out, identifiers(strings.ReplaceAll(col, "::text", "")))
			continue
		}
		if len(out) == 0 || name != last {
			out = append(out, nil)
		}
		last = name
		out[len(out)-1] = append(out[len(out)-1], col)
	}
	return out, rows.Err()
}
