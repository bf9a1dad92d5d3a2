package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// ListGroups runs q.Filter as a WHERE clause over the group table, with
// members.value as a subquery over the join table, pages with LIMIT and
// OFFSET in creation order (TotalResults as List's), and loads members only when q.Members: first
// a count per group of the page when q.MaxMembers caps them, then the
// members of the groups that fit, in one query.
func (s *Store) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	count, list, args, err := s.listGroupQueries(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &scim.GroupPage{}
	page.TotalResults, err = s.pageRows(ctx, "groups", count, list, args, q, func(rows *sql.Rows) (int, error) {
		defer rows.Close()
		for rows.Next() {
			g, err := s.scanGroup(rows)
			if err != nil {
				return 0, err
			}
			page.Groups = append(page.Groups, g)
		}
		return len(page.Groups), rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if q.Members && len(page.Groups) > 0 {
		if err := s.pageMembers(ctx, page.Groups, q.MaxMembers); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// listGroupQueries returns ListGroups' COUNT query and page query, and the
// arguments of their WHERE; the page query takes two more, LIMIT and
// OFFSET.
func (s *Store) listGroupQueries(ctx context.Context, q scim.Query) (count, list string, args []any, err error) {
	where, args, err := s.listGroupWhere(ctx, q)
	if err != nil {
		return "", "", nil, err
	}
	t := s.groups.t
	n := len(args)
	count = "SELECT COUNT(*) FROM " + t.Table + " g" + where
	list = "SELECT " + s.groups.selectCols + " FROM " + t.Table + " g" + where +
		" ORDER BY " + s.groups.order + " LIMIT " + s.ph(n+1) + " OFFSET " + s.ph(n+2)
	return count, list, args, nil
}

// listGroupWhere returns the WHERE clause (with its leading " WHERE ", or
// "") of ListGroups and ListGroupsKeyset over the group table g: the
// tenant and q.Filter, and its arguments.
func (s *Store) listGroupWhere(ctx context.Context, q scim.Query) (where string, args []any, err error) {
	if s.groups == nil {
		return "", nil, errNoGroups
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	tenantCol := s.groups.t.Columns.Tenant
	if tenantCol != "" {
		tenantCol = "g." + tenantCol
	}
	return s.where(tenant, tenantCol, s.servedIDs(q.Filter), s.groupColumn)
}

// pageMembers fills in the members of a page's groups, within max in all
// (0: no cap). A group that does not fit gets MembersOmitted, and later,
// smaller groups of the page may still fit.
func (s *Store) pageMembers(ctx context.Context, groups []*scim.Group, max int) error {
	t := s.groups.t
	m := t.MemberColumns
	// By the key column's text, as the join table's rows name them.
	byKey := make(map[string]*scim.Group, len(groups))
	ids := make([]any, 0, len(groups))
	for _, g := range groups {
		key, _ := s.groupKeyText(g.ID)
		byKey[key] = g
		a, _ := s.idArg(key)
		ids = append(ids, a)
	}
	if max > 0 {
		sizes := map[string]int{}
		q := "SELECT m." + m.Group + ", COUNT(*) FROM " + t.Members + " m WHERE m." + m.Group + " IN (" + s.phs(1, len(ids)) + ") GROUP BY m." + m.Group
		rows, err := s.query(ctx, q, ids...)
		if err != nil {
			return fmt.Errorf("sqlstore: count members: %w", err)
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return fmt.Errorf("sqlstore: count members: %w", err)
			}
			sizes[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlstore: count members: %w", err)
		}
		ids = ids[:0]
		budget := max
		for _, g := range groups {
			key, _ := s.groupKeyText(g.ID)
			switch n := sizes[key]; {
			case n > budget:
				g.MembersOmitted = true
			case n > 0:
				budget -= n
				a, _ := s.idArg(key)
				ids = append(ids, a)
			}
		}
		if len(ids) == 0 {
			return nil
		}
	}
	q := "SELECT m." + m.Group + ", m." + m.Member + ", " + s.groups.memberType + " FROM " + t.Members + " m WHERE m." + m.Group + " IN (" + s.phs(1, len(ids)) + ")"
	rows, err := s.query(ctx, q, ids...)
	if err != nil {
		return fmt.Errorf("sqlstore: read members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var gid string
		var mb scim.Member
		if err := rows.Scan(&gid, &mb.Value, &mb.Type); err != nil {
			return fmt.Errorf("sqlstore: read members: %w", err)
		}
		if g := byKey[gid]; g != nil {
			mb.Value = s.memberValue(mb.Value, mb.Type)
			g.Members = append(g.Members, mb)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: read members: %w", err)
	}
	return nil
}

// groupColumn maps a resolved group filter path to its column, for
// filter.SQL; members.value and members.type are columns of the join
// table's rows, reached by EXISTS.
func (s *Store) groupColumn(p filter.AttrPath) (filter.Column, bool) {
	t := s.groups.t
	k, m := t.Columns, t.MemberColumns
	if p.URN != "" {
		return filter.Column{}, false
	}
	idKind := filter.String
	if s.cfg.IDs == DatabaseIDs {
		idKind = filter.Number
	}
	// IN rather than a correlated EXISTS: SQLite then drives the query
	// from the member index instead of probing it once per group.
	rows := "g." + k.ID + " IN (SELECT m." + m.Group + " FROM " + t.Members + " m WHERE"
	switch p.Name + "." + p.Sub {
	case "id.":
		return filter.Column{Name: "g." + k.ID, Kind: idKind}, true
	case "externalId.":
		return filter.Column{Name: "g." + k.ExternalID, Kind: filter.String}, true
	case "displayName.":
		c := filter.Column{Name: "g." + k.DisplayName, Kind: filter.String}
		if k.DisplayNameLower != "" {
			c.Folded, c.Fold = "g."+k.DisplayNameLower, s.fold()
		}
		return c, true
	case "members.value":
		return filter.Column{Name: "m." + m.Member, Kind: idKind, Subquery: rows}, true
	case "members.type":
		if m.Type == "" {
			return filter.Column{Name: "'" + scim.MemberUser + "'", Kind: filter.String, Subquery: rows}, true
		}
		return filter.Column{Name: "m." + m.Type, Kind: filter.String, Subquery: rows}, true
	case "meta.created":
		return filter.Column{Name: "g." + k.Created, Kind: filter.DateTime}, true
	case "meta.lastModified":
		return filter.Column{Name: "g." + k.LastModified, Kind: filter.DateTime}, true
	}
	return filter.Column{}, false
}
