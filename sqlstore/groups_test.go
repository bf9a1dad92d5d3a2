package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"net/http"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// groupTables creates uniquely named user, group and membership tables for
// cfg (filling in Dialect, Table and Groups' tables), drops them when the
// test ends, and returns the config.
func (d database) groupTables(t testing.TB, db *sql.DB, cfg sqlstore.Config) sqlstore.Config {
	t.Helper()
	return d.groupTablesAs(t, db, cfg, nil)
}

// groupTablesAs is groupTables with each statement of cfg.Schema passed
// through edit first (when not nil), for tables a host made otherwise.
func (d database) groupTablesAs(t testing.TB, db *sql.DB, cfg sqlstore.Config, edit func(string) string) sqlstore.Config {
	t.Helper()
	cfg.Dialect = d.dialect
	name := "scim_test_" + rand.Text()[:10]
	cfg.Table = name
	g := sqlstore.GroupTables{}
	if cfg.Groups != nil {
		g = *cfg.Groups
	}
	g.Table, g.Members = name+"_groups", name+"_members"
	cfg.Groups = &g
	stmts, err := cfg.Schema()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, r := range cfg.Resources {
			if r.Refs == "" {
				r.Refs = r.Table + "_refs" // the default
			}
			if _, err := db.Exec("DROP TABLE IF EXISTS " + r.Refs); err != nil {
				t.Errorf("drop %s: %v", r.Refs, err)
			}
		}
		for _, table := range []string{g.Members, g.Table, cfg.Table} {
			if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
				t.Errorf("drop %s: %v", table, err)
			}
		}
	})
	for _, s := range stmts {
		if edit != nil {
			s = edit(s)
		}
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s\n%v", s, err)
		}
	}
	return cfg
}

// newGroupStore opens the database, creates the tables and returns a
// Store serving groups on them.
func (d database) newGroupStore(t testing.TB, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB, sqlstore.Config) {
	t.Helper()
	db := d.open(t)
	cfg = d.groupTables(t, db, cfg)
	s, err := sqlstore.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, db, cfg
}

// TestGroupConformance runs the conformance kit, group checks included,
// on each database, for both ways of making ids.
func TestGroupConformance(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				scimtest.TestStore(t, func(t *testing.T) scim.Store {
					cfg := kitConfig
					cfg.IDs = ids
					cfg.Groups = &sqlstore.GroupTables{}
					s, _, _ := d.newGroupStore(t, cfg)
					return s
				})
			})
		}
	})
}

// TestEmptyGroupServedWithoutMembers checks that a handler over sqlstore
// serves a group without members as one over memstore does: with no
// members attribute, never "members":[] (RFC 7643 §2.5), whether it was
// created with "members":[] or emptied by a PATCH.
func TestEmptyGroupServedWithoutMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newGroupStore(t, sqlstore.Config{Groups: &sqlstore.GroupTables{}})
		for name, st := range map[string]scim.Store{"sqlstore": s, "memstore": memstore.New()} {
			t.Run(name, func(t *testing.T) {
				h := must(scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication}))(t)
				send := func(method, target, body string, want int) map[string]any {
					t.Helper()
					return serve(t, h, method, target, body, want)
				}
				noMembers := func(step string, g any) {
					t.Helper()
					if m, ok := g.(map[string]any)["members"]; ok {
						t.Errorf("%s: members is %v, want it absent", step, m)
					}
				}
				uid := send("POST", "/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"ann@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"ann@example.com","type":"work"}]}`, http.StatusCreated)["id"].(string)
				created := send("POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"Empty","members":[]}`, http.StatusCreated)
				noMembers("create with []", created)
				gid := created["id"].(string)
				noMembers("get", send("GET", "/Groups/"+gid, "", http.StatusOK))
				send("PATCH", "/Groups/"+gid, `{"schemas":["`+scim.PatchOpURN+`"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+uid+`"}]}]}`, http.StatusNoContent)
				send("PATCH", "/Groups/"+gid, `{"schemas":["`+scim.PatchOpURN+`"],"Operations":[{"op":"remove","path":"members"}]}`, http.StatusNoContent)
				noMembers("get after emptying", send("GET", "/Groups/"+gid, "", http.StatusOK))
				list, _ := send("GET", "/Groups", "", http.StatusOK)["Resources"].([]any)
				if len(list) != 1 {
					t.Fatalf("list: %v", list)
				}
				noMembers("list", list[0])
			})
		}
	})
}

// groupFilter parses a group filter and resolves it as the handler does
// for /Groups: displayName ignores case, the rest is case-exact. (The
// handler exports no group filter resolution yet; when it does, this
// calls it, as resolve calls Handler.ParseFilter.)
func groupFilter(t testing.TB, s string) filter.Expr {
	t.Helper()
	e := must(filter.Parse(s))(t)
	var walk func(filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case *filter.Logical:
			walk(e.Left)
			walk(e.Right)
		case *filter.Not:
			walk(e.X)
		case *filter.ValuePath:
			walk(e.Filter)
		case *filter.Compare:
			e.CaseExact = e.Path.Name != "displayName"
		}
	}
	walk(e)
	return e
}
