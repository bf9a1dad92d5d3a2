package bench

import (
	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// newMemStore is the store of the scimkit peer and of the heap
// measurement.
func newMemStore() scim.Store { return memstore.New() }
