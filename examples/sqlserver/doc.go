// Command sqlserver is scimkit's demo over an application's existing users
// table: the host application of examples/server, with its users served by
// sqlstore from SQLite (a file) or PostgreSQL instead of the in-memory
// store.
//
//	go run ./examples/sqlserver -db sqlite                       # scimkit-demo.db
//	go run ./examples/sqlserver -db sqlite:/tmp/app.db
//	go run ./examples/sqlserver -db postgres://user@host/db
//
// db.go holds the app's tables (users, with columns SCIM knows nothing
// about, such as password_hash and role; teams; agents, for the demo's
// /Agents) and the column maps that are all sqlstore needs.
// It prints each tenant's base URL and token, as examples/server does.
//
// It is a command of its own so that the in-memory demo, the README's first
// command, does not compile the pgx and SQLite drivers: the pure-Go SQLite
// driver alone takes minutes to build on a cold cache.
package main
