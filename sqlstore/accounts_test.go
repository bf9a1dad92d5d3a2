package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// accountsDDL is the host's own table of issue 17, as it was before any
// SCIM work: no display name, last-modified, version or tenant column,
// and userName and the work e-mail in one email column, unique ignoring
// case.
var accountsDDL = map[sqlstore.Dialect][]string{
	sqlstore.PostgreSQL: {
		`CREATE TABLE %s (account_id bigserial primary key, email text, first_name text, last_name text,
			is_enabled boolean, okta_id text, created_at timestamptz)`,
		`CREATE UNIQUE INDEX %s_email_key ON %s (lower(email))`,
	},
	// MariaDB cannot index lower(email); a case-insensitive collation
	// makes the plain unique key ignore case.
	sqlstore.MySQL: {
		`CREATE TABLE %s (account_id bigint auto_increment primary key,
			email varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, first_name varchar(255),
			last_name varchar(255), is_enabled boolean, okta_id varchar(255), created_at datetime(6))`,
		`CREATE UNIQUE INDEX %s_email_key ON %s (email)`,
	},
}

// accountsConfig maps the accounts table without changing it.
func accountsConfig(d sqlstore.Dialect, table string) sqlstore.Config {
	return sqlstore.Config{
		Dialect: d,
		Table:   table,
		IDs:     sqlstore.DatabaseIDs,
		Columns: sqlstore.Columns{
			ID: "account_id", UserName: "email", Email: "email", GivenName: "first_name", FamilyName: "last_name",
			Active: "is_enabled", ExternalID: "okta_id", Created: "created_at",
			DisplayName: "-", LastModified: "-", Version: "-", UserNameLower: "-", EmailLower: "-",
		},
	}
}

// accountsTable creates an accounts table with the host's DDL and drops it
// when the test ends.
func accountsTable(t testing.TB, d database, db *sql.DB) string {
	t.Helper()
	table := "accounts_" + strings.ToLower(rand.Text()[:10])
	for _, stmt := range accountsDDL[d.dialect] {
		stmt = strings.ReplaceAll(stmt, "%s", table)
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s\n%v", stmt, err)
		}
	}
	t.Cleanup(func() { db.Exec("DROP TABLE " + table) })
	return table
}

func accountsStore(t testing.TB, d database) (*sqlstore.Store, *sql.DB, sqlstore.Config) {
	t.Helper()
	db := d.open(t)
	cfg := accountsConfig(d.dialect, accountsTable(t, d, db))
	s := must(sqlstore.New(db, cfg))(t)
	t.Cleanup(func() { s.Close() })
	if err := s.Check(bg); err != nil {
		t.Fatalf("Check on the unchanged accounts table: %v", err)
	}
	return s, db, cfg
}

// TestAccountsTable serves the host's accounts table with no schema
// change, through the conformance kit: the store reports what it keeps
// (scim.Keeper) and the kit holds it to that.
func TestAccountsTable(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		if accountsDDL[d.dialect] == nil {
			t.Skip("the accounts table of issue 17 is PostgreSQL's (and MySQL's here)")
		}
		scimtest.TestStore(t, func(t *testing.T) scim.Store {
			s, _, _ := accountsStore(t, d)
			return s
		})
	})
}

// TestAccountsHandler provisions into the accounts table through the
// handler: userName and the work e-mail share the email column, a
// conflict on its unique index is a 409, and a handler that puts tenants
// in its paths is refused at start-up.
func TestAccountsHandler(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		if accountsDDL[d.dialect] == nil {
			t.Skip("the accounts table of issue 17 is PostgreSQL's (and MySQL's here)")
		}
		s, db, cfg := accountsStore(t, d)
		if _, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, TenantInPath: true}); err == nil || !strings.Contains(err.Error(), "keeps no tenants") {
			t.Errorf("NewHandler with TenantInPath over a table without tenants: %v, want an error at start-up", err)
		}
		tokens := scim.NewTokens(nil)
		tokens.Add("0123456789abcdef-acme", "acme", "okta", time.Time{})
		if _, err := scim.NewHandler(s, scim.Config{Authenticator: tokens}); err == nil || !strings.Contains(err.Error(), `tenant "acme"`) {
			t.Errorf("NewHandler with a token for a tenant over a table without tenants: %v, want an error at start-up", err)
		}
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication}))(t)
		send := func(method, path, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/scim+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Ann@Example.com",
			"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work","primary":true}],"active":true}`
		rec := send("POST", "/Users", create)
		if rec.Code != 201 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var u struct {
			ID     string
			Emails []struct{ Value string }
		}
		json.Unmarshal(rec.Body.Bytes(), &u)
		if len(u.Emails) != 1 || u.Emails[0].Value != "Ann@Example.com" {
			t.Errorf("emails %+v, want the one value of the email column", u.Emails)
		}
		var email string
		db.QueryRow("SELECT email FROM " + cfg.Table + " WHERE account_id = " + u.ID).Scan(&email)
		if email != "Ann@Example.com" {
			t.Errorf("email column %q", email)
		}
		rec = send("POST", "/Users", strings.Replace(create, "Ann@Example.com", "ANN@example.com", 1))
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), "userName") {
			t.Errorf("create of the same email in another case: %d %s, want 409 naming userName", rec.Code, rec.Body)
		}
		rec = send("POST", "/Users", strings.Replace(create, "ann@example.com", "other@example.com", 1))
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "kept in one field") {
			t.Errorf("create with an e-mail other than userName: %d %s, want 400 saying they share a field", rec.Code, rec.Body)
		}
		rec = send("GET", `/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22ann%40EXAMPLE.com%22`, "")
		if !strings.Contains(rec.Body.String(), `"totalResults":1`) {
			t.Errorf("lookup by work e-mail: %d %s", rec.Code, rec.Body)
		}

		// Content versions through the handler: a PATCH changes the ETag,
		// and a PUT at the ETag read before it is a 412.
		etag := send("GET", "/Users/"+u.ID, "").Header().Get("ETag")
		rec = send("PATCH", "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","path":"name.givenName","value":"Annie"}]}`)
		if rec.Code != 200 || rec.Header().Get("ETag") == etag || !strings.Contains(rec.Body.String(), "Annie") {
			t.Errorf("PATCH: %d ETag %q (before %q) %s", rec.Code, rec.Header().Get("ETag"), etag, rec.Body)
		}
		req := httptest.NewRequest("PUT", "/Users/"+u.ID, strings.NewReader(create))
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("If-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 412 {
			t.Errorf("PUT at the ETag read before a PATCH: %d %s, want 412", rec.Code, rec.Body)
		}
		var given string
		db.QueryRow("SELECT first_name FROM " + cfg.Table + " WHERE account_id = " + u.ID).Scan(&given)
		if given != "Annie" {
			t.Errorf("first_name %q after a refused PUT, want the PATCH's Annie", given)
		}
	})
}
