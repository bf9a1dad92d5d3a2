package sqlstore_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestRefusedValues: every value a database refuses is a 400 invalidValue
// naming the attribute, with nothing stored and no value in the error.
func TestRefusedValues(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, fullConfig)
		long := incompressible(9000) + "@example.com"
		tests := []struct {
			name string
			u    *scim.User
			attr string
			dbs  string // the databases that refuse it ("" for all)
		}{
			{"NUL in userName", &scim.User{UserName: "a\x00b"}, "userName", ""},
			{"NUL in displayName", &scim.User{UserName: "nul1", DisplayName: "a\x00"}, "displayName", ""},
			{"NUL in a custom value", &scim.User{UserName: "nul2", Custom: map[string]any{"costCenter": "\x00"}}, "costCenter", ""},
			{"comma in a joined value", &scim.User{UserName: "c1", Custom: map[string]any{"regions": []string{"a,b"}}}, "regions", ""},
			{"empty joined value", &scim.User{UserName: "c2", Custom: map[string]any{"regions": []string{""}}}, "regions", ""},
			// Past PostgreSQL's index row limit and MySQL's VARCHAR(255).
			{"userName of 9 KB", &scim.User{UserName: long}, "userName", "PostgreSQL MySQL"},
		}
		for _, tt := range tests {
			if tt.dbs != "" && !strings.Contains(tt.dbs, d.name) {
				continue
			}
			_, err := s.Create(bg, tt.u)
			var e *scim.Error
			if !errors.As(err, &e) || e.Status != 400 || e.ScimType != scim.ScimTypeInvalidValue || !strings.Contains(e.Detail, `"`+tt.attr+`"`) {
				t.Errorf("%s: Create: %v, want a 400 invalidValue naming %q", tt.name, err, tt.attr)
				continue
			}
			if strings.Contains(e.Detail, long[:16]) {
				t.Errorf("%s: the detail quotes the value: %s", tt.name, e.Detail)
			}
		}
		p, err := s.List(bg, scim.Query{StartIndex: 1})
		if err != nil || p.TotalResults != 0 {
			t.Fatalf("after refused creates: %v users, %v", p, err)
		}
		// Replace refuses the same way.
		u, err := s.Create(bg, &scim.User{UserName: "ok@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		next := u.Clone()
		next.GivenName = "A\x00"
		var e *scim.Error
		if _, err := s.Replace(bg, next, ""); !errors.As(err, &e) || !strings.Contains(e.Detail, `"name.givenName"`) {
			t.Errorf("Replace with NUL: %v", err)
		}
	})
}

// TestRefusedValuesThroughHandler: with the handler's own length limit
// raised, PostgreSQL and MySQL refuse a 9 KB userName; the client gets a
// 400 naming userName and the log gets no value.
func TestRefusedValuesThroughHandler(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		if d.dialect == sqlstore.SQLite {
			t.Skip("SQLite stores any length")
		}
		s, _, _ := d.newStore(t, sqlstore.Config{})
		var log bytes.Buffer
		h, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Limits: scim.Limits{MaxUserNameLength: 10_000},
			Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		long := incompressible(9000) + "@example.com"
		body := `{"schemas":["` + scim.UserURN + `"],"userName":"` + long + `","name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"a@example.com"}]}`
		r := httptest.NewRequest("POST", "/Users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `\"userName\"`) {
			t.Errorf("9 KB userName: %d %.300s", rec.Code, rec.Body)
		}
		if strings.Contains(log.String(), long[:16]) || strings.Contains(rec.Body.String(), long[:16]) {
			t.Errorf("the value reached the log or the answer: %.300s", log.String())
		}
	})
}

// TestDatabaseIDsCompareAsStrings: /Users/01 is not user 1.
func TestDatabaseIDsCompareAsStrings(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{IDs: sqlstore.DatabaseIDs})
		u, err := s.Create(bg, &scim.User{UserName: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.User(bg, u.ID); err != nil {
			t.Fatalf("User(%q): %v", u.ID, err)
		}
		for _, id := range []string{"0" + u.ID, "+" + u.ID, u.ID + " ", " " + u.ID} {
			if _, err := s.User(bg, id); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("User(%q) for user %q: %v, want ErrNotFound", id, u.ID, err)
			}
			if err := s.Delete(bg, id, ""); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("Delete(%q): %v, want ErrNotFound", id, err)
			}
		}
	})
}

// incompressible is n random letters and digits: PostgreSQL compresses
// index keys, so a repeated letter would fit its index.
func incompressible(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(rand.Text())
	}
	return b.String()[:n]
}
