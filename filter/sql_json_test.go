package filter_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim/filter"
)

// jsonColumns maps a users table that keeps the work e-mail in a column
// and everything else in the JSON column attrs, as sqlstore does in the
// RFC profile.
func jsonColumns(p filter.AttrPath) (filter.Column, bool) {
	in := func(kind filter.Kind, key, sub string, array bool) (filter.Column, bool) {
		return filter.Column{Name: "attrs", Kind: kind, JSON: &filter.JSONPath{Key: key, Sub: sub, Array: array}}, true
	}
	switch p.Name + "." + p.Sub {
	case "title.":
		return in(filter.String, "title", "", false)
	case "name.formatted":
		return in(filter.String, "name", "formatted", false)
	case "level.":
		return in(filter.Number, "level", "", false)
	case "hired.":
		return in(filter.DateTime, "hired", "", false)
	case "tags.":
		return in(filter.String, "tags", "", true)
	case "emails.value", "emails.type", "emails.primary":
		kind := filter.String
		if p.Sub == "primary" {
			kind = filter.Bool
		}
		c, _ := in(kind, "emails", p.Sub, true)
		other := map[string]filter.Column{
			"value":   {Name: "email", Kind: filter.String, Type: "work"},
			"type":    {Name: "CASE WHEN email <> '' THEN 'work' END", Kind: filter.String},
			"primary": {Name: "CASE WHEN email <> '' THEN TRUE END", Kind: filter.Bool},
		}[p.Sub]
		c.Otherwise = &other
		return c, true
	case "addresses.value", "addresses.locality":
		return in(filter.String, "addresses", p.Sub, true)
	case "bad.":
		return in(filter.String, "x'); DROP TABLE users; --", "", false)
	case "badsub.value":
		return in(filter.String, "emails", `value"`, true)
	}
	return filter.Column{}, false
}

func TestSQLJSON(t *testing.T) {
	hired := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	const (
		pgEmails     = `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof((attrs::jsonb->'emails')) = 'array' THEN (attrs::jsonb->'emails') END) AS scim_el(v) WHERE`
		sqliteEmails = `EXISTS (SELECT 1 FROM json_each((CASE WHEN json_valid(attrs) THEN attrs END), '$."emails"') AS scim_el WHERE json_type((CASE WHEN json_valid(attrs) THEN attrs END), '$."emails"') = 'array' AND`
		mysqlEmails  = `EXISTS (SELECT 1 FROM JSON_TABLE((CASE WHEN json_valid(attrs) THEN attrs END), '$."emails"[*]' COLUMNS (v JSON PATH '$')) AS scim_el WHERE`
	)
	tests := []struct {
		filter string
		d      filter.Dialect
		where  string
		args   []any
	}{
		{`title eq "Boss"`, filter.PostgreSQL, `lower((attrs::jsonb->>'title')) = lower($1)`, []any{"Boss"}},
		{`title eq "Boss"`, filter.MySQL, `lower(JSON_VALUE((CASE WHEN json_valid(attrs) THEN attrs END), '$."title"')) = BINARY lower(?)`, []any{"Boss"}},
		{`title eq "Zoë"`, filter.SQLite, `(json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."title"') GLOB ?)`, []any{"[Zz][oO][ëË]"}},
		{`title ne "k*"`, filter.SQLite, `NOT (json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."title"') GLOB ?)`, []any{"[k\u212aK][*]"}},
		{`title co "a?"`, filter.SQLite, `(json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."title"') GLOB ?)`, []any{"*[aA][?]*"}},
		{`title gt "m"`, filter.SQLite, `lower(json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."title"')) > lower(?)`, []any{"m"}},
		{`title ne "x"`, filter.PostgreSQL, `lower((attrs::jsonb->>'title')) <> lower($1)`, []any{"x"}},
		{`title pr`, filter.PostgreSQL, `((attrs::jsonb->>'title') IS NOT NULL AND (attrs::jsonb->>'title') <> '')`, nil},
		{`name.formatted sw "Ms"`, filter.PostgreSQL, `lower((attrs::jsonb->'name'->>'formatted')) LIKE lower($1) ESCAPE '!'`, []any{"Ms%"}},
		{`name.formatted sw "Ms"`, filter.MySQL, `lower(JSON_VALUE((CASE WHEN json_valid(attrs) THEN attrs END), '$."name"."formatted"')) LIKE BINARY lower(?) ESCAPE '!'`, []any{"Ms%"}},
		{`level ge 3`, filter.PostgreSQL, `(attrs::jsonb->>'level')::numeric >= $1`, []any{int64(3)}},
		{`level ge 3`, filter.MySQL, `CAST(JSON_VALUE((CASE WHEN json_valid(attrs) THEN attrs END), '$."level"') AS DOUBLE) >= ?`, []any{int64(3)}},
		{`level ge 3`, filter.SQLite, `json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."level"') >= ?`, []any{int64(3)}},
		{`hired lt "2026-01-31T09:00:00Z"`, filter.PostgreSQL, `(attrs::jsonb->'hired'->>'$time')::timestamptz < $1`, []any{hired}},
		{`hired lt "2026-01-31T09:00:00Z"`, filter.MySQL,
			`CAST(REPLACE(REPLACE(JSON_VALUE((CASE WHEN json_valid(attrs) THEN attrs END), '$."hired"."$time"'), 'T', ' '), 'Z', '') AS DATETIME(6)) < ?`, []any{hired}},
		{`hired lt "2026-01-31T09:00:00Z"`, filter.SQLite, `julianday(json_extract((CASE WHEN json_valid(attrs) THEN attrs END), '$."hired"."$time"')) < julianday(?)`, []any{"2026-01-31 09:00:00"}},
		{`tags eq "a"`, filter.PostgreSQL,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof((attrs::jsonb->'tags')) = 'array' THEN (attrs::jsonb->'tags') END) AS scim_el(v) WHERE lower((scim_el.v #>> '{}')) = lower($1))`, []any{"a"}},
		{`tags eq "a"`, filter.SQLite,
			`EXISTS (SELECT 1 FROM json_each((CASE WHEN json_valid(attrs) THEN attrs END), '$."tags"') AS scim_el WHERE json_type((CASE WHEN json_valid(attrs) THEN attrs END), '$."tags"') = 'array' AND (scim_el.value GLOB ?))`, []any{"[aA]"}},
		{`addresses.locality eq "Hollywood"`, filter.MySQL,
			`EXISTS (SELECT 1 FROM JSON_TABLE((CASE WHEN json_valid(attrs) THEN attrs END), '$."addresses"[*]' COLUMNS (v JSON PATH '$')) AS scim_el WHERE lower(JSON_VALUE(scim_el.v, '$."locality"')) = BINARY lower(?))`, []any{"Hollywood"}},
		{`addresses.value eq null`, filter.PostgreSQL,
			`NOT EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof((attrs::jsonb->'addresses')) = 'array' THEN (attrs::jsonb->'addresses') END) AS scim_el(v) WHERE ((scim_el.v->>'value') IS NOT NULL AND (scim_el.v->>'value') <> ''))`, nil},
		{`emails.value eq "a@x"`, filter.PostgreSQL,
			`(` + pgEmails + ` lower((scim_el.v->>'value')) = lower($1)) OR (NOT ` + pgEmails + ` 1=1) AND lower(email) = lower($2)))`, []any{"a@x", "a@x"}},
		{`emails.value pr`, filter.SQLite,
			`(` + sqliteEmails + ` (json_extract(scim_el.value, '$."value"') IS NOT NULL AND json_extract(scim_el.value, '$."value"') <> '')) OR (NOT ` + sqliteEmails + ` 1=1) AND (email IS NOT NULL AND email <> '')))`, nil},
		{`emails[type eq "work" and value co "555"]`, filter.MySQL,
			`(` + mysqlEmails + ` (lower(JSON_VALUE(scim_el.v, '$."type"')) = BINARY lower(?) AND lower(JSON_VALUE(scim_el.v, '$."value"')) LIKE BINARY lower(?) ESCAPE '!')) OR (NOT ` + mysqlEmails +
				` 1=1) AND ((email IS NOT NULL AND email <> '') AND (1=1 AND lower(email) LIKE lower(?) ESCAPE '!'))))`, []any{"work", "%555%", "%555%"}},
		{`emails.primary eq true`, filter.PostgreSQL,
			`(` + pgEmails + ` (scim_el.v->>'primary')::boolean = $1) OR (NOT ` + pgEmails + ` 1=1) AND CASE WHEN email <> '' THEN TRUE END = $2))`, []any{true, true}},
		{`emails.primary eq true`, filter.MySQL,
			`(` + mysqlEmails + ` (JSON_VALUE(scim_el.v, '$."primary"') IN ('true', '1')) = ?) OR (NOT ` + mysqlEmails + ` 1=1) AND CASE WHEN email <> '' THEN TRUE END = ?))`, []any{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.d.String()+"/"+tt.filter, func(t *testing.T) {
			e := resolve(t, tt.filter)
			if strings.HasPrefix(tt.filter, "hired") {
				c := e.(*filter.Compare)
				c.Value = filter.Value{Kind: filter.DateTime, Str: c.Value.Str, Time: hired}
			}
			where, args, err := filter.SQL(e, jsonColumns, tt.d, nil)
			if err != nil {
				t.Fatalf("SQL: %v", err)
			}
			if where != tt.where || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("got  %s %#v\nwant %s %#v", where, args, tt.where, tt.args)
			}
		})
	}
}

// A JSON key is written into the SQL text, so a key that is not an
// attribute name is refused, whatever the column map returns: an
// attribute name cannot carry SQL.
func TestSQLJSONKeys(t *testing.T) {
	for _, f := range []string{`bad eq "x"`, `badsub[value eq "x"]`, `badsub.value pr`} {
		for _, d := range []filter.Dialect{filter.PostgreSQL, filter.MySQL, filter.SQLite} {
			e, err := filter.Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			where, _, err := filter.SQL(e, jsonColumns, d, nil)
			if !errors.Is(err, filter.ErrUnsupported) || where != "" {
				t.Errorf("%s %s: %q, %v; want ErrUnsupported and no SQL", d, f, where, err)
			}
		}
	}
}
