package sqlstore

import (
	"context"

	"github.com/scimkit/scim"
)

// ListQueries exposes the SQL List runs, for the EXPLAIN tests.
func (s *Store) ListQueries(ctx context.Context, q scim.Query) (count, list string, args []any, err error) {
	return s.listQueries(ctx, q)
}

// UniqueQueries exposes the lookups checkUnique runs for r, for the
// EXPLAIN tests.
func (s *Store) UniqueQueries(ctx context.Context, t *scim.ResourceType, r *scim.Resource) ([]string, [][]any, error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, nil, err
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	var qs []string
	var args [][]any
	for _, rc := range rt.cols {
		q, a, ok, err := s.uniqueQuery(rt, tenant, rc, r.Attributes[rc.attr], nil)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			qs, args = append(qs, q), append(args, a)
		}
	}
	return qs, args, nil
}
