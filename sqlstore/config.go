package sqlstore

import (
	"fmt"
	"regexp"

	"github.com/scimkit/scim/filter"
)

// Dialect is the SQL dialect of the database: PostgreSQL, MySQL (also
// MariaDB) or SQLite.
type Dialect = filter.Dialect

// The supported dialects.
const (
	PostgreSQL = filter.PostgreSQL
	MySQL      = filter.MySQL // MySQL and MariaDB
	SQLite     = filter.SQLite
)

// IDs says who makes a new user's id.
type IDs uint8

const (
	// UUIDs: the store makes a random (version 4) UUID and inserts it into
	// a text id column. The default.
	UUIDs IDs = iota
	// DatabaseIDs: the table's own integer key (an identity, AUTO_INCREMENT
	// or INTEGER PRIMARY KEY column) makes it, read back with RETURNING on
	// PostgreSQL and SQLite and LastInsertId on MySQL.
	DatabaseIDs
)

// Config maps a host's user table to SCIM users. It is plain data; New
// checks it with Validate. Apart from Dialect, its zero value describes
// the table that Config.Schema creates.
type Config struct {
	// Dialect is the database's SQL dialect. Required.
	Dialect Dialect
	// Table is the table, optionally schema-qualified. Default
	// "scim_users".
	Table string
	// Columns names the column of each SCIM attribute.
	Columns Columns
	// Custom maps host-declared attributes (scim.Config.Attributes and
	// extension attributes) to columns.
	Custom []Custom
	// IDs says who makes ids. Default UUIDs.
	IDs IDs
	// WorkEmailOnly says that the handler keeps the work e-mail alone
	// (scim.ProfileStrict without "emails" in scim.Config.Keep), never
	// every e-mail in Columns.Attributes. With Columns.Attributes set,
	// emails filters then compare Columns.Email alone, so that its index
	// serves the lookups identity providers send; a user written with
	// every e-mail (User.Custom["emails"]) is an error rather than a row
	// those filters would misread. Without it, a table with
	// Columns.Attributes filters on the e-mails in the JSON column and,
	// for a row that has none there, on Columns.Email: right in every
	// profile, but not an index lookup. It changes nothing without
	// Columns.Attributes.
	WorkEmailOnly bool

	// Groups, when set, maps the host's group and membership tables: the
	// Store then serves groups (scim.GroupStore). Default nil: users only.
	Groups *GroupTables

	// Resources maps the resource types the host declares
	// (scim.Config.ResourceTypes) to tables of their own, one each: the
	// Store then serves them (scim.ResourceStore). Default nil: none.
	Resources []ResourceTable
}

// Columns names the column of each attribute. Empty names take the
// default in brackets; sqlstore never renames or retypes a host's
// columns, it only needs to know them. Names are written into SQL as
// they are: a plain or schema-qualified identifier, or one quoted with "
// or `.
//
// Every column but ID and UserName may be "-": the table has no such
// column, and the attribute is not kept (see Store.Keeps and the package
// doc for what is served instead). Two string attributes may name one
// column, such as UserName and Email both "email": writes set it once,
// reads fill both.
type Columns struct {
	ID           string // id ["id"]: text for UUIDs, an integer key for DatabaseIDs
	ExternalID   string // externalId ["external_id"]
	UserName     string // userName ["user_name"]
	GivenName    string // name.givenName ["given_name"]
	FamilyName   string // name.familyName ["family_name"]
	DisplayName  string // displayName ["display_name"]
	Email        string // emails[type eq "work"].value ["email"]
	Active       string // active, a boolean ["active"]
	Created      string // meta.created, a timestamp ["created"]
	LastModified string // meta.lastModified, a timestamp ["last_modified"]
	// Version is an integer column that every write increments, served
	// as meta.version W/"<n>" ["version"]. Without one ("-"), versions
	// are derived from the row's content (see the package doc).
	Version string
	// Tenant, when set, is a text column holding the tenant of each user
	// (scim.TenantFrom); every statement then filters on it. Empty means
	// a single-tenant table, and a context carrying a tenant is an error.
	Tenant string
	// UserNameLower and EmailLower name columns holding the folded
	// user_name and email, compared in case-insensitive filters and
	// indexed instead of lower(column):
	//
	//   - MySQL and MariaDB: generated columns AS (lower(column)), since
	//     MariaDB cannot index an expression. Default "user_name_lower"
	//     and "email_lower".
	//   - SQLite: plain columns that the store writes with Unicode case
	//     folding done in Go, since SQLite's lower() folds only ASCII and
	//     "Zoë" would otherwise not collide with "ZOË". Default
	//     "user_name_lower" and "email_lower".
	//   - PostgreSQL: none by default; expression indexes on
	//     lower(column) serve the filters.
	//
	// Set "-" for none: filters and the unique index then use
	// lower(column).
	UserNameLower string
	EmailLower    string
	// Attributes, when set, is a JSON column (jsonb on PostgreSQL, JSON
	// on MySQL and MariaDB, TEXT on SQLite) that keeps every attribute
	// of User.Custom without a column of its own, as scim.MarshalCustom
	// writes them: what a handler in the RFC profile (or with
	// scim.Config.Keep) stores beyond the typed attributes. Filters on
	// the attributes of RFC 7643's User and enterprise extension held
	// there are pushed down to the database's JSON functions (see the
	// package doc); filters on a host's own attributes held there are
	// unsupported (a 400 invalidFilter): map those in Config.Custom.
	// PostgreSQL reads a jsonb, json or text column (as ::jsonb), MySQL
	// and MariaDB a JSON or LONGTEXT one, SQLite a TEXT one. Default:
	// none.
	Attributes string
}

// Custom maps a host-declared attribute to a column.
type Custom struct {
	// Name is the attribute's name, its key in scim.User.Custom. A filter
	// on it matches whatever schema URN it is in.
	Name string
	// Column is its column.
	Column string
	// Kind is its type: filter.String (text), filter.Bool (boolean),
	// filter.Number (an integer, int64 in User.Custom) or filter.DateTime
	// (a timestamp, time.Time).
	Kind filter.Kind
	// Multi says the attribute is multi-valued ([]string, []bool,
	// []int64 or []time.Time) and stored in a text column, its values
	// joined by commas: "emea,apac", "true,false", "7,42" or RFC 3339
	// times. String values may not contain commas or be empty. Filters
	// support eq, co, sw, ew and pr on multi-valued strings and pr on the
	// other kinds; anything else is an unsupported filter.
	Multi bool
}

var identifier = regexp.MustCompile("^([A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\"|`[^`]+`)(\\.([A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\"|`[^`]+`))?$")

// Validate reports the first problem with c: an unknown dialect or IDs, a
// name that is not an identifier, a custom attribute without a name,
// with a duplicate name or an unsupported Kind.
func (c Config) Validate() error {
	if c.Dialect != PostgreSQL && c.Dialect != MySQL && c.Dialect != SQLite {
		return fmt.Errorf("sqlstore: Config.Dialect %v is not PostgreSQL, MySQL or SQLite", c.Dialect)
	}
	if c.IDs != UUIDs && c.IDs != DatabaseIDs {
		return fmt.Errorf("sqlstore: unknown Config.IDs %d", c.IDs)
	}
	if c.Groups != nil {
		if err := c.Groups.validate(c); err != nil {
			return err
		}
	}
	if err := c.checkResources(); err != nil {
		return err
	}
	c = c.withDefaults()
	names := map[string]bool{}
	check := func(field, name string, optional bool) error {
		if name == "" && optional {
			return nil
		}
		if !identifier.MatchString(name) {
			return fmt.Errorf("sqlstore: Config.%s %q is not an SQL identifier", field, name)
		}
		return nil
	}
	k := c.Columns
	for _, f := range []struct {
		field, name string
		optional    bool
	}{
		{"Table", c.Table, false}, {"Columns.ID", k.ID, false}, {"Columns.ExternalID", k.ExternalID, true},
		{"Columns.UserName", k.UserName, false}, {"Columns.GivenName", k.GivenName, true},
		{"Columns.FamilyName", k.FamilyName, true}, {"Columns.DisplayName", k.DisplayName, true},
		{"Columns.Email", k.Email, true}, {"Columns.Active", k.Active, true},
		{"Columns.Created", k.Created, true}, {"Columns.LastModified", k.LastModified, true},
		{"Columns.Version", k.Version, true}, {"Columns.Tenant", k.Tenant, true},
		{"Columns.UserNameLower", k.UserNameLower, true}, {"Columns.EmailLower", k.EmailLower, true},
		{"Columns.Attributes", k.Attributes, true},
	} {
		if err := check(f.field, f.name, f.optional); err != nil {
			return err
		}
	}
	if err := c.checkShared(); err != nil {
		return err
	}
	for i, a := range c.Custom {
		field := fmt.Sprintf("Custom[%d]", i)
		switch {
		case a.Name == "":
			return fmt.Errorf("sqlstore: Config.%s has no Name", field)
		case names[a.Name]:
			return fmt.Errorf("sqlstore: Config.%s: %q appears twice", field, a.Name)
		case a.Kind != filter.String && a.Kind != filter.Bool && a.Kind != filter.Number && a.Kind != filter.DateTime:
			return fmt.Errorf("sqlstore: Config.%s (%s): Kind %v is not String, Bool, Number or DateTime", field, a.Name, a.Kind)
		}
		names[a.Name] = true
		if err := check(field+".Column", a.Column, false); err != nil {
			return err
		}
	}
	return nil
}

// defaultName sets a configured name: d when it is empty, and none ("")
// when it is "-".
func defaultName(s *string, d string) {
	if *s == "" {
		*s = d
	}
	if *s == "-" {
		*s = ""
	}
}

// withDefaults fills in the default names.
func (c Config) withDefaults() Config {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&c.Table, "scim_users")
	k := &c.Columns
	def(&k.ID, "id")
	def(&k.ExternalID, "external_id")
	def(&k.UserName, "user_name")
	def(&k.GivenName, "given_name")
	def(&k.FamilyName, "family_name")
	def(&k.DisplayName, "display_name")
	def(&k.Email, "email")
	def(&k.Active, "active")
	def(&k.Created, "created")
	def(&k.LastModified, "last_modified")
	def(&k.Version, "version")
	if c.Dialect == MySQL || c.Dialect == SQLite {
		def(&k.UserNameLower, "user_name_lower")
		def(&k.EmailLower, "email_lower")
	}
	// "-" is no such column; from here on that is "".
	for _, s := range []*string{&k.ExternalID, &k.GivenName, &k.FamilyName, &k.DisplayName, &k.Email,
		&k.Active, &k.Created, &k.LastModified, &k.Version, &k.UserNameLower, &k.EmailLower} {
		if *s == "-" {
			*s = ""
		}
	}
	if k.Email == "" || k.Email == k.UserName {
		// No e-mail column of its own, no folded copy of its own.
		k.EmailLower = ""
	}
	return c
}
