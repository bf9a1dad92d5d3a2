package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim/filter"
)

// A tableCheck is one table a configuration uses, as Check verifies it
// against the catalog. The statements that would create it are those the
// configuration's Schema produces, so that a message and Schema can never
// disagree: what is missing is named with the part of them that adds it.
type tableCheck struct {
	// field is the configuration field naming the table
	// ("Config.Groups.Members"), which starts each message.
	field string
	table string
	// stmts are Schema's statements; those creating table or an index on
	// it are the ones a missing table is named with.
	stmts []string
	// columns are the configured columns, each with the field naming it;
	// nil: every column of Schema's CREATE TABLE, named by itself.
	columns []checkColumn
	// key, when set, is the primary key (or unique index) an upsert or an
	// insert that skips duplicates relies on, and why.
	key []string
	why string
}

// checkColumn is a configured column: its field and its name.
type checkColumn struct {
	field, col string
	// id says it holds ids, so that an id column of the wrong kind is told
	// which Config.IDs fits it.
	id bool
}

// catalog reads what tables hold for a component that is not a Store
// (Tokens, RateLimiter, Activity): the catalog readers need only the
// connection and the dialect.
func catalog(db *sql.DB, d Dialect) *Store { return &Store{db: db, cfg: Config{Dialect: d}} }

// checkTable reports, one line each, what table lacks of c: the table
// itself with the statements that create it, a column with the ALTER
// TABLE that adds it, a column of a type that cannot hold its values, and
// the key c needs. ids is the configuration's IDs, for the hint on an id
// column of the other kind.
func (s *Store) checkTable(ctx context.Context, c tableCheck, ids IDs) ([]string, error) {
	cols, err := s.catalogColumnsOf(ctx, c.table)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: Check: reading the columns of %s: %w", c.table, err)
	}
	if len(cols) == 0 {
		return []string{fmt.Sprintf("%s: table %s does not exist; create it with:\n\t\t%s", c.field, c.table,
			strings.ReplaceAll(strings.Join(statementsOn(c.stmts, c.table), ";\n"), "\n", "\n\t\t"))}, nil
	}
	defs := columnDefs(statementsOn(c.stmts, c.table))
	wants := c.columns
	if wants == nil {
		for _, d := range defs {
			wants = append(wants, checkColumn{field: c.field, col: d.name})
		}
	}
	var problems []string
	for _, w := range wants {
		def, _ := lookupDef(defs, w.col)
		typ, ok := lookupColumn(cols, w.col)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: column %s of %s does not exist; add it with: ALTER TABLE %s ADD COLUMN %s %s",
				w.field, w.col, c.table, c.table, w.col, def.typ))
		case def.typ != "" && !s.holds(typ, def.kind()):
			problems = append(problems, fmt.Sprintf("%s: column %s.%s is %s, which cannot hold %s%s",
				w.field, c.table, w.col, typ, aKind(def.kind()), idHint(w.id, ids)))
		}
	}
	if len(problems) > 0 || c.key == nil {
		return problems, nil
	}
	indexes, err := s.uniqueIndexColumns(ctx, c.table)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: Check: reading the unique indexes of %s: %w", c.table, err)
	}
	if !slices.ContainsFunc(indexes, func(idx []string) bool { return slicesEqualFold(idx, c.key) }) {
		problems = append(problems, fmt.Sprintf("%s: table %s has no primary key or unique index on (%s); %s: create it with: CREATE UNIQUE INDEX %s_key ON %s (%s)",
			c.field, c.table, strings.Join(c.key, ", "), c.why, indexBase(c.table), c.table, strings.Join(c.key, ", ")))
	}
	return problems, nil
}

// aKind is the kind's name with its article: "an integer", "a string".
func aKind(k filter.Kind) string {
	if k == filter.Number {
		return "an integer"
	}
	return "a " + kindName(k)
}

// idHint tells a host whose id column is the other kind of Config.IDs
// which one fits it: an integer key is the usual existing table's, and
// the default (UUIDs) writes text into it.
func idHint(id bool, ids IDs) string {
	switch {
	case !id:
		return ""
	case ids == UUIDs:
		return " (ids are UUIDs by default: for ids the table's integer key makes, set IDs: sqlstore.DatabaseIDs)"
	}
	return " (IDs is sqlstore.DatabaseIDs, the table's integer key: for UUIDs in a text column, leave IDs unset)"
}

// statementsOn returns the statements of stmts that create table or an
// index on it, in order.
func statementsOn(stmts []string, table string) []string {
	var out []string
	for _, s := range stmts {
		head, _, _ := strings.Cut(s, "(")
		head = strings.TrimSpace(head)
		create := strings.HasPrefix(head, "CREATE TABLE ") && strings.HasSuffix(head, " "+table)
		index := strings.HasPrefix(head, "CREATE ") && strings.HasSuffix(head, " ON "+table)
		if create || index {
			out = append(out, s)
		}
	}
	return out
}

// columnDef is a column of a CREATE TABLE: its name and the rest of its
// definition (type, constraints, default).
type columnDef struct{ name, typ string }

// kind is the kind of value the column holds, from its type's first word.
func (d columnDef) kind() filter.Kind {
	word, _, _ := strings.Cut(strings.ToUpper(d.typ), " ")
	word, _, _ = strings.Cut(word, "(")
	switch {
	case strings.Contains(word, "INT"), strings.Contains(word, "SERIAL"):
		return filter.Number
	case strings.Contains(word, "TIMESTAMP"), strings.Contains(word, "DATETIME"):
		return filter.DateTime
	case strings.Contains(word, "BOOL"):
		return filter.Bool
	}
	return filter.String
}

// columnDefs returns the columns of the CREATE TABLE statements among
// stmts, leaving out table constraints (PRIMARY KEY (…)).
func columnDefs(stmts []string) []columnDef {
	var defs []columnDef
	for _, s := range stmts {
		if !strings.HasPrefix(s, "CREATE TABLE ") {
			continue
		}
		open := strings.IndexByte(s, '(')
		if open < 0 {
			continue
		}
		for _, part := range splitTopLevel(s[open+1:]) {
			part = strings.Join(strings.Fields(part), " ")
			name, typ := part, ""
			if q := part[:min(1, len(part))]; q == `"` || q == "`" {
				if end := strings.Index(part[1:], q); end >= 0 {
					name, typ = part[:end+2], strings.TrimSpace(part[end+2:])
				}
			} else {
				name, typ, _ = strings.Cut(part, " ")
			}
			switch strings.ToUpper(name) {
			case "", "PRIMARY", "UNIQUE", "CONSTRAINT", "KEY", "INDEX", "FOREIGN", "CHECK":
				continue
			}
			defs = append(defs, columnDef{name, typ})
		}
	}
	return defs
}

// splitTopLevel splits a CREATE TABLE's body, from after its opening
// parenthesis, at the commas outside parentheses, up to the parenthesis
// that closes it.
func splitTopLevel(body string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range body {
		switch r {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return append(parts, body[start:i])
			}
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, body[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, body[start:])
}

// lookupDef finds a configured column among defs as lookupColumn does.
func lookupDef(defs []columnDef, name string) (columnDef, bool) {
	m := map[string]string{}
	for _, d := range defs {
		m[bare(d.name)] = d.typ
	}
	typ, ok := lookupColumn(m, name)
	return columnDef{name, typ}, ok
}

// groupChecks are the group and membership tables of c.Groups.
func (c Config) groupChecks() []tableCheck {
	g := c.Groups.withDefaults(c)
	k, m := g.Columns, g.MemberColumns
	stmts := c.groupSchema()
	var groups, members []checkColumn
	for _, f := range []checkColumn{
		{"Columns.ID", k.ID, true}, {"Columns.DisplayName", k.DisplayName, false},
		{"Columns.ExternalID", k.ExternalID, false}, {"Columns.Created", k.Created, false},
		{"Columns.LastModified", k.LastModified, false}, {"Columns.Version", k.Version, false},
		{"Columns.Tenant", k.Tenant, false}, {"Columns.DisplayNameLower", k.DisplayNameLower, false},
	} {
		if f.col != "" {
			f.field = "Config.Groups." + f.field
			groups = append(groups, f)
		}
	}
	key := []string{m.Group, m.Member}
	for _, f := range []checkColumn{{"MemberColumns.Group", m.Group, true}, {"MemberColumns.Member", m.Member, true}, {"MemberColumns.Type", m.Type, false}} {
		if f.col != "" {
			f.field = "Config.Groups." + f.field
			members = append(members, f)
		}
	}
	if m.Type != "" {
		key = append(key, m.Type)
	}
	return []tableCheck{
		{field: "Config.Groups.Table", table: g.Table, stmts: stmts, columns: groups},
		{field: "Config.Groups.Members", table: g.Members, stmts: stmts, columns: members, key: key,
			why: "without it adding a member who is already there stores the membership twice"},
	}
}

// checkGroupTables reports what the group and membership tables lack.
func (s *Store) checkGroupTables(ctx context.Context) ([]string, error) {
	if s.cfg.Groups == nil {
		return nil, nil
	}
	var problems []string
	for _, c := range s.cfg.groupChecks() {
		p, err := s.checkTable(ctx, c, s.cfg.IDs)
		if err != nil {
			return nil, err
		}
		problems = append(problems, p...)
	}
	return problems, nil
}

// schema is Config.Schema's statements for the store's configuration.
// The store keeps its configuration with defaults filled in, where a
// column left out ("-") is ""; Schema would take "" for the default name,
// so such columns go back to "-" first.
func (s *Store) schema() []string {
	c := s.cfg
	k := &c.Columns
	for _, p := range []*string{&k.ExternalID, &k.GivenName, &k.FamilyName, &k.DisplayName, &k.Email,
		&k.Active, &k.Created, &k.LastModified, &k.Version, &k.UserNameLower, &k.EmailLower} {
		if *p == "" {
			*p = "-"
		}
	}
	stmts, _ := c.Schema()
	return stmts
}
