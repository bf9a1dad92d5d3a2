package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var _ scim.Keeper = (*Store)(nil)

// Keeps implements scim.Keeper: the attributes whose column is "-" are
// missing, the custom attributes are those of Config.Custom, a table
// without Columns.Tenant is single-tenant, and one without
// Columns.Version has content versions.
func (s *Store) Keeps() scim.Kept {
	k := s.cfg.Columns
	kept := scim.Kept{
		SingleTenant:    k.Tenant == "",
		EmailIsUserName: k.Email != "" && sameColumn(k.Email, k.UserName),
		ContentVersions: k.Version == "",
	}
	for _, f := range coreFields(k) {
		if f.col == "" {
			kept.Missing = append(kept.Missing, f.attr)
		}
	}
	for _, a := range s.cfg.Custom {
		kept.Custom = append(kept.Custom, a.Name)
	}
	kept.AnyCustom = k.Attributes != ""
	return kept
}

// Check reads, from the catalog (information_schema on PostgreSQL, MySQL
// and MariaDB; pragma table_info on SQLite), every table and column the
// Config uses: the user table, the group and membership tables of
// Config.Groups, and the tables of Config.Resources with their
// references tables (ResourceTable.Refs). It reports, in one error, every
// one that is missing, each named with the statement of Config.Schema
// that would create it (CREATE TABLE, or ALTER TABLE … ADD COLUMN), every
// column whose type cannot hold its attribute (an id column of the other
// kind says which Config.IDs fits it), and a missing key a write relies
// on: the unique index on userName, the membership table's primary key,
// a unique attribute's index, a references table's primary key. A host
// thus finds them all at start-up rather than one per failed request.
// It also reads the user table's unique indexes, so that a conflict on
// any of them names its attribute. With groups served over bare
// DatabaseIDs (GroupTables.IDPrefix "-") it refuses the configuration
// unless users and groups draw their ids from one sequence: a user and a
// group could otherwise have the same id. Call it once after New; it
// changes nothing in the database.
//
// Tokens, RateLimiter and Activity are built apart from the Store, from a
// *sql.DB and a config of their own, so each has a Check for its tables.
// A host wiring them calls every Check once at start-up and refuses to
// start on any error, in one call:
//
//	err := errors.Join(store.Check(ctx), tokens.Check(ctx), limiter.Check(ctx), activity.Check(ctx))
func (s *Store) Check(ctx context.Context) error {
	cols, err := s.catalogColumns(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: Check: reading the columns of %s: %w", s.cfg.Table, err)
	}
	if len(cols) == 0 {
		return fmt.Errorf("sqlstore: Check: table %s does not exist (or has no columns visible to this connection); create it with:\n\t%s",
			s.cfg.Table, strings.ReplaceAll(strings.Join(statementsOn(s.schema(), s.cfg.Table), ";\n"), "\n", "\n\t"))
	}
	k := s.cfg.Columns
	type want struct {
		field, col string
		kind       filter.Kind // the type the column must hold
	}
	idKind := filter.String
	if s.cfg.IDs == DatabaseIDs {
		idKind = filter.Number
	}
	wants := []want{{"Columns.ID", k.ID, idKind}}
	for _, f := range coreFields(k) {
		if f.col != "" {
			wants = append(wants, want{"the column of " + f.attr, f.col, f.kind})
		}
	}
	for _, c := range []struct{ field, col string }{
		{"Columns.Version", k.Version}, {"Columns.Tenant", k.Tenant},
		{"Columns.UserNameLower", k.UserNameLower}, {"Columns.EmailLower", k.EmailLower},
	} {
		if c.col != "" {
			kind := filter.String
			if c.field == "Columns.Version" {
				kind = filter.Number
			}
			wants = append(wants, want{c.field, c.col, kind})
		}
	}
	for _, a := range s.cfg.Custom {
		kind := a.Kind
		if a.Multi {
			kind = filter.String
		}
		wants = append(wants, want{"the column of custom attribute " + a.Name, a.Column, kind})
	}
	var problems []string
	defs := columnDefs(statementsOn(s.schema(), s.cfg.Table))
	for _, w := range wants {
		typ, ok := lookupColumn(cols, w.col)
		switch {
		case !ok:
			add := ""
			if def, ok := lookupDef(defs, w.col); ok {
				add = fmt.Sprintf(", or add it with: ALTER TABLE %s ADD COLUMN %s %s", s.cfg.Table, w.col, def.typ)
			}
			problems = append(problems, fmt.Sprintf("%s: column %s does not exist (set it to \"-\" if the table has no such column%s)", w.field, w.col, add))
		case !s.holds(typ, w.kind):
			problems = append(problems, fmt.Sprintf("%s: column %s is %s, which cannot hold %s%s", w.field, w.col, typ, aKind(w.kind), idHint(w.field == "Columns.ID", s.cfg.IDs)))
		}
	}
	// Every table is checked before any error is returned, so that a host
	// finds all that is missing in one run.
	var errs []error
	if len(problems) > 0 {
		errs = append(errs, fmt.Errorf("sqlstore: Check: table %s:\n\t%s", s.cfg.Table, strings.Join(problems, "\n\t")))
	}
	groups, err := s.checkGroupTables(ctx)
	if err != nil {
		return err
	}
	if len(groups) > 0 {
		errs = append(errs, fmt.Errorf("sqlstore: Check: Config.Groups:\n\t%s", strings.Join(groups, "\n\t")))
	}
	if err := s.checkResourceTables(ctx); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := s.checkIDsApart(ctx); err != nil {
		return err
	}
	m, err := s.loadUnique(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: Check: reading the unique indexes of %s: %w", s.cfg.Table, err)
	}
	unique := false
	for _, attrs := range m {
		if len(attrs) == 1 && attrs[0] == "userName" || len(attrs) == 2 && attrs[0] == "userName" && attrs[1] == "emails" && k.Email != "" && sameColumn(k.Email, k.UserName) {
			unique = true
		}
	}
	if !unique {
		return fmt.Errorf("sqlstore: Check: table %s has no unique index on the userName column %s (with the tenant column, if any); without one concurrent creates can store duplicate userNames: see Config.Schema", s.cfg.Table, k.UserName)
	}
	s.uniq.mu.Lock()
	s.uniq.byName, s.uniq.loaded = m, true
	s.uniq.mu.Unlock()
	return nil
}

func kindName(k filter.Kind) string {
	switch k {
	case filter.Bool:
		return "boolean"
	case filter.Number:
		return "integer"
	case filter.DateTime:
		return "timestamp"
	}
	return "string"
}

// lookupColumn finds a configured column among the catalog's (name →
// type): a quoted name exactly, a plain one ignoring case.
func lookupColumn(cols map[string]string, name string) (string, bool) {
	if strings.ContainsAny(name, "\"`") {
		t, ok := cols[bare(name)]
		return t, ok
	}
	for c, t := range cols {
		if strings.EqualFold(c, bare(name)) {
			return t, true
		}
	}
	return "", false
}

// catalogColumns returns the table's columns and their types, lower-cased.
func (s *Store) catalogColumns(ctx context.Context) (map[string]string, error) {
	return s.catalogColumnsOf(ctx, s.cfg.Table)
}

// catalogColumnsOf returns the columns of the named table and their
// types, lower-cased.
func (s *Store) catalogColumnsOf(ctx context.Context, name string) (map[string]string, error) {
	schema, table := splitTable(name)
	var q string
	var args []any
	switch s.cfg.Dialect {
	case PostgreSQL:
		q = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2`
		schema, table = pgTable(name)
		args = []any{schema, table}
	case MySQL:
		q = `SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`
		args = []any{schema, table}
	case SQLite:
		q = `SELECT name, type FROM pragma_table_info(?)`
		args = []any{table}
	default:
		return nil, errors.New("unknown dialect")
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[name] = strings.ToLower(typ)
	}
	return cols, rows.Err()
}

// pgTable is the schema (nil: the current one) and the name of a table
// as PostgreSQL's catalog spells them: it folds unquoted names.
func pgTable(name string) (schema any, table string) {
	schema, table = splitTable(name)
	if !strings.Contains(name, `"`) {
		table = strings.ToLower(table)
		if schema != nil {
			schema = strings.ToLower(schema.(string))
		}
	}
	return schema, table
}

// holds reports whether a column of the catalog's type typ can hold a
// value of kind k as the store reads and writes it.
func (s *Store) holds(typ string, k filter.Kind) bool {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(typ, w) {
				return true
			}
		}
		return false
	}
	switch k {
	case filter.String:
		return has("char", "text", "uuid", "clob", "citext") || s.cfg.Dialect == SQLite && typ == ""
	case filter.Number:
		return has("int", "serial") || s.cfg.Dialect == PostgreSQL && typ == "numeric"
	case filter.Bool:
		// MySQL's BOOLEAN is TINYINT(1); SQLite keeps booleans as integers.
		return has("bool") || s.cfg.Dialect == MySQL && has("tinyint", "bit(1)") || s.cfg.Dialect == SQLite && has("int")
	case filter.DateTime:
		// SQLite drivers read DATE, DATETIME and TIMESTAMP columns as times.
		return has("timestamp", "datetime") || s.cfg.Dialect == SQLite && has("date")
	}
	return false
}

// checkResourceTables reports, in one error, every table of
// Config.Resources that is missing (with its CREATE TABLE) and every
// configured column that is missing (with the ALTER TABLE that adds it)
// or whose type cannot hold its attribute.
func (s *Store) checkResourceTables(ctx context.Context) error {
	var problems []string
	for _, rt := range s.resources {
		k := rt.t
		cols, err := s.catalogColumnsOf(ctx, k.Table)
		if err != nil {
			return fmt.Errorf("sqlstore: Check: reading the columns of %s: %w", k.Table, err)
		}
		if len(cols) == 0 {
			problems = append(problems, fmt.Sprintf("%s: table %s does not exist; create it with:\n\t\t%s", k.Type.Name, k.Table,
				strings.ReplaceAll(strings.Join(s.cfg.resourceSchema(k), ";\n"), "\n", "\n\t\t")))
			continue
		}
		idKind := filter.String
		if s.cfg.IDs == DatabaseIDs {
			idKind = filter.Number
		}
		type want struct {
			field, col string
			kind       filter.Kind
			json       bool
			typ        string // the column's type in Schema, when not columnType(kind)
		}
		wants := []want{{"ID", k.ID, idKind, false, ""}, {"Version", k.Version, filter.Number, false, ""}}
		for _, w := range []want{{"Tenant", k.Tenant, filter.String, false, ""}, {"ExternalID", k.ExternalID, filter.String, false, ""},
			{"Created", k.Created, filter.DateTime, false, ""}, {"LastModified", k.LastModified, filter.DateTime, false, ""}, {"JSON", k.JSON, filter.String, true, ""}} {
			if w.col != "" {
				wants = append(wants, w)
			}
		}
		for _, c := range rt.cols {
			wants = append(wants, want{"Columns[" + c.attr + "]", c.col, c.kind, false, ""})
			if c.folded != "" {
				wants = append(wants, want{"the folded column of unique Columns[" + c.attr + "]", c.folded, filter.String, false, s.cfg.foldedType(c)})
			}
		}
		for _, w := range wants {
			typ, ok := lookupColumn(cols, w.col)
			sqlType := s.cfg.columnType(w.kind)
			if w.typ != "" {
				sqlType = w.typ
			}
			switch w.field {
			case "ID":
				sqlType, _ = s.cfg.idTypes()
			case "JSON":
				sqlType = s.cfg.jsonType()
			}
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: %s: column %s does not exist; add it with: ALTER TABLE %s ADD COLUMN %s %s", k.Type.Name, w.field, w.col, k.Table, w.col, sqlType))
			case w.json && strings.Contains(typ, "json"):
			case !s.holds(typ, w.kind):
				problems = append(problems, fmt.Sprintf("%s: %s: column %s.%s is %s, which cannot hold %s%s", k.Type.Name, w.field, k.Table, w.col, typ, aKind(w.kind), idHint(w.field == "ID", s.cfg.IDs)))
			}
		}
	}
	if len(problems) == 0 {
		var err error
		if problems, err = s.checkUniqueIndexes(ctx); err != nil {
			return err
		}
	}
	refs, err := s.checkRefsTables(ctx)
	if err != nil {
		return err
	}
	problems = append(problems, refs...)
	if len(problems) > 0 {
		return fmt.Errorf("sqlstore: Check: Config.Resources:\n\t%s", strings.Join(problems, "\n\t"))
	}
	return nil
}
