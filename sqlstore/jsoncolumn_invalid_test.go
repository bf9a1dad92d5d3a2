package sqlstore_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/scimkit/scim/sqlstore"
)

// TestJSONColumnInvalidDocument: a row whose JSON column holds what the store did not
// write ("", invalid JSON) reads as having no attributes (fields.go), so a
// filter on the column must not fail the whole list with a 500 either. On
// PostgreSQL the column is jsonb or json, which cannot hold such a value;
// a text column must hold valid JSON (filter.JSONPath's doc says so).
func TestJSONColumnInvalidDocument(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		if d.dialect == sqlstore.PostgreSQL {
			t.Skip("PostgreSQL: jsonb and json columns cannot hold invalid JSON; a text column must not (documented)")
		}
		s, db, cfg := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
		switch d.dialect {
		case sqlstore.PostgreSQL:
			db.Exec("ALTER TABLE " + cfg.Table + " ALTER COLUMN attributes TYPE text")
		case sqlstore.MySQL:
			db.Exec("ALTER TABLE " + cfg.Table + " MODIFY attributes LONGTEXT")
		}
		if d.dialect != sqlstore.SQLite {
			s = must(sqlstore.New(d.open(t), cfg))(t)
		}
		h := rfcHandler(t, s)
		serve(t, h, "POST", "/Users", jsonUser(t, "zoe"), 201)
		serve(t, h, "POST", "/Users", jsonUser(t, "min"), 201)
		for _, bad := range []string{"", "{bad", "[1,2]", `"str"`, `{"phoneNumbers":{"value":"x"},"title":5}`} {
			ph := "?"
			if d.dialect == sqlstore.PostgreSQL {
				ph = "$1"
			}
			if _, err := db.Exec("UPDATE "+cfg.Table+" SET attributes = "+ph+" WHERE user_name = 'min'", bad); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{`title eq "x"`, `phoneNumbers.value eq "x"`, `emails.value eq "x"`, `title pr`} {
				r := httptest.NewRequest("GET", "/Users?filter="+url.QueryEscape(f), nil)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					t.Errorf("attributes %q, filter %s: %d %s", bad, f, w.Code, w.Body)
				}
			}
		}
	})
}
