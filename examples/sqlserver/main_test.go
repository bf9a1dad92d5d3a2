package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/examples/internal/demo"
)

// TestAppTable runs the demo over an application's existing users table:
// SQLite always, PostgreSQL when SCIMKIT_TEST_POSTGRES is set.
func TestAppTable(t *testing.T) {
	for name, db := range testDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store, closeStore, err := openStore(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer closeStore()
			if name == "postgres" {
				// The app's table is shared with other runs: clean up ours.
				sqlDB, _ := sql.Open("pgx", db)
				defer sqlDB.Close()
				clean := func() {
					sqlDB.Exec(`DELETE FROM team_members WHERE team_id IN (SELECT id FROM teams WHERE org IN ('acme', 'globex'))`)
					sqlDB.Exec(`DELETE FROM teams WHERE org IN ('acme', 'globex')`)
					sqlDB.Exec(`DELETE FROM users WHERE org IN ('acme', 'globex')`)
					sqlDB.Exec(`DELETE FROM agents WHERE org IN ('acme', 'globex')`)
				}
				defer clean()
				clean()
			}
			tokens := scim.NewTokens(nil)
			acme, _ := tokens.Issue("acme", "demo", time.Time{})
			mux, err := newMux(store, tokens, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			send := func(method, path, body string) *httptest.ResponseRecorder {
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req := httptest.NewRequest(method, path, rd)
				req.Header.Set("Content-Type", "application/scim+json")
				req.Header.Set("Authorization", "Bearer "+acme)
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				return rec
			}
			create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Ann@Example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}],"regions":"us1,emea2","password":"x"}`
			if rec := send("POST", "/scim/v2/Users", create); rec.Code != 201 || !strings.Contains(rec.Body.String(), `"regions":["us1","emea2"]`) {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			if rec := send("POST", "/scim/v2/Users", create); rec.Code != 409 {
				t.Fatalf("second create: %d %s", rec.Code, rec.Body)
			}
			rec := send("GET", `/scim/v2/acme/Users?filter=userName%20eq%20%22ann@EXAMPLE.com%22`, "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"totalResults":1`) {
				t.Fatalf("lookup: %d %s", rec.Code, rec.Body)
			}
			// Groups land in the app's teams and team_members tables.
			var user struct{ Resources []struct{ ID string } }
			json.Unmarshal(rec.Body.Bytes(), &user)
			id := user.Resources[0].ID
			rec = send("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":[{"value":"`+id+`"}]}`)
			if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"value":"`+id+`"`) {
				t.Fatalf("group create: %d %s", rec.Code, rec.Body)
			}
			rec = send("GET", `/scim/v2/Groups?excludedAttributes=members&filter=displayName%20eq%20%22eng%22`, "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"totalResults":1`) || strings.Contains(rec.Body.String(), "members") {
				t.Fatalf("group lookup: %d %s", rec.Code, rec.Body)
			}
			if rec := send("GET", "/scim/v2/Users/"+id, ""); !strings.Contains(rec.Body.String(), `"display":"Eng"`) {
				t.Fatalf("the user's groups: %s", rec.Body)
			}
		})
	}
}

// TestAppAgents walks the demo's /Agents over HTTP, kept in the app's
// agents table: SQLite always, PostgreSQL when SCIMKIT_TEST_POSTGRES is
// set. A create, a second create of the name in another case (409), a
// case-insensitive filter on name, a PATCH of the JSON column's
// attributes, an owner user's delete (which leaves the agent's owners),
// and the agent's delete.
func TestAppAgents(t *testing.T) {
	for name, db := range testDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store, closeStore, err := openStore(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer closeStore()
			// A tenant of this run's own: the PostgreSQL tables are shared
			// with other runs.
			org := "agents-" + strings.ToLower(rand.Text()[:8])
			if name == "postgres" {
				sqlDB, _ := sql.Open("pgx", db)
				defer sqlDB.Close()
				defer func() {
					sqlDB.Exec(`DELETE FROM agents WHERE org = $1`, org)
					sqlDB.Exec(`DELETE FROM users WHERE org = $1`, org)
				}()
			}
			tokens := scim.NewTokens(nil)
			token, _ := tokens.Issue(org, "demo", time.Time{})
			mux, err := newMux(store, tokens, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			send := func(method, path, body string, want int) map[string]any {
				t.Helper()
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req := httptest.NewRequest(method, "/scim/v2"+path, rd)
				req.Header.Set("Content-Type", "application/scim+json")
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				if rec.Code != want {
					t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
				}
				var m map[string]any
				json.Unmarshal(rec.Body.Bytes(), &m)
				return m
			}
			owner := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"owner@example.com","name":{"givenName":"O","familyName":"Wner"},"emails":[{"value":"owner@example.com","type":"work"}]}`, 201)["id"].(string)
			agent := send("POST", "/Agents", `{"schemas":["`+demo.AgentURN+`"],"externalId":"okta-agent-1","name":"Triage-Bot","displayName":"Triage","agentType":"Assistant","active":true,
				"owners":[{"value":"`+owner+`","type":"User"}]}`, 201)
			id := agent["id"].(string)
			if !strings.HasPrefix(id, "agent-") {
				t.Errorf("agent id %q: want the app's integer key after agent-", id)
			}
			send("POST", "/Agents", `{"schemas":["`+demo.AgentURN+`"],"name":"TRIAGE-BOT"}`, 409)
			list := send("GET", `/Agents?filter=name%20eq%20%22triage-bot%22`, "", 200)
			if list["totalResults"] != 1.0 {
				t.Errorf("filter by name: %v", list)
			}
			patched := send("PATCH", "/Agents/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false},{"op":"replace","path":"description","value":"files tickets"}]}`, 200)
			if patched["active"] != false || patched["description"] != "files tickets" || patched["name"] != "Triage-Bot" {
				t.Errorf("after PATCH: %v", patched)
			}
			if owners, _ := patched["owners"].([]any); len(owners) != 1 {
				t.Errorf("owners after PATCH: %v", patched["owners"])
			}
			send("DELETE", "/Users/"+owner, "", 204)
			if got := send("GET", "/Agents/"+id, "", 200); got["owners"] != nil || got["description"] != "files tickets" {
				t.Errorf("after the owner's delete: %v, want no owners", got)
			}
			send("DELETE", "/Agents/"+id, "", 204)
			send("GET", "/Agents/"+id, "", 404)
		})
	}
}

// TestOpenStoreRefuses checks that a -db this command cannot serve is an
// error that says what it takes, and that "memory" points at the in-memory
// demo, which is a command of its own.
func TestOpenStoreRefuses(t *testing.T) {
	for _, db := range []string{"memory", "", "mysql://root@127.0.0.1/test"} {
		_, _, err := openStore(context.Background(), db)
		if err == nil || !strings.Contains(err.Error(), "want sqlite[:PATH] or a postgres:// URL") ||
			!strings.Contains(err.Error(), "examples/server") {
			t.Errorf("openStore(%q) = %v, want an error naming what -db takes and examples/server", db, err)
		}
	}
}

// testDatabases are the demo's -db values a test runs on: a fresh SQLite
// file always, PostgreSQL when SCIMKIT_TEST_POSTGRES is set.
func testDatabases(t *testing.T) map[string]string {
	dbs := map[string]string{"sqlite": "sqlite:" + t.TempDir() + "/app.db"}
	if dsn := os.Getenv("SCIMKIT_TEST_POSTGRES"); dsn != "" {
		dbs["postgres"] = dsn
	} else {
		t.Log("SCIMKIT_TEST_POSTGRES is not set: skipping the PostgreSQL run (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return dbs
}
