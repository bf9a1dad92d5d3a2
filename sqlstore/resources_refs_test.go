package sqlstore_test

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// fillOwnedAgents inserts n agents of the tenant acme into the agent table of
// cfg (a UUIDs store from newAgentStore), with ids a-00000…, each naming
// owner(i) and "keep" as owners, and their references table rows, in
// batches: the rows a store that created them would hold.
func fillOwnedAgents(t testing.TB, db *sql.DB, cfg sqlstore.Config, n int, owner func(i int) string) {
	t.Helper()
	r := cfg.Resources[0]
	refs := r.Refs
	if refs == "" {
		refs = r.Table + "_refs"
	}
	insert := func(table, cols string, row func(i int) []any) { insertRows(t, db, cfg.Dialect, table, cols, n, row) }
	agentCols := "id, tenant, version, name, attributes"
	if cfg.Dialect == sqlstore.SQLite {
		agentCols += ", name_lower"
	}
	insert(r.Table, agentCols, func(i int) []any {
		name := fmt.Sprintf("bot-%05d", i)
		row := []any{fmt.Sprintf("a-%05d", i), "acme", 1, name, `{"owners":[{"value":"` + owner(i) + `"},{"value":"keep"}]}`}
		if cfg.Dialect == sqlstore.SQLite {
			row = append(row, name)
		}
		return row
	})
	// Both references of agent i, as two rows of one batch each.
	insert(refs, "tenant, target_id, resource_id", func(i int) []any {
		return []any{"acme", owner(i), fmt.Sprintf("a-%05d", i)}
	})
	insert(refs, "tenant, target_id, resource_id", func(i int) []any {
		return []any{"acme", "keep", fmt.Sprintf("a-%05d", i)}
	})
	analyze := map[sqlstore.Dialect]string{sqlstore.PostgreSQL: "ANALYZE ", sqlstore.MySQL: "ANALYZE TABLE ", sqlstore.SQLite: "ANALYZE "}
	for _, table := range []string{r.Table, refs} {
		if _, err := db.Exec(analyze[cfg.Dialect] + table); err != nil {
			t.Fatal(err)
		}
	}
}

// addUser inserts the user with the given id into the user table of cfg.
func addUser(t testing.TB, db *sql.DB, cfg sqlstore.Config, id string) {
	t.Helper()
	cols, args := "id, tenant, user_name, active", []any{id, "acme", id + "@example.com", true}
	if cfg.Dialect == sqlstore.SQLite {
		cols, args = cols+", user_name_lower", append(args, id+"@example.com")
	}
	q := "INSERT INTO " + cfg.Table + " (" + cols + ") VALUES (" + strings.Join([]string{
		cfg.Dialect.Placeholder(1), cfg.Dialect.Placeholder(2), cfg.Dialect.Placeholder(3), cfg.Dialect.Placeholder(4), cfg.Dialect.Placeholder(5)}[:len(args)], ", ") + ")"
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// TestResourcesRefsExplain proves that deleting a user touches only the
// agents naming it: on 3,000 agents of the tenant, each naming one of
// 1,000 users, the lookup of the agents naming a user is a range of the
// references table's primary key and their lock a probe of the agent
// table's, no plan scans a table, and the delete changes exactly the
// three agents naming the user (their versions move; no other's does).
func TestResourcesRefsExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		owner := func(i int) string { return fmt.Sprintf("u-%05d", i%1000) }
		fillOwnedAgents(t, db, cfg, 3000, owner)
		addUser(t, db, cfg, "u-00042")
		ctx := scim.WithTenant(bg, "acme")
		typ := agentType()
		lookup, largs, lock, kargs, err := s.RefsQueries(ctx, &typ, "u-00042")
		if err != nil {
			t.Fatal(err)
		}
		if len(kargs) != 4 { // three keys and the tenant
			t.Fatalf("the lookup found %v, want the three agents naming u-00042", kargs)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{{lookup, largs}, {lock, kargs}} {
			plan := explain(t, db, d.dialect, q.sql, q.args)
			if strings.Contains(plan, "Seq Scan") || scansTable(d.dialect, plan) || d.dialect == sqlstore.PostgreSQL && !strings.Contains(plan, "Index") {
				t.Errorf("%s\nscans a table:\n%s", q.sql, plan)
			} else {
				t.Logf("%s\n%s", q.sql, plan)
			}
		}
		if err := s.Delete(ctx, "u-00042", ""); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT id, attributes FROM " + cfg.Resources[0].Table + " WHERE version > 1 ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var changed []string
		for rows.Next() {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				t.Fatal(err)
			}
			changed = append(changed, id)
			if strings.Contains(doc, "u-00042") {
				t.Errorf("agent %s still names the deleted user: %s", id, doc)
			}
		}
		if want := "a-00042 a-01042 a-02042"; strings.Join(changed, " ") != want {
			t.Errorf("agents given a new version: %v, want %s", changed, want)
		}
	})
}

// TestResourcesRefsFollowWrites checks that the references table follows
// every write of an agent's owners: an owner removed by PUT or by PATCH
// and then deleted leaves the agent's version as it is, one added by
// PATCH and then deleted leaves the list with a new version, and a
// deleted agent's references go with it.
func TestResourcesRefsFollowWrites(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, k := range idsKinds {
			t.Run(k.name, func(t *testing.T) {
				s, db, cfg := d.newAgentStore(t, k.ids)
				h := tenantHandler(t, s)
				user := func(name string) string {
					return idOf(t, call(h, "POST", "/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"`+name+`@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"`+name+`@example.com","type":"work"}]}`))
				}
				u1, u2, u3 := user("one"), user("two"), user("three")
				id := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"bot","owners":[{"value":"`+u1+`"},{"value":"`+u2+`"}]}`))
				version := func() string {
					t.Helper()
					return object(t, call(h, "GET", "/Agents/"+id, ""))["meta"].(map[string]any)["version"].(string)
				}
				del := func(target string) {
					t.Helper()
					if rec := call(h, "DELETE", target, ""); rec.Code != 204 {
						t.Fatalf("DELETE %s: %d %s", target, rec.Code, rec.Body)
					}
				}
				refs := cfg.Resources[0].Table + "_refs"
				// indexed checks the references table's rows naming each
				// user: a row left behind would make the user's delete
				// lock and read the agent.
				indexed := func(after string, want map[string]int) {
					t.Helper()
					for target, n := range want {
						var got int
						if err := db.QueryRow("SELECT COUNT(*) FROM "+refs+" WHERE target_id = "+cfg.Dialect.Placeholder(1), target).Scan(&got); err != nil {
							t.Fatal(err)
						}
						if got != n {
							t.Errorf("after %s, %s has %d rows naming %s, want %d", after, refs, got, target, n)
						}
					}
				}
				indexed("the create", map[string]int{u1: 1, u2: 1, u3: 0})
				if rec := call(h, "PUT", "/Agents/"+id, `{"schemas":["`+agentURN+`"],"name":"bot","owners":[{"value":"`+u2+`"}]}`); rec.Code != 200 {
					t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
				}
				indexed("the PUT", map[string]int{u1: 0, u2: 1, u3: 0})
				before := version()
				del("/Users/" + u1)
				if v := version(); v != before {
					t.Errorf("deleting an owner removed by PUT moved the agent's version from %s to %s", before, v)
				}
				if rec := call(h, "PATCH", "/Agents/"+id, patchOp(`{"op":"remove","path":"owners[value eq \"`+u2+`\"]"},{"op":"add","path":"owners","value":[{"value":"`+u3+`"}]}`)); rec.Code != 200 {
					t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
				}
				indexed("the PATCH", map[string]int{u1: 0, u2: 0, u3: 1})
				before = version()
				del("/Users/" + u2)
				if v := version(); v != before {
					t.Errorf("deleting an owner removed by PATCH moved the agent's version from %s to %s", before, v)
				}
				del("/Users/" + u3)
				got := object(t, call(h, "GET", "/Agents/"+id, ""))
				if got["owners"] != nil || got["meta"].(map[string]any)["version"] == before {
					t.Errorf("after deleting the owner added by PATCH: owners %v, version %v (was %s)", got["owners"], got["meta"].(map[string]any)["version"], before)
				}
				other := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"other","owners":[{"value":"`+id+`"},{"value":"x"}]}`))
				del("/Agents/" + other)
				var n int
				if err := db.QueryRow("SELECT COUNT(*) FROM " + refs).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("%s holds %d rows once every reference is gone, want 0", refs, n)
				}
			})
		}
	})
}

// BenchmarkDeleteUserWithAgents deletes a user that one agent names as
// owner, in a tenant holding 1,000 and then 10,000 other agents, each
// naming another user: the time per delete does not grow with the
// agents, since the references table names the one to rewrite.
func BenchmarkDeleteUserWithAgents(b *testing.B) {
	d := databases[0] // SQLite
	if env := os.Getenv("SCIMKIT_BENCH_DB"); env != "" {
		for _, db := range databases {
			if db.name == env {
				d = db
			}
		}
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%s/agents=%d", d.name, n), func(b *testing.B) {
			s, db, cfg := d.newAgentStore(b, sqlstore.UUIDs)
			fillOwnedAgents(b, db, cfg, n, func(i int) string { return fmt.Sprintf("other-%05d", i) })
			ctx := scim.WithTenant(bg, "acme")
			typ := agentType()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				u := must(s.Create(ctx, &scim.User{UserName: fmt.Sprintf("owner%d", i), Active: true}))(b)
				a := must(s.CreateResource(ctx, &typ, &scim.Resource{Attributes: map[string]any{
					"name": fmt.Sprintf("owned-%d", i), "owners": []map[string]any{{"value": u.ID}}}}))(b)
				b.StartTimer()
				if err := s.Delete(ctx, u.ID, ""); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := s.DeleteResource(ctx, &typ, a.ID, ""); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
