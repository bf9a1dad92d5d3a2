package sqlstore

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// ResourceTable maps a table of the host's to a resource type it declares
// (scim.Config.ResourceTypes), such as the demo's Agents: set it in
// Config.Resources and the Store serves the type (it implements
// scim.ResourceStore and scim.ResourceKeysetLister). Empty names take the
// default in brackets; "-" where allowed is no such column.
//
// Attributes named in Columns have columns of their own; every other
// attribute (multi-valued, complex, an extension's) is kept in the JSON
// column, as scim.MarshalCustom writes it. Filters on both are SQL: on a
// column as on a user's, on the JSON column with the dialect's JSON
// functions (see the package doc).
//
// The table shares the user table's Config.IDs and tenants. Ids are
// unique across every type the handler serves (RFC 7643 §3.1): UUIDs are
// apart by construction; with DatabaseIDs, where each table counts from 1,
// a resource's id is its key after IDPrefix ("agent-12").
type ResourceTable struct {
	// Type is the declaration the table holds, the one given to
	// scim.Config.ResourceTypes: its Name selects the table for every
	// ResourceStore call, its schema gives the columns' types, and its
	// Unique and References say what the store enforces. Required.
	Type scim.ResourceType
	// Table is the table ["scim_" + lower-cased Type.Endpoint].
	Table string
	// IDPrefix, with DatabaseIDs, comes before a row's integer key to
	// make its id, as GroupTables.IDPrefix does for groups: an ASCII
	// letter, then letters, digits, '-', '_' or '.'; it may not start
	// another type's prefix [lower-cased Type.Name + "-"]. UUIDs ignore
	// it.
	IDPrefix string
	// ID is the key column ["id"]: text for UUIDs, an integer key for
	// DatabaseIDs.
	ID string
	// Tenant is the tenant column, required exactly when the user table
	// has one [Config.Columns.Tenant].
	Tenant string
	// ExternalID is the externalId column ["external_id"; "-" for none].
	ExternalID string
	// Version is an integer column that every write increments, served as
	// meta.version W/"<n>" ["version"].
	Version string
	// Created and LastModified are timestamp columns for meta.created and
	// meta.lastModified ["created" and "last_modified"; "-" for none:
	// without LastModified, meta.lastModified is served as meta.created].
	Created, LastModified string
	// Columns maps attributes of the type to columns of their own, by
	// attribute name: single-valued string, reference, boolean, integer
	// and dateTime attributes only.
	//
	// Every attribute the type's Unique lists must be here: the store
	// checks it with a lookup that a unique index on (tenant, column)
	// serves, and Validate refuses a unique attribute left in the JSON
	// column, naming it, since there each write would scan every row of
	// the tenant's resources (and, on MySQL and MariaDB, lock them). The
	// store does not pick a column for it: the table is the host's, and a
	// column that appeared in it by default would be a surprise at the
	// next migration. Config.Schema creates the index (see its doc); a
	// case-insensitive string (not caseExact) is indexed folded, as
	// userName is: on lower(column) on PostgreSQL, and on MySQL, MariaDB
	// and SQLite on a column of its own named after the column with
	// "_lower" appended (name_lower): generated AS (lower(name)) with a
	// binary collation on MySQL and MariaDB, written by the store with
	// Unicode folding on SQLite. On MySQL and MariaDB a caseExact unique
	// string column has a binary collation, so that "Bot" and "bot" are
	// two values.
	Columns map[string]string
	// JSON is the column (jsonb or json on PostgreSQL, JSON or LONGTEXT on
	// MySQL and MariaDB, TEXT on SQLite) that keeps every attribute
	// without a column of its own ["attributes"; "-" for none, when
	// Columns maps every attribute].
	JSON string
	// Refs is the table in which the store indexes the type's references
	// (ResourceType.References) by the id they name [Table + "_refs"],
	// with columns tenant, target_id and resource_id and a primary key in
	// that order: deleting a user, a group or a resource finds the
	// resources naming it there, not by reading every resource of the
	// tenant. The store writes it with every create, replace and delete
	// of the type; Config.Schema creates it and Check names it when
	// missing. A type without reference attributes has none.
	Refs string
}

// resourceColumn is an attribute of a declared type kept in a column of
// its own.
type resourceColumn struct {
	attr string
	col  string
	kind filter.Kind
	// unique: the type's Unique lists the attribute; exact: it is a
	// caseExact string, or not a string.
	unique, exact bool
	// folded, for a unique case-insensitive string on MySQL, MariaDB or
	// SQLite, is the column holding its folded value, which the unique
	// index covers and case-insensitive filters compare.
	folded string
}

// key is what the unique index of a unique column covers after the
// tenant: its folded column, lower(column) (PostgreSQL) or the column.
func (rc resourceColumn) key() string {
	switch {
	case rc.folded != "":
		return rc.folded
	case !rc.exact:
		return "lower(" + rc.col + ")"
	}
	return rc.col
}

// foldedName is col's folded column: "_lower" appended, inside the quotes
// of a quoted name.
func foldedName(col string) string {
	if n := len(col); n > 1 && (col[0] == '"' || col[0] == '`') && col[n-1] == col[0] {
		return col[:n-1] + "_lower" + col[n-1:]
	}
	return col + "_lower"
}

// validate checks r, the i-th of c.Resources, against the user table's
// config c.
func (r ResourceTable) validate(c Config, i int) error {
	where := fmt.Sprintf("sqlstore: Config.Resources[%d] (%q)", i, r.Type.Name)
	if r.Type.Name == "" || r.Type.Endpoint == "" {
		return fmt.Errorf("%s: Type needs a Name and an Endpoint, as in scim.Config.ResourceTypes", where)
	}
	if c.IDs == DatabaseIDs && r.IDPrefix == "-" {
		return fmt.Errorf("%s: IDPrefix \"-\": a declared type's DatabaseIDs count from 1 in a table of their own, so its ids would be users' (RFC 7643 §3.1 wants them unique across types)", where)
	}
	r = r.withDefaults(c)
	if c.IDs == DatabaseIDs && !idPrefix.MatchString(r.IDPrefix) {
		return fmt.Errorf("%s: IDPrefix %q must start with an ASCII letter and hold only letters, digits, '-', '_' and '.'", where, r.IDPrefix)
	}
	if (c.Columns.Tenant == "") != (r.Tenant == "") {
		return fmt.Errorf("%s: Tenant %q: the table has a tenant column exactly when the user table has one (Config.Columns.Tenant %q)", where, r.Tenant, c.Columns.Tenant)
	}
	if !identifier.MatchString(r.Table) {
		return fmt.Errorf("%s: Table %q is not an SQL identifier", where, r.Table)
	}
	if r.hasRefs() && !identifier.MatchString(r.Refs) {
		return fmt.Errorf("%s: Refs %q is not an SQL identifier", where, r.Refs)
	}
	taken := map[string]string{}
	for _, f := range []struct{ field, name string }{
		{"ID", r.ID}, {"Tenant", r.Tenant}, {"ExternalID", r.ExternalID}, {"Version", r.Version},
		{"Created", r.Created}, {"LastModified", r.LastModified}, {"JSON", r.JSON},
	} {
		if f.name == "" && f.field != "ID" && f.field != "Version" {
			continue
		}
		if !plainColumn.MatchString(f.name) {
			return fmt.Errorf("%s: %s %q is not an SQL identifier", where, f.field, f.name)
		}
		if other, dup := taken[strings.ToLower(bare(f.name))]; dup {
			return fmt.Errorf("%s: %s and %s are both column %q", where, other, f.field, f.name)
		}
		taken[strings.ToLower(bare(f.name))] = f.field
	}
	cols, err := r.columns(c.Dialect)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	for _, rc := range cols {
		if !plainColumn.MatchString(rc.col) {
			return fmt.Errorf("%s: Columns[%q] %q is not an SQL identifier", where, rc.attr, rc.col)
		}
		if other, dup := taken[strings.ToLower(bare(rc.col))]; dup {
			return fmt.Errorf("%s: Columns[%q] is column %q, which is also %s's", where, rc.attr, rc.col, other)
		}
		taken[strings.ToLower(bare(rc.col))] = "Columns[" + rc.attr + "]"
	}
	for _, rc := range cols {
		if rc.folded == "" {
			continue
		}
		if other, dup := taken[strings.ToLower(bare(rc.folded))]; dup {
			return fmt.Errorf("%s: Columns[%q]: unique attribute %q is indexed folded in column %q, which is also %s's", where, rc.attr, rc.attr, rc.folded, other)
		}
		taken[strings.ToLower(bare(rc.folded))] = "the folded column of Columns[" + rc.attr + "]"
	}
	for _, a := range r.attributes() {
		if r.JSON == "" && !slices.ContainsFunc(cols, func(c resourceColumn) bool { return c.attr == a.Name }) {
			return fmt.Errorf("%s: attribute %q has no column and JSON is \"-\": map it in Columns or keep a JSON column", where, a.Name)
		}
	}
	for _, a := range r.Type.Unique() {
		if a.MultiValued || a.Type == schema.Complex {
			return fmt.Errorf("%s: attribute %q is unique (uniqueness %s) but multi-valued or complex: sqlstore enforces uniqueness of single-valued simple attributes only", where, a.Name, a.Uniqueness)
		}
		if !slices.ContainsFunc(cols, func(c resourceColumn) bool { return c.attr == a.Name }) {
			return fmt.Errorf("%s: attribute %q is unique (uniqueness %s) but has no column of its own: map it in Columns (Columns: map[string]string{%q: %q}) and create the unique index Config.Schema lists, so that checking a write's %s is one index lookup; in the JSON column it would scan every %s of the tenant", where, a.Name, a.Uniqueness, a.Name, snake(a.Name), a.Name, r.Type.Name)
		}
	}
	return nil
}

// withDefaults fills in the default names; "-" becomes "".
func (r ResourceTable) withDefaults(c Config) ResourceTable {
	def := defaultName
	def(&r.Table, "scim_"+strings.ToLower(r.Type.Endpoint))
	def(&r.IDPrefix, strings.ToLower(r.Type.Name)+"-")
	def(&r.ID, "id")
	def(&r.Tenant, c.Columns.Tenant)
	def(&r.ExternalID, "external_id")
	def(&r.Version, "version")
	def(&r.Created, "created")
	def(&r.LastModified, "last_modified")
	def(&r.JSON, "attributes")
	def(&r.Refs, refsName(r.Table))
	return r
}

// refsName is the default references table of table: "_refs" appended,
// inside the quotes of a quoted name.
func refsName(table string) string {
	if n := len(table); n > 1 && (table[0] == '"' || table[0] == '`') && table[n-1] == table[0] {
		return table[:n-1] + "_refs" + table[n-1:]
	}
	return table + "_refs"
}

// hasRefs reports whether the type (with defaults) has reference
// attributes kept in the JSON column, and so a references table.
func (r ResourceTable) hasRefs() bool {
	return r.JSON != "" && len(r.Type.References()) > 0
}

// attributes are the type's attributes, core then extensions.
func (r ResourceTable) attributes() []*schema.Attribute {
	var out []*schema.Attribute
	for _, s := range append([]schema.Schema{r.Type.Schema}, r.Type.Extensions...) {
		for i := range s.Attributes {
			out = append(out, &s.Attributes[i])
		}
	}
	return out
}

// attribute is the type's attribute with the given name, compared
// ignoring case (names are unique across a type's schemas so).
func (r ResourceTable) attribute(name string) (*schema.Attribute, bool) {
	for _, a := range r.attributes() {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return nil, false
}

// columns are the attributes of Columns with their kinds, by attribute
// name; an error names one that is not a single-valued simple attribute
// of the type.
func (r ResourceTable) columns(d Dialect) ([]resourceColumn, error) {
	var out []resourceColumn
	for name, col := range r.Columns {
		a, ok := r.attribute(name)
		if !ok {
			return nil, fmt.Errorf("Columns[%q]: the type has no such attribute", name)
		}
		if a.MultiValued || a.Type == schema.Complex || a.Type == schema.Binary || a.Type == schema.Decimal {
			return nil, fmt.Errorf("Columns[%q]: only single-valued string, reference, boolean, integer and dateTime attributes have columns of their own; keep %s attributes in the JSON column", name, describe(a))
		}
		if slices.ContainsFunc(out, func(c resourceColumn) bool { return c.attr == a.Name }) {
			return nil, fmt.Errorf("Columns[%q]: attribute %q is mapped twice", name, a.Name)
		}
		rc := resourceColumn{attr: a.Name, col: col, kind: kindOf(a.Type),
			unique: a.Uniqueness == schema.Server || a.Uniqueness == schema.Global,
			exact:  a.CaseExact || kindOf(a.Type) != filter.String}
		if rc.unique && !rc.exact && d != PostgreSQL {
			rc.folded = foldedName(col)
		}
		out = append(out, rc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].attr < out[j].attr })
	return out, nil
}

// snake is name in snake case (displayName → display_name), the column a
// refusal suggests.
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func describe(a *schema.Attribute) string {
	if a.MultiValued {
		return "multi-valued"
	}
	return string(a.Type)
}

// checkResources validates c.Resources: each table, and names and
// prefixes apart.
func (c Config) checkResources() error {
	names := map[string]bool{}
	tables := map[string]bool{strings.ToLower(indexBase(c.withDefaults().Table)): true}
	if c.Groups != nil {
		g := c.Groups.withDefaults(c)
		tables[strings.ToLower(indexBase(g.Table))], tables[strings.ToLower(indexBase(g.Members))] = true, true
	}
	var prefixes []string
	if c.Groups != nil && c.IDs == DatabaseIDs {
		prefixes = append(prefixes, c.Groups.withDefaults(c).IDPrefix)
	}
	for i, r := range c.Resources {
		if err := r.validate(c, i); err != nil {
			return err
		}
		r = r.withDefaults(c)
		if names[strings.ToLower(r.Type.Name)] {
			return fmt.Errorf("sqlstore: Config.Resources[%d]: type %q has two tables", i, r.Type.Name)
		}
		names[strings.ToLower(r.Type.Name)] = true
		if tables[strings.ToLower(indexBase(r.Table))] {
			return fmt.Errorf("sqlstore: Config.Resources[%d] (%q): table %q is another type's", i, r.Type.Name, r.Table)
		}
		tables[strings.ToLower(indexBase(r.Table))] = true
		if r.hasRefs() {
			if tables[strings.ToLower(indexBase(r.Refs))] {
				return fmt.Errorf("sqlstore: Config.Resources[%d] (%q): references table %q is another table", i, r.Type.Name, r.Refs)
			}
			tables[strings.ToLower(indexBase(r.Refs))] = true
		}
		if c.IDs == DatabaseIDs {
			for _, p := range prefixes {
				if p != "" && (strings.HasPrefix(p, r.IDPrefix) || strings.HasPrefix(r.IDPrefix, p)) {
					return fmt.Errorf("sqlstore: Config.Resources[%d] (%q): IDPrefix %q and another type's %q could make one id (RFC 7643 §3.1 wants ids unique across types): one may not start the other", i, r.Type.Name, r.IDPrefix, p)
				}
			}
			prefixes = append(prefixes, r.IDPrefix)
		}
	}
	return nil
}

// resourceSchema returns the statements that create r's table and its
// indexes: (tenant, created, id) for the list order with UUIDs, (tenant,
// id) with database ids, (tenant, externalId) for identity providers'
// lookups, and a unique index on (tenant, key) for each unique attribute
// (see resourceColumn.key), which serves the write's uniqueness check and
// makes the database refuse a duplicate that bypassed it; then, for a
// type with reference attributes, its references table (see refsCreate).
func (c Config) resourceSchema(r ResourceTable) []string {
	r = r.withDefaults(c)
	stmts := append([]string{c.resourceCreate(r)}, c.resourceIndexes(r)...)
	if r.hasRefs() {
		stmts = append(stmts, c.refsCreate(r))
	}
	return stmts
}

// refsCreate is the statement creating r's references table. Its primary
// key (tenant, target_id, resource_id) is the index a delete reads the
// resources naming an id from, and makes each reference one row. On
// MySQL and MariaDB target_id compares bytes (ids are case-exact) and is
// as long as an index beside the tenant allows (maxRefID); on SQLite the
// table is its primary key (WITHOUT ROWID).
func (c Config) refsCreate(r ResourceTable) string {
	_, idRef := c.idTypes()
	target := "TEXT NOT NULL"
	if c.Dialect == MySQL {
		target = fmt.Sprintf("VARCHAR(%d) COLLATE utf8mb4_bin NOT NULL", maxRefID)
	}
	create := "CREATE TABLE " + r.Refs + " (\n\ttenant " + c.textType() + " NOT NULL DEFAULT '',\n\ttarget_id " + target +
		",\n\tresource_id " + idRef + ",\n\tPRIMARY KEY (tenant, target_id, resource_id)\n)"
	switch c.Dialect {
	case MySQL:
		create += " DEFAULT CHARSET=utf8mb4"
	case SQLite:
		create += " WITHOUT ROWID"
	}
	return create
}

func (c Config) resourceCreate(r ResourceTable) string {
	var cols []string
	add := func(name, typ string) {
		if name != "" {
			cols = append(cols, name+" "+typ)
		}
	}
	idKey, _ := c.idTypes()
	add(r.ID, idKey)
	add(r.Tenant, c.textType()+" NOT NULL DEFAULT ''")
	add(r.ExternalID, c.textType())
	add(r.Created, c.timestamp())
	add(r.LastModified, c.timestamp())
	add(r.Version, "BIGINT NOT NULL DEFAULT 1")
	rcs, _ := r.columns(c.Dialect)
	for _, rc := range rcs {
		typ := c.columnType(rc.kind)
		if c.Dialect == MySQL && rc.unique && rc.exact && rc.kind == filter.String {
			typ += " COLLATE utf8mb4_bin"
		}
		add(rc.col, typ)
	}
	for _, rc := range rcs {
		if rc.folded != "" {
			add(rc.folded, c.foldedType(rc))
		}
	}
	add(r.JSON, c.jsonType())
	create := "CREATE TABLE " + r.Table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
	if c.Dialect == MySQL {
		create += " DEFAULT CHARSET=utf8mb4"
	}
	return create
}

// foldedType is the type of rc's folded column: generated on MySQL and
// MariaDB, with a binary collation so that lowered values are equal when
// their bytes are (not when a _ci collation equates "e" and "é"); written
// by the store on SQLite.
func (c Config) foldedType(rc resourceColumn) string {
	if c.Dialect == MySQL {
		return c.textType() + " COLLATE utf8mb4_bin AS (lower(" + rc.col + ")) VIRTUAL"
	}
	return "TEXT"
}

func (c Config) resourceIndexes(r ResourceTable) []string {
	key := ""
	if r.Tenant != "" {
		key = r.Tenant + ", "
	}
	base := indexBase(r.Table)
	var stmts []string
	switch {
	case c.IDs == UUIDs && r.Created != "":
		stmts = append(stmts, "CREATE INDEX "+base+"_created_idx ON "+r.Table+" ("+key+r.Created+", "+r.ID+")")
	case key != "":
		stmts = append(stmts, "CREATE INDEX "+base+"_tenant_idx ON "+r.Table+" ("+key+r.ID+")")
	}
	if r.ExternalID != "" {
		stmts = append(stmts, "CREATE INDEX "+base+"_external_id_idx ON "+r.Table+" ("+key+r.ExternalID+")")
	}
	rcs, _ := r.columns(c.Dialect)
	for _, rc := range rcs {
		if rc.unique {
			stmts = append(stmts, c.uniqueIndex(r, rc))
		}
	}
	return stmts
}

// uniqueIndex is the statement creating the unique index of the unique
// column rc of r.
func (c Config) uniqueIndex(r ResourceTable, rc resourceColumn) string {
	key := rc.key()
	if r.Tenant != "" {
		key = r.Tenant + ", " + key
	}
	return "CREATE UNIQUE INDEX " + indexBase(r.Table) + "_" + strings.ToLower(bare(rc.col)) + "_key ON " + r.Table + " (" + key + ")"
}

// textType is the type of a text column that may be indexed.
func (c Config) textType() string {
	if c.Dialect == MySQL {
		return "VARCHAR(255)"
	}
	return "TEXT"
}

// jsonType is the type of a JSON column.
func (c Config) jsonType() string {
	return map[Dialect]string{PostgreSQL: "JSONB", MySQL: "JSON", SQLite: "TEXT"}[c.Dialect]
}

// columnType is the type of a column holding a value of kind k.
func (c Config) columnType(k filter.Kind) string {
	switch k {
	case filter.Bool:
		return "BOOLEAN"
	case filter.Number:
		return "BIGINT"
	case filter.DateTime:
		return c.timestamp()
	}
	return c.textType()
}
