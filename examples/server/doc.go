// Command server is scimkit's demo host application: a SCIM 2.0 service
// provider for users, groups and AI agents (/Agents, a resource type the
// demo declares: demo.AgentType) on the embedded in-memory store, with
// bearer tokens for two demo tenants.
//
//	go run ./examples/server -addr 127.0.0.1:8080 -token "$SCIM_TOKEN"
//
// It prints each tenant's base URL and token. Paste them into Okta's or
// Entra ID's provisioning settings (through a tunnel such as ngrok for a
// cloud IdP), or point scimcheck at them.
//
// It imports no database driver, so that on a fresh machine the first
// "go run" compiles little beyond the standard library. The same demo over
// an application's existing users table in SQLite or PostgreSQL is
// examples/sqlserver.
package main
