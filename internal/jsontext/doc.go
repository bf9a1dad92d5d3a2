// Package jsontext holds the JSON string encoder that scim and filter
// share: one escaping, the one encoding/json uses, for every string
// scimkit writes.
package jsontext
