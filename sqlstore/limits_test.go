package sqlstore_test

import (
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// TestLimitsEveryAttribute attacks every attribute /Schemas advertises
// over sqlstore on each database: users and groups, strict with the
// host's attributes in the JSON column and the RFC profile. What the
// handler refuses never reaches the database (PostgreSQL would refuse a
// NUL with an error that names no attribute; MariaDB and SQLite would
// store it).
func TestLimitsEveryAttribute(t *testing.T) {
	host := []schema.Attribute{
		{Name: "regions", Type: schema.String, MultiValued: true},
		{Name: "costCode", Type: schema.String},
	}
	configs := []struct {
		name string
		cfg  scim.Config
	}{
		{"strict with host attributes", scim.Config{Attributes: host}},
		{"RFC profile", scim.Config{Profile: scim.ProfileRFC}},
	}
	forEachDB(t, func(t *testing.T, d database) {
		for _, c := range configs {
			t.Run(c.name, func(t *testing.T) {
				s, _, _ := d.newGroupStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
				c.cfg.Authenticator = scim.SkipAuthentication
				h, err := scim.NewHandler(s, c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				scimtest.TestLimits(t, h, scimtest.LimitsOptions{})
			})
		}
	})
}
