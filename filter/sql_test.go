package filter_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim/filter"
)

// testColumns is the column map of a typical users table.
func testColumns(p filter.AttrPath) (filter.Column, bool) {
	if p.URN != "" {
		return filter.Column{}, false
	}
	switch p.Name + "." + p.Sub {
	case "id.":
		return filter.Column{Name: "id", Kind: filter.String}, true
	case "externalId.":
		return filter.Column{Name: "external_id", Kind: filter.String}, true
	case "userName.":
		return filter.Column{Name: "user_name", Kind: filter.String}, true
	case "active.":
		return filter.Column{Name: "active", Kind: filter.Bool}, true
	case "meta.created":
		return filter.Column{Name: "created", Kind: filter.DateTime}, true
	case "age.":
		return filter.Column{Name: "age", Kind: filter.Number}, true
	case "emails.value":
		return filter.Column{Name: "email", Kind: filter.String, Type: "work"}, true
	case "nickName.":
		return filter.Column{Name: "nick", Kind: filter.String, Folded: "nick_folded", Fold: strings.ToUpper}, true
	case "regions.":
		return filter.Column{Name: "regions", Kind: filter.String, Joined: true}, true
	case "name.familyName":
		return filter.Column{Name: "family_name", Kind: filter.String, Folded: "family_name_lower"}, true
	}
	return filter.Column{}, false
}

// resolve does what the handler's schema resolution does for testColumns:
// id and externalId are case-exact, meta.created a dateTime.
func resolve(t testing.TB, s string) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	var walk func(filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case *filter.Logical:
			walk(e.Left)
			walk(e.Right)
		case *filter.Not:
			walk(e.X)
		case *filter.ValuePath:
			walk(e.Filter)
		case *filter.Compare:
			e.CaseExact = e.Path.Name == "id" || e.Path.Name == "externalId"
			if e.Path.Sub == "created" && e.Value.Kind == filter.String {
				tm, err := time.Parse(time.RFC3339, e.Value.Str)
				if err != nil {
					t.Fatal(err)
				}
				e.Value = filter.Value{Kind: filter.DateTime, Str: e.Value.Str, Time: tm}
			}
		}
	}
	walk(e)
	return e
}

func TestSQL(t *testing.T) {
	created := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		filter string
		d      filter.Dialect
		where  string
		args   []any
	}{
		{`userName eq "Bjensen"`, filter.PostgreSQL, `lower(user_name) = lower($1)`, []any{"Bjensen"}},
		{`userName eq "Bjensen"`, filter.MySQL, `lower(user_name) = lower(?)`, []any{"Bjensen"}},
		{`externalId eq "aB"`, filter.PostgreSQL, `external_id = $1`, []any{"aB"}},
		{`externalId eq "aB"`, filter.MySQL, `external_id = BINARY ?`, []any{"aB"}},
		{`externalId eq "aB"`, filter.SQLite, `external_id = ?`, []any{"aB"}},
		{`name.familyName eq "X"`, filter.SQLite, `family_name_lower = lower(?)`, []any{"X"}},
		{`nickName eq "Bo"`, filter.SQLite, `nick_folded = ?`, []any{"BO"}},
		{`nickName sw "b_"`, filter.SQLite, `nick_folded LIKE ? ESCAPE '!'`, []any{"B!_%"}},
		{`userName ne "x"`, filter.SQLite, `(user_name <> '' AND lower(user_name) <> lower(?))`, []any{"x"}},
		{`userName gt "m"`, filter.SQLite, `lower(user_name) > lower(?)`, []any{"m"}},
		{`userName le "m"`, filter.SQLite, `(user_name <> '' AND lower(user_name) <= lower(?))`, []any{"m"}},
		{`userName eq ""`, filter.SQLite, `(user_name <> '' AND lower(user_name) = lower(?))`, []any{""}},
		{`userName co "a%b_c!d"`, filter.PostgreSQL, `lower(user_name) LIKE lower($1) ESCAPE '!'`, []any{"%a!%b!_c!!d%"}},
		{`userName sw "j"`, filter.MySQL, `lower(user_name) LIKE lower(?) ESCAPE '!'`, []any{"j%"}},
		{`userName ew "@x.com"`, filter.SQLite, `lower(user_name) LIKE lower(?) ESCAPE '!'`, []any{"%@x.com"}},
		{`externalId sw "A_"`, filter.PostgreSQL, `external_id LIKE $1 ESCAPE '!'`, []any{"A!_%"}},
		{`externalId sw "A_"`, filter.MySQL, `external_id LIKE BINARY ? ESCAPE '!'`, []any{"A!_%"}},
		{`externalId co "a*?[b"`, filter.SQLite, `external_id GLOB ?`, []any{"*a[*][?][[]b*"}},
		{`externalId ew "Z"`, filter.SQLite, `external_id GLOB ?`, []any{"*Z"}},
		{`active eq true`, filter.PostgreSQL, `active = $1`, []any{true}},
		{`active ne false`, filter.MySQL, `active <> ?`, []any{false}},
		{`age ge 18`, filter.PostgreSQL, `age >= $1`, []any{int64(18)}},
		{`age lt 1.5`, filter.PostgreSQL, `age < $1`, []any{1.5}},
		{`meta.created gt "2026-01-31T10:00:00+01:00"`, filter.PostgreSQL, `created > $1`, []any{created}},
		{`userName pr`, filter.PostgreSQL, `(user_name IS NOT NULL AND user_name <> '')`, nil},
		{`active pr`, filter.PostgreSQL, `(active IS NOT NULL)`, nil},
		{`externalId eq null`, filter.PostgreSQL, `NOT (external_id IS NOT NULL AND external_id <> '')`, nil},
		{`age ne null`, filter.PostgreSQL, `(age IS NOT NULL)`, nil},
		{`userName eq "a" or userName eq "b" and active eq true`, filter.PostgreSQL,
			`(lower(user_name) = lower($1) OR (lower(user_name) = lower($2) AND active = $3))`, []any{"a", "b", true}},
		{`not (userName eq "a")`, filter.SQLite, `NOT COALESCE(lower(user_name) = lower(?), 1=0)`, []any{"a"}},
		{`emails[type eq "work" and value eq "A@x.com"]`, filter.PostgreSQL,
			`((email IS NOT NULL AND email <> '') AND (1=1 AND lower(email) = lower($1)))`, []any{"A@x.com"}},
		{`emails[type eq "work"].value eq "A@x.com"`, filter.SQLite,
			`((email IS NOT NULL AND email <> '') AND (1=1 AND lower(email) = lower(?)))`, []any{"A@x.com"}},
		{`emails[value co "@x.com" and type eq "WORK"]`, filter.SQLite,
			`((email IS NOT NULL AND email <> '') AND (lower(email) LIKE lower(?) ESCAPE '!' AND 1=1))`, []any{"%@x.com%"}},
		{`emails[type eq "home"]`, filter.SQLite, `((email IS NOT NULL AND email <> '') AND 1=0)`, nil},
		{`emails[type ne "home"]`, filter.SQLite, `((email IS NOT NULL AND email <> '') AND 1=1)`, nil},
		{`emails.value eq "a@x.com"`, filter.PostgreSQL, `lower(email) = lower($1)`, []any{"a@x.com"}},
		{`regions eq "EMEA"`, filter.PostgreSQL, `(',' || lower(regions) || ',') LIKE lower($1) ESCAPE '!'`, []any{"%,EMEA,%"}},
		{`regions eq "EMEA"`, filter.MySQL, `CONCAT(',', lower(regions), ',') LIKE lower(?) ESCAPE '!'`, []any{"%,EMEA,%"}},
		{`regions sw "E"`, filter.SQLite, `(',' || lower(regions)) LIKE lower(?) ESCAPE '!'`, []any{"%,E%"}},
		{`regions ew "A"`, filter.SQLite, `(lower(regions) || ',') LIKE lower(?) ESCAPE '!'`, []any{"%A,%"}},
		{`regions co "m"`, filter.SQLite, `lower(regions) LIKE lower(?) ESCAPE '!'`, []any{"%m%"}},
		{`regions eq "a,b"`, filter.SQLite, `1=0`, nil},
		{`regions pr`, filter.SQLite, `(regions IS NOT NULL AND regions <> '')`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.d.String()+"/"+tt.filter, func(t *testing.T) {
			where, args, err := filter.SQL(resolve(t, tt.filter), testColumns, tt.d, nil)
			if err != nil {
				t.Fatalf("SQL: %v", err)
			}
			if where != tt.where {
				t.Errorf("where\n got %s\nwant %s", where, tt.where)
			}
			if !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args\n got %#v\nwant %#v", args, tt.args)
			}
		})
	}
}

func TestSQLNumbersAfterArgs(t *testing.T) {
	where, args, err := filter.SQL(resolve(t, `userName eq "a" and active eq true`), testColumns, filter.PostgreSQL, []any{"tenant"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `(lower(user_name) = lower($2) AND active = $3)`; where != want {
		t.Errorf("got %s, want %s", where, want)
	}
	if want := []any{"tenant", "a", true}; !reflect.DeepEqual(args, want) {
		t.Errorf("args %#v, want %#v", args, want)
	}
}

func TestSQLNumericID(t *testing.T) {
	cols := func(p filter.AttrPath) (filter.Column, bool) {
		return filter.Column{Name: "id", Kind: filter.Number}, p.Name == "id"
	}
	tests := []struct{ filter, where string }{
		{`id eq "42"`, `id = $1`},
		{`id eq "x"`, `1=0`},
		{`id ne "x"`, `(id IS NOT NULL)`},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			where, _, err := filter.SQL(resolve(t, tt.filter), cols, filter.PostgreSQL, nil)
			if err != nil || where != tt.where {
				t.Errorf("got %q, %v; want %q", where, err, tt.where)
			}
		})
	}
}

func TestSQLErrors(t *testing.T) {
	tests := []struct {
		filter      string
		unsupported bool // else a *MatchError
	}{
		{`title eq "x"`, true},
		{`urn:x:ext:userName eq "x"`, true},
		{`name[givenName eq "x"]`, true},
		{`emails[primary eq true]`, true},
		{`emails[type sw "w"]`, true},
		{`regions ne "x"`, true},
		{`regions gt "x"`, true},
		{`active gt true`, false},
		{`userName co 1`, false},
		{`userName eq 1`, false},
		{`age gt "x"`, false},
		{`meta.created gt "yesterday"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := filter.Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			where, args, err := filter.SQL(e, testColumns, filter.SQLite, nil)
			if err == nil {
				t.Fatalf("got %q %v, want an error", where, args)
			}
			var me *filter.MatchError
			if got := errors.Is(err, filter.ErrUnsupported); got != tt.unsupported || !got && !errors.As(err, &me) {
				t.Errorf("error %v: unsupported=%v, want %v", err, got, tt.unsupported)
			}
		})
	}
	if _, _, err := filter.SQL(resolve(t, `userName pr`), testColumns, 0, nil); err == nil {
		t.Error("the zero Dialect: no error")
	}
}

// TestSQLPlaceholders checks, on random filters, that every dialect writes
// one placeholder per argument, numbered in order on PostgreSQL, and never
// a literal's text.
func TestSQLPlaceholders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dollar := regexp.MustCompile(`\$[0-9]+`)
	for i := range 2000 {
		e := randomExpr(r, 3)
		prefix := r.IntN(3)
		for _, d := range []filter.Dialect{filter.PostgreSQL, filter.MySQL, filter.SQLite} {
			where, args, err := filter.SQL(e, testColumns, d, make([]any, prefix))
			if err != nil {
				if !errors.Is(err, filter.ErrUnsupported) {
					var me *filter.MatchError
					if !errors.As(err, &me) {
						t.Fatalf("%d %s: %v", i, e, err)
					}
				}
				continue
			}
			if strings.Contains(where, "secret") {
				t.Fatalf("%s: a literal in the SQL: %s", e, where)
			}
			var n int
			if d == filter.PostgreSQL {
				for j, ph := range dollar.FindAllString(where, -1) {
					if want := fmt.Sprintf("$%d", prefix+j+1); ph != want {
						t.Fatalf("%s: placeholder %s, want %s in %s", e, ph, want, where)
					}
					n++
				}
			} else {
				n = strings.Count(where, "?")
			}
			if n != len(args)-prefix {
				t.Fatalf("%s %s: %d placeholders, %d args: %s", d, e, n, len(args)-prefix, where)
			}
		}
	}
}

func randomExpr(r *rand.Rand, depth int) filter.Expr {
	if depth > 0 {
		switch r.IntN(5) {
		case 0:
			return &filter.Logical{Op: filter.LogicalOp(1 + r.IntN(2)), Left: randomExpr(r, depth-1), Right: randomExpr(r, depth-1)}
		case 1:
			return &filter.Not{X: randomExpr(r, depth-1)}
		case 2:
			vf := randomCompare(r, []string{"value", "type"})
			if r.IntN(2) == 0 {
				vf2 := randomCompare(r, []string{"value", "type"})
				return &filter.ValuePath{Path: filter.AttrPath{Name: "emails"}, Filter: &filter.Logical{Op: filter.And, Left: vf, Right: vf2}}
			}
			return &filter.ValuePath{Path: filter.AttrPath{Name: "emails"}, Filter: vf}
		}
	}
	return randomCompare(r, nil)
}

func randomCompare(r *rand.Rand, names []string) *filter.Compare {
	paths := []filter.AttrPath{{Name: "userName"}, {Name: "externalId"}, {Name: "active"}, {Name: "age"},
		{Name: "meta", Sub: "created"}, {Name: "regions"}, {Name: "emails", Sub: "value"}, {Name: "title"}}
	var p filter.AttrPath
	if names != nil {
		p = filter.AttrPath{Name: names[r.IntN(len(names))]}
	} else {
		p = paths[r.IntN(len(paths))]
	}
	values := []filter.Value{
		{Kind: filter.String, Str: "secret%_!" + string(rune('a'+r.IntN(26)))},
		{Kind: filter.String, Str: "work"},
		{Kind: filter.Number, Num: float64(r.IntN(100))},
		{Kind: filter.Bool, Bool: r.IntN(2) == 0},
		{Kind: filter.DateTime, Str: "2026-01-01T00:00:00Z", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{},
	}
	return &filter.Compare{Path: p, Op: filter.Op(1 + r.IntN(10)), Value: values[r.IntN(len(values))], CaseExact: r.IntN(2) == 0}
}
