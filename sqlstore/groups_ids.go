package sqlstore

import (
	"strconv"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// Group ids as served. With DatabaseIDs and GroupTables.IDPrefix, a
// group's id is the prefix and its key ("g-12"), so that it differs from
// every user's id (the bare key, "12") though both tables count from 1
// (RFC 7643 §3.1). The key columns and the join table's member column
// hold the bare keys; the functions here convert at the Store's edge, and
// a member's type column says which table its key is in.

// idArg is id as a parameter of an id column, false when it cannot be
// one: for database ids, anything but the canonical decimal of an
// integer ("01" and "+1" are no id: ids compare as strings).
func (s *Store) idArg(id string) (any, bool) {
	if s.cfg.IDs == DatabaseIDs {
		n, err := strconv.ParseInt(id, 10, 64)
		return n, err == nil && strconv.FormatInt(n, 10) == id
	}
	return id, true
}

// groupID is the served id of the group whose key column holds key.
func (s *Store) groupID(key string) string { return s.groups.prefix + key }

// groupKeyText is the key column's text of a served group id, false when
// the id lacks the prefix.
func (s *Store) groupKeyText(id string) (string, bool) {
	return strings.CutPrefix(id, s.groups.prefix)
}

// groupArg is the key column's parameter for a served group id, false
// when it names no group.
func (s *Store) groupArg(id string) (any, bool) {
	key, ok := s.groupKeyText(id)
	if !ok {
		return nil, false
	}
	return s.idArg(key)
}

// memberValue is the served id of a member read from the join table.
func (s *Store) memberValue(key, typ string) string {
	if typ == scim.MemberGroup {
		return s.groupID(key)
	}
	return key
}

// memberKey is the member column's parameter for a resolved member.
func (s *Store) memberKey(m scim.Member) any {
	key := m.Value
	if m.Type == scim.MemberGroup {
		key, _ = s.groupKeyText(m.Value)
	}
	a, _ := s.idArg(key)
	return a
}

// memberKeys returns the key column texts under which a member may be a
// user and a group, "" where it cannot be one. With a prefix the id says
// which table it is in; without one (UUIDs, or one shared sequence) a
// member without a type may be either, and resolveMembers looks for a
// user first.
func (s *Store) memberKeys(m scim.Member) (user, group string) {
	if s.groups.prefix == "" {
		if m.Type != scim.MemberGroup {
			user = m.Value
		}
		if m.Type != scim.MemberUser {
			group = m.Value
		}
		return user, group
	}
	is := s.memberType(m.Value)
	switch {
	case m.Type != "" && m.Type != is.Type:
	case is.Type == scim.MemberGroup:
		group = is.Value
	default:
		user = is.Value
	}
	return user, group
}

// servedIDs rewrites a group filter's comparisons of served ids (the
// group's id, members.value) into comparisons of the key columns, in a
// copy: id eq "g-12" compares the key with 12, and id eq "12" is no
// group's id; members.value eq "g-12" is a member row with key 12 and
// type Group, members.value eq "12" one with key 12 and type User. Other
// comparisons are left as they are. Without a prefix f is returned as it
// is.
func (s *Store) servedIDs(f filter.Expr) filter.Expr {
	if s.groups.prefix == "" || f == nil {
		return f
	}
	return s.rewriteIDs(f, false)
}

func (s *Store) rewriteIDs(f filter.Expr, inMembers bool) filter.Expr {
	switch x := f.(type) {
	case *filter.Logical:
		return &filter.Logical{Op: x.Op, Left: s.rewriteIDs(x.Left, inMembers), Right: s.rewriteIDs(x.Right, inMembers)}
	case *filter.Not:
		return &filter.Not{X: s.rewriteIDs(x.X, inMembers)}
	case *filter.ValuePath:
		vp := *x
		vp.Filter = s.rewriteIDs(x.Filter, x.Path.Name == "members" && x.Path.URN == "")
		return &vp
	case *filter.Compare:
		if (x.Op != filter.Eq && x.Op != filter.Ne) || x.Value.Kind != filter.String || x.Path.URN != "" {
			return f
		}
		switch {
		case !inMembers && x.Path.Name == "id" && x.Path.Sub == "":
			return keyCompare(x, s.groupKeyText)
		case inMembers && x.Path.Name == "value" && x.Path.Sub == "":
			return s.memberIs(x)
		case !inMembers && x.Path.Name == "members" && x.Path.Sub == "value":
			return &filter.ValuePath{Path: filter.AttrPath{Name: "members"}, Filter: s.memberIs(x)}
		}
	}
	return f
}

// memberIs is a comparison of a member's value, inside members[…], as
// one of the member row's key and type.
func (s *Store) memberIs(c *filter.Compare) filter.Expr {
	m := s.memberType(c.Value.Str)
	key := &filter.Compare{Path: filter.AttrPath{Name: "value"}, Op: filter.Eq, CaseExact: true,
		Value: filter.Value{Kind: filter.String, Str: m.Value}}
	typ := &filter.Compare{Path: filter.AttrPath{Name: "type"}, Op: filter.Eq, CaseExact: true,
		Value: filter.Value{Kind: filter.String, Str: m.Type}}
	var is filter.Expr = &filter.Logical{Op: filter.And, Left: key, Right: typ}
	if c.Op == filter.Ne {
		is = &filter.Not{X: is}
	}
	return is
}

// memberType is the member a served id names: its key and its type, by
// the id's form.
func (s *Store) memberType(id string) scim.Member {
	if key, ok := s.groupKeyText(id); ok {
		return scim.Member{Value: key, Type: scim.MemberGroup}
	}
	return scim.Member{Value: id, Type: scim.MemberUser}
}

// keyCompare is a comparison of a served id (eq or ne a string) as one of
// the key column, whose text key returns (false: the id is no key of the
// table's, so eq holds for no row and ne for every one). Other
// comparisons are returned as they are.
func keyCompare(x *filter.Compare, key func(string) (string, bool)) filter.Expr {
	if (x.Op != filter.Eq && x.Op != filter.Ne) || x.Value.Kind != filter.String {
		return x
	}
	k, ok := key(x.Value.Str)
	if !ok {
		pr := &filter.Compare{Path: x.Path, Op: filter.Pr, CaseExact: true}
		if x.Op == filter.Eq {
			return &filter.Not{X: pr}
		}
		return pr
	}
	c := *x
	c.Value.Str = k
	return &c
}
