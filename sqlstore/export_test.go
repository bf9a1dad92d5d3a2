package sqlstore

import (
	"context"

	"github.com/scimkit/scim"
)

// ListQueries exposes the SQL List runs, for the EXPLAIN tests.
func (s *Store) ListQueries(ctx context.Context, q scim.Query) (count, list string, args []any, err error) {
	return s.listQueries(ctx, q)
}
