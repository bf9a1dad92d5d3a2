package sqlstore_test

import (
	"strconv"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestListCountsOnlyWhenNeeded proves that a list takes its totalResults
// from a first page that is not full, in one statement (the lookup by
// userName or displayName identity providers send before every create),
// and runs COUNT(*) only when the page cannot tell: a full first page, a
// later page, or count=0. The totals are checked too.
func TestListCountsOnlyWhenNeeded(t *testing.T) {
	db, d := openCounted(t)
	cfg := d.groupTables(t, db, sqlstore.Config{})
	s := must(sqlstore.New(db, cfg))(t)
	defer s.Close()
	for i := range 5 {
		must(s.Create(bg, &scim.User{UserName: "u" + strconv.Itoa(i), Active: true}))(t)
		must(s.CreateGroup(bg, &scim.Group{DisplayName: "Team " + strconv.Itoa(i)}))(t)
	}
	for _, c := range []struct {
		name          string
		filter        string
		start, count  int
		total, items  int
		statements    int64
		groupsFilter  string
		groupsMatches int
	}{
		{name: "lookup", filter: `userName eq "u3"`, groupsFilter: `displayName eq "team 3"`, start: 1, count: 100, total: 1, items: 1, statements: 1},
		{name: "lookup finding none", filter: `userName eq "nobody"`, groupsFilter: `displayName eq "nobody"`, start: 1, count: 100, total: 0, items: 0, statements: 1},
		{name: "first page not full", start: 1, count: 100, total: 5, items: 5, statements: 1},
		{name: "full first page", start: 1, count: 5, total: 5, items: 5, statements: 2},
		{name: "later page", start: 4, count: 100, total: 5, items: 2, statements: 2},
		{name: "past the end", start: 9, count: 100, total: 5, items: 0, statements: 2},
		{name: "count=0", start: 1, count: 0, total: 5, items: 0, statements: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := scim.Query{StartIndex: c.start, Count: c.count}
			if c.filter != "" {
				q.Filter = groupFilter(t, c.filter)
			}
			before := counter.queries.Load()
			p := must(s.List(bg, q))(t)
			if n := counter.queries.Load() - before; p.TotalResults != c.total || len(p.Users) != c.items || n != c.statements {
				t.Errorf("List: totalResults %d, %d users, %d statements; want %d, %d, %d", p.TotalResults, len(p.Users), n, c.total, c.items, c.statements)
			}
			q.Filter = nil
			if c.groupsFilter != "" {
				q.Filter = groupFilter(t, c.groupsFilter)
			}
			before = counter.queries.Load()
			g := must(s.ListGroups(bg, q))(t)
			if n := counter.queries.Load() - before; g.TotalResults != c.total || len(g.Groups) != c.items || n != c.statements {
				t.Errorf("ListGroups: totalResults %d, %d groups, %d statements; want %d, %d, %d", g.TotalResults, len(g.Groups), n, c.total, c.items, c.statements)
			}
		})
	}
}
