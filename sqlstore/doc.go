// Package sqlstore is a scim.Store over a host application's existing user
// table, through database/sql, for PostgreSQL, MySQL/MariaDB and SQLite.
//
// The package imports no database driver: the host opens its *sql.DB with
// the driver it already uses and hands it to New with a Config that says
// which column holds which SCIM attribute. Any number of Stores, in any
// number of replicas of the host, can share the table: everything that
// must hold across them (unique userNames, versions) is enforced by the
// database.
//
// # Configuration
//
// Config names the table and, in Columns, the column of each attribute
// (id, externalId, userName, name.givenName, name.familyName,
// displayName, the work e-mail, active, meta.created, meta.lastModified,
// an integer version and optionally a tenant; any but id and userName may
// be missing, see below). Custom maps host-declared
// attributes to columns: strings, booleans, integers and timestamps, and
// multi-valued attributes such as a "regions" list stored in one text
// column, joined by commas. Empty names take defaults, which are the
// names Config.Schema uses, so a new application can run Schema's
// statements and use the zero Columns; an application with a users table
// of its own names its columns and keeps their names and types.
//
// Ids are UUIDs the store makes (the default) or the table's own integer
// key (DatabaseIDs), read back with RETURNING or LastInsertId. Ids are
// unique across users and groups (RFC 7643 §3.1): with DatabaseIDs, where
// the user and group tables each count from 1, a group's id is its key
// after GroupTables.IDPrefix ("g-12") and a user's the bare key ("12"),
// with no change to the tables.
//
// # An existing table, unchanged
//
// Only the id and userName columns are required. Any other column may be
// "-": the table has no such column and the attribute is not kept. It is
// then served empty whatever the identity provider sent, with two
// exceptions: without an active column every user is served active and a
// deactivation (active false) is a 400, since dropping it would make a
// deprovisioning look done; without a last-modified column
// meta.lastModified is served equal to meta.created (and is empty without
// that too). Filters follow what is served (displayName falls back to
// "given family" from the columns there are; meta.lastModified is
// meta.created); filters on any other attribute that is not kept are
// unsupported: a 400 invalidFilter that says the service provider keeps
// no such attribute, and an error in the handler's log naming the
// Columns field to map. Store.Keeps reports all of this as a scim.Kept, so
// that scim.NewHandler refuses a declared attribute the store drops, and
// Config.TenantInPath over a table without a tenant column, at start-up.
//
// Two string attributes may name one column, typically userName and the
// work e-mail both in "email": a write sets it once, a read fills both, a
// write where they differ other than in case is a 400 (one would be lost),
// and a conflict on its unique index names userName.
//
// Store.Check reads the tables from the catalog (information_schema on
// PostgreSQL and MySQL/MariaDB, pragma table_info on SQLite) and names, in
// one error, every table, column and key the configuration uses that is
// missing or cannot hold its attribute — the users table and its unique
// index on userName, the group and membership tables, the declared
// resource tables, their unique indexes and references tables — each with
// the statement Config.Schema would run to create it. Tokens, RateLimiter
// and Activity check their own tables (their Check methods). Call them
// once at start-up, after New, so that the first request is not the first
// sign of a wrong map.
//
// A unique violation on any unique index or constraint of the table is a
// 409 naming the attribute whose column the index covers: the index named
// in the driver's error is looked up in the catalog (pg_index,
// information_schema.STATISTICS, pragma index_list), by Check or on the
// first violation. A conflict on a host's unique lower(email) index thus
// names emails[type eq "work"].value, not userName.
//
// The table needs a unique index on (tenant, lower(user_name)), which is
// what keeps userNames unique under concurrent creates, and should have
// indexes for the externalId and work e-mail lookups; Config.Schema
// prints them.
//
// # Dialects
//
//   - PostgreSQL (e.g. github.com/jackc/pgx/v5/stdlib): $n placeholders,
//     expression indexes on lower(column), RETURNING for database ids.
//   - MySQL and MariaDB (github.com/go-sql-driver/mysql, with
//     parseTime=true in the DSN so that timestamps scan as time.Time):
//     MariaDB cannot index an expression, so the folded userName and
//     e-mail are generated columns (Columns.UserNameLower, EmailLower)
//     with indexes; case-exact comparisons (id, externalId) use BINARY ?
//     so that a _ci collation does not make them case-insensitive.
//   - SQLite (e.g. modernc.org/sqlite; use _time_format=sqlite and a
//     busy_timeout): its lower() folds only ASCII, so the store writes the
//     folded userName and e-mail into columns of their own, folding in Go.
//
// A unique violation is recognised without importing a driver: an error
// with SQLState() "23505" (PostgreSQL), a MySQLError with Number 1062, an
// error with Code() 2067 or 1555 (SQLite), or the drivers' messages for
// these.
//
// # Filters
//
// List turns the filter into a WHERE clause with filter.SQL: values are
// always query arguments, only configured column names reach the SQL
// text. Strings compare case-insensitively unless the attribute is
// caseExact (id, externalId), through the folded columns or lower() on
// both sides so that the indexes serve the lookups Okta and Entra ID send
// before every create: userName eq, externalId eq and emails[type eq
// "work" and value eq]. A filter that cannot be expressed (an attribute
// without a column, gt on a comma-joined list, a value path over anything
// but the work e-mail or a JSON array) is an error wrapping
// scim.ErrUnsupportedFilter, answered with 400; the store never reads the
// table into memory to evaluate a filter. Pages come from LIMIT and OFFSET in creation order (by id for
// database ids, by meta.created then id for UUIDs; the handler always
// sets meta.created, and rows a host writes itself should have one too,
// since SQLite and MySQL sort NULL first), so that a user created
// during an import lands on a later page; TotalResults comes from COUNT(*)
// with the same WHERE, run only when the page cannot tell: a first page
// that is not full (the lookup by userName or displayName an identity
// provider sends before every create) gives it, in one statement.
// ListKeyset and ListGroupsKeyset serve RFC 9865
// cursors in the same order with the same WHERE, reading the page from
// the order's index past the cursor's position ((created, id) > (?, ?)),
// so a page costs the same at any depth; they report no TotalResults.
//
// # Attributes in a JSON column
//
// With Columns.Attributes, the attributes without a column of their own
// (the RFC profile's, or those of scim.Config.Keep) live in one JSON
// column, as scim.MarshalCustom writes them: jsonb (or json, or text,
// read as ::jsonb) on PostgreSQL, JSON (or LONGTEXT) on MySQL and
// MariaDB, TEXT on SQLite. Filters on the attributes of RFC 7643's User
// and enterprise extension held there are pushed down too, with the
// semantics of filter.Match: singular ones (title, nickName,
// name.formatted, the enterprise department and manager.value) through
// ->> with casts on PostgreSQL, JSON_VALUE on MySQL and MariaDB and
// json_extract on SQLite; multi-valued ones (phoneNumbers.value,
// addresses.locality, emails[type eq "home"], roles.value pr) as an
// EXISTS over the array's elements (jsonb_array_elements, JSON_TABLE,
// json_each). Case-insensitive comparisons fold with lower() on
// PostgreSQL, compare the lowered strings byte-wise on MySQL and MariaDB
// (so that a _ci collation does not equate "e" and "é"), and on SQLite,
// whose lower() folds only ASCII, are GLOB patterns of each letter's case
// variants; ordering comparisons (gt, ge, lt, le) ignoring case fold
// only ASCII there. JSON keys come from the schema and are checked to be
// attribute names before they reach the SQL text. No index serves these
// filters: they scan the tenant's rows. A host's own attributes held in
// the JSON column are not filterable (their types are not known to the
// store): map them in Config.Custom.
//
// Every e-mail is then in the JSON column too (the RFC profile, or Keep
// "emails"), the work one also in Columns.Email: emails filters test the
// document's e-mails, or, for a row whose document has none (one the
// strict profile or the host wrote), the e-mail column. A strict-profile
// host that keeps other attributes in the JSON column sets
// Config.WorkEmailOnly, so that the lookups identity providers send stay
// index lookups on the e-mail column.
//
// A user list whose response returns none of the attributes the JSON
// column may hold (scim.Query.Attributes, e.g. attributes=userName)
// neither selects nor decodes it, when the table has a version column.
//
// # Concurrency
//
// Every write increments the version column, served as meta.version
// W/"n". Replace and Delete with a version run UPDATE … WHERE id = ? AND
// version = ?, so of two writers that read the same version one wins and
// the other gets scim.ErrVersionMismatch (the handler retries a PATCH);
// without a version, Replace reads the current one and retries on a race,
// so it never overwrites a write it did not see.
//
// A table without a version column (Columns.Version "-") gets content
// versions: meta.version is W/"c<hash>", 64 bits of the SHA-256 of the
// values of every column the store reads, and Replace and Delete read the
// row, compare its hash with the version given, and write with
// UPDATE … WHERE id = ? AND c1 = ? AND c2 IS NULL AND … on the values read
// (exactly: BINARY on MySQL, COLLATE BINARY on SQLite). A concurrent
// writer makes that condition match no row, and the store reads again:
// with a version, that is a mismatch; without, a retry. So no update is
// lost (a test runs 50 goroutines through two Stores on all three
// databases). What content versions cannot tell apart are equal contents:
// a write that changes nothing keeps the version, and a row changed and
// changed back matches a version read before both, both harmless since
// there is no different content to lose. On SQLite, which keeps times as
// text, a timestamp also matches when it is the same instant to the
// millisecond in another format (a row the host wrote itself). Statements are prepared
// on first use and cached by their text; every call takes the request's
// context. With Columns.Tenant set, every statement is limited to the
// context's tenant (scim.TenantFrom); without it, a context carrying a
// tenant is refused rather than silently shared.
//
// # Resource types the host declares
//
// Config.Resources maps each type of scim.Config.ResourceTypes (the demo's
// /Agents) to a table of its own, a ResourceTable: id, tenant,
// externalId, created, lastModified and version columns, a column for
// each simple single-valued attribute the host names in Columns, and a
// JSON column for the rest (multi-valued, complex, extension attributes).
// The Store then implements scim.ResourceStore and
// scim.ResourceKeysetLister for every configured type, with the rules of
// users: versions compared in the write, filters as WHERE clauses over
// the columns and the JSON column, pages by offset and by cursor, tenant
// isolation. Ids are unique across types: UUIDs, or database keys after
// ResourceTable.IDPrefix ("agent-12"). A unique attribute (uniqueness
// server or global) must have a column of its own, with a unique index on
// (tenant, lower(column)), or on a folded copy of the column on MySQL,
// MariaDB and SQLite, as userName has (Config.Schema creates both; Check
// names a missing one): Validate refuses one left in the JSON column,
// whose check would scan the tenant's rows. The write's transaction looks
// the value up with the comparison a filter eq compiles to, which the
// index serves, after a lock whose cost does not grow with the table (a
// transaction-scoped advisory lock on PostgreSQL, the write lock on
// SQLite; on MySQL and MariaDB the unique index itself, whose duplicate
// key is answered as a uniqueness conflict). When a user, a group or a
// declared resource is deleted, its id leaves the reference lists
// (ResourceType.References) of every declared resource of the tenant in
// the same transaction, at a cost that grows with the references to it,
// not with the resources the tenant holds: each type with reference
// attributes has a references table the store owns
// (ResourceTable.Refs, "<table>_refs": tenant, target_id, resource_id,
// with that primary key), which every create, replace (by the difference
// between the old and new ids) and delete of the type keeps in its
// transaction. A delete reads the resources naming the id from its key,
// locks their rows in key order (deletes that meet wait rather than
// deadlock), rewrites them and gives each a new version. A reference
// value longer than 255 bytes, which names no id the store serves, is
// kept in the JSON column only. Config.Schema prints the tables and
// Store.Check names a missing table, column or references table with the
// statement that creates it: a host whose declared table predates the
// references table creates it with that statement before serving the
// type (the store keeps it from then on; references written before it
// existed are not in it, and a delete does not find them).
//
// # Tokens and rate limits across replicas
//
// Tokens is a scim.TokenManager over a table of its own
// (TokensConfig.Schema): SHA-256 hashes, tenant, label, created, expiry,
// revoked and last use. It has no cache, so a token revoked through one
// replica is refused by every replica on its next request; last use is
// written at most once a minute per token. RateLimiter keeps one counter
// row per tenant (RateLimitConfig.Schema) and counts fixed windows with one
// atomic upsert per request, so a tenant's budget holds across all
// replicas together. Microsoft Entra ID's non-gallery provisioning does
// not slow down on 429 and quarantines an app whose failures pass 40%:
// size the limit well above the rate it sends.
package sqlstore
