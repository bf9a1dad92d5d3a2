package sqlstore_test

import (
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// TestResourcesKit runs scimtest's checks of a declared type's store on
// each database, for both ways of making ids.
func TestResourcesKit(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				scimtest.TestResourceStore(t, func(t *testing.T) scim.ResourceStore {
					s, _, _ := d.newAgentStore(t, ids)
					return s
				}, agentType())
			})
		}
	})
}
