package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

var (
	_ scim.KeysetLister      = (*Store)(nil)
	_ scim.GroupKeysetLister = (*Store)(nil)
)

// ListKeyset returns a keyset page of the users that match q.Filter, in
// List's order (see scim.KeysetLister): the filter is the WHERE of List,
// and the position a row-value comparison on the order's columns, so that
// a page at any depth is an index range read of Count+1 rows (the extra
// row tells Keys.After) plus a one-row probe for the other side. A key
// is the position of a row in that order: its id for database ids, its
// created time in microseconds and its id for UUIDs.
//
// TotalResults is -1: a COUNT(*) of the filter costs a scan of every
// matching row on every page, which is what keyset paging exists to
// avoid; the ListResponse then omits totalResults (RFC 9865 §2).
func (s *Store) ListKeyset(ctx context.Context, q scim.Query) (*scim.Page, error) {
	where, args, err := s.listWhere(ctx, q)
	if err != nil {
		return nil, err
	}
	lean := s.leanList(q)
	cols := s.selectCols
	if lean {
		cols = s.selectLean
	}
	src := keysetSource[*scim.User]{
		s: s, from: s.cfg.Table, cols: cols, order: s.userOrder(),
		scan: func(rows *sql.Rows) (*scim.User, keyPos, error) {
			u, vals, err := s.scanRow(rows.Scan, lean)
			if err != nil {
				return nil, keyPos{}, err
			}
			var created any
			if s.created >= 0 {
				created = vals[s.created]
			} else if !u.Meta.Created.IsZero() {
				created = u.Meta.Created
			}
			p, err := s.rowPos(u.ID, created)
			return u, p, err
		},
	}
	users, keys, err := src.page(ctx, where, args, q)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	return &scim.Page{TotalResults: -1, Users: users, Keys: keys}, nil
}

// ListGroupsKeyset is ListKeyset for groups, in ListGroups' order and with
// its members rules (q.Members, q.MaxMembers). TotalResults is -1, as for
// ListKeyset.
func (s *Store) ListGroupsKeyset(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	where, args, err := s.listGroupWhere(ctx, q)
	if err != nil {
		return nil, err
	}
	src := keysetSource[*scim.Group]{
		s: s, from: s.groups.t.Table + " g", cols: s.groups.selectCols, order: s.groupOrder(),
		scan: func(rows *sql.Rows) (*scim.Group, keyPos, error) {
			g, err := s.scanGroup(rows)
			if err != nil {
				return nil, keyPos{}, err
			}
			var created any
			if !g.Meta.Created.IsZero() {
				created = g.Meta.Created
			}
			key, _ := s.groupKeyText(g.ID)
			p, err := s.rowPos(key, created)
			return g, p, err
		},
	}
	groups, keys, err := src.page(ctx, where, args, q)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list groups: %w", err)
	}
	page := &scim.GroupPage{TotalResults: -1, Groups: groups, Keys: keys}
	if q.Members && len(groups) > 0 {
		if err := s.pageMembers(ctx, groups, q.MaxMembers); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// keyOrder is a list order as a keyset sees it: by created then id, or by
// id alone (created == "").
type keyOrder struct {
	created, id string
	// nullsFirst: the dialect sorts a NULL created before every time
	// (MySQL, SQLite) rather than after (PostgreSQL).
	nullsFirst bool
}

// userOrder is s.order as a keyOrder.
func (s *Store) userOrder() keyOrder {
	k := s.cfg.Columns
	o := keyOrder{id: k.ID, nullsFirst: s.cfg.Dialect != PostgreSQL}
	if s.cfg.IDs == UUIDs && k.Created != "" {
		o.created = k.Created
	}
	return o
}

// groupOrder is s.groups.order as a keyOrder.
func (s *Store) groupOrder() keyOrder {
	k := s.groups.t.Columns
	o := keyOrder{id: "g." + k.ID, nullsFirst: s.cfg.Dialect != PostgreSQL}
	if s.cfg.IDs == UUIDs {
		o.created = "g." + k.Created
	}
	return o
}

// keyPos is a position in a keyOrder: a row's id, and its created time
// when the order has one (null: the row's created is NULL).
type keyPos struct {
	set  bool // false: no position, the start (or the end) of the list
	null bool
	at   time.Time
	id   any // int64 for database ids, else string
}

// maxKey is the longest key a store may hand out (scim.KeysetLister).
const maxKey = 256

// rowPos is the position of the row with id and created (nil when NULL).
func (s *Store) rowPos(id string, created any) (keyPos, error) {
	p := keyPos{set: true, id: id}
	if s.cfg.IDs == DatabaseIDs {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return p, fmt.Errorf("id %q is not a database id", id)
		}
		p.id = n
	}
	t, ok := created.(time.Time)
	p.null, p.at = !ok, t.UTC().Truncate(time.Microsecond)
	return p, nil
}

// formatKey writes p as a key of order o: the decimal id for database
// ids; for a (created, id) order "t<Unix microseconds>_<id>", or "n<id>"
// when created is NULL; the id itself for an order by string ids alone.
func formatKey(o keyOrder, p keyPos) (string, error) {
	id := fmt.Sprint(p.id)
	var k string
	switch {
	case o.created == "":
		k = id
	case p.null:
		k = "n" + id
	default:
		k = "t" + strconv.FormatInt(p.at.UnixMicro(), 10) + "_" + id
	}
	if len(k) > maxKey {
		return "", fmt.Errorf("the key of id %q is longer than %d bytes", id, maxKey)
	}
	return k, nil
}

// parseKey reads a key formatKey wrote; "" is no position. Anything else
// is an error wrapping scim.ErrInvalidCursor.
func (s *Store) parseKey(o keyOrder, k string) (keyPos, error) {
	if k == "" {
		return keyPos{}, nil
	}
	bad := func() (keyPos, error) {
		return keyPos{}, fmt.Errorf("sqlstore: key %q is not a position: %w", k, scim.ErrInvalidCursor)
	}
	if len(k) > maxKey {
		return bad()
	}
	p := keyPos{set: true}
	id := k
	if o.created != "" {
		switch {
		case strings.HasPrefix(k, "n"):
			p.null, id = true, k[1:]
		case strings.HasPrefix(k, "t"):
			micros, rest, ok := strings.Cut(k[1:], "_")
			n, err := strconv.ParseInt(micros, 10, 64)
			if !ok || err != nil {
				return bad()
			}
			p.at, id = time.UnixMicro(n).UTC(), rest
		default:
			return bad()
		}
	}
	if id == "" {
		return bad()
	}
	p.id = id
	if s.cfg.IDs == DatabaseIDs {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return bad()
		}
		p.id = n
	}
	if again, err := formatKey(o, p); err != nil || again != k {
		return bad()
	}
	return p, nil
}

// keysetSource reads keyset pages of one resource type.
type keysetSource[T any] struct {
	s     *Store
	from  string // the table, with its alias
	cols  string // the columns scan reads
	order keyOrder
	scan  func(*sql.Rows) (T, keyPos, error)
}

// segment is a part of the list, in list order, that one index range
// serves: with a (created, id) order, the rows whose created is NULL
// (ordered by id) and the others (ordered by created, id), one before the
// other as the dialect sorts NULLs.
type segment struct {
	cond string // "" or a condition selecting the segment's rows
	null bool   // the rows with a NULL created
}

func (o keyOrder) segments() []segment {
	if o.created == "" {
		return []segment{{}}
	}
	null := segment{cond: o.created + " IS NULL", null: true}
	vals := segment{cond: o.created + " IS NOT NULL"}
	if o.nullsFirst {
		return []segment{null, vals}
	}
	return []segment{vals, null}
}

// segmentOf returns the index of p's segment.
func (o keyOrder) segmentOf(p keyPos) int {
	return slices.IndexFunc(o.segments(), func(g segment) bool { return g.null == p.null })
}

// page answers q: the rows of where (with args) on the page q.Seek names,
// in list order, and the page's keys.
func (src keysetSource[T]) page(ctx context.Context, where string, args []any, q scim.Query) ([]T, scim.PageKeys, error) {
	var keys scim.PageKeys
	p, err := src.s.parseKey(src.order, q.Seek.Key)
	if err != nil {
		return nil, keys, err
	}
	count := max(q.Count, 0)
	back := q.Seek.Backward
	items, poss, err := src.fetch(ctx, where, args, p, back, false, count+1)
	if err != nil {
		return nil, keys, err
	}
	more := len(items) > count
	if more {
		items, poss = items[:count], poss[:count]
	}
	if back {
		slices.Reverse(items)
		slices.Reverse(poss)
	}
	// The other side of the page: rows at or beyond the position, read
	// as one row of the opposite walk.
	other := false
	if p.set {
		n, _, err := src.fetch(ctx, where, args, p, !back, true, 1)
		if err != nil {
			return nil, keys, err
		}
		other = len(n) > 0
	}
	keys.Before, keys.After = other, more
	if back {
		keys.Before, keys.After = more, other
	}
	if len(items) > 0 {
		if keys.First, err = formatKey(src.order, poss[0]); err != nil {
			return nil, keys, err
		}
		if keys.Last, err = formatKey(src.order, poss[len(poss)-1]); err != nil {
			return nil, keys, err
		}
	}
	if items == nil {
		items = []T{}
	}
	return items, keys, nil
}

// fetch reads up to limit rows of where from position p on, forward in
// list order or backward (then in reverse list order), beyond p or, when
// inclusive, at or beyond it. It reads segment after segment, each with an
// index range, until it has limit rows.
func (src keysetSource[T]) fetch(ctx context.Context, where string, args []any, p keyPos, back, inclusive bool, limit int) ([]T, []keyPos, error) {
	var items []T
	var poss []keyPos
	segs := src.order.segments()
	i, step, end := 0, 1, len(segs)
	if back {
		i, step, end = len(segs)-1, -1, -1
	}
	if p.set {
		i = src.order.segmentOf(p)
	}
	first := true
	for ; i != end && len(items) < limit; i += step {
		var bound *keyPos
		if first && p.set {
			bound = &p
		}
		first = false
		query, qargs := src.query(where, args, segs[i], bound, back, inclusive)
		rows, err := src.s.query(ctx, query, append(qargs, int64(limit-len(items)))...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			it, pos, err := src.scan(rows)
			if err != nil {
				rows.Close()
				return nil, nil, err
			}
			items, poss = append(items, it), append(poss, pos)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return items, poss, nil
}

// query returns the SELECT of one segment's rows of where beyond bound
// (nil: the whole segment) in the walk's direction, with a LIMIT
// placeholder last, and its arguments but the limit.
func (src keysetSource[T]) query(where string, args []any, seg segment, bound *keyPos, back, inclusive bool) (string, []any) {
	s, o := src.s, src.order
	var conds []string
	if w := strings.TrimPrefix(where, " WHERE "); w != "" {
		conds = append(conds, "("+w+")")
	}
	if seg.cond != "" {
		conds = append(conds, seg.cond)
	}
	args = slices.Clone(args)
	if bound != nil {
		op := map[bool]string{false: ">", true: "<"}[back]
		eq := op
		if inclusive {
			eq += "="
		}
		ph := func(v any) string {
			args = append(args, v)
			return s.ph(len(args))
		}
		switch {
		case seg.null || o.created == "":
			conds = append(conds, o.id+" "+eq+" "+ph(bound.id))
		case s.cfg.Dialect == MySQL:
			// MariaDB does not turn a row-value comparison into an index
			// range; this form gives it one on created.
			conds = append(conds, o.created+" "+op+"= "+ph(bound.at)+" AND ("+
				o.created+" "+op+" "+ph(bound.at)+" OR "+o.id+" "+eq+" "+ph(bound.id)+")")
		default:
			conds = append(conds, "("+o.created+", "+o.id+") "+eq+" ("+ph(bound.at)+", "+ph(bound.id)+")")
		}
	}
	dir := ""
	if back {
		dir = " DESC"
	}
	order := o.id + dir
	if o.created != "" && !(seg.null && s.cfg.Dialect == MySQL) {
		// Within the NULL segment, created is no order, but naming it
		// steers PostgreSQL to the (tenant, created, id) index, while
		// MariaDB then sorts the range instead of reading it in order.
		order = o.created + dir + ", " + order
	}
	q := "SELECT " + src.cols + " FROM " + src.from
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	return q + " ORDER BY " + order + " LIMIT " + s.ph(len(args)+1), args
}
