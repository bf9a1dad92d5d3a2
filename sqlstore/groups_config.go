package sqlstore

import (
	"fmt"
	"regexp"
	"strings"
)

// GroupTables maps a host's group table (teams, roles, workspaces) and
// its membership join table to SCIM groups. Set it as Config.Groups and
// the Store serves groups (it implements scim.GroupStore); leave it nil
// and it serves users only. Empty names take the default in brackets;
// its zero value describes the tables Config.Schema creates.
//
// Groups share the user table's Config.IDs (ids from the store or the
// database, one kind for both, so that a member column holds either) and
// its tenants: with Config.Columns.Tenant set, the group table has a
// tenant column too. The join table has no tenant column: a membership
// is reached only through its group's row, which is the tenant's.
//
// Ids are unique across users and groups (RFC 7643 §3.1). UUIDs are
// apart by construction. With DatabaseIDs the two tables number their
// rows separately, each from 1, so a group's id is its key after
// IDPrefix ("g-12") while a user's stays the bare key ("12").
type GroupTables struct {
	// Table is the group table ["scim_groups"].
	Table string
	// IDPrefix, with DatabaseIDs, comes before a group's integer key to
	// make its id: group 12 is served, filtered on and named as a member
	// as "g-12", so that it never has the id of user 12 and a member
	// without a type (as Okta and Entra ID send them) names one resource.
	// The tables are unchanged: the key columns and the member column
	// hold the bare integers, and user ids stay what they were. ["g-";
	// an ASCII letter, then letters, digits, '-', '_' or '.'.] "-" serves
	// the bare keys, and is only right when both id columns draw from one
	// sequence (on PostgreSQL, DEFAULT nextval of the same sequence),
	// which Store.Check verifies; MySQL, MariaDB and SQLite cannot share
	// one, so Validate refuses "-" there. UUIDs need no prefix and
	// ignore it.
	IDPrefix string
	// Columns names the group table's columns.
	Columns GroupColumns
	// Members is the membership join table, one row per (group, member)
	// ["scim_group_members"].
	Members string
	// MemberColumns names the join table's columns.
	MemberColumns MemberColumns
}

// GroupColumns names the columns of the group table.
type GroupColumns struct {
	ID           string // id ["id"]: text for UUIDs, an integer key for DatabaseIDs
	DisplayName  string // displayName ["display_name"]
	ExternalID   string // externalId ["external_id"]
	Created      string // meta.created, a timestamp ["created"]
	LastModified string // meta.lastModified, a timestamp ["last_modified"]
	// Version is an integer column that every change increments, served
	// as meta.version W/"<n>" ["version"].
	Version string
	// Tenant is the tenant column, required exactly when the user table
	// has one [Config.Columns.Tenant].
	Tenant string
	// DisplayNameLower holds the folded display name for Entra ID's
	// case-insensitive displayName eq lookup, as Columns.UserNameLower
	// does for userName: a generated column on MySQL and MariaDB, one the
	// store writes on SQLite, none on PostgreSQL (an index on
	// lower(display_name) serves it) ["display_name_lower"; "-" for none].
	DisplayNameLower string
}

// MemberColumns names the columns of the membership join table.
type MemberColumns struct {
	// Group is the group's id ["group_id"].
	Group string
	// Member is the member's id, a user's or a nested group's
	// ["member_id"].
	Member string
	// Type is a text column holding "User" or "Group" ["member_type"].
	// "-" for none: a join table without one holds users only, and a
	// member of Type "Group" is an unknown member.
	Type string
}

// idPrefix is what GroupTables.IDPrefix may be: starting with a letter, it
// is never the start of a user's id (a decimal integer), and it needs no
// escaping in a URL.
var idPrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// plainColumn is a single identifier: group columns are written qualified by
// the table's alias (g.display_name), so they may not carry a schema.
var plainColumn = regexp.MustCompile("^([A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\"|`[^`]+`)$")

// validate checks g against the user table's config c.
func (g GroupTables) validate(c Config) error {
	switch {
	case c.IDs != DatabaseIDs:
	case g.IDPrefix == "-" && c.Dialect != PostgreSQL:
		return fmt.Errorf("sqlstore: Config.Groups.IDPrefix \"-\": on %v users and groups number their DatabaseIDs from separate counters, so a user and a group would share ids (RFC 7643 §3.1 wants them unique across types); leave IDPrefix empty to serve groups as \"g-12\"", c.Dialect)
	case g.IDPrefix != "" && g.IDPrefix != "-" && !idPrefix.MatchString(g.IDPrefix):
		return fmt.Errorf("sqlstore: Config.Groups.IDPrefix %q must start with an ASCII letter and hold only letters, digits, '-', '_' and '.'", g.IDPrefix)
	}
	g = g.withDefaults(c)
	k, m := g.Columns, g.MemberColumns
	if (c.Columns.Tenant == "") != (k.Tenant == "") {
		return fmt.Errorf("sqlstore: Config.Groups.Columns.Tenant %q: the group table has a tenant column exactly when the user table has one (Config.Columns.Tenant %q)", k.Tenant, c.Columns.Tenant)
	}
	for _, f := range []struct {
		field, name      string
		table, mandatory bool
	}{
		{"Table", g.Table, true, true}, {"Members", g.Members, true, true},
		{"Columns.ID", k.ID, false, true}, {"Columns.DisplayName", k.DisplayName, false, true},
		{"Columns.ExternalID", k.ExternalID, false, true}, {"Columns.Created", k.Created, false, true},
		{"Columns.LastModified", k.LastModified, false, true}, {"Columns.Version", k.Version, false, true},
		{"Columns.Tenant", k.Tenant, false, false}, {"Columns.DisplayNameLower", k.DisplayNameLower, false, false},
		{"MemberColumns.Group", m.Group, false, true}, {"MemberColumns.Member", m.Member, false, true},
		{"MemberColumns.Type", m.Type, false, false},
	} {
		switch {
		case f.name == "" && f.mandatory && !f.table:
			return fmt.Errorf("sqlstore: Config.Groups.%s \"-\": the group tables need this column (only Tenant, DisplayNameLower and MemberColumns.Type may be left out)", f.field)
		case f.name == "" && !f.table:
			// An optional column left out.
		case f.table && !identifier.MatchString(f.name), !f.table && !plainColumn.MatchString(f.name):
			return fmt.Errorf("sqlstore: Config.Groups.%s %q is not an SQL identifier", f.field, f.name)
		}
	}
	if strings.EqualFold(indexBase(g.Table), indexBase(c.withDefaults().Table)) || strings.EqualFold(indexBase(g.Table), indexBase(g.Members)) {
		return fmt.Errorf("sqlstore: Config.Groups: the group table %q, the membership table %q and the user table must differ", g.Table, g.Members)
	}
	return nil
}

// withDefaults fills in the default names; "-" becomes "".
func (g GroupTables) withDefaults(c Config) GroupTables {
	def := defaultName
	def(&g.Table, "scim_groups")
	def(&g.Members, "scim_group_members")
	def(&g.IDPrefix, "g-")
	k := &g.Columns
	def(&k.ID, "id")
	def(&k.DisplayName, "display_name")
	def(&k.ExternalID, "external_id")
	def(&k.Created, "created")
	def(&k.LastModified, "last_modified")
	def(&k.Version, "version")
	def(&k.Tenant, c.Columns.Tenant)
	if c.Dialect == MySQL || c.Dialect == SQLite {
		def(&k.DisplayNameLower, "display_name_lower")
	} else if k.DisplayNameLower == "-" {
		k.DisplayNameLower = ""
	}
	m := &g.MemberColumns
	def(&m.Group, "group_id")
	def(&m.Member, "member_id")
	def(&m.Type, "member_type")
	return g
}

// groupSchema returns the statements that create the group and membership
// tables of c.Groups, and their indexes:
//
//   - the join table's primary key (group, member[, type]), which makes an
//     add that is already there a no-op (INSERT … ON CONFLICT DO NOTHING);
//   - an index on (member, group) for a user's groups attribute and for
//     deleting a user's memberships;
//   - an index on (tenant, folded displayName) for Entra ID's lookup, and
//     one on (tenant, externalId).
func (c Config) groupSchema() []string {
	g := c.Groups.withDefaults(c)
	k, m := g.Columns, g.MemberColumns
	text := "TEXT"
	if c.Dialect == MySQL {
		text = "VARCHAR(255)"
	}
	var cols []string
	add := func(name, typ string) { cols = append(cols, name+" "+typ) }
	// The member column holds user and group ids, so it has the id's type.
	idKey, idType := c.idTypes()
	add(k.ID, idKey)
	if k.Tenant != "" {
		add(k.Tenant, text+" NOT NULL DEFAULT ''")
	}
	add(k.DisplayName, text+" NOT NULL")
	add(k.ExternalID, text)
	add(k.Created, c.timestamp())
	add(k.LastModified, c.timestamp())
	add(k.Version, "BIGINT NOT NULL DEFAULT 1")
	nameKey := "lower(" + k.DisplayName + ")"
	switch {
	case c.Dialect == SQLite && k.DisplayNameLower != "":
		add(k.DisplayNameLower, "TEXT NOT NULL")
		nameKey = k.DisplayNameLower
	case c.Dialect == MySQL && k.DisplayNameLower != "":
		add(k.DisplayNameLower, text+" AS (lower("+k.DisplayName+")) VIRTUAL")
		nameKey = k.DisplayNameLower
	}
	create := "CREATE TABLE " + g.Table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
	key := ""
	if k.Tenant != "" {
		key = k.Tenant + ", "
	}
	pk := m.Group + ", " + m.Member
	members := []string{m.Group + " " + idType, m.Member + " " + idType}
	if m.Type != "" {
		members = append(members, m.Type+" VARCHAR(5) NOT NULL")
		pk += ", " + m.Type
	}
	members = append(members, "PRIMARY KEY ("+pk+")")
	createMembers := "CREATE TABLE " + g.Members + " (\n\t" + strings.Join(members, ",\n\t") + "\n)"
	if c.Dialect == MySQL {
		create += " DEFAULT CHARSET=utf8mb4"
		createMembers += " DEFAULT CHARSET=utf8mb4"
	}
	base, mbase := indexBase(g.Table), indexBase(g.Members)
	stmts := []string{
		create,
		"CREATE INDEX " + base + "_display_name_idx ON " + g.Table + " (" + key + nameKey + ")",
		"CREATE INDEX " + base + "_external_id_idx ON " + g.Table + " (" + key + k.ExternalID + ")",
		createMembers,
		"CREATE INDEX " + mbase + "_member_idx ON " + g.Members + " (" + m.Member + ", " + m.Group + ")",
	}
	if c.IDs == UUIDs {
		stmts = append(stmts, "CREATE INDEX "+base+"_created_idx ON "+g.Table+" ("+key+k.Created+", "+k.ID+")")
	}
	return stmts
}
