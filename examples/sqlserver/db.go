package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL: the maintained pure-Go driver
	_ "modernc.org/sqlite"             // SQLite in pure Go: the demo needs no cgo

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/examples/internal/demo"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/sqlstore"
)

// The demo's SQL mode plays a host application that already has a users
// table with names of its own, and a few columns SCIM knows nothing about
// (password_hash, role). sqlstore only needs the column map below; the
// table keeps its names and types.
var appColumns = sqlstore.Columns{
	ID:           "id",
	ExternalID:   "idp_id",
	UserName:     "login",
	GivenName:    "first_name",
	FamilyName:   "last_name",
	DisplayName:  "full_name",
	Email:        "work_email",
	Active:       "is_active",
	Created:      "created_at",
	LastModified: "updated_at",
	Version:      "lock_version",
	Tenant:       "org",
	// The attributes the app has no column for (the RFC profile's
	// addresses, phone numbers, enterprise department …), as JSON.
	Attributes: "scim_attributes",
}

// The app's teams and who is in which: Okta's and Entra ID's group pushes
// land here, with no copy and no sync job.
var appGroups = &sqlstore.GroupTables{
	Table: "teams",
	Columns: sqlstore.GroupColumns{ID: "id", DisplayName: "name", ExternalID: "idp_id", Created: "created_at",
		LastModified: "updated_at", Version: "lock_version", Tenant: "org", DisplayNameLower: "-"},
	Members:       "team_members",
	MemberColumns: sqlstore.MemberColumns{Group: "team_id", Member: "user_id", Type: "member_type"},
}

// The app's AI agents, the demo's /Agents (demo.AgentType): name has a
// column of its own, since it is unique in a tenant and sqlstore checks it
// with one probe of a unique index; everything else (displayName,
// agentType, active, description, owners) is kept in a JSON column, as a
// type a host declares may grow without migrations.
var appAgents = sqlstore.ResourceTable{
	Type:         demo.AgentType(),
	Table:        "agents",
	ID:           "id",
	Tenant:       "org",
	ExternalID:   "idp_id",
	Created:      "created_at",
	LastModified: "updated_at",
	Version:      "lock_version",
	JSON:         "scim_attributes",
	Columns:      map[string]string{"name": "name"},
}

// The app's own migration, as it might have been written before SCIM: the
// last lines are what adding SCIM asked of it (an idp_id, a version for
// optimistic concurrency, a tenant, and the lookup indexes).
var appTable = map[sqlstore.Dialect][]string{
	sqlstore.PostgreSQL: {
		`CREATE TABLE IF NOT EXISTS users (
			id BIGSERIAL PRIMARY KEY,
			org TEXT NOT NULL DEFAULT '',
			login TEXT NOT NULL,
			first_name TEXT, last_name TEXT, full_name TEXT, work_email TEXT,
			password_hash TEXT, role TEXT NOT NULL DEFAULT 'read-only',
			is_active BOOLEAN NOT NULL DEFAULT TRUE,
			created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1, regions TEXT, scim_attributes JSONB)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS users_org_login_key ON users (org, lower(login))`,
		`CREATE INDEX IF NOT EXISTS users_org_idp_id_idx ON users (org, idp_id)`,
		`CREATE INDEX IF NOT EXISTS users_org_email_idx ON users (org, lower(work_email))`,
		`CREATE INDEX IF NOT EXISTS users_org_created_idx ON users (org, created_at, id)`,
		// Added with SCIM's RFC profile, to a table that may predate it.
		`ALTER TABLE users ADD COLUMN IF NOT EXISTS scim_attributes JSONB`,
		`CREATE TABLE IF NOT EXISTS teams (
			id BIGSERIAL PRIMARY KEY,
			org TEXT NOT NULL DEFAULT '',
			name TEXT NOT NULL,
			created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1)`,
		`CREATE INDEX IF NOT EXISTS teams_org_name_idx ON teams (org, lower(name))`,
		`CREATE INDEX IF NOT EXISTS teams_org_idp_id_idx ON teams (org, idp_id)`,
		`CREATE TABLE IF NOT EXISTS team_members (
			team_id BIGINT NOT NULL, user_id BIGINT NOT NULL, member_type TEXT NOT NULL DEFAULT 'User',
			PRIMARY KEY (team_id, user_id, member_type))`,
		`CREATE INDEX IF NOT EXISTS team_members_user_idx ON team_members (user_id, team_id)`,
		// Added with the demo's /Agents. The unique index serves
		// sqlstore's check of a write's name and is what makes two
		// concurrent creates of one name one 201 and one 409.
		`CREATE TABLE IF NOT EXISTS agents (
			id BIGSERIAL PRIMARY KEY,
			org TEXT NOT NULL DEFAULT '',
			name TEXT NOT NULL,
			created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1, scim_attributes JSONB)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS agents_org_name_key ON agents (org, lower(name))`,
		`CREATE INDEX IF NOT EXISTS agents_org_idx ON agents (org, id)`,
		`CREATE INDEX IF NOT EXISTS agents_org_idp_id_idx ON agents (org, idp_id)`,
		// sqlstore's own index of the agents' owners (Config.Schema
		// prints it; Check asks for it): deleting a user or a team finds
		// the agents naming it by one key range, not by reading them all.
		`CREATE TABLE IF NOT EXISTS agents_refs (
			tenant TEXT NOT NULL DEFAULT '', target_id TEXT NOT NULL, resource_id BIGINT NOT NULL,
			PRIMARY KEY (tenant, target_id, resource_id))`,
	},
	sqlstore.SQLite: {
		`CREATE TABLE IF NOT EXISTS users (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			org TEXT NOT NULL DEFAULT '',
			login TEXT NOT NULL,
			first_name TEXT, last_name TEXT, full_name TEXT, work_email TEXT,
			password_hash TEXT, role TEXT NOT NULL DEFAULT 'read-only',
			is_active BOOLEAN NOT NULL DEFAULT TRUE,
			created_at DATETIME, updated_at DATETIME,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1, regions TEXT, scim_attributes TEXT,
			login_lower TEXT NOT NULL, work_email_lower TEXT)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS users_org_login_key ON users (org, login_lower)`,
		`CREATE INDEX IF NOT EXISTS users_org_idp_id_idx ON users (org, idp_id)`,
		`CREATE INDEX IF NOT EXISTS users_org_email_idx ON users (org, work_email_lower)`,
		`CREATE TABLE IF NOT EXISTS teams (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			org TEXT NOT NULL DEFAULT '',
			name TEXT NOT NULL, name_lower TEXT,
			created_at DATETIME, updated_at DATETIME,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1)`,
		`CREATE INDEX IF NOT EXISTS teams_org_name_idx ON teams (org, name_lower)`,
		`CREATE INDEX IF NOT EXISTS teams_org_idp_id_idx ON teams (org, idp_id)`,
		`CREATE TABLE IF NOT EXISTS team_members (
			team_id INTEGER NOT NULL, user_id INTEGER NOT NULL, member_type TEXT NOT NULL DEFAULT 'User',
			PRIMARY KEY (team_id, user_id, member_type))`,
		`CREATE INDEX IF NOT EXISTS team_members_user_idx ON team_members (user_id, team_id)`,
		// name_lower is the folded name sqlstore writes (SQLite's lower()
		// folds only ASCII) and the unique index covers.
		`CREATE TABLE IF NOT EXISTS agents (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			org TEXT NOT NULL DEFAULT '',
			name TEXT NOT NULL, name_lower TEXT,
			created_at DATETIME, updated_at DATETIME,
			idp_id TEXT, lock_version BIGINT NOT NULL DEFAULT 1, scim_attributes TEXT)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS agents_org_name_key ON agents (org, name_lower)`,
		`CREATE INDEX IF NOT EXISTS agents_org_idx ON agents (org, id)`,
		`CREATE INDEX IF NOT EXISTS agents_org_idp_id_idx ON agents (org, idp_id)`,
		`CREATE TABLE IF NOT EXISTS agents_refs (
			tenant TEXT NOT NULL DEFAULT '', target_id TEXT NOT NULL, resource_id INTEGER NOT NULL,
			PRIMARY KEY (tenant, target_id, resource_id)) WITHOUT ROWID`,
	},
}

// openStore opens the store -db names: "sqlite" or "sqlite:PATH" (an app
// database file, default scimkit-demo.db), or a postgres:// URL. It
// creates the app's table if it is missing, as the app's own migration
// would have.
func openStore(ctx context.Context, db string) (scim.Store, func(), error) {
	var driver, dsn string
	var dialect sqlstore.Dialect
	switch {
	case db == "sqlite" || strings.HasPrefix(db, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite"), ":")
		if path == "" {
			path = "scimkit-demo.db"
		}
		driver, dialect = "sqlite", sqlstore.SQLite
		dsn = "file:" + path + "?_time_format=sqlite&_pragma=busy_timeout(5000)"
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		driver, dsn, dialect = "pgx", db, sqlstore.PostgreSQL
	default:
		return nil, nil, fmt.Errorf("-db %q: want sqlite[:PATH] or a postgres:// URL (the in-memory demo is examples/server)", db)
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, err
	}
	if dialect == sqlstore.SQLite {
		conn.SetMaxOpenConns(1) // SQLite has one writer; queueing here beats SQLITE_BUSY
	}
	for _, stmt := range appTable[dialect] {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("creating the app's tables: %w", err)
		}
	}
	cols := appColumns
	groups := *appGroups
	if dialect == sqlstore.SQLite {
		cols.UserNameLower, cols.EmailLower = "login_lower", "work_email_lower"
		groups.Columns.DisplayNameLower = "name_lower"
	}
	store, err := sqlstore.New(conn, sqlstore.Config{
		Dialect:   dialect,
		Table:     "users",
		Columns:   cols,
		Custom:    []sqlstore.Custom{{Name: "regions", Column: "regions", Kind: filter.String, Multi: true}},
		IDs:       sqlstore.DatabaseIDs, // the app's own integer key
		Groups:    &groups,
		Resources: []sqlstore.ResourceTable{appAgents}, // served as "agent-12"
	})
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Every column and index the map names, found at start-up rather than
	// at the first request that needs it.
	if err := store.Check(ctx); err != nil {
		store.Close()
		conn.Close()
		return nil, nil, err
	}
	return store, func() { store.Close(); conn.Close() }, nil
}

// dbKind names the database -db points at for the start-up banner, without
// the credentials a postgres:// URL may carry.
func dbKind(db string) string {
	if db == "sqlite" || strings.HasPrefix(db, "sqlite:") {
		return "SQLite"
	}
	return "PostgreSQL"
}
