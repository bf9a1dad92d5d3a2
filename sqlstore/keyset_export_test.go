package sqlstore

import (
	"context"

	"github.com/scimkit/scim"
)

// KeysetQuery exposes the SQL of the first segment read of a users keyset
// page (LIMIT placeholder last, its argument not included), for the
// EXPLAIN tests.
func (s *Store) KeysetQuery(ctx context.Context, q scim.Query) (string, []any, error) {
	where, args, err := s.listWhere(ctx, q)
	if err != nil {
		return "", nil, err
	}
	o := s.userOrder()
	p, err := s.parseKey(o, q.Seek.Key)
	if err != nil {
		return "", nil, err
	}
	segs := o.segments()
	seg := segs[0]
	if p.set {
		seg = segs[o.segmentOf(p)]
	} else if q.Seek.Backward {
		seg = segs[len(segs)-1]
	}
	src := keysetSource[*scim.User]{s: s, from: s.cfg.Table, cols: s.selectCols, order: o}
	var bound *keyPos
	if p.set {
		bound = &p
	}
	query, qargs := src.query(where, args, seg, bound, q.Seek.Backward, false)
	return query, qargs, nil
}
