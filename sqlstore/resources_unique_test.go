package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestResourcesUniqueInJSONRefused: a unique attribute without a column
// of its own is a configuration error naming it and the fix, since its
// check would scan the tenant's rows.
func TestResourcesUniqueInJSONRefused(t *testing.T) {
	r := agentTable()
	r.Columns = map[string]string{"displayName": "display_name"}
	cfg := sqlstore.Config{Dialect: sqlstore.PostgreSQL, Resources: []sqlstore.ResourceTable{r}}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted the unique name in the JSON column")
	}
	for _, want := range []string{`attribute "name" is unique`, `map it in Columns`, `"name": "name"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate's error lacks %q: %v", want, err)
		}
	}
}

// TestResourcesUniqueIndexChecked: Check names a unique attribute whose
// table lacks the unique index, with the statement that creates it.
func TestResourcesUniqueIndexChecked(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		if err := s.Check(bg); err != nil {
			t.Fatalf("Check on Schema's tables: %v", err)
		}
		r := cfg.Resources[0]
		drop := "DROP INDEX " + r.Table + "_name_key"
		if d.dialect == sqlstore.MySQL {
			drop += " ON " + r.Table
		}
		if _, err := db.Exec(drop); err != nil {
			t.Fatal(err)
		}
		err := s.Check(bg)
		if err == nil {
			t.Fatal("Check passed without the unique index on name")
		}
		for _, want := range []string{`attribute "name" is unique`, "CREATE UNIQUE INDEX " + r.Table + "_name_key"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Check's error lacks %q:\n%v", want, err)
			}
		}
	})
}

// TestResourcesUniqueExplain proves that checking a write's unique name
// is one probe of the unique index Config.Schema creates, not a scan of
// the tenant's agents: on a table of 20,000, the plan of the lookup names
// the index, for a name in any case.
func TestResourcesUniqueExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		fillAgents(t, db, d.dialect, cfg.Resources[0].Table, 20000)
		ctx := scim.WithTenant(bg, "acme")
		for _, name := range []string{"agent-12345", "AGENT-12345", "Zoë"} {
			qs, args := must2(s.UniqueQueries(ctx, &cfg.Resources[0].Type, &scim.Resource{Attributes: map[string]any{"name": name}}))(t)
			if len(qs) != 1 {
				t.Fatalf("%d lookups for one unique attribute", len(qs))
			}
			plan := explain(t, db, d.dialect, qs[0], args[0])
			// MySQL and MariaDB probe a unique index for a constant key
			// while planning; for a free name the plan then names no
			// index, only what the probe found.
			probed := d.dialect == sqlstore.MySQL && strings.Contains(plan, "Impossible WHERE noticed after reading const tables")
			if !probed && !strings.Contains(strings.ToLower(plan), strings.ToLower(cfg.Resources[0].Table)+"_name_key") ||
				strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "type=ALL") {
				t.Errorf("%s\nuses no index …_name_key:\n%s", qs[0], plan)
			} else {
				t.Logf("%s\n%s", qs[0], plan)
			}
		}
	})
}

// fillAgents inserts n agents named agent-00000… of tenant acme into
// table in batches, faster than CreateResource.
func fillAgents(t testing.TB, db *sql.DB, d sqlstore.Dialect, table string, n int) {
	t.Helper()
	cols := "id, tenant, name, version"
	if d == sqlstore.SQLite {
		cols += ", name_lower" // the store writes the folded name itself
	}
	insertRows(t, db, d, table, cols, n, func(j int) []any {
		name := fmt.Sprintf("agent-%05d", j)
		row := []any{fmt.Sprintf("00000000-0000-0000-0000-%012d", j), "acme", name, 1}
		if d == sqlstore.SQLite {
			row = append(row, name)
		}
		return row
	})
}

// TestResourcesConcurrentCreate sends 20 creates of one agent name, in
// different cases, at once through two replicas' Stores on one table:
// exactly one is 201 and the others 409 uniqueness, and one agent is
// stored.
func TestResourcesConcurrentCreate(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s1, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		hs := []http.Handler{tenantHandler(t, s1), tenantHandler(t, s2)}
		codes := make([]int, 20)
		bodies := make([]string, 20)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				name := "Contested-Bot"
				if i%2 == 1 {
					name = strings.ToUpper(name)
				}
				rec := call(hs[i%2], "POST", "/Agents", fmt.Sprintf(`{"schemas":[%q],"name":%q}`, agentURN, name))
				codes[i], bodies[i] = rec.Code, rec.Body.String()
			})
		}
		wg.Wait()
		created := 0
		for i, code := range codes {
			switch {
			case code == http.StatusCreated:
				created++
			case code == http.StatusConflict && strings.Contains(bodies[i], `"uniqueness"`):
			default:
				t.Errorf("create %d: %d %s", i, code, bodies[i])
			}
		}
		l := object(t, call(hs[0], "GET", "/Agents?filter="+strings.ReplaceAll(`name eq "contested-bot"`, " ", "%20"), ""))
		if created != 1 || l["totalResults"] != 1.0 {
			t.Errorf("%d creates succeeded and %v agents are stored, want 1 of each", created, l["totalResults"])
		}
	})
}

// TestResourcesUniqueCaseExact: a caseExact unique attribute's values
// differ by case, on every database (MySQL's default collation would
// equate them).
func TestResourcesUniqueCaseExact(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		r := agentTable()
		r.Table = "scim_test_" + rand.Text()[:10] + "_exact"
		for i := range r.Type.Schema.Attributes {
			if r.Type.Schema.Attributes[i].Name == "name" {
				r.Type.Schema.Attributes[i].CaseExact = true
			}
		}
		t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + r.Table) })
		cfg := d.groupTables(t, db, sqlstore.Config{IDs: sqlstore.UUIDs, Columns: sqlstore.Columns{Tenant: "tenant"}, Resources: []sqlstore.ResourceTable{r}})
		s := must(sqlstore.New(db, cfg))(t)
		defer s.Close()
		if err := s.Check(bg); err != nil {
			t.Fatal(err)
		}
		ctx := scim.WithTenant(bg, "acme")
		for _, name := range []string{"Bot", "bot", "böt"} {
			if _, err := s.CreateResource(ctx, &r.Type, &scim.Resource{Attributes: map[string]any{"name": name}}); err != nil {
				t.Errorf("create %q: %v", name, err)
			}
		}
		if _, err := s.CreateResource(ctx, &r.Type, &scim.Resource{Attributes: map[string]any{"name": "bot"}}); err == nil {
			t.Error(`a second "bot" was created`)
		}
	})
}

// BenchmarkCreateResource creates agents with a unique name in a table
// already holding 1,000 and 10,000 of the tenant's: the uniqueness check
// is an index probe, so the time per create does not grow with the table.
func BenchmarkCreateResource(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && os.Getenv(d.env) == "" {
				b.Skipf("%s is not set", d.env)
			}
			for _, n := range []int{1000, 10000} {
				b.Run(fmt.Sprintf("existing=%d", n), func(b *testing.B) {
					s, db, cfg := d.newAgentStore(b, sqlstore.UUIDs)
					fillAgents(b, db, d.dialect, cfg.Resources[0].Table, n)
					ctx := scim.WithTenant(bg, "acme")
					typ := &cfg.Resources[0].Type
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						r := &scim.Resource{Attributes: map[string]any{"name": fmt.Sprintf("bench-%d", i), "agentType": "worker"}}
						must(s.CreateResource(ctx, typ, r))(b)
					}
				})
			}
		})
	}
}
