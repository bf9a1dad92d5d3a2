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

// RefsQueries exposes the statements dropReferences runs for a deleted
// id on t's table: the references table's lookup, and the lock of the
// rows it names (as found now), for the EXPLAIN tests.
func (s *Store) RefsQueries(ctx context.Context, t *scim.ResourceType, id string) (lookup string, lookupArgs []any, lock string, lockArgs []any, err error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return "", nil, "", nil, err
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, "", nil, err
	}
	lookup, lookupArgs = s.refsQuery(rt, tenant, id)
	keys, err := queryStrings(ctx, s.db, lookup, lookupArgs...)
	if err != nil {
		return "", nil, "", nil, err
	}
	lock, lockArgs = s.refsLockQuery(rt, tenant, keys)
	return lookup, lookupArgs, lock, lockArgs, nil
}
