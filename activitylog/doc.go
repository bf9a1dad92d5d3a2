// Package activitylog keeps and reads what scimkit's handler records of
// each request (Config.Activity): an in-memory Log for a single replica,
// the Reader that the admin page (scimadmin) lists events and client
// health from, and the health arithmetic (Counts, ClientHealth, Entra ID's
// QuarantineRate). The scim package keeps only the sink interface and the
// event (scim.ActivitySink, scim.Activity); sqlstore's Activity is a Reader
// over the host's database, for several replicas.
package activitylog
