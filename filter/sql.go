package filter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrUnsupported is wrapped by the errors of SQL for a filter it cannot
// express: an attribute without a column, an operator a column's storage
// does not allow, or a value path other than the work e-mail's. A store
// maps it to scim.ErrUnsupportedFilter.
var ErrUnsupported = errors.New("filter: not expressible in SQL")

// Dialect is the SQL dialect SQL writes: it decides the parameter
// placeholders, string concatenation and how case-sensitive comparisons
// are spelt.
type Dialect uint8

// The dialects SQL writes.
const (
	// PostgreSQL: $1 placeholders; = and LIKE are case-sensitive.
	PostgreSQL Dialect = iota + 1
	// MySQL, and MariaDB: ? placeholders. = and LIKE follow the column's
	// collation, usually case-insensitive, so case-exact comparisons
	// compare with BINARY ?, which can still use an index on the column.
	MySQL
	// SQLite: ? placeholders; = is case-sensitive, LIKE is not (for
	// ASCII), so case-exact co, sw and ew use GLOB.
	SQLite
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case PostgreSQL:
		return "PostgreSQL"
	case MySQL:
		return "MySQL"
	case SQLite:
		return "SQLite"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// Placeholder returns the text of the n-th (1-based) query parameter:
// "$n" for PostgreSQL, "?" otherwise.
func (d Dialect) Placeholder(n int) string {
	if d == PostgreSQL {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Column says where and how a table stores an attribute, for SQL.
type Column struct {
	// Name is the column, or an SQL expression over the row's columns. It
	// is written into the SQL as it is, so it must come from the host's
	// configuration, never from a request.
	Name string
	// Kind is the attribute's type: String, Number, Bool or DateTime. A
	// string literal compared with eq or ne to a Number column is read as
	// the integer it spells, for a numeric key served as a string id.
	Kind Kind
	// Folded, when set, is a column (or expression) holding lower(Name),
	// such as MariaDB's generated column for an index on the lowered
	// userName; case-insensitive comparisons use it instead of
	// lower(Name).
	Folded string
	// Fold, when set with Folded, folds the arguments of case-insensitive
	// comparisons in Go instead of with lower(): for a Folded column that
	// the application fills with the same function, where the database's
	// lower() folds only ASCII (SQLite).
	Fold func(string) string
	// Joined says that the column holds the values of a multi-valued
	// string attribute joined by commas ("emea,apac"). eq, co, sw, ew and
	// pr then test whether some value matches; ne, gt, ge, lt and le are
	// unsupported.
	Joined bool
	// Type, for the value sub-attribute of a multi-valued complex
	// attribute stored in one column, is the type of the one element the
	// column holds: the work e-mail's column is emails.value with Type
	// "work". Inside a value path, type eq "work" is then true and type eq
	// "home" false.
	Type string
	// Subquery, for a sub-attribute of a multi-valued attribute whose
	// elements are rows of another table (a group's members in a join
	// table), opens a subquery over those rows up to the condition on one
	// row, such as "g.id IN (SELECT m.group_id FROM members m WHERE" or
	// "EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.id AND"; Name
	// then names a column of its rows. A comparison, or a value path's
	// filter, completes the condition and a ")" closes it: the row
	// matches when some element does.
	Subquery string
	// JSON, when set, says that the attribute is held in a JSON document
	// in the column Name, at JSON's keys (see JSONPath); SQL writes the
	// dialect's JSON functions around Name. Strings compare as for a
	// column, except that an empty string is a value (only pr and eq
	// null treat it as absent, as Match does for the values it is
	// given) and that on MySQL case-insensitive comparisons compare the
	// lowered strings byte-wise (lower(x) = BINARY lower(?)), so that a
	// _ci collation does not equate "e" and "é", and on SQLite they are
	// GLOB patterns of each letter's case variants, since its lower()
	// folds only ASCII (gt, ge, lt and le still use lower()).
	JSON *JSONPath
	// Otherwise, for a JSON Array, is where a row keeps the attribute
	// when its document has no element of it: a column holding the one
	// element there is (the work e-mail of a row written without every
	// e-mail in the document), as a Column of its own with Type set for
	// the value sub-attribute. A comparison then holds when some element
	// of the array satisfies it or, when there is none, the element in
	// Otherwise does.
	Otherwise *Column

	// json says that Name and Subquery were written by jsonColumn.
	json bool
}

// SQL translates a resolved filter (see AttrPath) into the condition of a
// WHERE clause and its arguments, appended to args. Placeholders are
// numbered after the len(args) arguments already there, so a caller can
// put its own conditions (a tenant) first.
//
// columns maps each attribute path to its Column; an attribute without
// one makes the filter unsupported. Inside a value path, the paths looked
// up are the attribute's sub-attributes, e.g. {Name: "emails", Sub:
// "value"}; a value path is expressible when its attribute's elements are
// rows of another table (Column.Subquery) or elements of a JSON array
// (Column.JSON), or live in one column with Column.Type (the work
// e-mail) and its filter uses only value and type eq.
//
// The condition has the semantics of Match, including for absent values:
// NULL and the empty string are absent, so title ne "x" is false and not
// (title eq "x") true for a user without a title. Strings compare with
// lower() on both sides unless Compare.CaseExact (so that an index on
// lower(column) serves them and they fold exactly as a unique index on
// lower(column) does); co, sw and ew use LIKE with %, _ and the escape
// character ! escaped. Numbers, booleans and date-times (as time.Time)
// are passed as arguments of their Go type. Values are never written into
// the SQL text.
//
// An error wraps ErrUnsupported, or is a *MatchError for an operator
// that does not apply to its literal (see Check).
func SQL(e Expr, columns func(AttrPath) (Column, bool), d Dialect, args []any) (where string, _ []any, err error) {
	if d != PostgreSQL && d != MySQL && d != SQLite {
		return "", args, fmt.Errorf("filter: unknown SQL dialect %d", d)
	}
	if err := Check(e); err != nil {
		return "", args, err
	}
	w := sqlWriter{columns: columns, d: d, args: args}
	if err := w.expr(e, nil); err != nil {
		return "", args, err
	}
	return w.b.String(), w.args, nil
}

const (
	sqlTrue  = "1=1"
	sqlFalse = "1=0"
)

type sqlWriter struct {
	columns func(AttrPath) (Column, bool)
	d       Dialect
	b       strings.Builder
	args    []any
	// exists is set inside the subquery over the elements of a
	// multi-valued attribute (Column.Subquery, a JSON array), whose
	// comparisons are not wrapped again.
	exists bool
	// otherwise is set while writing the half of such a comparison that
	// tests the Otherwise column of a row without elements.
	otherwise bool
}

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, a...)...)
}

// param adds an argument and returns its placeholder.
func (w *sqlWriter) param(v any) string {
	w.args = append(w.args, v)
	return w.d.Placeholder(len(w.args))
}

// expr writes e; inside a value path, vp is its attribute and col the
// column holding its elements.
func (w *sqlWriter) expr(e Expr, vp *ValuePath) error {
	switch e := e.(type) {
	case *Logical:
		op := " AND "
		if e.Op == Or {
			op = " OR "
		}
		w.b.WriteByte('(')
		if err := w.expr(e.Left, vp); err != nil {
			return err
		}
		w.b.WriteString(op)
		if err := w.expr(e.Right, vp); err != nil {
			return err
		}
		w.b.WriteByte(')')
		return nil
	case *Not:
		// A comparison with a NULL column is NULL, which NOT keeps NULL;
		// COALESCE makes it the false that Match evaluates it to, so
		// that not (title eq "x") holds for a user without a title.
		w.b.WriteString("NOT COALESCE(")
		if err := w.expr(e.X, vp); err != nil {
			return err
		}
		w.b.WriteString(", 1=0)")
		return nil
	case *ValuePath:
		return w.valuePath(e)
	case *Compare:
		path := e.Path
		if vp != nil {
			path = AttrPath{URN: vp.Path.URN, Name: vp.Path.Name, Sub: e.Path.Name}
			if e.Path.Name == "type" && !w.exists {
				return w.elementType(e, vp)
			}
		}
		col, err := w.column(path)
		if err != nil {
			return err
		}
		if col.Subquery != "" && !w.exists {
			c := e
			if e.Op == Pr || e.Value.Kind == Null {
				// Some element has a value (pr, ne null), or none has (eq
				// null): the quantifier stays outside the subquery.
				if e.Op == Eq {
					w.b.WriteString("NOT ")
				}
				c = &Compare{Path: e.Path, Op: Pr}
			}
			return w.some(col, func() error {
				col, err := w.column(path)
				if err != nil {
					return err
				}
				return w.compare(c, path, col)
			})
		}
		return w.compare(e, path, col)
	}
	return unsupported("unknown expression %T", e)
}

// column looks up path's column as the writer uses it: a JSON column
// turned into its SQL (see jsonColumn), and while writing the Otherwise
// half of a comparison, the Otherwise column.
func (w *sqlWriter) column(path AttrPath) (Column, error) {
	col, ok := w.columns(path)
	if ok && w.otherwise {
		ok = col.Otherwise != nil
		if ok {
			col = *col.Otherwise
		}
	}
	if !ok {
		return col, unsupported("no column for %s", path)
	}
	if col.JSON != nil {
		return w.jsonColumn(col, path)
	}
	return col, nil
}

// some writes that some element of col's Subquery satisfies the
// condition cond writes, and with col.Otherwise, when there is no
// element, that the Otherwise column does: cond is then called a second
// time with w.otherwise set.
func (w *sqlWriter) some(col Column, cond func() error) error {
	one := func() error {
		w.b.WriteString(col.Subquery + " ")
		w.exists = true
		err := cond()
		w.exists = false
		w.b.WriteByte(')')
		return err
	}
	if col.Otherwise == nil {
		return one()
	}
	w.b.WriteByte('(')
	if err := one(); err != nil {
		return err
	}
	w.b.WriteString(" OR (NOT " + col.Subquery + " " + sqlTrue + ") AND ")
	w.otherwise = true
	err := cond()
	w.otherwise = false
	w.b.WriteString("))")
	return err
}

// valuePath writes attr[filter]: over the elements of a Subquery or JSON
// array, or for an attribute whose one element lives in the column of
// its value sub-attribute.
func (w *sqlWriter) valuePath(vp *ValuePath) error {
	p := AttrPath{URN: vp.Path.URN, Name: vp.Path.Name, Sub: "value"}
	col, err := w.column(p)
	if err == nil && col.Subquery != "" && !w.exists {
		return w.some(col, func() error {
			if w.otherwise {
				return w.oneElement(vp)
			}
			return w.expr(vp.Filter, vp)
		})
	}
	return w.oneElement(vp)
}

// oneElement writes attr[filter] for an attribute whose one element
// lives in the column of its value sub-attribute (Column.Type).
func (w *sqlWriter) oneElement(vp *ValuePath) error {
	col, err := w.column(AttrPath{URN: vp.Path.URN, Name: vp.Path.Name, Sub: "value"})
	if err != nil || col.Type == "" || col.Joined {
		return unsupported("%s[…]: only the work e-mail's value path is expressible", vp.Path)
	}
	w.b.WriteByte('(')
	w.present(col)
	w.b.WriteString(" AND ")
	if err := w.expr(vp.Filter, vp); err != nil {
		return err
	}
	w.b.WriteByte(')')
	return nil
}

// elementType writes type eq "t" or type ne "t" inside a value path: a
// constant, since the column holds the element of one type.
func (w *sqlWriter) elementType(c *Compare, vp *ValuePath) error {
	col, _ := w.column(AttrPath{URN: vp.Path.URN, Name: vp.Path.Name, Sub: "value"})
	if (c.Op != Eq && c.Op != Ne) || c.Value.Kind != String {
		return unsupported("%s[type %s …]: only type eq and ne a string are expressible", vp.Path, c.Op)
	}
	same := c.Value.Str == col.Type || !c.CaseExact && strings.EqualFold(c.Value.Str, col.Type)
	if same == (c.Op == Eq) {
		w.b.WriteString(sqlTrue)
	} else {
		w.b.WriteString(sqlFalse)
	}
	return nil
}

// present writes the test that col has a value: not NULL and, for
// strings and joined columns, not empty.
func (w *sqlWriter) present(col Column) {
	w.b.WriteByte('(')
	w.b.WriteString(col.Name)
	w.b.WriteString(" IS NOT NULL")
	if col.Kind == String || col.Joined {
		w.b.WriteString(" AND ")
		w.b.WriteString(col.Name)
		w.b.WriteString(" <> ''")
	}
	w.b.WriteByte(')')
}

var sqlOps = [...]string{Eq: " = ", Ne: " <> ", Gt: " > ", Ge: " >= ", Lt: " < ", Le: " <= "}

func (w *sqlWriter) compare(c *Compare, path AttrPath, col Column) error {
	lit := c.Value
	if c.Op == Pr || lit.Kind == Null {
		// Check allows only eq and ne with null.
		if c.Op == Eq {
			w.b.WriteString("NOT ")
		}
		w.present(col)
		return nil
	}
	if col.Kind == Number && lit.Kind == String && (c.Op == Eq || c.Op == Ne) {
		// A numeric key served as a string id: compare as the integer it
		// spells, and a string that spells none equals no id.
		n, err := strconv.ParseInt(lit.Str, 10, 64)
		if err != nil {
			if c.Op == Eq {
				w.b.WriteString(sqlFalse)
			} else {
				w.present(col)
			}
			return nil
		}
		lit = Value{Kind: Number, Num: float64(n)}
	}
	if col.Kind == DateTime && lit.Kind == String {
		t, ok := asTime(lit)
		if !ok {
			return &MatchError{Path: path, Op: c.Op, Msg: "the attribute is a dateTime and " + lit.String() + " is not an RFC 3339 date-time"}
		}
		lit = Value{Kind: DateTime, Str: lit.Str, Time: t}
	}
	if col.Kind != lit.Kind {
		return &MatchError{Path: path, Op: c.Op, Msg: "cannot compare a " + col.Kind.String() + " attribute with the " + lit.Kind.String() + " " + lit.String()}
	}
	if col.Joined {
		return w.joined(c, path, col)
	}
	switch lit.Kind {
	case String:
		return w.compareString(c, col)
	case Number:
		var arg any = lit.Num
		if lit.Num == math.Trunc(lit.Num) && math.Abs(lit.Num) < 1<<53 {
			arg = int64(lit.Num)
		}
		w.b.WriteString(col.Name + sqlOps[c.Op] + w.param(arg))
	case Bool:
		w.b.WriteString(col.Name + sqlOps[c.Op] + w.param(lit.Bool))
	case DateTime:
		if lit.Time.IsZero() && lit.Str != "" {
			t, ok := asTime(Value{Kind: String, Str: lit.Str})
			if !ok {
				return &MatchError{Path: path, Op: c.Op, Msg: lit.String() + " is not an RFC 3339 date-time"}
			}
			lit.Time = t
		}
		if col.json && w.d == SQLite {
			w.b.WriteString(col.Name + sqlOps[c.Op] + "julianday(" + w.param(sqliteTime(lit.Time)) + ")")
			return nil
		}
		w.b.WriteString(col.Name + sqlOps[c.Op] + w.param(lit.Time.UTC()))
	}
	return nil
}

// compareString writes a string comparison. Every operator that an empty
// column would satisfy (ne, lt, le, and any with "") also tests that the
// column is not empty, since Match treats "" as absent; a JSON document
// holds strings as they were given, and "" is then a value.
func (w *sqlWriter) compareString(c *Compare, col Column) error {
	guard := !col.json && (c.Op == Ne || c.Op == Lt || c.Op == Le || c.Value.Str == "")
	if guard {
		w.b.WriteString("(" + col.Name + " <> '' AND ")
	}
	lhs, ph := col.Name, ""
	switch {
	case !c.CaseExact && col.json && w.d == SQLite && c.Op != Gt && c.Op != Ge && c.Op != Lt && c.Op != Le:
		op := c.Op
		if op == Ne {
			op = Eq
			w.b.WriteString("NOT ")
		}
		w.b.WriteString("(" + col.Name + " GLOB " + w.param(foldGlob(op, c.Value.Str)) + ")")
		return nil
	case !c.CaseExact:
		lhs = w.fold(col)
	case w.d == SQLite && (c.Op == Co || c.Op == Sw || c.Op == Ew):
		w.b.WriteString(col.Name + " GLOB " + w.param(globPattern(c.Op, c.Value.Str)))
		if guard {
			w.b.WriteByte(')')
		}
		return nil
	}
	switch c.Op {
	case Co, Sw, Ew:
		ph = w.strParam(col, likePattern(c.Op, c.Value.Str), c.CaseExact)
		w.b.WriteString(lhs + " LIKE " + ph + " ESCAPE '!'")
	default:
		ph = w.strParam(col, c.Value.Str, c.CaseExact)
		w.b.WriteString(lhs + sqlOps[c.Op] + ph)
	}
	if guard {
		w.b.WriteByte(')')
	}
	return nil
}

// strParam adds a string argument compared with col: folded when the
// comparison ignores case (by col.Fold, or the database's lower()), and
// compared byte-wise on MySQL when it does not.
func (w *sqlWriter) strParam(col Column, s string, exact bool) string {
	if !exact && col.Fold != nil && col.Folded != "" {
		return w.param(col.Fold(s))
	}
	ph := w.param(s)
	switch {
	case !exact && col.json && w.d == MySQL:
		return "BINARY lower(" + ph + ")"
	case !exact:
		return "lower(" + ph + ")"
	case w.d == MySQL:
		return "BINARY " + ph
	}
	return ph
}

func (w *sqlWriter) fold(col Column) string {
	if col.Folded != "" {
		return col.Folded
	}
	return "lower(" + col.Name + ")"
}

// joined writes a comparison on a comma-joined multi-valued column: some
// value matches when ",col," contains ",value," (eq), ",value" (sw),
// "value," (ew) or the value at all (co).
func (w *sqlWriter) joined(c *Compare, path AttrPath, col Column) error {
	if c.Value.Kind != String || !(c.Op == Eq || c.Op == Co || c.Op == Sw || c.Op == Ew) {
		return unsupported("%s %s: a comma-joined column supports eq, co, sw, ew and pr only", path, c.Op)
	}
	if strings.Contains(c.Value.Str, ",") || c.Value.Str == "" {
		// No stored value contains a comma or is empty.
		w.b.WriteString(sqlFalse)
		return nil
	}
	name := col.Name
	if !c.CaseExact {
		name = "lower(" + name + ")"
	}
	var expr, pat string
	v := escapeLike(c.Value.Str)
	switch c.Op {
	case Eq:
		expr, pat = w.concat("','", name, "','"), "%,"+v+",%"
	case Sw:
		expr, pat = w.concat("','", name), "%,"+v+"%"
	case Ew:
		expr, pat = w.concat(name, "','"), "%"+v+",%"
	case Co:
		expr, pat = name, "%"+v+"%"
	}
	w.b.WriteString(expr + " LIKE " + w.strParam(Column{}, pat, c.CaseExact) + " ESCAPE '!'")
	return nil
}

func (w *sqlWriter) concat(parts ...string) string {
	if w.d == MySQL {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

func escapeLike(s string) string { return likeEscaper.Replace(s) }

// likePattern is the LIKE pattern of co, sw or ew with s, escaped with !.
func likePattern(op Op, s string) string {
	s = escapeLike(s)
	switch op {
	case Co:
		return "%" + s + "%"
	case Sw:
		return s + "%"
	}
	return "%" + s
}

var globEscaper = strings.NewReplacer("*", "[*]", "?", "[?]", "[", "[[]")

// globPattern is SQLite's case-sensitive GLOB pattern of co, sw or ew.
func globPattern(op Op, s string) string {
	s = globEscaper.Replace(s)
	switch op {
	case Co:
		return "*" + s + "*"
	case Sw:
		return s + "*"
	}
	return "*" + s
}
