package sqlstore_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestExplain proves that the lookups identity providers send before every
// create (by userName, externalId and work e-mail) are index lookups, not
// table scans: on a table of 20,000 users, the plan of every query List
// runs for them names the index Config.Schema creates.
func TestExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, fullConfig)
		fill(t, db, cfg, 20000)
		base := strings.ToLower(strings.TrimPrefix(cfg.Table, "scim_test_"))
		ctx := scim.WithTenant(bg, "acme")
		for _, tt := range []struct{ filter, index string }{
			{`userName eq "USER12345@example.com"`, "_user_name_key"},
			{`externalId eq "ext-12345"`, "_external_id_idx"},
			{`emails[type eq "work" and value eq "Mail12345@Example.com"]`, "_email_idx"},
			{`emails[type eq "work"].value eq "mail12345@example.com"`, "_email_idx"},
		} {
			t.Run(tt.filter, func(t *testing.T) {
				q := scim.Query{Filter: resolve(t, tt.filter), StartIndex: 1, Count: 10}
				count, list, args := must3(s.ListQueries(ctx, q))(t)
				for _, query := range []struct {
					sql  string
					args []any
				}{{count, args}, {list, append(args, 10, 0)}} {
					plan := explain(t, db, d.dialect, query.sql, query.args)
					if !strings.Contains(strings.ToLower(plan), base+tt.index) || strings.Contains(plan, "Seq Scan") {
						t.Errorf("%s\nuses no index %s…%s:\n%s", query.sql, cfg.Table, tt.index, plan)
					} else {
						t.Logf("%s\n%s", query.sql, plan)
					}
				}
				p := must(s.List(ctx, q))(t)
				if p.TotalResults != 1 {
					t.Errorf("%d users found, want 1", p.TotalResults)
				}
			})
		}
	})
}

// fill inserts n users into cfg's table in batches, faster than Create.
func fill(t *testing.T, db *sql.DB, cfg sqlstore.Config, n int) {
	t.Helper()
	const batch = 500
	cols := "id, tenant, user_name, external_id, email, active"
	width := 6
	if cfg.Dialect == sqlstore.SQLite {
		// The store fills the folded columns itself on SQLite.
		cols += ", user_name_lower, email_lower"
		width = 8
	}
	for i := 0; i < n; i += batch {
		var rows []string
		var args []any
		for j := i; j < min(i+batch, n); j++ {
			var ph []string
			for range width {
				ph = append(ph, cfg.Dialect.Placeholder(len(args)+len(ph)+1))
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+")")
			args = append(args, fmt.Sprintf("id-%05d", j), "acme", fmt.Sprintf("user%05d@example.com", j),
				fmt.Sprintf("ext-%05d", j), fmt.Sprintf("mail%05d@example.com", j), true)
			if width == 8 {
				args = append(args, fmt.Sprintf("user%05d@example.com", j), fmt.Sprintf("mail%05d@example.com", j))
			}
		}
		q := "INSERT INTO " + cfg.Table + " (" + cols + ") VALUES " + strings.Join(rows, ", ")
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	analyze := map[sqlstore.Dialect]string{sqlstore.PostgreSQL: "ANALYZE ", sqlstore.MySQL: "ANALYZE TABLE ", sqlstore.SQLite: "ANALYZE "}
	if _, err := db.Exec(analyze[cfg.Dialect] + cfg.Table); err != nil {
		t.Fatal(err)
	}
}

// explain returns the database's plan for query, one line per row.
func explain(t *testing.T, db *sql.DB, d sqlstore.Dialect, query string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN "
	if d == sqlstore.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.Query(prefix+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		var fields []string
		for i, v := range vals {
			if len(cols) > 1 {
				fields = append(fields, cols[i]+"="+v.String)
			} else {
				fields = append(fields, v.String)
			}
		}
		lines = append(lines, strings.Join(fields, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func must3[A, B, C any](a A, b B, c C, err error) func(testing.TB) (A, B, C) {
	return func(t testing.TB) (A, B, C) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b, c
	}
}
