package scimtest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// A store over a user table and a group table that number their rows from
// 1 each serves user 1 and group 1; the id checks must catch it.
func TestKitCatchesStoresThatShareIDsAcrossTypes(t *testing.T) {
	got := run(func() scim.Store { return &numbersEachType{Store: memstore.New()} })
	for _, name := range []string{"IDsDisjointAcrossTypes", "TypelessMemberResolvesByID"} {
		if len(got[name]) == 0 {
			t.Errorf("check %s did not fail", name)
		}
	}
	for _, m := range got["TypelessMemberResolvesByID"] {
		if strings.Contains(m, "scim.ErrSelfMember") {
			return
		}
	}
	t.Errorf("TypelessMemberResolvesByID did not report the group added to itself as a user: %q", got["TypelessMemberResolvesByID"])
}

// numbersEachType serves memstore's users and groups numbered from 1 each,
// as two database sequences would, and takes a member without a type to
// be the user with its id when there is one.
type numbersEachType struct {
	*memstore.Store
	mu            sync.Mutex
	users, groups numbering
}

// numbering maps served numbers to memstore's ids and back.
type numbering struct{ inner, served map[string]string }

func (n *numbering) add(inner string) string {
	if n.inner == nil {
		n.inner, n.served = map[string]string{}, map[string]string{}
	}
	id := strconv.Itoa(len(n.inner) + 1)
	n.inner[id], n.served[inner] = inner, id
	return id
}

// in is memstore's id of a served one; an unknown id stays as it is, for
// memstore to find nothing.
func (n *numbering) in(id string) (string, bool) {
	v, ok := n.inner[id]
	if !ok {
		return id, false
	}
	return v, true
}

func (s *numbersEachType) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	out, err := s.Store.Create(ctx, u)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out.ID = s.users.add(out.ID)
	return out, nil
}

func (s *numbersEachType) User(ctx context.Context, id string) (*scim.User, error) {
	s.mu.Lock()
	inner, _ := s.users.in(id)
	s.mu.Unlock()
	u, err := s.Store.User(ctx, inner)
	if err != nil {
		return nil, err
	}
	u.ID = id
	return u, nil
}

// membersIn maps served members to memstore's, a user first.
func (s *numbersEachType) membersIn(ms []scim.Member) []scim.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(ms)
	for i, m := range out {
		if v, ok := s.users.in(m.Value); ok && m.Type != scim.MemberGroup {
			out[i] = scim.Member{Value: v, Type: scim.MemberUser}
		} else if v, ok := s.groups.in(m.Value); ok && m.Type != scim.MemberUser {
			out[i] = scim.Member{Value: v, Type: scim.MemberGroup}
		}
	}
	return out
}

func (s *numbersEachType) membersOut(ms []scim.Member) []scim.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range ms {
		n := s.users
		if m.Type == scim.MemberGroup {
			n = s.groups
		}
		if v, ok := n.served[m.Value]; ok {
			ms[i].Value = v
		}
	}
	return ms
}

func (s *numbersEachType) CreateGroup(ctx context.Context, g *scim.Group) (*scim.Group, error) {
	in := *g
	in.Members = s.membersIn(g.Members)
	out, err := s.Store.CreateGroup(ctx, &in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	out.ID = s.groups.add(out.ID)
	s.mu.Unlock()
	out.Members = s.membersOut(out.Members)
	return out, nil
}

func (s *numbersEachType) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	s.mu.Lock()
	inner, _ := s.groups.in(id)
	s.mu.Unlock()
	g, err := s.Store.Group(ctx, inner, members)
	if err != nil {
		return nil, err
	}
	g.ID = id
	g.Members = s.membersOut(g.Members)
	return g, nil
}

func (s *numbersEachType) ModifyGroup(ctx context.Context, id string, c scim.GroupChange, version string) (*scim.Group, error) {
	s.mu.Lock()
	inner, _ := s.groups.in(id)
	s.mu.Unlock()
	c.Add = s.membersIn(c.Add)
	var remove []scim.Member
	for _, r := range c.Remove {
		remove = append(remove, scim.Member{Value: r})
	}
	c.Remove = nil
	for _, m := range s.membersIn(remove) {
		c.Remove = append(c.Remove, m.Value)
	}
	g, err := s.Store.ModifyGroup(ctx, inner, c, version)
	if err != nil {
		return nil, err
	}
	g.ID = id
	return g, nil
}
