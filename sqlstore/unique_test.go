package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

// pgConstraintError looks like pgconn.PgError: the index is a field.
type pgConstraintError struct{ ConstraintName string }

func (e *pgConstraintError) Error() string    { return "ERROR: duplicate key (SQLSTATE 23505)" }
func (e *pgConstraintError) SQLState() string { return "23505" }

// TestConflictAttrs reads the index of a unique violation from each
// driver's error and maps it to attributes.
func TestConflictAttrs(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, Config{Dialect: PostgreSQL, Table: "accounts", Columns: Columns{UserName: "email", Email: "email", ExternalID: "okta_id"}})
	if err != nil {
		t.Fatal(err)
	}
	s.uniq.loaded = true
	s.uniq.byName = map[string][]string{"accounts_email_key": {"userName", "emails"}, "accounts_okta_key": {"externalId"}}
	for _, tt := range []struct {
		err  error
		want []string
	}{
		{&pgConstraintError{"accounts_okta_key"}, []string{"externalId"}},
		{fmt.Errorf("insert: %w", &pgConstraintError{"accounts_email_key"}), []string{"userName", "emails"}},
		{errors.New(`ERROR: duplicate key value violates unique constraint "accounts_okta_key" (SQLSTATE 23505)`), []string{"externalId"}},
		{errors.New(`Error 1062 (23000): Duplicate entry 'x' for key 'accounts.accounts_okta_key'`), []string{"externalId"}}, // MySQL 8
		{errors.New(`Error 1062: Duplicate entry 'x' for key 'accounts_okta_key'`), []string{"externalId"}},                  // MariaDB
		{errors.New(`constraint failed: UNIQUE constraint failed: accounts.okta_id (2067)`), []string{"externalId"}},
		{errors.New(`UNIQUE constraint failed: accounts.tenant, accounts.email`), []string{"userName", "emails"}},
		{errors.New(`UNIQUE constraint failed: index 'accounts_okta_key'`), []string{"externalId"}},
		{errors.New(`duplicate key value violates unique constraint "someone_elses"`), nil},
	} {
		if got := s.conflictAttrs(context.Background(), tt.err); !slices.Equal(got, tt.want) {
			t.Errorf("conflictAttrs(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
