package sqlstore

import (
	"slices"
	"strings"

	"github.com/scimkit/scim/filter"
)

// Schema returns the statements that create the table c describes, for an
// application that has no user table yet: CREATE TABLE, a unique index on
// (tenant, lower(user_name)) that enforces userName uniqueness, and
// indexes for the externalId and lower(email) lookups identity providers
// send before every create. Run them in order. On MySQL, MariaDB and
// SQLite the folded values have columns of their own (see
// Columns.UserNameLower); PostgreSQL indexes the expressions.
//
// With Config.Groups set, the group and membership tables and their
// indexes follow (see GroupTables), then the table of each of
// Config.Resources with its indexes, a unique one for each unique
// attribute (see ResourceTable.Columns), and, for a type with reference
// attributes, its references table (see ResourceTable.Refs).
//
// A host with a table of its own creates the same indexes on it; without
// the unique index, concurrent creates can store duplicate userNames.
func (c Config) Schema() ([]string, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	k := c.Columns
	var text, key string
	switch c.Dialect {
	case PostgreSQL:
		text = "TEXT"
	case MySQL:
		text = "VARCHAR(255)"
	case SQLite:
		text = "TEXT"
	}
	var cols []string
	var added []string
	add := func(name, typ string) {
		// "" is "-", no such column; a shared column is created once.
		if name != "" && !slices.ContainsFunc(added, func(a string) bool { return sameColumn(a, name) }) {
			added = append(added, name)
			cols = append(cols, name+" "+typ)
		}
	}
	idKey, _ := c.idTypes()
	add(k.ID, idKey)
	if k.Tenant != "" {
		add(k.Tenant, text+" NOT NULL DEFAULT ''")
	}
	add(k.ExternalID, text)
	add(k.UserName, text+" NOT NULL")
	add(k.GivenName, text)
	add(k.FamilyName, text)
	add(k.DisplayName, text)
	add(k.Email, text)
	add(k.Active, "BOOLEAN NOT NULL DEFAULT TRUE")
	add(k.Created, c.timestamp())
	add(k.LastModified, c.timestamp())
	add(k.Version, "BIGINT NOT NULL DEFAULT 1")
	if k.Attributes != "" {
		add(k.Attributes, map[Dialect]string{PostgreSQL: "JSONB", MySQL: "JSON", SQLite: "TEXT"}[c.Dialect])
	}
	for _, a := range c.Custom {
		switch {
		case a.Multi:
			add(a.Column, "TEXT")
		case a.Kind == filter.String:
			add(a.Column, text)
		case a.Kind == filter.Bool:
			add(a.Column, "BOOLEAN")
		case a.Kind == filter.Number:
			add(a.Column, "BIGINT")
		case a.Kind == filter.DateTime:
			add(a.Column, c.timestamp())
		}
	}
	userKey, emailKey := "lower("+k.UserName+")", "lower("+k.Email+")"
	if c.Dialect == SQLite {
		if k.UserNameLower != "" {
			add(k.UserNameLower, "TEXT NOT NULL")
			userKey = k.UserNameLower
		}
		if k.EmailLower != "" {
			add(k.EmailLower, "TEXT")
			emailKey = k.EmailLower
		}
	}
	if c.Dialect == MySQL {
		if k.UserNameLower != "" {
			add(k.UserNameLower, text+" AS (lower("+k.UserName+")) VIRTUAL")
			userKey = k.UserNameLower
		}
		if k.EmailLower != "" {
			add(k.EmailLower, text+" AS (lower("+k.Email+")) VIRTUAL")
			emailKey = k.EmailLower
		}
	}
	table := c.Table
	create := "CREATE TABLE " + table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
	if c.Dialect == MySQL {
		create += " DEFAULT CHARSET=utf8mb4"
	}
	if k.Tenant != "" {
		key = k.Tenant + ", "
	}
	base := indexBase(table)
	stmts := []string{
		create,
		"CREATE UNIQUE INDEX " + base + "_user_name_key ON " + table + " (" + key + userKey + ")",
	}
	if k.ExternalID != "" {
		stmts = append(stmts, "CREATE INDEX "+base+"_external_id_idx ON "+table+" ("+key+k.ExternalID+")")
	}
	if k.Email != "" && !sameColumn(k.Email, k.UserName) {
		stmts = append(stmts, "CREATE INDEX "+base+"_email_idx ON "+table+" ("+key+emailKey+")")
	}
	if c.IDs == UUIDs && k.Created != "" {
		// Pages are ordered by creation (see Store.order); this index
		// serves an import's unfiltered pages.
		stmts = append(stmts, "CREATE INDEX "+base+"_created_idx ON "+table+" ("+key+k.Created+", "+k.ID+")")
	}
	if c.Groups != nil {
		stmts = append(stmts, c.groupSchema()...)
	}
	for _, r := range c.Resources {
		stmts = append(stmts, c.resourceSchema(r)...)
	}
	return stmts, nil
}

func (c Config) timestamp() string {
	switch c.Dialect {
	case PostgreSQL:
		return "TIMESTAMPTZ"
	case MySQL:
		return "DATETIME(6)"
	}
	// modernc.org/sqlite and mattn/go-sqlite3 read a DATETIME column back
	// as a time.Time.
	return "DATETIME"
}

// indexBase is the table name without schema and quotes, for index names.
func indexBase(table string) string {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		table = table[i+1:]
	}
	return strings.Trim(table, "\"`")
}

// idTypes returns the SQL type of an id column as a table's primary key,
// and as a column referring to such an id (a membership's member).
func (c Config) idTypes() (key, ref string) {
	switch {
	case c.IDs == UUIDs && c.Dialect == MySQL:
		// ascii_bin: ids are case-exact (RFC 7643 §3.1).
		ref = "CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL"
		return ref + " PRIMARY KEY", ref
	case c.IDs == UUIDs:
		return "TEXT NOT NULL PRIMARY KEY", "TEXT NOT NULL"
	case c.Dialect == PostgreSQL:
		return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT NOT NULL"
	case c.Dialect == MySQL:
		return "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "BIGINT NOT NULL"
	}
	// SQLite. AUTOINCREMENT: a deleted id is never handed out again.
	return "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER NOT NULL"
}
