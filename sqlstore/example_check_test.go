package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"

	"github.com/scimkit/scim/sqlstore"
)

// A host wiring a store with groups, database tokens and a rate limiter
// checks them all in one call at start-up and refuses to start while
// anything is missing: here the group tables and the counters table,
// each named with the statement that creates it.
func ExampleStore_Check_components() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:checkexample?mode=memory&_time_format=sqlite")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database, not one per connection
	cfg := sqlstore.Config{Dialect: sqlstore.SQLite, Table: "users"}
	tokensCfg := sqlstore.TokensConfig{Dialect: sqlstore.SQLite}
	// The host's migration created the users and tokens tables only.
	stmts, _ := cfg.Schema()
	tokenStmts, _ := tokensCfg.Schema()
	for _, s := range append(stmts, tokenStmts...) {
		if _, err := db.Exec(s); err != nil {
			log.Fatal(err)
		}
	}

	cfg.Groups = &sqlstore.GroupTables{}
	store, err := sqlstore.New(db, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	tokens, err := sqlstore.NewTokens(db, tokensCfg)
	if err != nil {
		log.Fatal(err)
	}
	limiter, err := sqlstore.NewRateLimiter(db, sqlstore.RateLimitConfig{Dialect: sqlstore.SQLite, Limit: 50})
	if err != nil {
		log.Fatal(err)
	}

	if err := errors.Join(store.Check(ctx), tokens.Check(ctx), limiter.Check(ctx)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sqlstore: Check: Config.Groups:
	// 	Config.Groups.Table: table scim_groups does not exist; create it with:
	// 		CREATE TABLE scim_groups (
	// 			id TEXT NOT NULL PRIMARY KEY,
	// 			display_name TEXT NOT NULL,
	// 			external_id TEXT,
	// 			created DATETIME,
	// 			last_modified DATETIME,
	// 			version BIGINT NOT NULL DEFAULT 1,
	// 			display_name_lower TEXT NOT NULL
	// 		);
	// 		CREATE INDEX scim_groups_display_name_idx ON scim_groups (display_name_lower);
	// 		CREATE INDEX scim_groups_external_id_idx ON scim_groups (external_id);
	// 		CREATE INDEX scim_groups_created_idx ON scim_groups (created, id)
	// 	Config.Groups.Members: table scim_group_members does not exist; create it with:
	// 		CREATE TABLE scim_group_members (
	// 			group_id TEXT NOT NULL,
	// 			member_id TEXT NOT NULL,
	// 			member_type VARCHAR(5) NOT NULL,
	// 			PRIMARY KEY (group_id, member_id, member_type)
	// 		);
	// 		CREATE INDEX scim_group_members_member_idx ON scim_group_members (member_id, group_id)
	// sqlstore: Check: RateLimitConfig:
	// 	RateLimitConfig.Table: table scim_rate_limits does not exist; create it with:
	// 		CREATE TABLE scim_rate_limits (tenant TEXT NOT NULL PRIMARY KEY, win BIGINT NOT NULL, n BIGINT NOT NULL)
}
