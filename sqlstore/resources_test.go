package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/internal/testtypes"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// agentTable keeps name, displayName and active in columns, the rest
// (agentType, description, owners) in the JSON column.
func agentTable() sqlstore.ResourceTable {
	return sqlstore.ResourceTable{Type: agentType(),
		Columns: map[string]string{"name": "name", "displayName": "display_name", "active": "active"}}
}

// newAgentStore creates uniquely named user, group, membership and agent
// tables (with a tenant column) and returns a Store serving all three
// types, and its config.
func (d database) newAgentStore(t testing.TB, ids sqlstore.IDs) (*sqlstore.Store, *sql.DB, sqlstore.Config) {
	t.Helper()
	db := d.open(t)
	agents := agentTable()
	agents.Table = "scim_test_" + rand.Text()[:10] + "_agents"
	t.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + agents.Table); err != nil {
			t.Errorf("drop %s: %v", agents.Table, err)
		}
	})
	cfg := d.groupTables(t, db, sqlstore.Config{IDs: ids, Columns: sqlstore.Columns{Tenant: "tenant"}, Resources: []sqlstore.ResourceTable{agents}})
	s, err := sqlstore.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Check(bg); err != nil {
		t.Fatal(err)
	}
	return s, db, cfg
}

// tenantHandler serves s with the Agent type declared, each request in
// the tenant its X-Tenant header names ("acme" without one), as a host's
// middleware would.
func tenantHandler(t testing.TB, s *sqlstore.Store) http.Handler {
	t.Helper()
	h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{agentType()}}))(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := r.Header.Get("X-Tenant")
		if tenant == "" {
			tenant = "acme"
		}
		h.ServeHTTP(w, r.WithContext(scim.WithTenant(r.Context(), tenant)))
	})
}

// call sends a request to h; header holds name, value pairs.
func call(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/scim+json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func object(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%d %v: %s", rec.Code, err, rec.Body)
	}
	return m
}

// idOf is the id of the resource rec's body holds, which must be one.
func idOf(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	id, ok := object(t, rec)["id"].(string)
	if !ok {
		t.Fatalf("no id: %d %s", rec.Code, rec.Body)
	}
	return id
}

func patchOp(ops string) string {
	return `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[` + ops + `]}`
}

var idsKinds = []struct {
	name string
	ids  sqlstore.IDs
}{{"UUIDs", sqlstore.UUIDs}, {"DatabaseIDs", sqlstore.DatabaseIDs}}

// TestResourcesConversation runs the exchange an identity provider has
// with /Agents over each database, for both ways of making ids: create,
// read, filters on a column and on the JSON column, every PATCH shape,
// PUT with a stale If-Match, a taken name, an owner's deletion and the
// agent's.
func TestResourcesConversation(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, k := range idsKinds {
			t.Run(k.name, func(t *testing.T) {
				s, _, _ := d.newAgentStore(t, k.ids)
				h := tenantHandler(t, s)
				user := object(t, call(h, "POST", "/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"ann@example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}]}`))
				uid := user["id"].(string)
				group := object(t, call(h, "POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"Ops"}`))
				gid := group["id"].(string)

				rec := call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"triage-bot","displayName":"Triage","agentType":"assistant","active":true,"description":"Sorts tickets","owners":[{"value":"`+uid+`","type":"User"},{"value":"`+gid+`","type":"Group"}]}`)
				if rec.Code != http.StatusCreated {
					t.Fatalf("create: %d %s", rec.Code, rec.Body)
				}
				agent := object(t, rec)
				id := agent["id"].(string)
				if id == uid || id == gid {
					t.Fatalf("agent id %q is a user's or a group's (RFC 7643 §3.1)", id)
				}
				if k.ids == sqlstore.DatabaseIDs && !strings.HasPrefix(id, "agent-") {
					t.Errorf("database id %q lacks the prefix agent-", id)
				}
				if agent["name"] != "triage-bot" || agent["active"] != true || agent["agentType"] != "assistant" || len(agent["owners"].([]any)) != 2 {
					t.Errorf("created %v", agent)
				}

				rec = call(h, "GET", "/Agents/"+id, "")
				if rec.Code != 200 || rec.Header().Get("ETag") == "" {
					t.Fatalf("get: %d %s", rec.Code, rec.Body)
				}
				if got := object(t, rec); got["displayName"] != "Triage" || got["description"] != "Sorts tickets" {
					t.Errorf("read back %v", got)
				}

				for _, c := range []struct{ name, filter string }{
					{"column, ignoring case", `name eq "TRIAGE-BOT"`},
					{"column boolean", `active eq true`},
					{"JSON string", `agentType eq "assistant"`},
					{"JSON string, sw", `description sw "sorts"`},
					{"JSON array", `owners.value eq "` + uid + `"`},
					{"JSON value path", `owners[type eq "Group" and value eq "` + gid + `"]`},
					{"id", `id eq "` + id + `"`},
					{"meta", `meta.created pr`},
				} {
					l := object(t, call(h, "GET", "/Agents?filter="+url.QueryEscape(c.filter), ""))
					if l["totalResults"] != 1.0 {
						t.Errorf("%s: filter %s: %v", c.name, c.filter, l)
					}
				}
				for _, f := range []string{`name eq "other"`, `agentType eq "worker"`, `owners.value eq "nobody"`, `id eq "12345"`} {
					if l := object(t, call(h, "GET", "/Agents?filter="+url.QueryEscape(f), "")); l["totalResults"] != 0.0 {
						t.Errorf("filter %s matches: %v", f, l)
					}
				}

				for _, op := range []string{
					`{"op":"replace","path":"description","value":"Routes tickets"}`,
					`{"op":"replace","value":{"active":false,"agentType":"worker"}}`,
					`{"op":"add","path":"owners","value":[{"value":"x-1","type":"Group"}]}`,
					`{"op":"remove","path":"owners[value eq \"x-1\"]"}`,
					`{"op":"replace","path":"displayName","value":"Triage Bot"}`,
				} {
					if rec := call(h, "PATCH", "/Agents/"+id, patchOp(op)); rec.Code != 200 {
						t.Fatalf("PATCH %s: %d %s", op, rec.Code, rec.Body)
					}
				}
				agent = object(t, call(h, "GET", "/Agents/"+id, ""))
				if agent["description"] != "Routes tickets" || agent["active"] != false || agent["agentType"] != "worker" ||
					agent["displayName"] != "Triage Bot" || len(agent["owners"].([]any)) != 2 {
					t.Errorf("after PATCH: %v", agent)
				}

				if rec := call(h, "PUT", "/Agents/"+id, `{"schemas":["`+agentURN+`"],"name":"triage-bot"}`, "If-Match", `W/"999"`); rec.Code != http.StatusPreconditionFailed {
					t.Errorf("PUT with a stale If-Match: %d %s", rec.Code, rec.Body)
				}
				etag := call(h, "GET", "/Agents/"+id, "").Header().Get("ETag")
				if rec := call(h, "PUT", "/Agents/"+id, `{"schemas":["`+agentURN+`"],"name":"triage-bot","owners":[{"value":"`+uid+`","type":"User"}]}`, "If-Match", etag); rec.Code != 200 {
					t.Errorf("PUT with the current If-Match: %d %s", rec.Code, rec.Body)
				}

				if rec := call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"Triage-Bot"}`); rec.Code != http.StatusConflict {
					t.Errorf("create with a taken name: %d %s", rec.Code, rec.Body)
				}
				other := object(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"other-bot","owners":[{"value":"`+uid+`","type":"User"}]}`))
				if rec := call(h, "PATCH", "/Agents/"+other["id"].(string), patchOp(`{"op":"replace","path":"name","value":"TRIAGE-bot"}`)); rec.Code != http.StatusConflict {
					t.Errorf("rename to a taken name: %d %s", rec.Code, rec.Body)
				}

				// A deleted owner leaves every agent's list, and each agent
				// changed gets a new version.
				before := call(h, "GET", "/Agents/"+id, "").Header().Get("ETag")
				if rec := call(h, "DELETE", "/Users/"+uid, ""); rec.Code != 204 {
					t.Fatalf("delete user: %d %s", rec.Code, rec.Body)
				}
				rec = call(h, "GET", "/Agents/"+id, "")
				if a := object(t, rec); a["owners"] != nil {
					t.Errorf("owners after the owner's deletion: %v", a["owners"])
				}
				if rec.Header().Get("ETag") == before {
					t.Errorf("the agent kept version %s after losing an owner", before)
				}
				if a := object(t, call(h, "GET", "/Agents/"+other["id"].(string), "")); a["owners"] != nil {
					t.Errorf("other agent's owners after the owner's deletion: %v", a["owners"])
				}

				if rec := call(h, "DELETE", "/Agents/"+id, ""); rec.Code != 204 {
					t.Fatalf("delete agent: %d %s", rec.Code, rec.Body)
				}
				if rec := call(h, "GET", "/Agents/"+id, ""); rec.Code != 404 {
					t.Errorf("get after delete: %d", rec.Code)
				}
				if rec := call(h, "DELETE", "/Agents/"+id, ""); rec.Code != 404 {
					t.Errorf("delete after delete: %d", rec.Code)
				}
			})
		}
	})
}

// TestResourcesDropReferences deletes a group and an agent that agents
// name as owners: both leave the lists, other owners stay.
func TestResourcesDropReferences(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newAgentStore(t, sqlstore.DatabaseIDs)
		h := tenantHandler(t, s)
		gid := idOf(t, call(h, "POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"Ops"}`))
		boss := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"boss"}`))
		id := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"worker","owners":[{"value":"`+gid+`","type":"Group"},{"value":"`+boss+`"},{"value":"keep"}]}`))
		for _, del := range []string{"/Groups/" + gid, "/Agents/" + boss} {
			if rec := call(h, "DELETE", del, ""); rec.Code != 204 {
				t.Fatalf("DELETE %s: %d %s", del, rec.Code, rec.Body)
			}
		}
		owners, _ := object(t, call(h, "GET", "/Agents/"+id, ""))["owners"].([]any)
		if len(owners) != 1 || owners[0].(map[string]any)["value"] != "keep" {
			t.Errorf("owners %v, want only keep", owners)
		}
	})
}

// TestResourcesTenants keeps each tenant's agents apart: another
// tenant's agent is not read, listed, changed or deleted, and names are
// unique only within a tenant.
func TestResourcesTenants(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newAgentStore(t, sqlstore.UUIDs)
		h := tenantHandler(t, s)
		id := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"bot"}`, "X-Tenant", "a"))
		for _, c := range []struct{ method, target, body string }{
			{"GET", "/Agents/" + id, ""},
			{"PUT", "/Agents/" + id, `{"schemas":["` + agentURN + `"],"name":"bot"}`},
			{"PATCH", "/Agents/" + id, patchOp(`{"op":"replace","path":"name","value":"x"}`)},
			{"DELETE", "/Agents/" + id, ""},
		} {
			if rec := call(h, c.method, c.target, c.body, "X-Tenant", "b"); rec.Code != 404 {
				t.Errorf("%s %s from another tenant: %d %s", c.method, c.target, rec.Code, rec.Body)
			}
		}
		if l := object(t, call(h, "GET", "/Agents", "", "X-Tenant", "b")); l["totalResults"] != 0.0 {
			t.Errorf("another tenant lists %v", l)
		}
		if rec := call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"BOT"}`, "X-Tenant", "b"); rec.Code != 201 {
			t.Errorf("the same name in another tenant: %d %s", rec.Code, rec.Body)
		}
		if l := object(t, call(h, "GET", "/Agents", "", "X-Tenant", "a")); l["totalResults"] != 1.0 {
			t.Errorf("tenant a lists %v", l)
		}
	})
}

// TestResourcesIDsApart creates users, groups and agents over database
// ids, where each table counts from 1: no two have one id (RFC 7643
// §3.1), and an agent is not found under a user's id.
func TestResourcesIDsApart(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newAgentStore(t, sqlstore.DatabaseIDs)
		h := tenantHandler(t, s)
		seen := map[string]string{}
		for i := range 3 {
			for _, c := range []struct{ endpoint, body string }{
				{"Users", fmt.Sprintf(`{"schemas":[%q],"userName":"u%d@example.com","name":{"givenName":"U","familyName":"V"},"emails":[{"value":"u%d@example.com","type":"work"}]}`, scim.UserURN, i, i)},
				{"Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":"g%d"}`, scim.GroupURN, i)},
				{"Agents", fmt.Sprintf(`{"schemas":[%q],"name":"a%d"}`, agentURN, i)},
			} {
				id := idOf(t, call(h, "POST", "/"+c.endpoint, c.body))
				if prev, dup := seen[id]; dup {
					t.Errorf("id %q is both a %s and a %s", id, prev, c.endpoint)
				}
				seen[id] = c.endpoint
			}
		}
		for id, endpoint := range seen {
			if endpoint != "Agents" {
				if rec := call(h, "GET", "/Agents/"+id, ""); rec.Code != 404 {
					t.Errorf("GET /Agents/%s (a %s's id): %d", id, endpoint, rec.Code)
				}
			}
		}
	})
}

// TestResourcesKeyset pages 7 agents by cursor (RFC 9865) three at a
// time, forward and back, with a filter on the JSON column.
func TestResourcesKeyset(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, k := range idsKinds {
			t.Run(k.name, func(t *testing.T) {
				s, _, _ := d.newAgentStore(t, k.ids)
				h := tenantHandler(t, s)
				for i := range 7 {
					call(h, "POST", "/Agents", fmt.Sprintf(`{"schemas":[%q],"name":"a%d","agentType":"worker"}`, agentURN, i))
				}
				call(h, "POST", "/Agents", fmt.Sprintf(`{"schemas":[%q],"name":"other","agentType":"assistant"}`, agentURN))
				type list struct {
					NextCursor, PreviousCursor string
					Resources                  []struct{ Name string }
				}
				get := func(target string) list {
					rec := call(h, "GET", target, "")
					var l list
					if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &l) != nil {
						t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
					}
					return l
				}
				filter := "&filter=" + url.QueryEscape(`agentType eq "worker"`)
				var names []string
				l := get("/Agents?cursor=&count=3" + filter)
				var pages []list
				for ; ; l = get("/Agents?count=3&cursor=" + l.NextCursor + filter) {
					pages = append(pages, l)
					for _, r := range l.Resources {
						names = append(names, r.Name)
					}
					if l.NextCursor == "" {
						break
					}
				}
				// UUIDs created in one instant are ordered by id: the
				// order is the creation order only across instants.
				sorted := slices.Sorted(slices.Values(names))
				if got := strings.Join(sorted, ","); got != "a0,a1,a2,a3,a4,a5,a6" || len(pages) != 3 {
					t.Fatalf("paged forward in %d pages: %v", len(pages), names)
				}
				back := get("/Agents?count=3&cursor=" + pages[1].PreviousCursor + filter)
				if len(back.Resources) != 3 || back.Resources[0].Name != names[0] || back.PreviousCursor != "" {
					t.Errorf("paged back: %+v, want the first page %v", back, names[:3])
				}
			})
		}
	})
}

// TestResourcesConcurrentPatch sends 20 PATCHes, each adding an owner, to
// one agent at once: the handler retries on a version mismatch, so every
// one takes effect.
func TestResourcesConcurrentPatch(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newAgentStore(t, sqlstore.UUIDs)
		h := tenantHandler(t, s)
		id := idOf(t, call(h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"busy"}`))
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				op := fmt.Sprintf(`{"op":"add","path":"owners","value":[{"value":"o%02d"}]}`, i)
				if rec := call(h, "PATCH", "/Agents/"+id, patchOp(op)); rec.Code != 200 {
					t.Errorf("PATCH %d: %d %s", i, rec.Code, rec.Body)
				}
			})
		}
		wg.Wait()
		owners, _ := object(t, call(h, "GET", "/Agents/"+id, ""))["owners"].([]any)
		if len(owners) != 20 {
			t.Errorf("after 20 concurrent PATCHes the agent has %d owners, want 20: an update was lost", len(owners))
		}
	})
}

// TestResourcesLimits attacks every attribute /Schemas advertises, the
// Agent's included, over sqlstore on each database.
func TestResourcesLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newAgentStore(t, sqlstore.UUIDs)
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{agentType()}}))(t)
		scimtest.TestLimits(t, h, scimtest.LimitsOptions{})
	})
}

// TestResourcesUnconfigured: a type without a table is an error that
// names it, on every method.
func TestResourcesUnconfigured(t *testing.T) {
	s, _, _ := databases[0].newAgentStore(t, sqlstore.UUIDs)
	other := &scim.ResourceType{Name: "Robot", Endpoint: "Robots"}
	ctx := scim.WithTenant(context.Background(), "acme")
	_, err := s.CreateResource(ctx, other, &scim.Resource{})
	if err == nil || !strings.Contains(err.Error(), `"Robot"`) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("CreateResource of an unconfigured type: %v", err)
	}
	if _, err := s.ListResources(ctx, other, scim.Query{}); err == nil {
		t.Error("ListResources of an unconfigured type: no error")
	}
}

// TestResourcesCheck names a missing table and a missing column with the
// statements that would create them.
func TestResourcesCheck(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		_, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		r := cfg.Resources[0]
		r.Columns = map[string]string{"name": "name", "displayName": "display_name", "active": "active", "agentType": "kind"}
		r2 := agentTable()
		r2.Type.Name, r2.Type.Endpoint, r2.Table = "Robot", "Robots", "scim_test_missing_"+rand.Text()[:8]
		cfg.Resources = []sqlstore.ResourceTable{r, r2}
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		err := s2.Check(bg)
		if err == nil {
			t.Fatal("Check passed over a missing table and column")
		}
		for _, want := range []string{"ADD COLUMN kind", "CREATE TABLE " + r2.Table, "CREATE TABLE " + r2.Table + "_refs"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Check's error lacks %q:\n%v", want, err)
			}
		}
	})
}

// TestResourcesCheckRefs names a missing references table, and one
// without its primary key, with the statement that creates it.
func TestResourcesCheckRefs(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		_, db, cfg := d.newAgentStore(t, sqlstore.UUIDs)
		refs := cfg.Resources[0].Table + "_refs"
		if _, err := db.Exec("DROP TABLE " + refs); err != nil {
			t.Fatal(err)
		}
		s := must(sqlstore.New(db, cfg))(t)
		defer s.Close()
		err := s.Check(bg)
		if err == nil || !strings.Contains(err.Error(), "CREATE TABLE "+refs) || !strings.Contains(err.Error(), "PRIMARY KEY (tenant, target_id, resource_id)") {
			t.Errorf("Check over a missing references table: %v, want its CREATE TABLE", err)
		}
		if _, err := db.Exec("CREATE TABLE " + refs + " (tenant VARCHAR(255), target_id VARCHAR(255), resource_id VARCHAR(36))"); err != nil {
			t.Fatal(err)
		}
		err = s.Check(bg)
		if want := "CREATE UNIQUE INDEX " + refs + "_key ON " + refs + " (tenant, target_id, resource_id)"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check over a references table without its key: %v, want %q", err, want)
		}
	})
}

// TestResourceTableValidate refuses tables that cannot hold the type.
func TestResourceTableValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*sqlstore.Config)
		want string
	}{
		{"complex in a column", func(c *sqlstore.Config) { c.Resources[0].Columns = map[string]string{"owners": "owners"} }, "JSON column"},
		{"unknown attribute", func(c *sqlstore.Config) { c.Resources[0].Columns = map[string]string{"nope": "nope"} }, "no such attribute"},
		{"no JSON column", func(c *sqlstore.Config) { c.Resources[0].JSON = "-" }, "has no column"},
		{"bare database ids", func(c *sqlstore.Config) { c.IDs = sqlstore.DatabaseIDs; c.Resources[0].IDPrefix = "-" }, "IDPrefix"},
		{"prefix of the groups'", func(c *sqlstore.Config) {
			c.IDs = sqlstore.DatabaseIDs
			c.Groups = &sqlstore.GroupTables{}
			c.Resources[0].IDPrefix = "g-a"
		}, "could make one id"},
		{"tenant mismatch", func(c *sqlstore.Config) { c.Resources[0].Tenant = "tenant" }, "tenant column"},
		{"twice", func(c *sqlstore.Config) { c.Resources = append(c.Resources, c.Resources[0]) }, "two tables"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := sqlstore.Config{Dialect: sqlstore.SQLite, Resources: []sqlstore.ResourceTable{agentTable()}}
			c.edit(&cfg)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Validate: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// The demo's Agent, declared once for the repository's tests.
const agentURN = testtypes.AgentURN

func agentType() scim.ResourceType { return testtypes.Agent() }
