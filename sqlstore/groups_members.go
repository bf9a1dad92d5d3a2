package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim"
)

// resolveMembers finds the members among the tenant's users and groups
// with one query per table (per chunk of ids), never one per member, and
// returns them without duplicates and with their types filled in, and
// the ids that name no user or group. A member without a type is the one
// resource with its id: with a group id prefix the id's form says which
// table to look in; without one (UUIDs) a user, else a group. The rows
// found are share-locked (PostgreSQL, MySQL), so that a user deleted
// meanwhile waits for this transaction, and then removes the membership
// it made.
func (s *Store) resolveMembers(ctx context.Context, tx txConn, tenant string, in []scim.Member) ([]scim.Member, []string, error) {
	if len(in) == 0 {
		return nil, nil, nil
	}
	t := s.groups.t
	var userKeys, groupKeys []string
	for _, m := range in {
		if u, _ := s.memberKeys(m); u != "" {
			userKeys = append(userKeys, u)
		}
	}
	users, err := s.existing(ctx, tx, s.cfg.Table, s.cfg.Columns.ID, s.cfg.Columns.Tenant, tenant, userKeys)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: find members: %w", err)
	}
	groups := map[string]bool{}
	if t.MemberColumns.Type != "" {
		for _, m := range in {
			if u, g := s.memberKeys(m); g != "" && !users[u] {
				groupKeys = append(groupKeys, g)
			}
		}
		if groups, err = s.existing(ctx, tx, t.Table, t.Columns.ID, t.Columns.Tenant, tenant, groupKeys); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: find members: %w", err)
		}
	}
	var out []scim.Member
	var unknown []string
	seen := map[scim.Member]bool{}
	for _, m := range in {
		typ := ""
		switch u, g := s.memberKeys(m); {
		case u != "" && users[u]:
			typ = scim.MemberUser
		case g != "" && groups[g]:
			typ = scim.MemberGroup
		}
		if typ == "" {
			if !slices.Contains(unknown, m.Value) {
				unknown = append(unknown, m.Value)
			}
			continue
		}
		r := scim.Member{Value: m.Value, Type: typ}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, unknown, nil
}

// existing returns which of ids (the key column's texts) are keys of
// table in the tenant. Ids are compared exactly in Go too, for a host's
// id column with a case-insensitive collation.
func (s *Store) existing(ctx context.Context, tx txConn, table, idCol, tenantCol, tenant string, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	var args []any
	for _, id := range ids {
		if a, ok := s.idArg(id); ok {
			args = append(args, a)
		}
	}
	lock := map[Dialect]string{PostgreSQL: " FOR SHARE", MySQL: " LOCK IN SHARE MODE"}[s.cfg.Dialect]
	for part := range slices.Chunk(args, chunk) {
		q := "SELECT " + idCol + " FROM " + table + " WHERE "
		from := 1
		if tenantCol != "" {
			q += tenantCol + " = " + s.ph(1) + " AND "
			part = append([]any{tenant}, part...)
			from = 2
		}
		q += idCol + " IN (" + s.phs(from, len(part)-from+1) + ")" + lock
		rows, err := tx.QueryContext(ctx, q, part...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for id := range found {
		if !slices.Contains(ids, id) {
			delete(found, id)
		}
	}
	return found, nil
}

// insertMembers inserts the members' rows, ignoring those there are
// already, and returns how many it inserted.
func (s *Store) insertMembers(ctx context.Context, tx txConn, gid any, members []scim.Member) (int64, error) {
	t := s.groups.t
	m := t.MemberColumns
	cols := m.Group + ", " + m.Member
	width := 2
	if m.Type != "" {
		cols += ", " + m.Type
		width = 3
	}
	head, tail := s.insertIgnoring()
	var added int64
	for part := range slices.Chunk(members, chunk/width) {
		var b strings.Builder
		args := make([]any, 0, len(part)*width)
		b.WriteString(head + t.Members + " (" + cols + ") VALUES ")
		for i, mb := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, gid, s.memberKey(mb))
			if width == 3 {
				args = append(args, mb.Type)
			}
			b.WriteString("(" + s.phs(len(args)-width+1, width) + ")")
		}
		b.WriteString(tail)
		n, err := execCount(ctx, tx, b.String(), args)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: add members: %w", err)
		}
		added += n
	}
	return added, nil
}

// removeMembers deletes the rows of the given member ids and returns how
// many there were. With a group id prefix an id names a user or a group
// by its form, and only that type's row goes; without one (UUIDs) an id
// is one resource's, and its row goes whatever its type.
func (s *Store) removeMembers(ctx context.Context, tx txConn, gid any, ids []string) (int64, error) {
	m := s.groups.t.MemberColumns
	byType := map[string][]any{} // "" when the type does not matter
	for _, id := range ids {
		typ, key := "", id
		if s.groups.prefix != "" {
			is := s.memberType(id)
			typ, key = is.Type, is.Value
		}
		if m.Type == "" && typ == scim.MemberGroup {
			continue // the join table holds users only
		}
		if a, ok := s.idArg(key); ok {
			byType[typ] = append(byType[typ], a)
		}
	}
	var removed int64
	for _, typ := range []string{"", scim.MemberUser, scim.MemberGroup} {
		for part := range slices.Chunk(byType[typ], chunk) {
			args := append([]any{gid}, part...)
			phs := make([]string, len(part))
			for i := range part {
				phs[i] = s.idPH(i + 2)
			}
			q := "DELETE FROM " + s.groups.t.Members + " WHERE " + m.Group + " = " + s.ph(1) + " AND " + m.Member + " IN (" + strings.Join(phs, ", ") + ")"
			if typ != "" && m.Type != "" {
				args = append(args, typ)
				q += " AND " + m.Type + " = " + s.ph(len(args))
			}
			n, err := execCount(ctx, tx, q, args)
			if err != nil {
				return 0, fmt.Errorf("sqlstore: remove members: %w", err)
			}
			removed += n
		}
	}
	return removed, nil
}

// execCount runs q and returns the number of rows it affected.
func execCount(ctx context.Context, tx txConn, q string, args []any) (int64, error) {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sameMembers reports whether the group's members are exactly members,
// reading only the rows of those members and a count: a replace with the
// list the group has is a no-op that keeps its version.
func (s *Store) sameMembers(ctx context.Context, tx txConn, gid any, members []scim.Member) (bool, error) {
	t := s.groups.t
	m := t.MemberColumns
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.Members+" WHERE "+m.Group+" = "+s.ph(1), gid).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlstore: count members: %w", err)
	}
	if n != len(members) {
		return false, nil
	}
	have := map[scim.Member]bool{}
	typ := s.groups.memberType
	if m.Type != "" {
		typ = m.Type
	}
	for part := range slices.Chunk(members, chunk) {
		args := []any{gid}
		for _, mb := range part {
			args = append(args, s.memberKey(mb))
		}
		q := "SELECT " + m.Member + ", " + typ + " FROM " + t.Members + " WHERE " + m.Group + " = " + s.ph(1) +
			" AND " + m.Member + " IN (" + s.phs(2, len(part)) + ")"
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return false, fmt.Errorf("sqlstore: read members: %w", err)
		}
		for rows.Next() {
			var r scim.Member
			if err := rows.Scan(&r.Value, &r.Type); err != nil {
				rows.Close()
				return false, fmt.Errorf("sqlstore: read members: %w", err)
			}
			r.Value = s.memberValue(r.Value, r.Type)
			have[r] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("sqlstore: read members: %w", err)
		}
	}
	for _, mb := range members {
		if !have[mb] {
			return false, nil
		}
	}
	return true, nil
}

// insertIgnoring is the head and tail of an INSERT that skips rows whose
// key is already there, in the store's dialect: a membership or a
// reference added twice is stored once.
func (s *Store) insertIgnoring() (head, tail string) {
	switch s.cfg.Dialect {
	case PostgreSQL:
		return "INSERT INTO ", " ON CONFLICT DO NOTHING"
	case MySQL:
		return "INSERT IGNORE INTO ", ""
	}
	return "INSERT OR IGNORE INTO ", ""
}
