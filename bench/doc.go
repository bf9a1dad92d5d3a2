// Package bench compares scimkit with a bare net/http handler and with
// elimity-com/scim, side by side in one run.
package bench
