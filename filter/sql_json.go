package filter

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// JSONPath says where an attribute is held in a JSON document stored in a
// column (Column.Name), in the shape scim.MarshalCustom writes: an object
// whose keys are attribute names, a complex value an object of its
// sub-attributes, a multi-valued one an array, and a dateTime an object
// {"$time": "<RFC 3339>"}.
//
// A document that is not valid JSON (an empty string in a TEXT column)
// reads as one without attributes on MySQL and SQLite; on PostgreSQL the
// column must be jsonb or json, which cannot hold one, or a text column
// holding only valid JSON or NULL (as sqlstore writes it): its values are
// cast to jsonb, and one that is not JSON fails the statement. On SQLite
// a dateTime compares at millisecond precision (julianday).
//
// Keys are written into the SQL text, so SQL accepts only attribute names
// (a letter, then letters, digits, "-" and "_"; "$ref" too) and refuses
// any other key as unsupported: a key can never carry a quote or a path
// operator, whatever the column map was given.
type JSONPath struct {
	// Key is the attribute's key in the document's top-level object.
	Key string
	// Sub, for a sub-attribute of a complex attribute, is its key in the
	// attribute's object (or in each element's); "" for a simple
	// attribute, or a multi-valued one whose elements are the values.
	Sub string
	// Array says that Key holds an array: a comparison holds when some
	// element satisfies it (an EXISTS over the elements, as for
	// Column.Subquery), and a value path's filter is evaluated element by
	// element. A missing Key or an empty array is an absent attribute.
	Array bool
}

// validKey reports whether k may be written into SQL as a JSON key.
func validKey(k string) bool {
	k = strings.TrimPrefix(k, "$")
	if k == "" || !('A' <= k[0] && k[0] <= 'Z' || 'a' <= k[0] && k[0] <= 'z') {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// jsonElement is the alias of an array's element in the EXISTS subquery.
const jsonElement = "scim_el"

// jsonColumn turns a column of Column.JSON into one the writer handles:
// Name the SQL expression of the value (of one element, inside the
// subquery, for an array), Subquery the EXISTS over the array's elements.
func (w *sqlWriter) jsonColumn(col Column, path AttrPath) (Column, error) {
	p := col.JSON
	keys := []string{p.Key}
	if p.Sub != "" {
		keys = append(keys, p.Sub)
	}
	for _, k := range keys {
		if !validKey(k) {
			return col, unsupported("%s: %q is not an attribute name, so it cannot be a JSON key", path, k)
		}
	}
	if col.Joined || col.Subquery != "" || col.Folded != "" {
		return col, unsupported("%s: a JSON column cannot be Joined, a Subquery or Folded", path)
	}
	if col.Kind == DateTime {
		keys = append(keys, "$time")
	}
	doc := col.Name
	if w.d != PostgreSQL {
		// A document the store did not write (an empty string, invalid
		// JSON in a LONGTEXT or TEXT column) reads as no attributes, as
		// the store reads such a row back, instead of failing the whole
		// statement. PostgreSQL's jsonb and json columns cannot hold one.
		doc = "(CASE WHEN json_valid(" + doc + ") THEN " + doc + " END)"
	}
	out := col
	out.JSON, out.json = nil, true
	if !p.Array {
		out.Name = w.jsonValue(doc, keys, col.Kind)
		return out, nil
	}
	out.Subquery = w.jsonElements(doc, p.Key)
	switch w.d {
	case PostgreSQL:
		doc = jsonElement + ".v"
	case MySQL:
		doc = jsonElement + ".v"
	case SQLite:
		doc = jsonElement + ".value"
		if len(keys) == 1 {
			// The element itself, a scalar: json_each gives it as an SQL
			// value already.
			out.Name = w.jsonCast(doc, col.Kind)
			return out, nil
		}
	}
	out.Name = w.jsonValue(doc, keys[1:], col.Kind)
	return out, nil
}

// jsonValue is the SQL value at keys in the document doc, of kind k: NULL
// when it is missing or null.
func (w *sqlWriter) jsonValue(doc string, keys []string, k Kind) string {
	var v string
	switch w.d {
	case PostgreSQL:
		// ::jsonb serves a json or text column as well as a jsonb one.
		var b strings.Builder
		b.WriteString("(" + doc)
		if !strings.HasPrefix(doc, jsonElement+".") {
			b.WriteString("::jsonb")
		}
		if len(keys) == 0 {
			b.WriteString(" #>> '{}'")
		}
		for i, key := range keys {
			if i == len(keys)-1 {
				b.WriteString("->>")
			} else {
				b.WriteString("->")
			}
			b.WriteString("'" + key + "'")
		}
		b.WriteByte(')')
		v = b.String()
	case MySQL:
		v = "JSON_VALUE(" + doc + ", '" + mysqlPath(keys) + "')"
	case SQLite:
		v = "json_extract(" + doc + ", '" + mysqlPath(keys) + "')"
	}
	return w.jsonCast(v, k)
}

// mysqlPath is the JSON path of keys for MySQL and SQLite: $."a"."b".
func mysqlPath(keys []string) string {
	p := "$"
	for _, k := range keys {
		p += `."` + k + `"`
	}
	return p
}

// jsonCast converts v, a JSON scalar as the dialect extracts it, to an
// SQL value of kind k that compares with the arguments SQL passes.
func (w *sqlWriter) jsonCast(v string, k Kind) string {
	switch w.d {
	case PostgreSQL:
		switch k {
		case Number:
			return v + "::numeric"
		case Bool:
			return v + "::boolean"
		case DateTime:
			return v + "::timestamptz"
		}
	case MySQL:
		switch k {
		case Number:
			return "CAST(" + v + " AS DOUBLE)"
		case Bool:
			// JSON_VALUE gives a boolean as true/false (MySQL) or 1/0
			// (MariaDB).
			return "(" + v + " IN ('true', '1'))"
		case DateTime:
			// Written in UTC as 2006-01-02T15:04:05.999999999Z.
			return "CAST(REPLACE(REPLACE(" + v + ", 'T', ' '), 'Z', '') AS DATETIME(6))"
		}
	case SQLite:
		if k == DateTime {
			// Compared as julian days with julianday(?) (see compare).
			return "julianday(" + v + ")"
		}
	}
	return v
}

// jsonElements opens the EXISTS over the elements of the array at key in
// the document of column doc, up to the condition on one element.
func (w *sqlWriter) jsonElements(doc, key string) string {
	switch w.d {
	case PostgreSQL:
		a := "(" + doc + "::jsonb->'" + key + "')"
		return "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + a + ") = 'array' THEN " + a +
			" END) AS " + jsonElement + "(v) WHERE"
	case MySQL:
		return "EXISTS (SELECT 1 FROM JSON_TABLE(" + doc + ", '" + mysqlPath([]string{key}) + "[*]' COLUMNS (v JSON PATH '$')) AS " +
			jsonElement + " WHERE"
	}
	p := mysqlPath([]string{key})
	return "EXISTS (SELECT 1 FROM json_each(" + doc + ", '" + p + "') AS " + jsonElement +
		" WHERE json_type(" + doc + ", '" + p + "') = 'array' AND"
}

// foldGlob is SQLite's GLOB pattern of co, sw, ew or eq (the whole
// string) with s, ignoring case as Match does (Unicode simple folding):
// every letter becomes the class of its case variants, [kK\u212a].
// SQLite's lower() folds only ASCII, so it cannot serve a JSON value,
// which has no folded copy.
func foldGlob(op Op, s string) string {
	var b strings.Builder
	if op == Co || op == Ew {
		b.WriteByte('*')
	}
	for _, r := range s {
		if r == utf8.RuneError {
			b.WriteRune(r)
			continue
		}
		orbit := []rune{r}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			orbit = append(orbit, f)
		}
		switch {
		case len(orbit) > 1:
			b.WriteByte('[')
			b.WriteString(string(orbit))
			b.WriteByte(']')
		case r == '*' || r == '?' || r == '[':
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	if op == Co || op == Sw {
		b.WriteByte('*')
	}
	return b.String()
}

// sqliteTime is the text of t that SQLite's julianday() reads.
func sqliteTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999999")
}
