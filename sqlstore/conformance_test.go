package sqlstore_test

import (
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// kitConfig declares the custom attributes scimtest's sample users carry.
var kitConfig = sqlstore.Config{
	Columns: sqlstore.Columns{Tenant: "tenant"},
	Custom: []sqlstore.Custom{
		{Name: "costCenter", Column: "cost_center", Kind: filter.String},
		{Name: "level", Column: "level", Kind: filter.Number},
		{Name: "contractor", Column: "contractor", Kind: filter.Bool},
		{Name: "hired", Column: "hired", Kind: filter.DateTime},
		{Name: "regions", Column: "regions", Kind: filter.String, Multi: true},
		{Name: "badges", Column: "badges", Kind: filter.Number, Multi: true},
		{Name: "flags", Column: "flags", Kind: filter.Bool, Multi: true},
		{Name: "reviews", Column: "reviews", Kind: filter.DateTime, Multi: true},
	},
}

// TestConformance runs the conformance kit on each database, for both ways
// of making ids.
func TestConformance(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				scimtest.TestStore(t, func(t *testing.T) scim.Store {
					cfg := kitConfig
					cfg.IDs = ids
					s, _, _ := d.newStore(t, cfg)
					return s
				})
			})
		}
	})
}
