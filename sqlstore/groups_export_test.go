package sqlstore

import (
	"context"

	"github.com/scimkit/scim"
)

// ListGroupQueries exposes the SQL ListGroups runs, for the EXPLAIN tests.
func (s *Store) ListGroupQueries(ctx context.Context, q scim.Query) (count, list string, args []any, err error) {
	return s.listGroupQueries(ctx, q)
}

// UserGroupsQuery exposes the SQL UserGroups runs, for the EXPLAIN tests.
func (s *Store) UserGroupsQuery(tenant string, userID string) (string, []any) {
	return s.userGroupsQuery(tenant, userID)
}
