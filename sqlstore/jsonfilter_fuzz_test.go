package sqlstore_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// FuzzJSONStringFilter compares, on SQLite, string comparisons on a JSON
// column's singular and multi-valued attributes with filter.Match: the
// GLOB patterns of case variants that stand in for SQLite's ASCII-only
// lower(), the escaping of *, ? and [, LIKE's escaping, "" as a value.
// gt, ge, lt and le ignoring case are left out for non-ASCII text, where
// SQLite's lower() is known to differ (see filter.Column.JSON).
func FuzzJSONStringFilter(f *testing.F) {
	for _, seed := range []struct {
		stored, lit string
		op          uint8
		exact       bool
	}{
		{"Zoë", "zoË", 0, false}, {"Zoë", "OË", 4, false}, {"\u212aelvin", "kel", 3, false},
		{"a*b?[c]", "*b?[", 2, false}, {"a*b?[c]", "*B?[", 2, true}, {"100%_!", "%_!", 4, false},
		{"", "", 0, false}, {"", "x", 1, false}, {"x", "", 2, true}, {"Straße", "STRASSE", 0, false},
		{"ǅemal", "ǆ", 3, false}, {"abc", "ABD", 7, false}, {"B", "a", 5, true},
	} {
		f.Add(seed.stored, seed.lit, seed.op, seed.exact)
	}
	db := databases[0].open(f)
	if _, err := db.Exec("CREATE TABLE fz (id INTEGER PRIMARY KEY, attrs TEXT)"); err != nil {
		f.Fatal(err)
	}
	cols := func(p filter.AttrPath) (filter.Column, bool) {
		return filter.Column{Name: "attrs", Kind: filter.String, JSON: &filter.JSONPath{Key: p.Name, Array: p.Name == "tags"}}, true
	}
	ops := []filter.Op{filter.Eq, filter.Ne, filter.Co, filter.Sw, filter.Ew, filter.Gt, filter.Ge, filter.Lt, filter.Le}
	f.Fuzz(func(t *testing.T, stored, lit string, op uint8, exact bool) {
		if !utf8.ValidString(stored+lit) || strings.ContainsRune(stored+lit, 0) {
			return
		}
		o := ops[int(op)%len(ops)]
		if !exact && o >= filter.Gt && !ascii(stored+lit) {
			return
		}
		custom := map[string]any{"title": stored, "tags": []string{"x", stored}}
		doc := must(scim.MarshalCustom(custom))(t)
		res := must(db.Exec("INSERT INTO fz (attrs) VALUES (?)", string(doc)))(t)
		id := must(res.LastInsertId())(t)
		defer db.Exec("DELETE FROM fz WHERE id = ?", id)
		u := &scim.User{Custom: custom}
		for _, name := range []string{"title", "tags"} {
			c := &filter.Compare{Path: filter.AttrPath{Name: name}, Op: o, Value: filter.Value{Kind: filter.String, Str: lit}, CaseExact: exact}
			want := must(filter.Match(c, u))(t)
			where, args := must2(filter.SQL(c, cols, filter.SQLite, []any{id}))(t)
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM fz WHERE id = ? AND "+where, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if (n == 1) != want {
				t.Errorf("%q %s (caseExact %v) on %q: SQLite says %v, Match %v\n%s %q", name, c, exact, stored, n == 1, want, where, args)
			}
		}
	})
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func must2[A, B any](a A, b B, err error) func(testing.TB) (A, B) {
	return func(t testing.TB) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
