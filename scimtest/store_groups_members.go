package scimtest

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/scimkit/scim"
)

func checkGroupCreateAndGet(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	in := newGroup("Engineering", u[0], u[1], u[2], u[0])
	in.Members[1].Type = scim.MemberUser
	want := userMembers(u...)
	got := k.createGroup(t, k.ctx, in)
	if got.ID == "" {
		t.Errorf("CreateGroup returned no ID")
	}
	if got.Meta.Version == "" {
		t.Errorf("CreateGroup returned no Meta.Version")
	}
	checkGroup(t, "CreateGroup returned", in, got)
	checkMembers(t, "CreateGroup returned (one member given twice, types left out but one)", got, want)
	if stored := k.group(t, k.ctx, got.ID, true); stored != nil {
		checkGroup(t, "Group with members after CreateGroup", in, stored)
		checkMembers(t, "Group with members after CreateGroup", stored, want)
		if stored.ID != got.ID || stored.Meta.Version != got.Meta.Version {
			t.Errorf("Group after CreateGroup: ID %q version %q, CreateGroup returned ID %q version %q", stored.ID, stored.Meta.Version, got.ID, got.Meta.Version)
		}
	}
	if bare := k.group(t, k.ctx, got.ID, false); bare != nil {
		checkGroup(t, "Group without members", in, bare)
		if bare.Members != nil {
			t.Errorf("Group(%q, members false) returned %d members, want Members nil", got.ID, len(bare.Members))
		}
	}
	empty := k.createGroup(t, k.ctx, newGroup("Empty"))
	if empty.ID == got.ID {
		t.Errorf("two groups got the same ID %q", got.ID)
	}
	if g := k.group(t, k.ctx, empty.ID, true); g != nil && len(g.Members) != 0 {
		t.Errorf("a group created without members has members %q", memberKeys(g.Members))
	}
}

func checkGroupCreateUnknown(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 2)
	g := newGroup("Sales", u[0], unknownUUID, u[1], unknownKey)
	_, err := k.gs().CreateGroup(k.ctx, g)
	if ids, ok := unknownIDs(t, "CreateGroup with two unknown members", err); ok {
		if want := slices.Sorted(slices.Values([]string{unknownUUID, unknownKey})); !slices.Equal(ids, want) {
			t.Errorf("CreateGroup with unknown members %q: the error names %q", want, ids)
		}
	}
	p := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10})
	if p.TotalResults != 0 {
		t.Errorf("after a CreateGroup that failed on unknown members, ListGroups finds %d groups %q", p.TotalResults, groupIDs(p.Groups))
	}
	if refs, err := k.gs().UserGroups(k.ctx, u[0]); err != nil || len(refs) != 0 {
		t.Errorf("after a CreateGroup that failed on unknown members, UserGroups(%q) = %v, %v; want none", u[0], refs, err)
	}
}

func checkGroupNotFound(t tb, k *storeKit) {
	g := k.createGroup(t, k.ctx, newGroup("Support"))
	for _, id := range []string{unknownUUID, unknownKey, swapCase(g.ID)} {
		if id == g.ID {
			continue
		}
		_, err := k.gs().Group(k.ctx, id, false)
		wantErrIs(t, fmt.Sprintf("Group(%q)", id), err, scim.ErrNotFound)
		_, err = k.gs().ModifyGroup(k.ctx, id, scim.GroupChange{DisplayName: ptr("x"), Now: groupTime}, "")
		wantErrIs(t, fmt.Sprintf("ModifyGroup(%q)", id), err, scim.ErrNotFound)
		err = k.gs().DeleteGroup(k.ctx, id, "")
		wantErrIs(t, fmt.Sprintf("DeleteGroup(%q)", id), err, scim.ErrNotFound)
	}
	if got := k.group(t, k.ctx, g.ID, false); got != nil && got.DisplayName != "Support" {
		t.Errorf("a ModifyGroup of an unknown id renamed group %q to %q", g.ID, got.DisplayName)
	}
}

func checkGroupDeltas(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 5)
	g := k.createGroup(t, k.ctx, newGroup("Ops", u[0], u[1]))
	versions := []string{g.Meta.Version}
	step := func(what string, c scim.GroupChange, want []scim.Member) {
		t.Helper()
		got := k.modify(t, g.ID, c, "")
		if slices.Contains(versions, got.Meta.Version) {
			t.Errorf("%s (%s): ModifyGroup returned the version %q the group had before", what, changeString(c), got.Meta.Version)
		}
		versions = append(versions, got.Meta.Version)
		if !got.Meta.LastModified.Equal(groupTime.Add(time.Hour)) {
			t.Errorf("%s: ModifyGroup returned Meta.LastModified %v, want the change's Now %v", what, got.Meta.LastModified, groupTime.Add(time.Hour))
		}
		stored := k.group(t, k.ctx, g.ID, true)
		checkMembers(t, what+", then Group", stored, want)
		if stored != nil && stored.Meta.Version != got.Meta.Version {
			t.Errorf("%s: Group has version %q, ModifyGroup returned %q", what, stored.Meta.Version, got.Meta.Version)
		}
	}
	step("add two members (Okta: add path members)", scim.GroupChange{Add: userMembers(u[2], u[3])}, userMembers(u[0], u[1], u[2], u[3]))
	step("remove one member (Okta: remove members[value eq])", scim.GroupChange{Remove: []string{u[1]}}, userMembers(u[0], u[2], u[3]))
	step("remove one and add one in one PATCH", scim.GroupChange{Remove: []string{u[0]}, Add: userMembers(u[1])}, userMembers(u[1], u[2], u[3]))
	step("replace all members", scim.GroupChange{ReplaceMembers: true, Add: userMembers(u[4], u[0])}, userMembers(u[0], u[4]))
	step("replace with no members (Okta's Push now of an empty group)", scim.GroupChange{ReplaceMembers: true}, nil)
	step("add to an empty group", scim.GroupChange{Add: userMembers(u[3])}, userMembers(u[3]))
	// The contract: Remove first, then Add.
	step("remove and add the same member", scim.GroupChange{Remove: []string{u[3]}, Add: userMembers(u[3])}, userMembers(u[3]))
}

func checkGroupRename(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 1)
	g := k.createGroup(t, k.ctx, newGroup("Finance", u[0]))
	got := k.modify(t, g.ID, scim.GroupChange{DisplayName: ptr("Finance EMEA"), ExternalID: ptr("ext-2")}, "")
	if got.Meta.Version == g.Meta.Version {
		t.Errorf("a rename kept the version %q", got.Meta.Version)
	}
	want := newGroup("Finance EMEA")
	want.ExternalID, want.Meta.LastModified = "ext-2", groupTime.Add(time.Hour)
	checkGroup(t, "ModifyGroup (rename) returned", want, got)
	stored := k.group(t, k.ctx, g.ID, true)
	checkGroup(t, "Group after a rename", want, stored)
	checkMembers(t, "Group after a rename", stored, userMembers(u[0]))
	k.modify(t, g.ID, scim.GroupChange{ExternalID: ptr("")}, "")
	if stored := k.group(t, k.ctx, g.ID, false); stored != nil && stored.ExternalID != "" {
		t.Errorf("ModifyGroup with ExternalID \"\" left ExternalID %q", stored.ExternalID)
	}
	if refs, err := k.gs().UserGroups(k.ctx, u[0]); err != nil {
		t.Errorf("UserGroups(%q): %v", u[0], err)
	} else if len(refs) != 1 || refs[0].DisplayName != "Finance EMEA" {
		t.Errorf("after a rename, UserGroups(%q) = %+v, want the new displayName", u[0], refs)
	}
}

func checkGroupNoOps(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	g := k.createGroup(t, k.ctx, newGroup("Legal", u[0], u[1]))
	for _, c := range []struct {
		what string
		c    scim.GroupChange
	}{
		{"add a present member (an IdP's retry)", scim.GroupChange{Add: userMembers(u[0])}},
		{"remove an absent member", scim.GroupChange{Remove: []string{u[2]}}},
		{"remove an id that names no one", scim.GroupChange{Remove: []string{unknownUUID}}},
		{"set the displayName it has", scim.GroupChange{DisplayName: ptr("Legal")}},
		{"set the externalId it has", scim.GroupChange{ExternalID: ptr("ext-Legal")}},
		{"replace the members with the same ones", scim.GroupChange{ReplaceMembers: true, Add: userMembers(u[1], u[0])}},
		{"nothing at all", scim.GroupChange{}},
	} {
		got := k.modify(t, g.ID, c.c, "")
		if got.Meta.Version != g.Meta.Version {
			t.Errorf("%s (%s): version changed from %q to %q", c.what, changeString(c.c), g.Meta.Version, got.Meta.Version)
		}
		if !got.Meta.LastModified.Equal(g.Meta.LastModified) {
			t.Errorf("%s (%s): Meta.LastModified changed from %v to %v", c.what, changeString(c.c), g.Meta.LastModified, got.Meta.LastModified)
		}
		stored := k.group(t, k.ctx, g.ID, true)
		checkMembers(t, c.what+", then Group", stored, userMembers(u[0], u[1]))
		if stored != nil && stored.Meta.Version != g.Meta.Version {
			t.Errorf("%s: Group's version changed from %q to %q", c.what, g.Meta.Version, stored.Meta.Version)
		}
	}
	// A no-op at the current version succeeds.
	if _, err := k.gs().ModifyGroup(k.ctx, g.ID, scim.GroupChange{Add: userMembers(u[1]), Now: groupTime}, g.Meta.Version); err != nil {
		t.Errorf("ModifyGroup adding a present member at the current version %q: %v", g.Meta.Version, err)
	}
}

func checkGroupModifyUnknown(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	g := k.createGroup(t, k.ctx, newGroup("Design", u[0]))
	c := scim.GroupChange{
		DisplayName: ptr("Design 2"),
		Remove:      []string{u[0]},
		Add:         append(userMembers(u[1], unknownUUID, u[2]), scim.Member{Value: unknownKey}),
		Now:         groupTime.Add(time.Hour),
	}
	_, err := k.gs().ModifyGroup(k.ctx, g.ID, c, "")
	if ids, ok := unknownIDs(t, "ModifyGroup adding two unknown members", err); ok {
		if want := slices.Sorted(slices.Values([]string{unknownUUID, unknownKey})); !slices.Equal(ids, want) {
			t.Errorf("ModifyGroup adding unknown members %q: the error names %q", want, ids)
		}
	}
	stored := k.group(t, k.ctx, g.ID, true)
	checkMembers(t, "after a ModifyGroup that failed on unknown members, Group", stored, userMembers(u[0]))
	if stored != nil {
		checkGroup(t, "after a ModifyGroup that failed on unknown members, Group", newGroup("Design"), stored)
		if stored.Meta.Version != g.Meta.Version {
			t.Errorf("a ModifyGroup that failed on unknown members changed the version from %q to %q", g.Meta.Version, stored.Meta.Version)
		}
	}
	// Replace with an unknown member fails the same way.
	_, err = k.gs().ModifyGroup(k.ctx, g.ID, scim.GroupChange{ReplaceMembers: true, Add: userMembers(u[1], unknownUUID), Now: groupTime}, "")
	if ids, ok := unknownIDs(t, "ModifyGroup replacing members with an unknown one", err); ok && !slices.Equal(ids, []string{unknownUUID}) {
		t.Errorf("ModifyGroup replacing members with unknown %q: the error names %q", unknownUUID, ids)
	}
	checkMembers(t, "after a replace that failed on an unknown member, Group", k.group(t, k.ctx, g.ID, true), userMembers(u[0]))
}

func checkGroupVersion(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	g := k.createGroup(t, k.ctx, newGroup("QA", u[0]))
	cur := k.modify(t, g.ID, scim.GroupChange{Add: userMembers(u[1])}, g.Meta.Version)
	for _, stale := range []string{g.Meta.Version, `W/"stale"`} {
		_, err := k.gs().ModifyGroup(k.ctx, g.ID, scim.GroupChange{Add: userMembers(u[2]), DisplayName: ptr("QA 2"), Now: groupTime}, stale)
		wantErrIs(t, fmt.Sprintf("ModifyGroup at stale version %q (current %q)", stale, cur.Meta.Version), err, scim.ErrVersionMismatch)
		err = k.gs().DeleteGroup(k.ctx, g.ID, stale)
		wantErrIs(t, fmt.Sprintf("DeleteGroup at stale version %q (current %q)", stale, cur.Meta.Version), err, scim.ErrVersionMismatch)
	}
	stored := k.group(t, k.ctx, g.ID, true)
	checkMembers(t, "after changes at stale versions, Group", stored, userMembers(u[0], u[1]))
	if stored != nil {
		if stored.DisplayName != "QA" {
			t.Errorf("a ModifyGroup at a stale version renamed the group to %q", stored.DisplayName)
		}
		if stored.Meta.Version != cur.Meta.Version {
			t.Errorf("changes at stale versions moved the version from %q to %q", cur.Meta.Version, stored.Meta.Version)
		}
	}
	if err := k.gs().DeleteGroup(k.ctx, g.ID, cur.Meta.Version); err != nil {
		t.Errorf("DeleteGroup at the current version %q: %v", cur.Meta.Version, err)
	}
}

func checkGroupDelete(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 2)
	g := k.createGroup(t, k.ctx, newGroup("Marketing", u[0], u[1]))
	other := k.createGroup(t, k.ctx, newGroup("Other", u[0]))
	parent := k.createGroup(t, k.ctx, &scim.Group{DisplayName: "Parent", Members: []scim.Member{{Value: g.ID, Type: scim.MemberGroup}, {Value: u[1], Type: scim.MemberUser}}})
	if err := k.gs().DeleteGroup(k.ctx, g.ID, ""); err != nil {
		t.Fatalf("DeleteGroup(%q): %v", g.ID, err)
	}
	_, err := k.gs().Group(k.ctx, g.ID, true)
	wantErrIs(t, "Group after DeleteGroup", err, scim.ErrNotFound)
	err = k.gs().DeleteGroup(k.ctx, g.ID, "")
	wantErrIs(t, "DeleteGroup a second time", err, scim.ErrNotFound)
	if ids := groupIDs(k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10}).Groups); slices.Contains(ids, g.ID) {
		t.Errorf("ListGroups after DeleteGroup(%q) still lists it: %q", g.ID, ids)
	}
	for _, id := range u {
		refs, err := k.gs().UserGroups(k.ctx, id)
		if err != nil {
			t.Errorf("UserGroups(%q): %v", id, err)
		}
		for _, r := range refs {
			if r.ID == g.ID {
				t.Errorf("UserGroups(%q) after DeleteGroup(%q) still names it", id, g.ID)
			}
		}
	}
	checkMembers(t, "the group the deleted group was nested in", k.group(t, k.ctx, parent.ID, true), userMembers(u[1]))
	checkMembers(t, "another group of the deleted group's members", k.group(t, k.ctx, other.ID, true), userMembers(u[0]))
}

func checkDeleteUserLeavesGroups(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 2)
	a := k.createGroup(t, k.ctx, newGroup("A", u[0], u[1]))
	b := k.createGroup(t, k.ctx, newGroup("B", u[0]))
	c := k.createGroup(t, k.ctx, newGroup("C", u[1]))
	if err := k.s.Delete(k.ctx, u[0], ""); err != nil {
		t.Fatalf("Delete(user %q): %v", u[0], err)
	}
	for _, x := range []struct {
		g    *scim.Group
		want []scim.Member
		bump bool
	}{{a, userMembers(u[1]), true}, {b, nil, true}, {c, userMembers(u[1]), false}} {
		stored := k.group(t, k.ctx, x.g.ID, true)
		checkMembers(t, fmt.Sprintf("group %q after Delete of user %q", x.g.DisplayName, u[0]), stored, x.want)
		if stored == nil {
			continue
		}
		if x.bump && stored.Meta.Version == x.g.Meta.Version {
			t.Errorf("group %q lost member %q but kept its version %q (an ETag read before must not match)", x.g.DisplayName, u[0], stored.Meta.Version)
		}
		if !x.bump && stored.Meta.Version != x.g.Meta.Version {
			t.Errorf("group %q, of which user %q was no member, changed version from %q to %q", x.g.DisplayName, u[0], x.g.Meta.Version, stored.Meta.Version)
		}
	}
	if refs, err := k.gs().UserGroups(k.ctx, u[0]); err != nil || len(refs) != 0 {
		t.Errorf("UserGroups of the deleted user %q = %+v, %v; want none", u[0], refs, err)
	}
	p := k.listGroups(t, k.ctx, scim.Query{Filter: k.groupFilter(t, fmt.Sprintf("members.value eq %q", u[0])), StartIndex: 1, Count: 10})
	if p.TotalResults != 0 {
		t.Errorf("members.value eq the deleted user %q finds the groups %q", u[0], groupIDs(p.Groups))
	}
	// The id of a deleted user is an unknown member.
	_, err := k.gs().ModifyGroup(k.ctx, c.ID, scim.GroupChange{Add: userMembers(u[0]), Now: groupTime}, "")
	if ids, ok := unknownIDs(t, "ModifyGroup adding the deleted user", err); ok && !slices.Equal(ids, []string{u[0]}) {
		t.Errorf("ModifyGroup adding the deleted user %q: the error names %q", u[0], ids)
	}
}

func checkUserGroups(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	a := k.createGroup(t, k.ctx, newGroup("Alpha", u[0], u[1]))
	b := k.createGroup(t, k.ctx, newGroup("Beta", u[0]))
	k.createGroup(t, k.ctx, newGroup("Gamma", u[1]))
	c := k.createGroup(t, k.ctx, newGroup("Delta"))
	k.modify(t, c.ID, scim.GroupChange{Add: userMembers(u[0])}, "")
	refs, err := k.gs().UserGroups(k.ctx, u[0])
	if err != nil {
		t.Fatalf("UserGroups(%q): %v", u[0], err)
	}
	got := make([]string, len(refs))
	for i, r := range refs {
		got[i] = r.ID + "=" + r.DisplayName
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values([]string{a.ID + "=Alpha", b.ID + "=Beta", c.ID + "=Delta"}))
	if !slices.Equal(got, want) {
		t.Errorf("UserGroups(%q) = %q, want %q", u[0], got, want)
	}
	again, err := k.gs().UserGroups(k.ctx, u[0])
	if err == nil && !slices.Equal(groupRefIDs(again), groupRefIDs(refs)) {
		t.Errorf("UserGroups(%q) changed order between two calls: %q, then %q", u[0], groupRefIDs(refs), groupRefIDs(again))
	}
	for _, id := range []string{u[2], unknownUUID} {
		if refs, err := k.gs().UserGroups(k.ctx, id); err != nil || len(refs) != 0 {
			t.Errorf("UserGroups(%q) (in no group) = %+v, %v; want none and no error", id, refs, err)
		}
	}
}

func groupRefIDs(refs []scim.GroupRef) []string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.ID
	}
	return s
}

func checkGroupNested(t tb, k *storeKit) {
	// The user the groups hold is the third, so that a store that broke
	// IDsDisjointAcrossTypes (numbering users and groups from 1 each)
	// still fails only that check here.
	u := k.users(t, k.ctx, 1, 3)[2:]
	child := k.createGroup(t, k.ctx, newGroup("Child", u[0]))
	nested := []scim.Member{{Value: child.ID, Type: scim.MemberGroup}, {Value: u[0], Type: scim.MemberUser}}
	parent := k.createGroup(t, k.ctx, &scim.Group{DisplayName: "Parent", Members: nested})
	checkMembers(t, "CreateGroup with a nested group returned", parent, nested)
	checkMembers(t, "Group with a nested group", k.group(t, k.ctx, parent.ID, true), nested)
	k.findGroups(t, k.groupFilter(t, fmt.Sprintf("members[value eq %q]", child.ID)), parent.ID)
	other := k.createGroup(t, k.ctx, newGroup("Other"))
	k.modify(t, other.ID, scim.GroupChange{Add: []scim.Member{{Value: child.ID, Type: scim.MemberGroup}}}, "")
	checkMembers(t, "a group after adding a nested group", k.group(t, k.ctx, other.ID, true), nested[:1])
	// A user's id is no group's.
	_, err := k.gs().ModifyGroup(k.ctx, other.ID, scim.GroupChange{Add: []scim.Member{{Value: u[0] + "-not-a-group", Type: scim.MemberGroup}}, Now: groupTime}, "")
	unknownIDs(t, "ModifyGroup adding an unknown id as a Group member", err)
	k.modify(t, other.ID, scim.GroupChange{Remove: []string{child.ID}}, "")
	checkMembers(t, "a group after removing its nested group", k.group(t, k.ctx, other.ID, true), nil)
}

func checkGroupCopies(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 2)
	in := newGroup("Copies", u[0])
	got, err := k.gs().CreateGroup(k.ctx, in)
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	in.DisplayName, in.Members[0].Value = "changed after CreateGroup", u[1]
	got.DisplayName = "changed after return"
	if len(got.Members) > 0 {
		got.Members[0].Value = u[1]
	}
	read := k.group(t, k.ctx, got.ID, true)
	if read == nil {
		return
	}
	read.DisplayName = "changed after Group"
	if len(read.Members) > 0 {
		read.Members[0].Value = u[1]
	}
	stored := k.group(t, k.ctx, got.ID, true)
	checkGroup(t, "after changing the groups given and returned, Group", newGroup("Copies"), stored)
	checkMembers(t, "after changing the groups given and returned, Group", stored, userMembers(u[0]))
	p := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10, Members: true})
	for _, g := range p.Groups {
		g.DisplayName = "changed after ListGroups"
		if len(g.Members) > 0 {
			g.Members[0].Value = u[1]
		}
	}
	stored = k.group(t, k.ctx, got.ID, true)
	checkGroup(t, "after changing the groups ListGroups returned, Group", newGroup("Copies"), stored)
	checkMembers(t, "after changing the groups ListGroups returned, Group", stored, userMembers(u[0]))
}

func checkGroupConcurrent(t tb, k *storeKit) {
	const n = 50
	u := make([]string, n)
	for i := range n {
		u[i] = k.createIn(t, k.ctx, &scim.User{UserName: "member" + strconv.Itoa(i) + "@example.com", Active: true}).ID
	}
	g := k.createGroup(t, k.ctx, newGroup("Crowd"))
	errs := concurrently(n, func(i int) error {
		_, err := k.gs().ModifyGroup(k.ctx, g.ID, scim.GroupChange{Add: userMembers(u[i]), Now: groupTime.Add(time.Minute)}, "")
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent ModifyGroup %d adding %q without a version: %v", i, u[i], err)
		}
	}
	stored := k.group(t, k.ctx, g.ID, true)
	if stored == nil {
		return
	}
	have := map[string]bool{}
	for _, m := range stored.Members {
		have[m.Value] = true
	}
	var lost []string
	for i, err := range errs {
		if err == nil && !have[u[i]] {
			lost = append(lost, u[i])
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d concurrent membership adds are lost: %q (the group has %d members)", len(lost), n, lost, len(stored.Members))
	}
	// And as many concurrent removes.
	errs = concurrently(n, func(i int) error {
		_, err := k.gs().ModifyGroup(k.ctx, g.ID, scim.GroupChange{Remove: []string{u[i]}, Now: groupTime.Add(time.Minute)}, "")
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent ModifyGroup %d removing %q without a version: %v", i, u[i], err)
		}
	}
	if stored := k.group(t, k.ctx, g.ID, true); stored != nil && len(stored.Members) != 0 {
		t.Errorf("after %d concurrent removes of every member, the group has %d members %q", n, len(stored.Members), memberKeys(stored.Members))
	}
}
