package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/go-sql-driver/mysql" // MySQL and MariaDB, the de-facto standard driver
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, the maintained driver (lib/pq is in maintenance mode)
	_ "modernc.org/sqlite"             // SQLite in pure Go: the tests run without cgo

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
	"github.com/scimkit/scim/sqlstore"
)

// A database under test. PostgreSQL and MySQL/MariaDB run when their DSN
// is in the environment; SQLite always runs, in a temporary file.
type database struct {
	name    string
	dialect sqlstore.Dialect
	env     string // the environment variable holding the DSN; "" for SQLite
	driver  string
}

var databases = []database{
	{"SQLite", sqlstore.SQLite, "", "sqlite"},
	{"PostgreSQL", sqlstore.PostgreSQL, "SCIMKIT_TEST_POSTGRES", "pgx"},
	{"MySQL", sqlstore.MySQL, "SCIMKIT_TEST_MYSQL", "mysql"},
}

// forEachDB runs f as a subtest per database, skipping those without a DSN.
func forEachDB(t *testing.T, f func(t *testing.T, db database)) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			if d.env != "" && os.Getenv(d.env) == "" {
				t.Skipf("%s is not set; e.g. %s", d.env, map[string]string{
					"SCIMKIT_TEST_POSTGRES": "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
					"SCIMKIT_TEST_MYSQL":    "root@tcp(127.0.0.1:3306)/test?parseTime=true",
				}[d.env])
			}
			f(t, d)
		})
	}
}

// open opens the database; SQLite gets a new file per call of the test.
func (d database) open(t testing.TB) *sql.DB {
	t.Helper()
	dsn := os.Getenv(d.env)
	if d.dialect == sqlstore.SQLite {
		// busy_timeout: concurrent writers wait for the lock instead of
		// failing with SQLITE_BUSY. _time_format: times as sortable text.
		dsn = "file:" + filepath.Join(t.TempDir(), "test.db") +
			"?_time_format=sqlite&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	}
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("%s: %v", d.name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// table creates a uniquely named table for cfg (filling in Dialect and
// Table), drops it when the test ends, and returns the config.
func (d database) table(t testing.TB, db *sql.DB, cfg sqlstore.Config) sqlstore.Config {
	t.Helper()
	cfg.Dialect = d.dialect
	cfg.Table = "scim_test_" + rand.Text()[:10]
	stmts, err := cfg.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s\n%v", s, err)
		}
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE " + cfg.Table); err != nil {
			t.Errorf("drop %s: %v", cfg.Table, err)
		}
	})
	return cfg
}

// newStore opens the database, creates a table and returns a Store on it.
func (d database) newStore(t testing.TB, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB, sqlstore.Config) {
	t.Helper()
	db := d.open(t)
	cfg = d.table(t, db, cfg)
	s, err := sqlstore.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, db, cfg
}

// fullConfig has a tenant column and custom attributes of every kind.
var fullConfig = sqlstore.Config{
	Columns: sqlstore.Columns{Tenant: "tenant"},
	Custom: []sqlstore.Custom{
		{Name: "regions", Column: "regions", Kind: filter.String, Multi: true},
		{Name: "costCenter", Column: "cost_center", Kind: filter.String},
		{Name: "level", Column: "level", Kind: filter.Number},
		{Name: "remote", Column: "remote", Kind: filter.Bool},
		{Name: "hired", Column: "hired", Kind: filter.DateTime},
	},
}

// fullAttributes declares fullConfig's custom attributes to a handler.
var fullAttributes = []schema.Attribute{
	{Name: "regions", Type: schema.String, MultiValued: true},
	{Name: "costCenter", Type: schema.String},
	{Name: "level", Type: schema.Integer},
	{Name: "remote", Type: schema.Boolean},
	{Name: "hired", Type: schema.DateTime},
}

var bg = context.Background()

// must returns v, or fails the test given to the function it returns:
// must(f())(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func userName(i int) string { return fmt.Sprintf("user%03d@example.com", i) }
