package scimtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
)

// Each broken GroupStore below wraps memstore with one deliberate bug;
// the check named after the promise it breaks must fail.

func TestKitCatchesBrokenGroupStores(t *testing.T) {
	tests := []struct {
		name     string
		wrap     func(s *memstore.Store) scim.Store
		mustFail []string
	}{
		{"ignores group versions", func(s *memstore.Store) scim.Store { return groupVersionBlind{s} },
			[]string{"GroupVersionCompareAndSwap"}},
		{"rewrites the member list (read, modify, replace)", func(s *memstore.Store) scim.Store { return rewritesMembers{s} },
			[]string{"GroupConcurrentMembership"}},
		{"drops unknown members silently", func(s *memstore.Store) scim.Store { return dropsUnknown{s} },
			[]string{"GroupCreateUnknownMembers", "GroupModifyUnknownMembers", "GroupTenantIsolation"}},
		{"names only the first unknown member", func(s *memstore.Store) scim.Store { return namesFirstUnknown{s} },
			[]string{"GroupCreateUnknownMembers", "GroupModifyUnknownMembers"}},
		{"applies the removes of a change with unknown members", func(s *memstore.Store) scim.Store { return removesBeforeCheck{s} },
			[]string{"GroupModifyUnknownMembers"}},
		{"bumps the version on a no-op", func(s *memstore.Store) scim.Store { return alwaysBumps{s} },
			[]string{"GroupNoOpKeepsVersion"}},
		{"loads members always", func(s *memstore.Store) scim.Store { return eagerMembers{s} },
			[]string{"GroupCreateAndGet", "GroupMembersOnlyWhenAsked"}},
		{"ignores MaxMembers", func(s *memstore.Store) scim.Store { return ignoresMaxMembers{s} },
			[]string{"GroupMaxMembers"}},
		{"keeps a deleted user's memberships", func(s *memstore.Store) scim.Store { return &keepsDeletedMembers{Store: s, gone: map[string][]string{}} },
			[]string{"DeleteUserLeavesGroups"}},
		{"returns another tenant's groups", func(s *memstore.Store) scim.Store { return groupTenantLeak{s} },
			[]string{"GroupTenantIsolation"}},
		{"compares displayName case-sensitively", func(s *memstore.Store) scim.Store { return exactDisplayName{s} },
			[]string{"GroupFilters"}},
		{"ignores member filters", func(s *memstore.Store) scim.Store { return ignoresMemberFilters{s} },
			[]string{"GroupFilters", "GroupNestedMember"}},
		{"shuffles group pages", func(s *memstore.Store) scim.Store { return shuffledGroups{s} },
			[]string{"GroupStablePaging"}},
		{"returns internal group pointers", func(s *memstore.Store) scim.Store {
			return &sharesGroups{Store: s, kept: map[string]*scim.Group{}}
		}, []string{"ReturnedGroupsAreCopies"}},
		{"says every user is in no group", func(s *memstore.Store) scim.Store { return noUserGroups{s} },
			[]string{"UserGroups", "GroupRename"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(func() scim.Store { return tt.wrap(memstore.New()) })
			var failed []string
			for name := range got {
				failed = append(failed, name)
			}
			slices.Sort(failed)
			t.Logf("failing checks: %s", strings.Join(failed, ", "))
			for _, name := range tt.mustFail {
				if len(got[name]) == 0 {
					t.Errorf("check %s did not fail", name)
				}
			}
		})
	}
}

// A store that implements GroupStore but answers errors.ErrUnsupported
// serves no groups: the group checks skip instead of failing.
func TestKitSkipsUnsupportedGroups(t *testing.T) {
	got := run(func() scim.Store { return unsupportedGroups{memstore.New()} })
	for name, msgs := range got {
		t.Errorf("%s: %q", name, msgs)
	}
}

type unsupportedGroups struct{ *memstore.Store }

func (unsupportedGroups) ListGroups(context.Context, scim.Query) (*scim.GroupPage, error) {
	return nil, errors.ErrUnsupported
}

type groupVersionBlind struct{ *memstore.Store }

func (s groupVersionBlind) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, _ string) (*scim.Group, error) {
	return s.Store.ModifyGroup(ctx, id, c, "")
}

func (s groupVersionBlind) DeleteGroup(ctx context.Context, id, _ string) error {
	return s.Store.DeleteGroup(ctx, id, "")
}

// rewritesMembers reads the whole member list, changes it and writes it
// back with a replace, without a version: what many SCIM servers do, and
// why concurrent PATCHes lose members.
type rewritesMembers struct{ *memstore.Store }

func (s rewritesMembers) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	if c.ReplaceMembers || (len(c.Add) == 0 && len(c.Remove) == 0) {
		return s.Store.ModifyGroup(ctx, id, c, version)
	}
	g, err := s.Store.Group(ctx, id, true)
	if err != nil {
		return nil, err
	}
	members := slices.DeleteFunc(g.Members, func(m scim.Member) bool { return slices.Contains(c.Remove, m.Value) })
	members = append(members, c.Add...)
	time.Sleep(time.Millisecond) // let the other writers read the same list
	c.Add, c.Remove, c.ReplaceMembers = members, nil, true
	return s.Store.ModifyGroup(ctx, id, c, "")
}

// dropsUnknown leaves unknown members out instead of failing.
type dropsUnknown struct{ *memstore.Store }

func withoutUnknown(ms []scim.Member, err error) ([]scim.Member, bool) {
	var ue *scim.UnknownMembersError
	if !errors.As(err, &ue) {
		return nil, false
	}
	return slices.DeleteFunc(slices.Clone(ms), func(m scim.Member) bool { return slices.Contains(ue.IDs, m.Value) }), true
}

func (s dropsUnknown) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	out, err := s.Store.CreateGroup(ctx, g)
	if ms, ok := withoutUnknown(g.Members, err); ok {
		g.Members = ms
		return s.Store.CreateGroup(ctx, g)
	}
	return out, err
}

func (s dropsUnknown) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	out, err := s.Store.ModifyGroup(ctx, id, c, version)
	if ms, ok := withoutUnknown(c.Add, err); ok {
		c.Add = ms
		return s.Store.ModifyGroup(ctx, id, c, version)
	}
	return out, err
}

// namesFirstUnknown reports one unknown member of several.
type namesFirstUnknown struct{ *memstore.Store }

func firstUnknown(err error) error {
	var ue *scim.UnknownMembersError
	if errors.As(err, &ue) && len(ue.IDs) > 1 {
		return &scim.UnknownMembersError{IDs: ue.IDs[:1]}
	}
	return err
}

func (s namesFirstUnknown) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	out, err := s.Store.CreateGroup(ctx, g)
	return out, firstUnknown(err)
}

func (s namesFirstUnknown) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	out, err := s.Store.ModifyGroup(ctx, id, c, version)
	return out, firstUnknown(err)
}

// removesBeforeCheck applies a change's removes and rename before it
// finds its unknown members: not atomic.
type removesBeforeCheck struct{ *memstore.Store }

func (s removesBeforeCheck) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	if len(c.Add) > 0 && !c.ReplaceMembers {
		first := c
		first.Add = nil
		if _, err := s.Store.ModifyGroup(ctx, id, first, version); err != nil {
			return nil, err
		}
		c.Remove, c.DisplayName, c.ExternalID, version = nil, nil, nil, ""
	}
	return s.Store.ModifyGroup(ctx, id, c, version)
}

// alwaysBumps gives a group a new version on every ModifyGroup, by a
// rename there and back when the change itself changed nothing.
type alwaysBumps struct{ *memstore.Store }

func (s alwaysBumps) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	before, err := s.Store.Group(ctx, id, false)
	if err != nil {
		return nil, err
	}
	out, err := s.Store.ModifyGroup(ctx, id, c, version)
	if err != nil || out.Meta.Version != before.Meta.Version {
		return out, err
	}
	name := out.DisplayName
	s.Store.ModifyGroup(ctx, id, scim.GroupChange{DisplayName: ptr(name + " (touched)"), Now: c.Now}, "")
	return s.Store.ModifyGroup(ctx, id, scim.GroupChange{DisplayName: &name, Now: c.Now}, "")
}

// eagerMembers loads members whether they were asked for or not.
type eagerMembers struct{ *memstore.Store }

func (s eagerMembers) Group(ctx context.Context, id string, _ bool) (*scim.Group, error) {
	return s.Store.Group(ctx, id, true)
}

func (s eagerMembers) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	q.Members = true
	return s.Store.ListGroups(ctx, q)
}

type ignoresMaxMembers struct{ *memstore.Store }

func (s ignoresMaxMembers) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	q.MaxMembers = 0
	return s.Store.ListGroups(ctx, q)
}

// keepsDeletedMembers serves a deleted user as still a member of the
// groups it was in, as a store without the cascade would.
type keepsDeletedMembers struct {
	*memstore.Store
	mu   sync.Mutex
	gone map[string][]string // group id → deleted members
}

func (s *keepsDeletedMembers) Delete(ctx context.Context, id, version string) error {
	refs, _ := s.Store.UserGroups(ctx, id)
	if err := s.Store.Delete(ctx, id, version); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range refs {
		s.gone[r.ID] = append(s.gone[r.ID], id)
	}
	return nil
}

func (s *keepsDeletedMembers) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	g, err := s.Store.Group(ctx, id, members)
	if err != nil || !members {
		return g, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g.Members = append(g.Members, userMembers(s.gone[id]...)...)
	return g, nil
}

// groupTenantLeak finds a group in the other tenant when it is not in
// the caller's.
type groupTenantLeak struct{ *memstore.Store }

func (s groupTenantLeak) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	g, err := s.Store.Group(ctx, id, members)
	if errors.Is(err, scim.ErrNotFound) {
		other := tenantA
		if scim.TenantFrom(ctx) == tenantA {
			other = tenantB
		}
		return s.Store.Group(scim.WithTenant(ctx, other), id, members)
	}
	return g, err
}

// exactDisplayName compares displayName case-sensitively in filters.
type exactDisplayName struct{ *memstore.Store }

func (s exactDisplayName) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	if c, ok := q.Filter.(*filter.Compare); ok && c.Path.Name == "displayName" {
		e := *c
		e.CaseExact = true
		q.Filter = &e
	}
	return s.Store.ListGroups(ctx, q)
}

// ignoresMemberFilters drops any filter on members.
type ignoresMemberFilters struct{ *memstore.Store }

func (s ignoresMemberFilters) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	if q.Filter != nil && strings.Contains(q.Filter.String(), "members") {
		q.Filter = nil
	}
	return s.Store.ListGroups(ctx, q)
}

// shuffledGroups returns the matching groups in a different order on
// every call.
type shuffledGroups struct{ *memstore.Store }

func (s shuffledGroups) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	all, err := s.Store.ListGroups(ctx, scim.Query{Filter: q.Filter, StartIndex: 1, Count: 1 << 30, Members: q.Members})
	if err != nil {
		return nil, err
	}
	rand.Shuffle(len(all.Groups), func(i, j int) { all.Groups[i], all.Groups[j] = all.Groups[j], all.Groups[i] })
	from := min(max(q.StartIndex, 1)-1, len(all.Groups))
	all.Groups = all.Groups[from:min(from+q.Count, len(all.Groups))]
	return all, nil
}

// sharesGroups hands out the same *Group for an id on every read.
type sharesGroups struct {
	*memstore.Store
	mu   sync.Mutex
	kept map[string]*scim.Group
}

func (s *sharesGroups) keep(ctx context.Context, g *scim.Group) *scim.Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := scim.TenantFrom(ctx) + "\x00" + g.ID
	if k := s.kept[key]; k != nil {
		return k
	}
	s.kept[key] = g
	return g
}

func (s *sharesGroups) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	out, err := s.Store.CreateGroup(ctx, g)
	if err != nil {
		return nil, err
	}
	return s.keep(ctx, out), nil
}

func (s *sharesGroups) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	g, err := s.Store.Group(ctx, id, members)
	if err != nil {
		return nil, err
	}
	return s.keep(ctx, g), nil
}

// noUserGroups says every user is in no group.
type noUserGroups struct{ *memstore.Store }

func (noUserGroups) UserGroups(context.Context, string) ([]scim.GroupRef, error) { return nil, nil }
