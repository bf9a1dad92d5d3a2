package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

var _ scim.GroupStore = (*Store)(nil)

// groupStore holds the group capability's names and fixed statements,
// built once by New. Group statements alias the group table g and the
// join table m.
type groupStore struct {
	t GroupTables // with defaults
	// selectCols are the columns scanGroup reads, in order.
	selectCols string
	// byID selects a group by id (and tenant); lock is byID taking the
	// row's write lock.
	byID, lock string
	// memberType is the select expression of a member's type.
	memberType string
	// prefix comes before a group's key in its id (GroupTables.IDPrefix
	// with DatabaseIDs; see groups_ids.go).
	prefix string
	// order is ListGroups' ORDER BY: creation order, as for users.
	order string
}

// chunk bounds the ids one statement takes as parameters: a replace of
// 100,000 members runs as 100 statements, well under every database's
// parameter limit (SQLite's 32,766, PostgreSQL's 65,535).
const chunk = 1000

// ServesGroups reports whether the store has group tables (Config.Groups):
// the handler serves /Groups only when it does.
func (s *Store) ServesGroups() bool { return s.cfg.Groups != nil }

// errNoGroups is returned by the group methods of a Store whose Config has
// no Groups (but UserGroups, which finds no groups): it implements
// scim.GroupStore but serves no groups.
var errNoGroups = fmt.Errorf("sqlstore: Config.Groups is not set: %w", errors.ErrUnsupported)

func newGroupStore(s *Store) *groupStore {
	t := s.cfg.Groups.withDefaults(s.cfg)
	k := t.Columns
	g := &groupStore{t: t, memberType: "'" + scim.MemberUser + "'"}
	if s.cfg.IDs == DatabaseIDs {
		g.prefix = t.IDPrefix
	}
	if t.MemberColumns.Type != "" {
		g.memberType = "m." + t.MemberColumns.Type
	}
	g.selectCols = strings.Join([]string{"g." + k.ID, "g." + k.DisplayName, "g." + k.ExternalID,
		"g." + k.Created, "g." + k.LastModified, "g." + k.Version}, ", ")
	where, _ := s.groupWhere(1)
	g.byID = "SELECT " + g.selectCols + " FROM " + t.Table + " g WHERE " + where
	g.lock = g.byID
	if s.cfg.Dialect != SQLite {
		g.lock += " FOR UPDATE"
	}
	g.order = "g." + k.ID
	if s.cfg.IDs == UUIDs {
		g.order = "g." + k.Created + ", g." + k.ID
	}
	return g
}

// groupWhere returns "g.id = ? [AND g.tenant = ?]" with placeholders from
// n on, and the number it used.
func (s *Store) groupWhere(n int) (string, int) {
	k := s.cfg.Groups.withDefaults(s.cfg).Columns
	w := "g." + k.ID + " = " + s.idPH(n)
	if k.Tenant == "" {
		return w, 1
	}
	return w + " AND g." + k.Tenant + " = " + s.ph(n+1), 2
}

// idPH is the placeholder of an id compared with an id column: ids are
// case-exact, and on MySQL BINARY ? makes them so in a column of any
// collation while still using its index.
func (s *Store) idPH(n int) string {
	if s.cfg.Dialect == MySQL && s.cfg.IDs == UUIDs {
		return "BINARY " + s.ph(n)
	}
	return s.ph(n)
}

// groupKey returns the tenant and the arguments of groupWhere, or an error
// wrapping scim.ErrNotFound for an id that cannot be a group's.
func (s *Store) groupKey(ctx context.Context, id string) (string, []any, error) {
	if s.groups == nil {
		return "", nil, errNoGroups
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	key, ok := s.groupArg(id)
	if !ok {
		return "", nil, fmt.Errorf("sqlstore: group %q: %w", id, scim.ErrNotFound)
	}
	if s.groups.t.Columns.Tenant == "" {
		return tenant, []any{key}, nil
	}
	return tenant, []any{key, tenant}, nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanGroup reads a group from a row of groupStore.selectCols.
func (s *Store) scanGroup(r rowScanner) (*scim.Group, error) {
	var (
		id, name, ext     sql.NullString
		created, modified sql.NullTime
		version           int64
	)
	if err := r.Scan(&id, &name, &ext, &created, &modified, &version); err != nil {
		return nil, err
	}
	return &scim.Group{ID: s.groupID(id.String), DisplayName: name.String, ExternalID: ext.String,
		Meta: scim.Meta{Created: dbTime(created.Time), LastModified: dbTime(modified.Time), Version: formatVersion(version)}}, nil
}

// CreateGroup inserts g with version 1 and its members, in one
// transaction that first finds every member among the tenant's users and
// groups: unknown ones are an *scim.UnknownMembersError and nothing is
// stored.
func (s *Store) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	if g.Meta.Created.IsZero() || g.Meta.LastModified.IsZero() {
		c := *g
		c.Meta.Created, c.Meta.LastModified = stampTimes(g.Meta)
		g = &c
	}
	if s.groups == nil {
		return nil, errNoGroups
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	t := s.groups.t
	k := t.Columns
	var out *scim.Group
	err = s.inTx(ctx, func(tx txConn) error {
		members, unknown, err := s.resolveMembers(ctx, tx, tenant, g.Members)
		if err != nil {
			return err
		}
		if len(unknown) > 0 {
			return &scim.UnknownMembersError{IDs: unknown}
		}
		cols := []string{k.DisplayName, k.ExternalID, k.Created, k.LastModified, k.Version}
		vals := []any{g.DisplayName, nullString(g.ExternalID), nullTime(g.Meta.Created), nullTime(g.Meta.LastModified), int64(1)}
		if k.Tenant != "" {
			cols, vals = append(cols, k.Tenant), append(vals, tenant)
		}
		if s.cfg.Dialect == SQLite && k.DisplayNameLower != "" {
			cols, vals = append(cols, k.DisplayNameLower), append(vals, foldString(g.DisplayName))
		}
		id := ""
		if s.cfg.IDs == UUIDs {
			id = newUUID()
			cols, vals = append(cols, k.ID), append(vals, id)
		}
		id, err = s.insert(ctx, t.Table, k.ID, cols, vals, id, tx.ExecContext,
			func(ctx context.Context, q string, args ...any) scanner { return tx.QueryRowContext(ctx, q, args...) })
		if err != nil {
			return fmt.Errorf("sqlstore: create group %q: %w", g.DisplayName, err)
		}
		gid, _ := s.idArg(id)
		if _, err := s.insertMembers(ctx, tx, gid, members); err != nil {
			return err
		}
		out = &scim.Group{ID: s.groupID(id), DisplayName: g.DisplayName, ExternalID: g.ExternalID, Members: members,
			Meta: scim.Meta{Created: dbTime(g.Meta.Created), LastModified: dbTime(g.Meta.LastModified), Version: formatVersion(1)}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Group reads the group's row, and its members from the join table only
// when members is true.
func (s *Store) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	_, key, err := s.groupKey(ctx, id)
	if err != nil {
		return nil, err
	}
	g, err := s.scanGroup(s.queryRow(ctx, s.groups.byID, key...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: group %q: %w", id, scim.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: read group %q: %w", id, err)
	}
	if members {
		m := s.groups.t.MemberColumns
		rows, err := s.query(ctx, "SELECT m."+m.Member+", "+s.groups.memberType+" FROM "+s.groups.t.Members+" m WHERE m."+m.Group+" = "+s.ph(1), key[0])
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read members of group %q: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var v, typ string
			if err := rows.Scan(&v, &typ); err != nil {
				return nil, fmt.Errorf("sqlstore: read members of group %q: %w", id, err)
			}
			g.Members = append(g.Members, scim.Member{Value: s.memberValue(v, typ), Type: typ})
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: read members of group %q: %w", id, err)
		}
	}
	return g, nil
}

// ModifyGroup applies c in one transaction that holds the group row's
// write lock: membership changes are set operations on the join table
// (INSERT that ignores present rows, DELETE by key), never a read and
// rewrite of the member list, and the version moves only when a row
// changed.
func (s *Store) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	tenant, key, err := s.groupKey(ctx, id)
	if err != nil {
		return nil, err
	}
	t := s.groups.t
	k, m := t.Columns, t.MemberColumns
	var out *scim.Group
	err = s.inTx(ctx, func(tx txConn) error {
		// Members first: their rows are locked before the group's, the
		// order every group write takes (see inTx).
		var add []scim.Member
		var unknown []string
		if len(c.Add) > 0 {
			var err error
			if add, unknown, err = s.resolveMembers(ctx, tx, tenant, c.Add); err != nil {
				return err
			}
		}
		cur, err := s.lockGroup(ctx, tx, id, key, version)
		if err != nil {
			return err
		}
		if len(unknown) > 0 {
			return &scim.UnknownMembersError{IDs: unknown}
		}
		if slices.Contains(add, scim.Member{Value: id, Type: scim.MemberGroup}) {
			return fmt.Errorf("sqlstore: group %q: %w", id, scim.ErrSelfMember)
		}
		changed := false
		if c.DisplayName != nil && *c.DisplayName != cur.DisplayName {
			cur.DisplayName, changed = *c.DisplayName, true
		}
		if c.ExternalID != nil && *c.ExternalID != cur.ExternalID {
			cur.ExternalID, changed = *c.ExternalID, true
		}
		gid := key[0]
		if c.ReplaceMembers {
			same, err := s.sameMembers(ctx, tx, gid, add)
			if err != nil {
				return err
			}
			if !same {
				if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.Members+" WHERE "+m.Group+" = "+s.ph(1), gid); err != nil {
					return fmt.Errorf("sqlstore: replace members of group %q: %w", id, err)
				}
				if _, err := s.insertMembers(ctx, tx, gid, add); err != nil {
					return err
				}
				changed = true
			}
		} else {
			removed, err := s.removeMembers(ctx, tx, gid, c.Remove)
			if err != nil {
				return err
			}
			added, err := s.insertMembers(ctx, tx, gid, add)
			if err != nil {
				return err
			}
			changed = changed || removed+added > 0
		}
		if changed {
			cur.Meta.LastModified = dbTime(c.Now)
			v, _ := parseVersion(cur.Meta.Version)
			cur.Meta.Version = formatVersion(v + 1)
			sets := []string{k.DisplayName, k.ExternalID, k.LastModified}
			vals := []any{cur.DisplayName, nullString(cur.ExternalID), nullTime(c.Now)}
			if s.cfg.Dialect == SQLite && k.DisplayNameLower != "" {
				sets, vals = append(sets, k.DisplayNameLower), append(vals, foldString(cur.DisplayName))
			}
			for i := range sets {
				sets[i] += " = " + s.ph(i+1)
			}
			where, _ := s.keyWhereOf(k.ID, k.Tenant, len(vals)+1)
			q := "UPDATE " + t.Table + " SET " + strings.Join(sets, ", ") + ", " + k.Version + " = " + k.Version + " + 1 WHERE " + where
			if _, err := tx.ExecContext(ctx, q, append(vals, key...)...); err != nil {
				return fmt.Errorf("sqlstore: change group %q: %w", id, err)
			}
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keyWhereOf is "id = ? [AND tenant = ?]" over unaliased columns, for
// UPDATE and DELETE (MySQL allows no alias in a single-table DELETE).
func (s *Store) keyWhereOf(id, tenant string, n int) (string, int) {
	w := id + " = " + s.idPH(n)
	if tenant == "" {
		return w, 1
	}
	return w + " AND " + tenant + " = " + s.ph(n+1), 2
}

// lockGroup reads the group's row with its write lock, and checks the
// version: an error wraps scim.ErrNotFound or scim.ErrVersionMismatch.
func (s *Store) lockGroup(ctx context.Context, tx txConn, id string, key []any, version string) (*scim.Group, error) {
	g, err := s.scanGroup(tx.QueryRowContext(ctx, s.groups.lock, key...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: group %q: %w", id, scim.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: lock group %q: %w", id, err)
	}
	if version != "" {
		want, ok := parseVersion(version)
		if have, _ := parseVersion(g.Meta.Version); !ok || have != want {
			return nil, fmt.Errorf("sqlstore: group %q: version %s (stored %s): %w", id, version, g.Meta.Version, scim.ErrVersionMismatch)
		}
	}
	return g, nil
}

// DeleteGroup deletes the group, its members' rows and its own rows as a
// member of other groups (whose versions move), and drops its id from the
// references of declared resources (see DeleteResource), in one
// transaction.
func (s *Store) DeleteGroup(ctx context.Context, id, version string) error {
	tenant, key, err := s.groupKey(ctx, id)
	if err != nil {
		return err
	}
	t := s.groups.t
	return s.inTx(ctx, func(tx txConn) error {
		if _, err := s.lockGroup(ctx, tx, id, key, version); err != nil {
			return err
		}
		gid := key[0]
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.Members+" WHERE "+t.MemberColumns.Group+" = "+s.ph(1), gid); err != nil {
			return fmt.Errorf("sqlstore: delete group %q: %w", id, err)
		}
		if t.MemberColumns.Type != "" {
			if err := s.leaveGroups(ctx, tx, gid, scim.MemberGroup); err != nil {
				return fmt.Errorf("sqlstore: delete group %q: %w", id, err)
			}
		}
		where, _ := s.keyWhereOf(t.Columns.ID, t.Columns.Tenant, 1)
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.Table+" WHERE "+where, key...); err != nil {
			return fmt.Errorf("sqlstore: delete group %q: %w", id, err)
		}
		return s.dropReferences(ctx, tx, tenant, id)
	})
}

// leaveGroups removes the member (a deleted user or group) from every
// group and gives each such group a new version. The member's own row
// is locked or gone already, so no transaction can add it meanwhile.
func (s *Store) leaveGroups(ctx context.Context, tx txConn, member any, typ string) error {
	t := s.groups.t
	k, m := t.Columns, t.MemberColumns
	cond := m.Member + " = " + s.ph(1)
	args := []any{member}
	if m.Type != "" {
		cond += " AND " + m.Type + " = " + s.ph(2)
		args = append(args, typ)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+m.Group+" FROM "+t.Members+" WHERE "+cond, args...)
	if err != nil {
		return err
	}
	var groups []any
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return err
		}
		a, _ := s.idArg(g)
		groups = append(groups, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := dbTime(time.Now())
	for part := range slices.Chunk(groups, chunk) {
		q := "UPDATE " + t.Table + " SET " + k.Version + " = " + k.Version + " + 1, " + k.LastModified + " = " + s.ph(1) +
			" WHERE " + k.ID + " IN (" + s.phs(2, len(part)) + ")"
		if _, err := tx.ExecContext(ctx, q, append([]any{now}, part...)...); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM "+t.Members+" WHERE "+cond, args...)
	return err
}

// deleteUser is Store.Delete for a Store that serves groups: the user's
// row and memberships go in one transaction, and its groups get new
// versions. q and args are Delete's statement.
func (s *Store) deleteUser(ctx context.Context, id, version, q string, args, key []any) error {
	tenant, err := s.tenant(ctx)
	if err != nil {
		return err
	}
	deleted := false
	err = s.inTx(ctx, func(tx txConn) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		deleted = true
		if s.groups != nil {
			if err := s.leaveGroups(ctx, tx, key[0], scim.MemberUser); err != nil {
				return err
			}
		}
		return s.dropReferences(ctx, tx, tenant, id)
	})
	if err != nil {
		return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
	}
	if deleted {
		return nil
	}
	if _, err := s.current(ctx, id, key); err != nil {
		return err
	}
	return fmt.Errorf("sqlstore: user %q: version %s: %w", id, version, scim.ErrVersionMismatch)
}

// UserGroups reads the user's groups through the join table's index on
// the member column.
//
// Without Config.Groups a user is in no group.
func (s *Store) UserGroups(ctx context.Context, userID string) ([]scim.GroupRef, error) {
	if s.groups == nil {
		return nil, nil
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	member, ok := s.idArg(userID)
	if !ok {
		return nil, nil
	}
	q, args := s.userGroupsQuery(tenant, member)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: groups of user %q: %w", userID, err)
	}
	defer rows.Close()
	var refs []scim.GroupRef
	for rows.Next() {
		var r scim.GroupRef
		var name sql.NullString
		if err := rows.Scan(&r.ID, &name); err != nil {
			return nil, fmt.Errorf("sqlstore: groups of user %q: %w", userID, err)
		}
		r.ID, r.DisplayName = s.groupID(r.ID), name.String
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: groups of user %q: %w", userID, err)
	}
	return refs, nil
}

func (s *Store) userGroupsQuery(tenant string, member any) (string, []any) {
	t := s.groups.t
	k, m := t.Columns, t.MemberColumns
	q := "SELECT g." + k.ID + ", g." + k.DisplayName + " FROM " + t.Members + " m JOIN " + t.Table + " g ON g." + k.ID + " = m." + m.Group +
		" WHERE m." + m.Member + " = " + s.ph(1)
	args := []any{member}
	if m.Type != "" {
		args = append(args, scim.MemberUser)
		q += " AND m." + m.Type + " = " + s.ph(len(args))
	}
	if k.Tenant != "" {
		args = append(args, tenant)
		q += " AND g." + k.Tenant + " = " + s.ph(len(args))
	}
	return q + " ORDER BY g." + k.ID, args
}

// phs returns n placeholders from the n-th on, joined by commas.
func (s *Store) phs(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.ph(from + i))
	}
	return b.String()
}
