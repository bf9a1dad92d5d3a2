package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// hostTables are a host's tables in use: users (created and last-modified
// NOT NULL with defaults), groups, memberships and agents, holding one
// real user in the tenant "scimtest-a".
func hostTables(t *testing.T, d database, db *sql.DB) sqlstore.Config {
	t.Helper()
	agents := agentTable()
	agents.Table = "scim_test_" + rand.Text()[:10] + "_agents"
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + agents.Table) })
	cfg := d.groupTablesAs(t, db, sqlstore.Config{Columns: sqlstore.Columns{Tenant: "tenant"}, Custom: kitConfig.Custom, Resources: []sqlstore.ResourceTable{agents}}, notNullDefaults(d.dialect, false))
	s := must(sqlstore.New(db, cfg))(t)
	defer s.Close()
	if _, err := s.Create(scim.WithTenant(bg, "scimtest-a"), &scim.User{UserName: "real.person@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// dsn is the database's DSN; for SQLite, a file named in the environment
// by a parent test, or a new one.
func (d database) dsn(t *testing.T) string {
	if d.dialect != sqlstore.SQLite {
		return os.Getenv(d.env)
	}
	path := os.Getenv("SCIMKIT_KIT_SQLITE")
	if path == "" {
		path = filepath.Join(t.TempDir(), "host.db")
	}
	return "file:" + path + "?_time_format=sqlite&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
}

func (d database) openDSN(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db := must(sql.Open(d.driver, dsn))(t)
	t.Cleanup(func() { db.Close() })
	return db
}

func tableRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// The kit passes on a throwaway copy of the host's tables, leaves the copy
// empty, never touches the host's rows, and cleanup drops the copy.
func TestThrowaway(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		host := hostTables(t, d, db)
		cfg, cleanup, err := sqlstore.Throwaway(bg, db, host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		s := must(sqlstore.New(db, cfg))(t)
		t.Cleanup(func() { s.Close() })
		if err := s.Check(bg); err != nil {
			t.Fatalf("Check on the copy: %v", err)
		}
		scimtest.TestStore(t, func(*testing.T) scim.Store { return s })
		typ := agentType()
		scimtest.TestResourceStore(t, func(*testing.T) scim.ResourceStore { return s }, typ)
		for _, table := range []string{cfg.Table, cfg.Groups.Table, cfg.Groups.Members, cfg.Resources[0].Table} {
			if n := tableRows(t, db, table); n != 0 {
				t.Errorf("after the kit the copy %s holds %d rows, want none", table, n)
			}
		}
		if n := tableRows(t, db, host.Table); n != 1 {
			t.Errorf("the host's table holds %d rows, want its one user", n)
		}
		cleanup()
		if _, err := db.Exec("SELECT 1 FROM " + cfg.Table); err == nil {
			t.Errorf("the copy %s is still there after cleanup", cfg.Table)
		}
	})
}

// TestStore over the host's tables in use stops before writing anything.
// The kit runs in a child test process, whose failure is the point.
func TestKitRefusesTablesInUse(t *testing.T) {
	if table := os.Getenv("SCIMKIT_KIT_ON_HOST"); table != "" {
		return // the child's part is TestKitOnHostTables
	}
	forEachDB(t, func(t *testing.T, d database) {
		dsn := d.dsn(t)
		db := d.openDSN(t, dsn)
		host := hostTables(t, d, db)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKitOnHostTables$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SCIMKIT_KIT_ON_HOST="+host.Table, "SCIMKIT_KIT_DB="+d.name)
		if d.dialect == sqlstore.SQLite {
			cmd.Env = append(cmd.Env, "SCIMKIT_KIT_SQLITE="+strings.TrimPrefix(strings.Split(dsn, "?")[0], "file:"))
		}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "TestStore needs an empty throwaway store") {
			t.Errorf("TestStore over tables holding a user: %v\n%s", err, out)
		}
		if n := tableRows(t, db, host.Table); n != 1 {
			t.Errorf("the host's table holds %d rows after the kit's refusal, want its one user", n)
		}
		if n := tableRows(t, db, host.Groups.Table); n != 0 {
			t.Errorf("the host's groups table holds %d rows after the kit's refusal, want none", n)
		}
	})
}

// TestKitOnHostTables is TestKitRefusesTablesInUse's child: it runs the
// kit on the tables the parent names, and must fail.
func TestKitOnHostTables(t *testing.T) {
	table := os.Getenv("SCIMKIT_KIT_ON_HOST")
	if table == "" {
		t.Skip("run by TestKitRefusesTablesInUse")
	}
	for _, d := range databases {
		if d.name != os.Getenv("SCIMKIT_KIT_DB") {
			continue
		}
		db := d.openDSN(t, d.dsn(t))
		cfg := sqlstore.Config{Dialect: d.dialect, Table: table, Columns: sqlstore.Columns{Tenant: "tenant"}, Custom: kitConfig.Custom,
			Groups: &sqlstore.GroupTables{Table: table + "_groups", Members: table + "_members"}}
		s := must(sqlstore.New(db, cfg))(t)
		scimtest.TestStore(t, func(*testing.T) scim.Store { return s })
	}
}
