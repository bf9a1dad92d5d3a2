package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"

	_ "modernc.org/sqlite"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/sqlstore"
)

// A new application creates the table Config.Schema describes and serves
// its users from it.
func Example() {
	db, err := sql.Open("sqlite", "file:example?mode=memory&_time_format=sqlite")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: each new one would be a new in-memory database

	cfg := sqlstore.Config{
		Dialect: sqlstore.SQLite,
		Table:   "users",
		Custom:  []sqlstore.Custom{{Name: "regions", Column: "regions", Kind: filter.String, Multi: true}},
	}
	stmts, err := cfg.Schema()
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			log.Fatal(err)
		}
	}
	store, err := sqlstore.New(db, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ctx := context.Background()
	now := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	u, err := store.Create(ctx, &scim.User{
		UserName: "bjensen@example.com", GivenName: "Barbara", FamilyName: "Jensen",
		Email: "bjensen@example.com", Active: true,
		Custom: map[string]any{"regions": []string{"emea", "apac"}},
		Meta:   scim.Meta{Created: now, LastModified: now},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("version:", u.Meta.Version)

	_, err = store.Create(ctx, &scim.User{UserName: "BJensen@Example.com"})
	fmt.Println("same userName in another case:", err)

	f, err := filter.Parse(`userName eq "BJENSEN@example.com" and regions eq "apac"`)
	if err != nil {
		log.Fatal(err)
	}
	page, err := store.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("found:", page.TotalResults, page.Users[0].GivenName, page.Users[0].Custom["regions"])

	u.Active = false
	u, err = store.Replace(ctx, u, u.Meta.Version)
	if err != nil {
		log.Fatal(err)
	}
	_, err = store.Replace(ctx, u, `W/"1"`)
	fmt.Println("stale version is a mismatch:", errors.Is(err, scim.ErrVersionMismatch))
	// Output:
	// version: W/"1"
	// same userName in another case: sqlstore: create: the userName is taken: scim: uniqueness conflict
	// found: 1 Barbara [emea apac]
	// stale version is a mismatch: true
}
