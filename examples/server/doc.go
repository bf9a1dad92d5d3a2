// Command server is scimkit's demo host application: a SCIM 2.0 service
// provider for users on the embedded in-memory store, with bearer tokens
// for two demo tenants.
//
//	go run ./examples/server -addr 127.0.0.1:8080 -token "$SCIM_TOKEN"
//
// With -db it serves an application's existing users table through
// sqlstore instead: -db sqlite (a file, scimkit-demo.db) or
// -db postgres://user@host/db. See db.go for the table and its column map.
//
// It prints each tenant's base URL and token. Paste them into Okta's or
// Entra ID's provisioning settings (through a tunnel such as ngrok for a
// cloud IdP), or point scimcheck at them.
package main
