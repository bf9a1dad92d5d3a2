package sqlstore_test

import (
	"crypto/rand"
	"regexp"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// notNullDefaults makes the created and last-modified columns of a
// generated schema NOT NULL with a default, as a host's own table often
// has them (created_at timestamptz NOT NULL DEFAULT now()), and with names
// the display-name columns too.
func notNullDefaults(d sqlstore.Dialect, names bool) func(string) string {
	now := "CURRENT_TIMESTAMP"
	switch d {
	case sqlstore.MySQL:
		now = "CURRENT_TIMESTAMP(6)" // a DATETIME(6)'s default has its precision
	case sqlstore.SQLite:
		// The text the driver writes times as (_time_format=sqlite), so
		// that defaulted and written times compare and sort alike;
		// CURRENT_TIMESTAMP's "2006-01-02 15:04:05" sorts before a
		// written time of the same second.
		now = "(strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))"
	}
	times := regexp.MustCompile(`(?m)^(\s+(?:created|last_modified) [A-Z]+(?:\(\d\))?),$`)
	name := regexp.MustCompile(`(?m)^(\s+display_name (?:TEXT|VARCHAR\(255\))),$`)
	return func(stmt string) string {
		stmt = times.ReplaceAllString(stmt, "$1 NOT NULL DEFAULT "+now+",")
		if !names {
			return stmt
		}
		return name.ReplaceAllString(stmt, "$1 NOT NULL DEFAULT '',")
	}
}

// TestInsertLeavesUnsetColumnsToDefaults creates a user, a group and a
// declared resource with no meta times and no optional values over
// columns that are NOT NULL with a default: what the request does not set
// is the database's default, never a NULL the table refuses, and the
// create returns what was stored.
func TestInsertLeavesUnsetColumnsToDefaults(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		agents := agentTable()
		agents.Table = "scim_test_" + rand.Text()[:10] + "_agents"
		t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + agents.Table) })
		cfg := d.groupTablesAs(t, db, sqlstore.Config{Columns: sqlstore.Columns{Tenant: "tenant"}, Resources: []sqlstore.ResourceTable{agents}}, notNullDefaults(d.dialect, true))
		s := must(sqlstore.New(db, cfg))(t)
		t.Cleanup(func() { s.Close() })
		ctx := scim.WithTenant(bg, "acme")

		u, err := s.Create(ctx, &scim.User{UserName: "ann@example.com", Active: true})
		if err != nil {
			t.Fatalf("Create with no meta times over NOT NULL DEFAULT columns: %v", err)
		}
		if u.Meta.Created.IsZero() || u.Meta.LastModified.IsZero() {
			t.Errorf("Create returned Meta %+v, want the database's default times", u.Meta)
		}
		got := must(s.User(ctx, u.ID))(t)
		if !got.Meta.Created.Equal(u.Meta.Created) || got.Meta.Version != u.Meta.Version || got.DisplayName != "" {
			t.Errorf("User read back %+v, want what Create returned, %+v", got, u)
		}

		g, err := s.CreateGroup(ctx, &scim.Group{DisplayName: "Admins", Members: []scim.Member{{Value: u.ID}}})
		if err != nil {
			t.Fatalf("CreateGroup with no meta times over NOT NULL DEFAULT columns: %v", err)
		}
		if g.Meta.Created.IsZero() || len(g.Members) != 1 {
			t.Errorf("CreateGroup returned %+v, want the database's default times and the member", g)
		}
		if gg := must(s.Group(ctx, g.ID, false))(t); !gg.Meta.Created.Equal(g.Meta.Created) {
			t.Errorf("Group read back created %v, CreateGroup returned %v", gg.Meta.Created, g.Meta.Created)
		}

		typ := agentType()
		r, err := s.CreateResource(ctx, &typ, &scim.Resource{Attributes: map[string]any{"name": "build-bot"}})
		if err != nil {
			t.Fatalf("CreateResource with no meta times over NOT NULL DEFAULT columns: %v", err)
		}
		if rr := must(s.Resource(ctx, &typ, r.ID))(t); !rr.Meta.Created.Equal(r.Meta.Created) || rr.Meta.Version != r.Meta.Version {
			t.Errorf("Resource read back %+v, CreateResource returned %+v", rr.Meta, r.Meta)
		}
	})
}
