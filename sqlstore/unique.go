package sqlstore

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scimkit/scim"
)

// uniqueIndexes maps the names of the table's unique indexes (and
// constraints) to the attributes whose columns they cover, read from the
// catalog by Check or on the first unique violation, so that a conflict on
// any of them names the right attribute: a host's unique lower(email)
// index is a conflict on the work e-mail, not on userName.
type uniqueIndexes struct {
	mu     sync.Mutex
	loaded bool
	byName map[string][]string // lower-cased index name → attributes
}

// writeError wraps a failed INSERT or UPDATE of u, whose columns were to
// hold row. A unique violation wraps scim.ErrUniqueness; when the index
// covers an attribute other than userName, the error is a *scim.Error
// whose detail names that attribute, which the handler answers as it is.
//
// Errors reach the host's log: apart from the 409's detail, which the
// client sent, they carry no attribute values.
func (s *Store) writeError(ctx context.Context, op string, u *scim.User, row []any, err error) error {
	if !isUniqueViolation(err) {
		if e := s.refusedValue(err, u.UserName); e != nil {
			return e
		}
		return fmt.Errorf("sqlstore: %s user: %w", op, err)
	}
	attrs := s.conflictAttrs(ctx, err)
	if len(attrs) == 0 || slices.Contains(attrs, "userName") {
		return fmt.Errorf("sqlstore: %s: the userName is taken: %w", op, scim.ErrUniqueness)
	}
	var names, values []string
	for _, a := range attrs {
		names = append(names, attrName(a))
		for _, f := range s.fields {
			if f.attr == a && row[f.at] != nil {
				values = append(values, fmt.Sprintf("%q", fmt.Sprint(row[f.at])))
			}
		}
	}
	detail := fmt.Sprintf("another user already has this %s", strings.Join(names, " and "))
	if len(values) > 0 {
		detail += " (" + strings.Join(values, ", ") + ")"
	}
	return &scim.Error{Status: http.StatusConflict, ScimType: scim.ScimTypeUniqueness,
		Detail: detail + "; it is unique in this service provider",
		Err:    fmt.Errorf("sqlstore: %s user: %w: %w", op, scim.ErrUniqueness, err)}
}

var (
	pgConstraint = regexp.MustCompile(`unique constraint "([^"]+)"`)
	mysqlKey     = regexp.MustCompile(`for key '([^']+)'`)
	sqliteFailed = regexp.MustCompile(`UNIQUE constraint failed: (.+?)(?:\s*\(\d+\))?$`)
	sqliteIndex  = regexp.MustCompile(`^index '([^']+)'$`)
)

// conflictAttrs returns the attributes covered by the index a unique
// violation names, nil when unknown.
func (s *Store) conflictAttrs(ctx context.Context, err error) []string {
	msg := err.Error()
	var name string
	for e := err; e != nil && name == ""; e = unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			// pgconn.PgError.ConstraintName; lib/pq's Error.Constraint.
			for _, f := range []string{"ConstraintName", "Constraint"} {
				if fv := v.FieldByName(f); fv.IsValid() && fv.Kind() == reflect.String && fv.String() != "" {
					name = fv.String()
				}
			}
		}
	}
	switch {
	case name != "":
	case pgConstraint.MatchString(msg):
		name = pgConstraint.FindStringSubmatch(msg)[1]
	case mysqlKey.MatchString(msg):
		name = mysqlKey.FindStringSubmatch(msg)[1]
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:] // MySQL 8 writes table.index
		}
	case sqliteFailed.MatchString(msg):
		what := sqliteFailed.FindStringSubmatch(msg)[1]
		if m := sqliteIndex.FindStringSubmatch(what); m != nil {
			name = m[1]
		} else {
			// t.c1, t.c2: the columns themselves.
			var cols []string
			for c := range strings.SplitSeq(what, ",") {
				c = strings.TrimSpace(c)
				cols = append(cols, c[strings.LastIndexByte(c, '.')+1:])
			}
			return s.attrsOf(cols)
		}
	default:
		return nil
	}
	u := &s.uniq
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.loaded {
		m, err := s.loadUnique(ctx)
		if err != nil {
			return nil // the catalog is unreadable: say userName, as before
		}
		u.byName, u.loaded = m, true
	}
	return u.byName[strings.ToLower(name)]
}

func unwrap(e error) error {
	if u, ok := e.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// attrsOf returns the attributes whose columns (or folded copies) are
// among cols, which are bare names as the catalog spells them.
func (s *Store) attrsOf(cols []string) []string {
	k := s.cfg.Columns
	has := func(name string) bool {
		name = bare(name)
		return name != "" && slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, name) })
	}
	var attrs []string
	add := func(a string) {
		if !slices.Contains(attrs, a) {
			attrs = append(attrs, a)
		}
	}
	if has(k.ID) {
		add("id")
	}
	for _, f := range s.fields {
		if has(f.col) {
			add(f.attr)
		}
	}
	if has(k.UserNameLower) {
		add("userName")
	}
	if has(k.EmailLower) {
		add("emails")
	}
	return attrs
}

// bare is a configured column name without schema and quotes.
func bare(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.Trim(name, "\"`")
}

var identWord = regexp.MustCompile("[A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\"|`[^`]+`")

// identifiers returns the identifiers in an index definition from its
// first parenthesis on (its columns and expressions).
func identifiers(def string) []string {
	if i := strings.IndexByte(def, '('); i >= 0 {
		def = def[i:]
	}
	var out []string
	for _, w := range identWord.FindAllString(def, -1) {
		out = append(out, strings.Trim(w, "\"`"))
	}
	return out
}

// loadUnique reads the table's unique indexes from the catalog.
func (s *Store) loadUnique(ctx context.Context) (map[string][]string, error) {
	defs := map[string][]string{} // index name → identifiers
	switch s.cfg.Dialect {
	case PostgreSQL:
		rows, err := s.db.QueryContext(ctx, `SELECT c.relname, pg_get_indexdef(x.indexrelid)
			FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
			WHERE x.indrelid = $1::regclass AND x.indisunique`, s.cfg.Table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				return nil, err
			}
			defs[name] = identifiers(def)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	case MySQL:
		schema, table := splitTable(s.cfg.Table)
		rows, err := s.db.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
			WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0`, schema, table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var col *string
			if err := rows.Scan(&name, &col); err != nil {
				return nil, err
			}
			if col != nil {
				defs[name] = append(defs[name], *col)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	case SQLite:
		_, table := splitTable(s.cfg.Table)
		rows, err := s.db.QueryContext(ctx, `SELECT l.name, COALESCE(i.name, ''), COALESCE(m.sql, '')
			FROM pragma_index_list(?) l JOIN pragma_index_info(l.name) i
			LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name
			WHERE l."unique"`, table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var name, col, def string
			if err := rows.Scan(&name, &col, &def); err != nil {
				return nil, err
			}
			defs[name] = append(defs[name], col)
			defs[name] = append(defs[name], identifiers(def)...)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	m := make(map[string][]string, len(defs))
	for name, idents := range defs {
		m[strings.ToLower(name)] = s.attrsOf(idents)
	}
	return m, nil
}

// splitTable splits a configured table name into its schema (nil when
// there is none) and its bare name.
func splitTable(t string) (schema any, table string) {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return strings.Trim(t[:i], "\"`"), strings.Trim(t[i+1:], "\"`")
	}
	return nil, strings.Trim(t, "\"`")
}
