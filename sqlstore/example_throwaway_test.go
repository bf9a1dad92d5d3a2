package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	_ "modernc.org/sqlite"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// The conformance kit refuses a store that holds users, so a host runs it
// on a throwaway copy of its own tables: same columns, defaults and
// indexes, no rows. In a test:
//
//	cfg, cleanup, err := sqlstore.Throwaway(ctx, db, hostConfig)
//	if err != nil {
//		t.Fatal(err)
//	}
//	t.Cleanup(cleanup)
//	s, err := sqlstore.New(db, cfg)
//	...
//	scimtest.TestStore(t, func(*testing.T) scim.Store { return s })
func ExampleThrowaway() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:throwaway?mode=memory&_time_format=sqlite")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	host := sqlstore.Config{Dialect: sqlstore.SQLite, Table: "accounts"}
	stmts, _ := host.Schema()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			log.Fatal(err)
		}
	}
	live, _ := sqlstore.New(db, host)
	live.Create(ctx, &scim.User{UserName: "real.person@example.com", Active: true})

	cfg, cleanup, err := sqlstore.Throwaway(ctx, db, host)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()
	s, err := sqlstore.New(db, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Check on the copy:", s.Check(ctx))
	copyPage, _ := s.List(ctx, scim.Query{StartIndex: 1})
	livePage, _ := live.List(ctx, scim.Query{StartIndex: 1})
	fmt.Println("users in the copy:", copyPage.TotalResults, "in the host's table:", livePage.TotalResults)
	// Output:
	// Check on the copy: <nil>
	// users in the copy: 0 in the host's table: 1
}
