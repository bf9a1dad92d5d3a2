package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/sqlstore"
)

func TestValidate(t *testing.T) {
	ok := sqlstore.Config{Dialect: sqlstore.PostgreSQL}
	tests := []struct {
		name string
		edit func(*sqlstore.Config)
		err  string // "" when valid
	}{
		{"zero columns", func(*sqlstore.Config) {}, ""},
		{"schema-qualified and quoted", func(c *sqlstore.Config) {
			c.Table, c.Columns.UserName, c.Columns.Tenant = "app.users", `"User Name"`, "org_id"
		}, ""},
		{"no dialect", func(c *sqlstore.Config) { c.Dialect = 0 }, "Dialect"},
		{"unknown IDs", func(c *sqlstore.Config) { c.IDs = 9 }, "IDs"},
		{"injection in a column", func(c *sqlstore.Config) { c.Columns.Email = "email; DROP TABLE users" }, "Columns.Email"},
		{"bad table", func(c *sqlstore.Config) { c.Table = "users x" }, "Table"},
		{"custom without name", func(c *sqlstore.Config) {
			c.Custom = []sqlstore.Custom{{Column: "x", Kind: filter.String}}
		}, "no Name"},
		{"custom twice", func(c *sqlstore.Config) {
			c.Custom = []sqlstore.Custom{{Name: "a", Column: "a", Kind: filter.String}, {Name: "a", Column: "b", Kind: filter.String}}
		}, "twice"},
		{"custom kind", func(c *sqlstore.Config) {
			c.Custom = []sqlstore.Custom{{Name: "a", Column: "a"}}
		}, "Kind"},
		{"custom column", func(c *sqlstore.Config) {
			c.Custom = []sqlstore.Custom{{Name: "a", Column: "a-b", Kind: filter.Bool}}
		}, "Custom[0].Column"},
		{"group table without externalId", func(c *sqlstore.Config) {
			c.Groups = &sqlstore.GroupTables{Columns: sqlstore.GroupColumns{ExternalID: "-"}}
		}, "Groups.Columns.ExternalID"},
		{"group table without its member column", func(c *sqlstore.Config) {
			c.Groups = &sqlstore.GroupTables{MemberColumns: sqlstore.MemberColumns{Member: "-"}}
		}, "Groups.MemberColumns.Member"},
		{"group table without its optional columns", func(c *sqlstore.Config) {
			c.Groups = &sqlstore.GroupTables{MemberColumns: sqlstore.MemberColumns{Type: "-"}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("Validate: %v, want an error about %s", err, tt.err)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	tests := []struct {
		cfg  sqlstore.Config
		want []string // substrings of the statements, in order
	}{
		{sqlstore.Config{Dialect: sqlstore.PostgreSQL, Columns: sqlstore.Columns{Tenant: "tenant"}}, []string{
			"CREATE TABLE scim_users (\n\tid TEXT NOT NULL PRIMARY KEY,\n\ttenant TEXT NOT NULL DEFAULT ''",
			"CREATE UNIQUE INDEX scim_users_user_name_key ON scim_users (tenant, lower(user_name))",
			"CREATE INDEX scim_users_external_id_idx ON scim_users (tenant, external_id)",
			"CREATE INDEX scim_users_email_idx ON scim_users (tenant, lower(email))",
		}},
		{sqlstore.Config{Dialect: sqlstore.MySQL, IDs: sqlstore.DatabaseIDs, Table: "app.people"}, []string{
			"id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
			"user_name_lower VARCHAR(255) AS (lower(user_name)) VIRTUAL",
			"CREATE UNIQUE INDEX people_user_name_key ON app.people (user_name_lower)",
			"ON app.people (external_id)",
			"ON app.people (email_lower)",
		}},
		{sqlstore.Config{Dialect: sqlstore.SQLite, IDs: sqlstore.DatabaseIDs, Columns: sqlstore.Columns{UserNameLower: "-", EmailLower: "-"}}, []string{
			"id INTEGER PRIMARY KEY AUTOINCREMENT",
			"(lower(user_name))",
			"(external_id)",
			"(lower(email))",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.cfg.Dialect.String(), func(t *testing.T) {
			stmts, err := tt.cfg.Schema()
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(stmts, "\n;\n")
			at := 0
			for _, w := range tt.want {
				i := strings.Index(all[at:], w)
				if i < 0 {
					t.Fatalf("missing or out of order: %q in\n%s", w, all)
				}
				at += i + len(w)
			}
		})
	}
	if _, err := (sqlstore.Config{}).Schema(); err == nil {
		t.Error("Schema of a Config without Dialect: no error")
	}
}
