package memstore

import (
	"context"
	"slices"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// query answers a list query over one resource type's entries, users or
// groups, and returns the total number of matches. Without a filter it
// pages o, which costs O(Count·log n) at any StartIndex. With one, the
// entries that index offers (see candidates), or else every entry, are
// tested with filter.Match through view, so the result is exactly
// Match's; out receives the page's entries in order. The scan observes
// ctx, so a request that times out stops scanning.
func query[E comparable](ctx context.Context, q scim.Query, o *order[E], index func(filter.Equality) ([]E, bool), view func(E) filter.Resource, out func(E)) (int, error) {
	start := max(q.StartIndex, 1)
	count := max(q.Count, 0)
	if q.Filter == nil {
		if start <= o.live && count > 0 {
			o.page(start, count, out)
		}
		return o.live, nil
	}
	cands, indexed := candidates(q.Filter, o, index)
	if !indexed {
		cands = o.slots
	}
	total, n := 0, 0
	var none E
	for i, e := range cands {
		if e == none {
			continue
		}
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		ok, err := filter.Match(q.Filter, view(e))
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		total++
		if total >= start && n < count {
			out(e)
			n++
		}
	}
	return total, nil
}

// list runs a list query over o: by keyset (see keyset) when byKey is
// set, else by index (see query).
func list[E comparable](ctx context.Context, q scim.Query, byKey bool, o *order[E], index func(filter.Equality) ([]E, bool), view func(E) filter.Resource, out func(E)) (int, scim.PageKeys, error) {
	if byKey {
		return keyset(ctx, q, o, index, view, out)
	}
	total, err := query(ctx, q, o, index, view, out)
	return total, scim.PageKeys{}, err
}

// candidates returns, in creation order (o's), a superset of the entries
// that match f, taken from the smallest index that an equality of f can use:
// index answers one equality, reporting false when it has no index for it.
// candidates reports false when no equality has one.
func candidates[E comparable](f filter.Expr, o *order[E], index func(filter.Equality) ([]E, bool)) ([]E, bool) {
	eqs, ok := filter.Equalities(f)
	if !ok {
		return nil, false
	}
	var best []E
	found := false
	for _, eq := range eqs {
		if eq.Value.Kind != filter.String || eq.Path.URN != "" {
			continue
		}
		c, ok := index(eq)
		if !ok {
			continue
		}
		if !found || len(c) < len(best) {
			best, found = c, true
		}
		if len(best) == 0 {
			break
		}
	}
	if len(best) > 1 {
		slices.SortFunc(best, func(a, b E) int { return *o.slot(a) - *o.slot(b) })
	}
	return best, found
}
