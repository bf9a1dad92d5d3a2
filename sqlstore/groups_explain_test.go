package sqlstore_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestGroupExplain proves that Entra ID's group lookup by displayName,
// Okta's by externalId, the membership filter members.value eq and a
// user's groups attribute are index lookups: on 5,000 users, 2,000 groups
// and 10,000 memberships, the plan of every query names the index
// Config.Schema creates for it, and no plan scans a table.
func TestGroupExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newGroupStore(t, fullConfig)
		fillGroups(t, db, cfg)
		groups := strings.ToLower(strings.Trim(cfg.Groups.Table, "\"`"))
		members := strings.ToLower(strings.Trim(cfg.Groups.Members, "\"`"))
		ctx := scim.WithTenant(bg, "acme")
		type query struct {
			sql  string
			args []any
		}
		for _, tt := range []struct {
			name    string
			index   string
			queries func(t *testing.T) []query
			found   func(t *testing.T) int
		}{
			{`displayName eq "Team 01234"`, groups + "_display_name_idx", nil, nil},
			{`externalId eq "gext-01234"`, groups + "_external_id_idx", nil, nil},
			{`members.value eq "u-01234"`, members + "_member_idx", nil, nil},
			{`members[value eq "u-01234"]`, members + "_member_idx", nil, nil},
			{"UserGroups", members + "_member_idx", func(t *testing.T) []query {
				q, args := s.UserGroupsQuery("acme", "u-01234")
				return []query{{q, args}}
			}, func(t *testing.T) int { return len(must(s.UserGroups(ctx, "u-01234"))(t)) }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				queries, found := tt.queries, tt.found
				if queries == nil {
					q := scim.Query{Filter: groupFilter(t, tt.name), StartIndex: 1, Count: 10}
					queries = func(t *testing.T) []query {
						count, list, args := must3(s.ListGroupQueries(ctx, q))(t)
						return []query{{count, args}, {list, append(args, 10, 0)}}
					}
					found = func(t *testing.T) int { return must(s.ListGroups(ctx, q))(t).TotalResults }
				}
				for _, q := range queries(t) {
					plan := explain(t, db, d.dialect, q.sql, q.args)
					if !strings.Contains(strings.ToLower(plan), tt.index) || strings.Contains(plan, "Seq Scan") || scansTable(d.dialect, plan) {
						t.Errorf("%s\nuses no index %s, or scans a table:\n%s", q.sql, tt.index, plan)
					} else {
						t.Logf("%s\n%s", q.sql, plan)
					}
				}
				want := 1
				if strings.Contains(tt.name, "members") || tt.name == "UserGroups" {
					want = 2 // every user is in two groups
				}
				if n := found(t); n != want {
					t.Errorf("%d groups found, want %d", n, want)
				}
			})
		}
	})
}

// scansTable reports a full scan in a SQLite or MySQL plan: SQLite's
// "SCAN t" without an index, MySQL's type=ALL on a table (not on a
// materialised subquery's few rows), or a walk of all the tenant's groups
// by the creation-order index, probing each.
func scansTable(d sqlstore.Dialect, plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		switch d {
		case sqlstore.SQLite:
			if strings.Contains(line, "SCAN ") && !strings.Contains(line, "INDEX") || strings.Contains(line, "_created_idx") {
				return true
			}
		case sqlstore.MySQL:
			fields := map[string]string{}
			for _, f := range strings.Fields(line) {
				if k, v, ok := strings.Cut(f, "="); ok {
					fields[k] = v
				}
			}
			if fields["type"] == "ALL" && !strings.HasPrefix(fields["table"], "<") || strings.Contains(fields["key"], "_created_idx") {
				return true
			}
		}
	}
	return false
}

// fillGroups inserts 5,000 users, 2,000 groups and 10,000 memberships (user
// i is in groups i mod 2000 and (i+1) mod 2000) in batches.
func fillGroups(t *testing.T, db *sql.DB, cfg sqlstore.Config) {
	t.Helper()
	const users, groups = 5000, 2000
	insert := func(table, cols string, n int, row func(i int) []any) {
		insertRows(t, db, cfg.Dialect, table, cols, n, row)
	}
	userCols, groupCols := "id, tenant, user_name, active", "id, tenant, display_name, external_id, version"
	if cfg.Dialect == sqlstore.SQLite {
		userCols += ", user_name_lower"
		groupCols += ", display_name_lower"
	}
	insert(cfg.Table, userCols, users, func(i int) []any {
		r := []any{fmt.Sprintf("u-%05d", i), "acme", fmt.Sprintf("user%05d@example.com", i), true}
		if cfg.Dialect == sqlstore.SQLite {
			r = append(r, fmt.Sprintf("user%05d@example.com", i))
		}
		return r
	})
	insert(cfg.Groups.Table, groupCols, groups, func(i int) []any {
		r := []any{fmt.Sprintf("g-%05d", i), "acme", fmt.Sprintf("Team %05d", i), fmt.Sprintf("gext-%05d", i), 1}
		if cfg.Dialect == sqlstore.SQLite {
			r = append(r, fmt.Sprintf("team %05d", i))
		}
		return r
	})
	insert(cfg.Groups.Members, "group_id, member_id, member_type", 2*users, func(i int) []any {
		u := i / 2
		return []any{fmt.Sprintf("g-%05d", (u+i%2)%groups), fmt.Sprintf("u-%05d", u), "User"}
	})
	analyze := map[sqlstore.Dialect]string{sqlstore.PostgreSQL: "ANALYZE ", sqlstore.MySQL: "ANALYZE TABLE ", sqlstore.SQLite: "ANALYZE "}
	for _, table := range []string{cfg.Table, cfg.Groups.Table, cfg.Groups.Members} {
		if _, err := db.Exec(analyze[cfg.Dialect] + table); err != nil {
			t.Fatal(err)
		}
	}
}

// insertRows inserts n rows into table's cols, row(i) giving row i's
// values, in batches of 200 (a test's bulk load).
func insertRows(t testing.TB, db *sql.DB, d sqlstore.Dialect, table, cols string, n int, row func(i int) []any) {
	t.Helper()
	const batch = 200
	width := len(row(0))
	for i := 0; i < n; i += batch {
		var rows []string
		var args []any
		for j := i; j < min(i+batch, n); j++ {
			var ph []string
			for range width {
				ph = append(ph, d.Placeholder(len(args)+len(ph)+1))
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+")")
			args = append(args, row(j)...)
		}
		if _, err := db.Exec("INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(rows, ", "), args...); err != nil {
			t.Fatal(err)
		}
	}
}
