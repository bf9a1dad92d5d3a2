package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// rowCounter is a database/sql driver over modernc.org/sqlite that counts
// the rows every query hands back, so that a test can prove a statement
// reads no member list, and the queries, so that a test can prove a read
// takes one statement: counts, not timings.
type rowCounter struct {
	sqlite.Driver
	rows, queries atomic.Int64
}

var (
	counter     = &rowCounter{}
	counterOnce sync.Once
)

func (d *rowCounter) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &countConn{Conn: c, n: &d.rows, q: &d.queries}, nil
}

type countConn struct {
	driver.Conn
	n, q *atomic.Int64
}

func (c *countConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *countConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &countStmt{Stmt: st, n: c.n, q: c.q}, nil
}

func (c *countConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

type countStmt struct {
	driver.Stmt
	n, q *atomic.Int64
}

func (s *countStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.q.Add(1)
	r, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return &countRows{Rows: r, n: s.n}, nil
}

type countRows struct {
	driver.Rows
	n *atomic.Int64
}

func (r *countRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == nil {
		r.n.Add(1)
	}
	return err
}

// openCounted opens a new SQLite database through the counting driver.
func openCounted(t *testing.T) (*sql.DB, database) {
	t.Helper()
	counterOnce.Do(func() { sql.Register("sqlite-rowcount", counter) })
	dsn := "file:" + filepath.Join(t.TempDir(), "counted.db") + "?_time_format=sqlite&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite-rowcount", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, database{name: "SQLite", dialect: sqlstore.SQLite, driver: "sqlite-rowcount"}
}

// TestGroupLargeNoMemberLoad proves on a group of 100,000 members that
// adding one member, removing one, and reading the group without members
// read a handful of rows, never the member list: the membership change
// is an INSERT or DELETE by key, not a read and rewrite.
func TestGroupLargeNoMemberLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a group of 100,000 members")
	}
	db, d := openCounted(t)
	cfg := d.groupTables(t, db, sqlstore.Config{Columns: sqlstore.Columns{Tenant: "tenant"}})
	s := must(sqlstore.New(db, cfg))(t)
	defer s.Close()
	ctx := scim.WithTenant(bg, "acme")
	const n = 100000
	g := must(s.CreateGroup(ctx, &scim.Group{DisplayName: "Everyone"}))(t)
	fillSQL := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001)
		 INSERT INTO ` + cfg.Table + ` (id, tenant, user_name, user_name_lower, active, version)
		 SELECT 'u' || i, 'acme', 'u' || i, 'u' || i, 1, 1 FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		 INSERT INTO ` + cfg.Groups.Members + ` (group_id, member_id, member_type) SELECT ?, 'u' || i, 'User' FROM n`,
	}
	for _, q := range fillSQL {
		args := []any{}
		if strings.Contains(q, "?") {
			args = append(args, g.ID)
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	read := func(what string, limit int64, f func() error) {
		t.Helper()
		before := counter.rows.Load()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		rows := counter.rows.Load() - before
		t.Logf("%s read %d rows", what, rows)
		if rows > limit {
			t.Errorf("%s read %d rows from the database, want at most %d: it loads the member list", what, rows, limit)
		}
	}
	read("ModifyGroup adding one member", 5, func() error {
		_, err := s.ModifyGroup(ctx, g.ID, scim.GroupChange{Add: []scim.Member{{Value: "u100001"}}, Now: time.Now()}, "")
		return err
	})
	read("ModifyGroup removing one member and adding one present", 5, func() error {
		_, err := s.ModifyGroup(ctx, g.ID, scim.GroupChange{Remove: []string{"u7"}, Add: []scim.Member{{Value: "u8"}}, Now: time.Now()}, "")
		return err
	})
	read("Group without members", 1, func() error {
		_, err := s.Group(ctx, g.ID, false)
		return err
	})
	read("ListGroups by displayName without members", 2, func() error {
		_, err := s.ListGroups(ctx, scim.Query{Filter: groupFilter(t, `displayName eq "everyone"`), StartIndex: 1, Count: 10})
		return err
	})
	// The counter counts: reading the members reads them all.
	before := counter.rows.Load()
	full := must(s.Group(ctx, g.ID, true))(t)
	if len(full.Members) != n || counter.rows.Load()-before < n {
		t.Errorf("Group with members: %d members, %d rows read; want %d of each", len(full.Members), counter.rows.Load()-before, n)
	}
	if full.Meta.Version != `W/"3"` {
		t.Errorf("version %s after two changes, want W/\"3\"", full.Meta.Version)
	}
}
