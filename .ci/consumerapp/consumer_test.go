// Package consumer is the module .ci/consumer builds outside the
// repository, against the scimkit modules served by a file-based module
// proxy: what an application that ran the README's "go get" lines compiles.
package consumer

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/sqlstore"
)

// TestServeUsers creates a user through the handler and finds it with
// GET /Users, once over the in-memory store and once over sqlstore on
// SQLite.
func TestServeUsers(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/app.db?_time_format=sqlite&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	cfg := sqlstore.Config{Dialect: sqlstore.SQLite, Table: "users", Columns: sqlstore.Columns{Tenant: "tenant"}}
	stmts, err := cfg.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	sqlStore, err := sqlstore.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlStore.Close()

	for name, store := range map[string]scim.Store{"memstore": memstore.New(), "sqlstore": sqlStore} {
		t.Run(name, func(t *testing.T) {
			tokens := scim.NewTokens(nil)
			token, err := tokens.Issue("acme", "consumer", time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			h, err := scim.NewHandler(store, scim.Config{Authenticator: tokens})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.StripPrefix("/scim/v2", h))
			defer srv.Close()
			send := func(method, path, body string) (int, string) {
				req, err := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/scim+json")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, string(b)
			}
			create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com",` +
				`"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work","primary":true}]}`
			if code, body := send("POST", "/Users", create); code != http.StatusCreated {
				t.Fatalf("POST /Users: %d %s", code, body)
			}
			code, body := send("GET", "/Users?filter=userName%20eq%20%22ANN@example.com%22", "")
			if code != http.StatusOK || !strings.Contains(body, `"totalResults":1`) || !strings.Contains(body, `"userName":"ann@example.com"`) {
				t.Fatalf("GET /Users: %d %s, want the user just created", code, body)
			}
		})
	}
}
