package scimtest

import (
	"errors"
	"fmt"
	"time"

	"github.com/scimkit/scim"
)

// idCases check that ids are unique across resource types, so that an id
// names one resource. They run for a store that serves groups: with users
// alone there is one type.
var idCases = []storeCase{
	{
		name:  "IDsDisjointAcrossTypes",
		rule:  "RFC 7643 §3.1: an id is unique across the service provider's entire set of resources, so after 50 users and 50 groups no id is both a user's and a group's, Group of a user's id fails with scim.ErrNotFound and so does User of a group's id (a store whose users and groups number their rows separately, from 1 each, must still serve ids that differ)",
		run:   checkIDsDisjoint,
		needs: isGroupStore, capability: groupStoreCapability,
	},
	{
		name:  "TypelessMemberResolvesByID",
		rule:  "RFC 7643 §4.2 and scim.GroupStore: Okta and Entra ID send members without a type; each is the one user or group with its id and is stored with that Type, and one with the group's own id fails with scim.ErrSelfMember and changes nothing",
		run:   checkTypelessMembers,
		needs: isGroupStore, capability: groupStoreCapability,
	},
}

func checkIDsDisjoint(t tb, k *storeKit) {
	const n = 50
	var users, groups []string
	for i := range n {
		users = append(users, k.users(t, k.ctx, i, 1)...)
		groups = append(groups, k.createGroup(t, k.ctx, newGroup(fmt.Sprintf("Team %02d", i))).ID)
	}
	isUser := map[string]bool{}
	for _, id := range users {
		isUser[id] = true
	}
	for _, id := range groups {
		if isUser[id] {
			t.Errorf("a user and a group both have id %q", id)
		}
	}
	for _, id := range users {
		if g, err := k.gs().Group(k.ctx, id, false); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Group(%q), a user's id: got %+v, %v; want an error wrapping scim.ErrNotFound", id, g, err)
		}
	}
	for _, id := range groups {
		if u, err := k.s.User(k.ctx, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User(%q), a group's id: got %+v, %v; want an error wrapping scim.ErrNotFound", id, u, err)
		}
	}
}

func checkTypelessMembers(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 1)[0]
	g := k.createGroup(t, k.ctx, newGroup("Typeless"))
	nested := k.createGroup(t, k.ctx, newGroup("Typeless nested"))
	k.modify(t, g.ID, scim.GroupChange{Add: []scim.Member{{Value: u}, {Value: nested.ID}}}, "")
	want := []scim.Member{{Value: u, Type: scim.MemberUser}, {Value: nested.ID, Type: scim.MemberGroup}}
	before := k.group(t, k.ctx, g.ID, true)
	checkMembers(t, "a group after adding a user and a group without types", before, want)
	if before == nil {
		return
	}
	self := scim.GroupChange{Add: []scim.Member{{Value: g.ID}}, Now: groupTime.Add(2 * time.Hour)}
	if _, err := k.gs().ModifyGroup(k.ctx, g.ID, self, ""); !errors.Is(err, scim.ErrSelfMember) {
		t.Errorf("ModifyGroup adding the group %q to itself without a type: got %v, want an error wrapping scim.ErrSelfMember", g.ID, err)
	}
	after := k.group(t, k.ctx, g.ID, true)
	checkMembers(t, "a group after a refused self-membership", after, want)
	if after != nil && after.Meta.Version != before.Meta.Version {
		t.Errorf("a refused self-membership changed the version from %q to %q", before.Meta.Version, after.Meta.Version)
	}
}
