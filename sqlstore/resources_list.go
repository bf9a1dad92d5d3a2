package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// ListResources runs q.Filter as a WHERE clause over the type's table
// (columns as columns, the JSON column's attributes with the dialect's
// JSON functions, as List does): a filter it cannot express is an error
// wrapping scim.ErrUnsupportedFilter. Pages come from LIMIT and OFFSET in
// creation order, TotalResults as List's.
func (s *Store) ListResources(ctx context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, err
	}
	where, args, err := s.resourceWhere(ctx, rt, q)
	if err != nil {
		return nil, err
	}
	k := rt.t
	n := len(args)
	count := "SELECT COUNT(*) FROM " + k.Table + where
	list := "SELECT " + rt.selectCols + " FROM " + k.Table + where +
		" ORDER BY " + rt.orderBy + " LIMIT " + s.ph(n+1) + " OFFSET " + s.ph(n+2)
	page := &scim.ResourcePage{Resources: []*scim.Resource{}}
	page.TotalResults, err = s.pageRows(ctx, t.Name, count, list, args, q, func(rows *sql.Rows) (int, error) {
		defer rows.Close()
		for rows.Next() {
			r, _, err := s.scanResource(rt, rows.Scan)
			if err != nil {
				return 0, err
			}
			page.Resources = append(page.Resources, r)
		}
		return len(page.Resources), rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// ListResourcesKeyset is ListKeyset for a declared type, in
// ListResources' order with its WHERE. TotalResults is -1, as for
// ListKeyset.
func (s *Store) ListResourcesKeyset(ctx context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, err
	}
	where, args, err := s.resourceWhere(ctx, rt, q)
	if err != nil {
		return nil, err
	}
	src := keysetSource[*scim.Resource]{
		s: s, from: rt.t.Table, cols: rt.selectCols, order: rt.order,
		scan: func(rows *sql.Rows) (*scim.Resource, keyPos, error) { return s.scanResource(rt, rows.Scan) },
	}
	items, keys, err := src.page(ctx, where, args, q)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list %s: %w", t.Name, err)
	}
	return &scim.ResourcePage{TotalResults: -1, Resources: items, Keys: keys}, nil
}

// resourceWhere returns the WHERE clause (with its leading " WHERE ", or
// "") of the type's lists: the tenant and q.Filter, and its arguments.
func (s *Store) resourceWhere(ctx context.Context, rt *resourceTable, q scim.Query) (string, []any, error) {
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	return s.where(tenant, rt.t.Tenant, rt.servedIDs(q.Filter), rt.column(s))
}

// column returns the map of the type's resolved filter paths to its
// columns, for filter.SQL: id, externalId and meta's times, the
// attributes of Columns, and the others in the JSON column.
func (rt *resourceTable) column(s *Store) func(filter.AttrPath) (filter.Column, bool) {
	k := rt.t
	return func(p filter.AttrPath) (filter.Column, bool) {
		if p.URN != "" && !rt.hasSchema(p.URN) {
			return filter.Column{}, false
		}
		switch p.Name + "." + p.Sub {
		case "id.":
			if s.cfg.IDs == DatabaseIDs {
				return filter.Column{Name: k.ID, Kind: filter.Number}, true
			}
			return filter.Column{Name: k.ID, Kind: filter.String}, true
		case "externalId.":
			return filter.Column{Name: k.ExternalID, Kind: filter.String}, k.ExternalID != ""
		case "meta.created":
			return filter.Column{Name: k.Created, Kind: filter.DateTime}, k.Created != ""
		case "meta.lastModified":
			c := cmp.Or(k.LastModified, k.Created)
			return filter.Column{Name: c, Kind: filter.DateTime}, c != ""
		}
		for _, c := range rt.cols {
			if c.attr == p.Name {
				col := filter.Column{Name: c.col, Kind: c.kind}
				if c.folded != "" {
					// Case-insensitive comparisons use the folded column
					// the unique index covers, as userName's do.
					col.Folded, col.Fold = c.folded, s.fold()
				}
				return col, p.Sub == ""
			}
		}
		def, ok := k.attribute(p.Name)
		if !ok || k.JSON == "" {
			return filter.Column{}, false
		}
		return jsonColumn(k.JSON, def, p.Sub)
	}
}

// hasSchema reports whether urn is the type's schema or one of its
// extensions'.
func (rt *resourceTable) hasSchema(urn string) bool {
	if strings.EqualFold(urn, rt.t.Type.Schema.ID) {
		return true
	}
	for _, e := range rt.t.Type.Extensions {
		if strings.EqualFold(urn, e.ID) {
			return true
		}
	}
	return false
}

// servedIDs rewrites comparisons of the served id in a copy of f into
// comparisons of the key column, as Store.servedIDs does for groups: with
// a prefix, id eq "agent-12" compares the key with 12, and id eq "12" is
// no resource's id.
func (rt *resourceTable) servedIDs(f filter.Expr) filter.Expr {
	if rt.prefix == "" || f == nil {
		return f
	}
	var walk func(filter.Expr) filter.Expr
	walk = func(f filter.Expr) filter.Expr {
		switch x := f.(type) {
		case *filter.Logical:
			return &filter.Logical{Op: x.Op, Left: walk(x.Left), Right: walk(x.Right)}
		case *filter.Not:
			return &filter.Not{X: walk(x.X)}
		case *filter.Compare:
			if x.Path.Name == "id" && x.Path.Sub == "" {
				return keyCompare(x, func(id string) (string, bool) { return strings.CutPrefix(id, rt.prefix) })
			}
		}
		return f
	}
	return walk(f)
}
