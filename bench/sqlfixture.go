package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver sqlstore's own PostgreSQL tests use

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// sqlPeersAvailable says whether this build has the sqlstore peers.
const sqlPeersAvailable = true

// sqlTables numbers the tables of this process, so that concurrent runs
// (go test and go test -race, a load test's servers) never share one.
var sqlTables atomic.Int64

// sqlFixture is the database of an sqlstore or sqldirect peer, the one
// builder the user and the group workloads share: tables of its own in
// the PostgresEnv database, made by sqlstore's Schema and filled straight
// through the driver (a million Store.Create round trips would take
// minutes), so that both peers of a comparison read the same rows.
type sqlFixture struct {
	db  *sql.DB
	cfg sqlstore.Config // the fixture's table names, PostgreSQL
	// ids[k] is the id of user k.
	ids []string
}

// newSQLFixture creates the tables (with group tables when groups is
// set) and fills the user table with users 0…users-1. close drops them.
func newSQLFixture(ctx context.Context, users int, groups bool) (*sqlFixture, error) {
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		return nil, fmt.Errorf("%s is not set", PostgresEnv)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	table := fmt.Sprintf("scimkit_bench_%d_%d", os.Getpid(), sqlTables.Add(1))
	f := &sqlFixture{db: db, cfg: sqlstore.Config{Dialect: sqlstore.PostgreSQL, Table: table}}
	if groups {
		f.cfg.Groups = &sqlstore.GroupTables{Table: table + "_g", Members: table + "_m"}
	}
	stmts, err := f.cfg.Schema()
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, f.fail(fmt.Errorf("%s: %w", s, err))
		}
	}
	if f.ids, err = fillTable(ctx, db, table, users); err != nil {
		return nil, f.fail(err)
	}
	return f, nil
}

// tables are the fixture's tables, the join table first.
func (f *sqlFixture) tables() []string {
	if g := f.cfg.Groups; g != nil {
		return []string{g.Members, g.Table, f.cfg.Table}
	}
	return []string{f.cfg.Table}
}

// analyze updates the planner's statistics once the rows are in.
func (f *sqlFixture) analyze(ctx context.Context) error {
	for _, t := range f.tables() {
		if _, err := f.db.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return err
		}
	}
	return nil
}

// close drops the tables and closes the pool.
func (f *sqlFixture) close() error {
	_, err := f.db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+strings.Join(f.tables(), ", "))
	if cerr := f.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail closes f and returns err.
func (f *sqlFixture) fail(err error) error {
	f.close()
	return err
}

// scimkit serves the fixture with scimkit's Handler over sqlstore, and
// returns what closes both.
func (f *sqlFixture) scimkit() (http.Handler, func() error, error) {
	store, err := sqlstore.New(f.db, f.cfg)
	if err != nil {
		return nil, nil, err
	}
	h, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return h, func() error { store.Close(); return f.close() }, nil
}

// prepare prepares every statement q names into its destination; on an
// error it closes those already prepared.
func prepare(ctx context.Context, db *sql.DB, qs map[**sql.Stmt]string) error {
	for dst, q := range qs {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for d := range qs {
				if *d != nil {
					(*d).Close()
				}
			}
			return fmt.Errorf("%s: %w", q, err)
		}
		*dst = st
	}
	return nil
}

// closeStmts closes the statements that are not nil.
func closeStmts(stmts ...*sql.Stmt) {
	for _, s := range stmts {
		if s != nil {
			s.Close()
		}
	}
}

// fillTable inserts users 0…n-1 as sqlstore would store them (a random
// UUID for id, version 1), 1,000 to a statement.
func fillTable(ctx context.Context, db *sql.DB, table string, n int) ([]string, error) {
	ids := make([]string, n)
	const batch = 1000
	var (
		q    strings.Builder
		args []any
	)
	for from := 0; from < n; from += batch {
		q.Reset()
		args = args[:0]
		q.WriteString("INSERT INTO " + table + " (" + sqlCols + ") VALUES ")
		for k := from; k < min(from+batch, n); k++ {
			u := seed(k)
			ids[k] = newUUID()
			if k > from {
				q.WriteByte(',')
			}
			b := len(args)
			q.WriteString("(")
			for i := range 10 {
				q.WriteString("$" + strconv.Itoa(b+i+1) + ",")
			}
			q.WriteString("1)")
			args = append(args, ids[k], u.ExternalID, u.UserName, u.GivenName, u.FamilyName, u.DisplayName, u.Email, u.Active, u.Meta.Created, u.Meta.LastModified)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			return nil, fmt.Errorf("filling %s: %w", table, err)
		}
	}
	return ids, nil
}
