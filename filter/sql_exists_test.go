package filter_test

import (
	"reflect"
	"testing"

	"github.com/scimkit/scim/filter"
)

// groupColumns maps a group table whose members are rows of a join table.
func groupColumns(p filter.AttrPath) (filter.Column, bool) {
	const rows = "g.id IN (SELECT m.group_id FROM members m WHERE"
	switch p.Name + "." + p.Sub {
	case "displayName.":
		return filter.Column{Name: "g.display_name", Kind: filter.String}, true
	case "members.value":
		return filter.Column{Name: "m.member_id", Kind: filter.String, Subquery: rows}, true
	case "members.type":
		return filter.Column{Name: "m.member_type", Kind: filter.String, Subquery: rows}, true
	}
	return filter.Column{}, false
}

func TestSQLSubquery(t *testing.T) {
	exact := func(e filter.Expr) filter.Expr {
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
				e.CaseExact = e.Path.Name != "displayName"
			}
		}
		walk(e)
		return e
	}
	tests := []struct {
		filter, where string
		args          []any
	}{
		{`members.value eq "u1"`, `g.id IN (SELECT m.group_id FROM members m WHERE m.member_id = $1)`, []any{"u1"}},
		{`members[value eq "u1"]`, `g.id IN (SELECT m.group_id FROM members m WHERE m.member_id = $1)`, []any{"u1"}},
		{`members[value eq "u1" and type eq "User"]`, `g.id IN (SELECT m.group_id FROM members m WHERE (m.member_id = $1 AND m.member_type = $2))`, []any{"u1", "User"}},
		{`displayName eq "Ops" and not (members.value eq "u1")`, `(lower(g.display_name) = lower($1) AND NOT COALESCE(g.id IN (SELECT m.group_id FROM members m WHERE m.member_id = $2), 1=0))`, []any{"Ops", "u1"}},
		// No element has a value: the quantifier is outside the subquery.
		{`members.value eq null`, `NOT g.id IN (SELECT m.group_id FROM members m WHERE (m.member_id IS NOT NULL AND m.member_id <> ''))`, nil},
		{`members.value pr`, `g.id IN (SELECT m.group_id FROM members m WHERE (m.member_id IS NOT NULL AND m.member_id <> ''))`, nil},
		{`members pr`, ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := filter.Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			where, args, err := filter.SQL(exact(e), groupColumns, filter.PostgreSQL, nil)
			if tt.where == "" {
				if err == nil {
					t.Errorf("got %s, want an error: members has no column", where)
				}
				return
			}
			if err != nil || where != tt.where || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("got %s %#v, %v\nwant %s %#v", where, args, err, tt.where, tt.args)
			}
		})
	}
}
