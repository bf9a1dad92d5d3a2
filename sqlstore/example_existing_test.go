package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"

	_ "modernc.org/sqlite"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// An application with a users table of its own maps it as it is: columns
// it lacks are "-", userName and the work e-mail share its email column,
// and Check names every mismatch before the first request.
func ExampleStore_Check() {
	db, err := sql.Open("sqlite", "file:existing?mode=memory&_time_format=sqlite")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		`CREATE TABLE accounts (account_id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT,
			is_enabled BOOLEAN, okta_id TEXT, created_at DATETIME)`,
		`CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email))`,
	} {
		if _, err := db.Exec(s); err != nil {
			log.Fatal(err)
		}
	}
	cfg := sqlstore.Config{
		Dialect: sqlstore.SQLite,
		Table:   "accounts",
		IDs:     sqlstore.DatabaseIDs,
		Columns: sqlstore.Columns{
			ID: "account_id", UserName: "email", Email: "email", GivenName: "first_name", FamilyName: "last_name",
			Active: "is_enabled", ExternalID: "okta_id", Created: "created_at",
			DisplayName: "-", LastModified: "-", Version: "-", UserNameLower: "-", EmailLower: "-",
		},
	}
	ctx := context.Background()

	// A mistake in the map is found at start-up, all of it at once.
	wrong := cfg
	wrong.Columns.GivenName, wrong.Columns.ExternalID, wrong.Columns.Created = "given_name", "-", "okta_id"
	store, err := sqlstore.New(db, wrong)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Check(ctx))

	store, err = sqlstore.New(db, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	fmt.Println("check:", store.Check(ctx))
	kept := store.Keeps()
	fmt.Println("single tenant:", kept.SingleTenant, "not kept:", kept.Missing)

	// A handler with tenants in its paths is refused at start-up.
	_, err = scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, TenantInPath: true})
	fmt.Println(err)

	now := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	u, err := store.Create(ctx, &scim.User{UserName: "ann@example.com", GivenName: "Ann", Active: true,
		Meta: scim.Meta{Created: now, LastModified: now}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("e-mail:", u.Email, "lastModified = created:", u.Meta.LastModified.Equal(u.Meta.Created))
	// Output:
	// sqlstore: Check: table accounts:
	// 	the column of name.givenName: column given_name does not exist (set it to "-" if the table has no such column, or add it with: ALTER TABLE accounts ADD COLUMN given_name TEXT)
	// 	the column of meta.created: column okta_id is text, which cannot hold a timestamp
	// check: <nil>
	// single tenant: true not kept: [displayName meta.lastModified]
	// scim: Config.TenantInPath is set but the Store keeps no tenants (for sqlstore, set Columns.Tenant)
	// e-mail: ann@example.com lastModified = created: true
}
