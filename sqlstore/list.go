package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// pageRows runs a list's page query with LIMIT q.Count OFFSET
// q.StartIndex-1, hands its rows to scan (which closes them and returns
// how many it read), and returns TotalResults: from the page itself when
// it is a first page that is not full, else from the count query. The
// lookup identity providers send before every create (userName or
// displayName eq, startIndex 1, one match or none) so costs one
// statement, not two. what names the resources, for errors.
func (s *Store) pageRows(ctx context.Context, what, count, list string, args []any, q scim.Query, scan func(*sql.Rows) (int, error)) (int, error) {
	start := max(q.StartIndex, 1)
	if q.Count > 0 {
		rows, err := s.query(ctx, list, append(args[:len(args):len(args)], int64(q.Count), int64(start-1))...)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: list %s: %w", what, err)
		}
		n, err := scan(rows)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: list %s: %w", what, err)
		}
		if start == 1 && n < q.Count {
			return n, nil
		}
	}
	var total int
	if err := s.queryRow(ctx, count, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("sqlstore: count %s: %w", what, err)
	}
	return total, nil
}

// List runs q.Filter as a WHERE clause (see filter.SQL): a filter it
// cannot express is an error wrapping scim.ErrUnsupportedFilter, never a
// scan of the table into memory. Pages come from LIMIT and OFFSET in the
// order of the id column, and TotalResults from COUNT(*) with the same
// WHERE, or from a first page that is not full (see pageRows).
func (s *Store) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	count, list, args, err := s.listQueries(ctx, q)
	if err != nil {
		return nil, err
	}
	lean := s.leanList(q)
	page := &scim.Page{}
	page.TotalResults, err = s.pageRows(ctx, "users", count, list, args, q, func(rows *sql.Rows) (int, error) {
		var err error
		page.Users, err = s.scanAll(rows, lean)
		return len(page.Users), err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// listQueries returns List's COUNT query and page query, and the
// arguments of their WHERE; the page query takes two more, LIMIT and
// OFFSET.
func (s *Store) listQueries(ctx context.Context, q scim.Query) (count, list string, args []any, err error) {
	where, args, err := s.listWhere(ctx, q)
	if err != nil {
		return "", "", nil, err
	}
	n := len(args)
	cols := s.selectCols
	if s.leanList(q) {
		cols = s.selectLean
	}
	count = "SELECT COUNT(*) FROM " + s.cfg.Table + where
	list = "SELECT " + cols + " FROM " + s.cfg.Table + where +
		" ORDER BY " + s.order + " LIMIT " + s.ph(n+1) + " OFFSET " + s.ph(n+2)
	return count, list, args, nil
}

// listWhere returns the WHERE clause (with its leading " WHERE ", or "")
// of List and ListKeyset: the tenant and q.Filter, and its arguments.
func (s *Store) listWhere(ctx context.Context, q scim.Query) (where string, args []any, err error) {
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	unkept := ""
	where, args, err = s.where(tenant, s.cfg.Columns.Tenant, q.Filter, func(p filter.AttrPath) (filter.Column, bool) {
		c, ok := s.column(p)
		if !ok && unkept == "" {
			unkept = s.unkept(p)
		}
		return c, ok
	})
	if unkept != "" && errors.Is(err, scim.ErrUnsupportedFilter) {
		// For the host's log: what the table lacks, and what to map.
		return "", nil, fmt.Errorf("%w: table %s keeps no %s (Config.Columns.%s is \"-\"): map it to a column to filter on it", err, s.cfg.Table, unkept, columnField[unkept])
	}
	return where, args, err
}

// columnField names the field of Columns that maps each core attribute.
var columnField = map[string]string{"externalId": "ExternalID", "name.givenName": "GivenName", "name.familyName": "FamilyName",
	"displayName": "DisplayName", "emails": "Email", "active": "Active", "meta.created": "Created", "meta.lastModified": "LastModified"}

// unkept is the core attribute at p that the table has no column for, ""
// when p is not one.
func (s *Store) unkept(p filter.AttrPath) string {
	if p.URN != "" {
		return ""
	}
	name := p.Name
	if p.Sub != "" && name != "emails" {
		name += "." + p.Sub
	}
	for _, f := range coreFields(s.cfg.Columns) {
		if f.attr == name && f.col == "" {
			return name
		}
	}
	return ""
}

// where returns a list's WHERE clause (with its leading " WHERE ", or
// "") and its arguments: tenantCol equal to tenant when the table keeps
// tenants, and f as SQL through the column map col.
func (s *Store) where(tenant, tenantCol string, f filter.Expr, col func(filter.AttrPath) (filter.Column, bool)) (string, []any, error) {
	var args []any
	var conds []string
	if tenantCol != "" {
		args = append(args, tenant)
		conds = append(conds, tenantCol+" = "+s.ph(1))
	}
	if f != nil {
		w, a, err := filter.SQL(f, col, s.cfg.Dialect, args)
		var me *filter.MatchError
		switch {
		case errors.Is(err, filter.ErrUnsupported), errors.As(err, &me):
			// Errors reach the host's log: the filter's literals, which are
			// attribute values, stay out of them.
			return "", nil, fmt.Errorf("sqlstore: filter: %w: %w", scim.ErrUnsupportedFilter, err)
		case err != nil:
			return "", nil, fmt.Errorf("sqlstore: filter: %w", err)
		}
		args = a
		conds = append(conds, w)
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// maxStmts bounds the prepared statements a Store keeps. The fixed
// statements and the filters identity providers send are a few dozen
// texts; an unbounded variety of ad-hoc filters beyond the bound runs
// unprepared instead of growing the cache.
const maxStmts = 256

// stmtCache holds prepared statements by their text, prepared on first use.
type stmtCache struct {
	m sync.Map // string → *sql.Stmt
	n atomic.Int32
}

// stmt returns the prepared statement for q, or nil when the cache is
// full.
func (c *stmtCache) stmt(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	if c.n.Load() >= maxStmts {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return st, nil
}

func (c *stmtCache) close() error {
	var errs []error
	c.m.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.m.Delete(k)
		c.n.Add(-1)
		return true
	})
	return errors.Join(errs...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.stmts.stmt(ctx, s.db, q)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.db.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmts.stmt(ctx, s.db, q)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.db.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// row is a *sql.Row, or the error of preparing its statement.
type row struct {
	*sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.Row.Scan(dest...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) row {
	st, err := s.stmts.stmt(ctx, s.db, q)
	switch {
	case err != nil:
		return row{err: err}
	case st == nil:
		return row{Row: s.db.QueryRowContext(ctx, q, args...)}
	}
	return row{Row: st.QueryRowContext(ctx, args...)}
}
