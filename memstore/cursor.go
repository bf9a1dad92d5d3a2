package memstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var (
	_ scim.KeysetLister      = (*Store)(nil)
	_ scim.GroupKeysetLister = (*Store)(nil)
)

// ListKeyset returns a keyset page of the users that match q.Filter (see
// scim.KeysetLister). A key is an entry's creation number, which no delete
// or compaction changes, so a walk neither skips nor repeats a user that
// lives throughout it. Without a filter a page costs O(Count·log n) at any
// depth; with one, it costs what List's scan costs.
func (s *Store) ListKeyset(ctx context.Context, q scim.Query) (*scim.Page, error) {
	return s.listUsers(ctx, q, true)
}

// ListGroupsKeyset is ListKeyset for groups, with ListGroups' members
// rules.
func (s *Store) ListGroupsKeyset(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	return s.listGroups(ctx, q, true)
}

// parseKey reads a key as formatKey writes it; "" is 0, the list's start
// (or its end, backwards).
func parseKey(k string) (uint64, error) {
	if k == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(k, 36, 64)
	if err != nil || n == 0 || formatKey(n) != k {
		return 0, fmt.Errorf("memstore: key %q is not a position: %w", k, scim.ErrInvalidCursor)
	}
	return n, nil
}

func formatKey(n uint64) string { return strconv.FormatUint(n, 36) }

// prefix returns the number of live entries in slots[:i].
func (o *order[E]) prefix(i int) int {
	n := 0
	for ; i > 0; i -= i & -i {
		n += int(o.tree[i])
	}
	return n
}

// keyset answers a keyset query over one resource type's entries, as query
// answers an index one, and returns the total number of matches and where
// the page lies. Without a filter, the seek is a binary search over the
// creation numbers and a Fenwick rank, and the page is read with page.
func keyset[E comparable](ctx context.Context, q scim.Query, o *order[E], index func(filter.Equality) ([]E, bool), view func(E) filter.Resource, out func(E)) (int, scim.PageKeys, error) {
	var keys scim.PageKeys
	k, err := parseKey(q.Seek.Key)
	if err != nil {
		return 0, keys, err
	}
	count := max(q.Count, 0)
	back := q.Seek.Backward
	emit := func(e E) {
		key := formatKey(o.seqs[*o.slot(e)])
		if keys.First == "" {
			keys.First = key
		}
		keys.Last = key
		out(e)
	}
	if q.Filter == nil {
		var i int // the first slot past the seek position
		switch {
		case !back:
			i = sort.Search(len(o.seqs), func(i int) bool { return o.seqs[i] > k })
		case k == 0:
			i = len(o.seqs)
		default:
			i = sort.Search(len(o.seqs), func(i int) bool { return o.seqs[i] >= k })
		}
		rank := o.prefix(i) // live entries before the position
		start, n := rank, min(count, o.live-rank)
		if back {
			start = max(rank-count, 0)
			n = rank - start
		}
		if n > 0 {
			o.page(start+1, n, emit)
		}
		keys.Before = start > 0
		keys.After = start+n < o.live
		return o.live, keys, nil
	}
	cands, indexed := candidates(q.Filter, o, index)
	if !indexed {
		cands = o.slots
	}
	var none E
	var tail []E // backwards: the matches before the position, the last count kept
	total, n := 0, 0
	for i, e := range cands {
		if e == none {
			continue
		}
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return 0, keys, err
			}
		}
		ok, err := filter.Match(q.Filter, view(e))
		if err != nil {
			return 0, keys, err
		}
		if !ok {
			continue
		}
		total++
		seq := o.seqs[*o.slot(e)]
		switch {
		case !back && seq <= k:
			keys.Before = true
		case !back && n < count:
			emit(e)
			n++
		case !back:
			keys.After = true
		case k != 0 && seq >= k:
			keys.After = true
		default:
			if tail = append(tail, e); len(tail) > 2*count+16 {
				tail = append(tail[:0], tail[len(tail)-count:]...)
				keys.Before = true
			}
		}
	}
	if back {
		if len(tail) > count {
			tail = tail[len(tail)-count:]
			keys.Before = true
		}
		for _, e := range tail {
			emit(e)
		}
	}
	return total, keys, nil
}
