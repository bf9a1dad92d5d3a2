package memstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var _ scim.GroupStore = (*Store)(nil)

// groups holds one tenant's groups and the membership index both ways:
// each group's members, and each member's groups. Adding or removing one
// member is O(1) whatever the group's size, and deleting a user touches
// only the groups it is in.
type groups struct {
	byID   map[string]*gentry
	byName chain[string, *gentry] // fold(displayName)
	byExt  chain[string, *gentry]
	order  order[*gentry]
	// memberOf maps a member's id (a user's or a group's) to the groups it
	// is a direct member of.
	memberOf map[string]map[*gentry]struct{}
}

// gentry is a stored group. Its members are a slice (for paging them
// out) and a map from id to position in it (for O(1) membership tests and
// swap-removes).
type gentry struct {
	group    scim.Group // Members nil
	ver      uint64
	slot     int
	members  []scim.Member
	index    map[string]int
	nextName *gentry
	nextExt  *gentry
}

func (g *gentry) slotIndex() *int { return &g.slot }

func (gs *groups) init() {
	if gs.byID == nil {
		gs.byID = make(map[string]*gentry)
		gs.byName = chain[string, *gentry]{m: make(map[string]*gentry), link: func(g *gentry) **gentry { return &g.nextName }}
		gs.byExt = chain[string, *gentry]{m: make(map[string]*gentry), link: func(g *gentry) **gentry { return &g.nextExt }}
		gs.order.slot = (*gentry).slotIndex
		gs.memberOf = make(map[string]map[*gentry]struct{})
	}
}

// view is the group with its members for reading under the tenant's lock:
// no copy is made, so it must not escape.
func (g *gentry) view() *scim.Group {
	v := g.group
	v.Members = g.members
	return &v
}

// copyOut returns a copy of the group for a caller, with its members when
// asked.
func (g *gentry) copyOut(members bool) *scim.Group {
	c := g.group
	if members {
		c.Members = slices.Clone(g.members)
		if c.Members == nil {
			c.Members = []scim.Member{}
		}
	}
	return &c
}

func (g *gentry) bump() {
	g.ver++
	g.group.Meta.Version = versionTag(g.ver)
}

// CreateGroup stores a copy of g with a new random ID and version W/"1".
func (s *Store) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := s.tenant(ctx, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	gs := &t.groups
	gs.init()
	add, err := t.resolveMembers(g.Members)
	if err != nil {
		return nil, err
	}
	e := &gentry{group: *g, ver: 1, index: make(map[string]int, len(add))}
	e.group.Members = nil
	e.group.MembersOmitted = false
	e.group.Meta.Version = versionTag(1)
	e.group.ID = newID()
	for t.idTaken(e.group.ID) {
		e.group.ID = newID()
	}
	gs.byID[e.group.ID] = e
	gs.byName.add(fold(e.group.DisplayName), e)
	gs.byExt.add(e.group.ExternalID, e)
	gs.order.push(e)
	for _, m := range add {
		gs.addMember(e, m)
	}
	return e.copyOut(true), nil
}

// resolveMembers checks that every member names a user or group of the
// tenant and fills in its type. Users and groups never share an id (see
// Create and CreateGroup), so a member without a type is exactly one of
// them. The caller holds t.mu.
func (t *tenant) resolveMembers(ms []scim.Member) ([]scim.Member, error) {
	var unknown []string
	out := make([]scim.Member, 0, len(ms))
	for _, m := range ms {
		isUser := t.user(m.Value) != 0
		isGroup := t.groups.byID[m.Value] != nil
		switch {
		case m.Type == scim.MemberUser && isUser, m.Type == scim.MemberGroup && isGroup:
		case m.Type == "" && isUser:
			m.Type = scim.MemberUser
		case m.Type == "" && isGroup:
			m.Type = scim.MemberGroup
		default:
			unknown = append(unknown, m.Value)
			continue
		}
		out = append(out, m)
	}
	if unknown != nil {
		return nil, &scim.UnknownMembersError{IDs: unknown}
	}
	return out, nil
}

// addMember adds m to e unless it is there, and reports whether it added.
func (gs *groups) addMember(e *gentry, m scim.Member) bool {
	if _, ok := e.index[m.Value]; ok {
		return false
	}
	e.index[m.Value] = len(e.members)
	e.members = append(e.members, m)
	of := gs.memberOf[m.Value]
	if of == nil {
		of = make(map[*gentry]struct{}, 1)
		gs.memberOf[m.Value] = of
	}
	of[e] = struct{}{}
	return true
}

// removeMember removes the member with the given id from e, moving the
// last member into its place, and reports whether it was there.
func (gs *groups) removeMember(e *gentry, id string) bool {
	i, ok := e.index[id]
	if !ok {
		return false
	}
	last := len(e.members) - 1
	if i != last {
		e.members[i] = e.members[last]
		e.index[e.members[i].Value] = i
	}
	e.members[last] = scim.Member{}
	e.members = e.members[:last]
	delete(e.index, id)
	if of := gs.memberOf[id]; of != nil {
		delete(of, e)
		if len(of) == 0 {
			delete(gs.memberOf, id)
		}
	}
	return true
}

// Group returns a copy of the group with the given id.
func (s *Store) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	t, err := s.existing(ctx, func() error { return groupNotFound(id) })
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	e := t.groups.byID[id]
	if e == nil {
		return nil, groupNotFound(id)
	}
	return e.copyOut(members), nil
}

// ModifyGroup applies c to the group with the given id under the tenant's
// lock: its cost is that of the change, not of the group.
func (s *Store) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	t, err := s.writing(ctx, func() error { return groupNotFound(id) })
	if err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	gs := &t.groups
	e := gs.byID[id]
	if e == nil {
		return nil, groupNotFound(id)
	}
	if err := checkGroupVersion(e, version); err != nil {
		return nil, err
	}
	add, err := t.resolveMembers(c.Add)
	if err != nil {
		return nil, err
	}
	if slices.Contains(add, scim.Member{Value: id, Type: scim.MemberGroup}) {
		return nil, fmt.Errorf("memstore: group %q: %w", id, scim.ErrSelfMember)
	}
	changed := false
	if c.DisplayName != nil && *c.DisplayName != e.group.DisplayName {
		gs.byName.remove(fold(e.group.DisplayName), e)
		e.group.DisplayName = *c.DisplayName
		gs.byName.add(fold(e.group.DisplayName), e)
		changed = true
	}
	if c.ExternalID != nil && *c.ExternalID != e.group.ExternalID {
		gs.byExt.remove(e.group.ExternalID, e)
		e.group.ExternalID = *c.ExternalID
		gs.byExt.add(e.group.ExternalID, e)
		changed = true
	}
	if c.ReplaceMembers {
		keep := make(map[string]struct{}, len(add))
		for _, m := range add {
			keep[m.Value] = struct{}{}
		}
		for i := len(e.members) - 1; i >= 0; i-- {
			if _, ok := keep[e.members[i].Value]; !ok {
				gs.removeMember(e, e.members[i].Value)
				changed = true
			}
		}
	} else {
		for _, id := range c.Remove {
			changed = gs.removeMember(e, id) || changed
		}
	}
	for _, m := range add {
		changed = gs.addMember(e, m) || changed
	}
	if changed {
		e.bump()
		e.group.Meta.LastModified = c.Now
	}
	return e.copyOut(false), nil
}

// DeleteGroup removes the group, its memberships, and its membership in
// other groups.
func (s *Store) DeleteGroup(ctx context.Context, id, version string) error {
	t, err := s.writing(ctx, func() error { return groupNotFound(id) })
	if err != nil {
		return err
	}
	defer t.mu.Unlock()
	gs := &t.groups
	e := gs.byID[id]
	if e == nil {
		return groupNotFound(id)
	}
	if err := checkGroupVersion(e, version); err != nil {
		return err
	}
	for _, m := range e.members {
		if of := gs.memberOf[m.Value]; of != nil {
			delete(of, e)
			if len(of) == 0 {
				delete(gs.memberOf, m.Value)
			}
		}
	}
	e.members, e.index = nil, nil
	gs.leaveAll(id, s.now())
	delete(gs.byID, id)
	gs.byName.remove(fold(e.group.DisplayName), e)
	gs.byExt.remove(e.group.ExternalID, e)
	gs.order.remove(e)
	t.dropReferences(id, s.now())
	return nil
}

// leaveAll removes the member with the given id from every group it is
// in, giving each a new version and lastModified now. The caller holds
// the tenant's lock.
func (gs *groups) leaveAll(id string, now time.Time) {
	for g := range gs.memberOf[id] {
		gs.removeMember(g, id)
		g.bump()
		g.group.Meta.LastModified = now
	}
	delete(gs.memberOf, id)
}

// UserGroups returns the groups the user is a direct member of, in the
// groups' creation order.
func (s *Store) UserGroups(ctx context.Context, userID string) ([]scim.GroupRef, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := s.tenant(ctx, false)
	if t == nil {
		return nil, nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	of := t.groups.memberOf[userID]
	if len(of) == 0 {
		return nil, nil
	}
	gs := make([]*gentry, 0, len(of))
	for g := range of {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *gentry) int { return a.slot - b.slot })
	out := make([]scim.GroupRef, len(gs))
	for i, g := range gs {
		out[i] = scim.GroupRef{ID: g.group.ID, DisplayName: g.group.DisplayName}
	}
	return out, nil
}

// ListGroups returns the groups that match q.Filter in creation order. A
// filter that filter.Equalities recognises on displayName, externalId, id
// or members.value is answered from an index, any other by filter.Match on
// every group; as for users, the result is exactly Match's.
func (s *Store) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	return s.listGroups(ctx, q, false)
}

// listGroups answers ListGroups, and ListGroupsKeyset when byKey is set.
func (s *Store) listGroups(ctx context.Context, q scim.Query, byKey bool) (*scim.GroupPage, error) {
	page := &scim.GroupPage{Groups: []*scim.Group{}}
	t, err := s.listed(ctx, q, byKey)
	if t == nil || err != nil {
		return nilIfFailed(page, err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	gs := &t.groups
	page.TotalResults, page.Keys, err = list(ctx, q, byKey, &gs.order, gs.index, groupView, pageOut(q, page))
	if err != nil {
		return nil, err
	}
	return page, nil
}

func groupView(e *gentry) filter.Resource { return e.view() }

// pageOut returns the function that adds a listed group to page, with its
// members when q asks for them and they fit q.MaxMembers.
func pageOut(q scim.Query, page *scim.GroupPage) func(*gentry) {
	budget := q.MaxMembers
	return func(e *gentry) {
		g := e.copyOut(false)
		if q.Members {
			if q.MaxMembers > 0 && len(e.members) > budget {
				g.MembersOmitted = true
			} else {
				budget -= len(e.members)
				g.Members = e.copyOut(true).Members
			}
		}
		page.Groups = append(page.Groups, g)
	}
}

// index answers one equality of a group filter from an index:
// displayName (folded), id and externalId (case-exact), members.value
// (the membership index).
func (gs *groups) index(eq filter.Equality) ([]*gentry, bool) {
	p, v := eq.Path, eq.Value.Str
	switch {
	case p.Name == "displayName" && p.Sub == "":
		return gs.byName.appendTo(nil, fold(v)), true
	case p.Name == "id" && p.Sub == "" && eq.CaseExact:
		if e := gs.byID[v]; e != nil {
			return []*gentry{e}, true
		}
		return nil, true
	case p.Name == "externalId" && p.Sub == "" && eq.CaseExact:
		return gs.byExt.appendTo(nil, v), true
	case p.Name == "members" && (p.Sub == "value" || p.Sub == "") && eq.CaseExact:
		var c []*gentry
		for g := range gs.memberOf[v] {
			c = append(c, g)
		}
		return c, true
	}
	return nil, false
}

func checkGroupVersion(e *gentry, version string) error {
	return versionRule("group", e.group.ID, e.group.Meta.Version, version)
}

func groupNotFound(id string) error { return missing("group", id) }
