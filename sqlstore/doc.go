// Package sqlstore is a scim.Store over a host application's existing user
// table, through database/sql.
package sqlstore
