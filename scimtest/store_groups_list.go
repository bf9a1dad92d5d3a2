package scimtest

import (
	"fmt"
	"slices"

	"github.com/scimkit/scim"
)

func checkGroupFilters(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	eng := k.createGroup(t, k.ctx, newGroup("Engineering", u[0], u[1]))
	ops := k.createGroup(t, k.ctx, newGroup("Ops", u[1]))
	empty := k.createGroup(t, k.ctx, newGroup("ENGINEERING Alumni"))
	// Two groups of one name: displayName is not unique (RFC 7643 §4.2).
	twin := k.createGroup(t, k.ctx, newGroup("engineering"))
	for _, c := range []struct {
		filter string
		want   []string
	}{
		{`displayName eq "Engineering"`, []string{eng.ID, twin.ID}},
		{`displayName eq "eNGINEERING"`, []string{eng.ID, twin.ID}},
		{`displayName eq "Engineer"`, nil},
		{`externalId eq "ext-Ops"`, []string{ops.ID}},
		{`externalId eq "EXT-OPS"`, nil},
		{fmt.Sprintf(`id eq %q`, ops.ID), []string{ops.ID}},
		{fmt.Sprintf(`members.value eq %q`, u[1]), []string{eng.ID, ops.ID}},
		{fmt.Sprintf(`members[value eq %q]`, u[0]), []string{eng.ID}},
		{fmt.Sprintf(`members[value eq %q]`, u[2]), nil},
		{fmt.Sprintf(`displayName eq "Ops" and members[value eq %q]`, u[1]), []string{ops.ID}},
		{fmt.Sprintf(`displayName eq "Ops" and members.value eq %q`, u[0]), nil},
		{fmt.Sprintf(`externalId eq "ext-Ops" or id eq %q`, empty.ID), []string{ops.ID, empty.ID}},
		{`displayName eq "No Such Group"`, nil},
	} {
		k.findGroups(t, k.groupFilter(t, c.filter), c.want...)
	}
	// A filter a store cannot evaluate is rejected, never ignored.
	q := scim.Query{Filter: k.groupFilter(t, `displayName co "gine"`), StartIndex: 1, Count: 10}
	p, err := k.gs().ListGroups(k.ctx, q)
	if err == nil {
		got := groupIDs(p.Groups)
		slices.Sort(got)
		want := slices.Sorted(slices.Values([]string{eng.ID, empty.ID, twin.ID}))
		if !slices.Equal(got, want) {
			t.Errorf("ListGroups(%s) returned %q, want %q or an error wrapping scim.ErrUnsupportedFilter", queryString(q), got, want)
		}
	} else {
		wantErrIs(t, fmt.Sprintf("ListGroups(%s)", queryString(q)), err, scim.ErrUnsupportedFilter)
	}
}

func checkGroupPaging(t tb, k *storeKit) {
	const n = 7
	var ids []string
	for i := range n {
		ids = append(ids, k.createGroup(t, k.ctx, newGroup(fmt.Sprintf("Team %d", i))).ID)
	}
	all := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 100})
	if all.TotalResults != n || len(all.Groups) != n {
		t.Fatalf("ListGroups of all: TotalResults %d and %d groups, want %d", all.TotalResults, len(all.Groups), n)
	}
	if got, want := slices.Sorted(slices.Values(groupIDs(all.Groups))), slices.Sorted(slices.Values(ids)); !slices.Equal(got, want) {
		t.Errorf("ListGroups of all returned %q, want %q", got, want)
	}
	for _, size := range []int{1, 3} {
		var paged []string
		for start := 1; start <= n; start += size {
			p := k.listGroups(t, k.ctx, scim.Query{StartIndex: start, Count: size})
			if p.TotalResults != n {
				t.Errorf("ListGroups(startIndex %d, count %d): TotalResults %d, want %d", start, size, p.TotalResults, n)
			}
			paged = append(paged, groupIDs(p.Groups)...)
		}
		if !slices.Equal(paged, groupIDs(all.Groups)) {
			t.Errorf("pages of %d concatenate to %q, the whole list is %q", size, paged, groupIDs(all.Groups))
		}
	}
	p := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 0})
	if p.TotalResults != n || len(p.Groups) != 0 {
		t.Errorf("ListGroups with count 0: TotalResults %d and %d groups, want %d and none", p.TotalResults, len(p.Groups), n)
	}
	p = k.listGroups(t, k.ctx, scim.Query{StartIndex: n + 1, Count: 5})
	if p.TotalResults != n || len(p.Groups) != 0 {
		t.Errorf("ListGroups past the end: TotalResults %d and %d groups, want %d and none", p.TotalResults, len(p.Groups), n)
	}
}

func checkGroupMembersWhenAsked(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 3)
	want := map[string][]scim.Member{}
	for i, members := range [][]string{{u[0]}, {u[0], u[1], u[2]}, nil} {
		g := k.createGroup(t, k.ctx, newGroup(fmt.Sprintf("G%d", i), members...))
		want[g.ID] = userMembers(members...)
	}
	for _, g := range k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10}).Groups {
		if g.Members != nil || g.MembersOmitted {
			t.Errorf("ListGroups without Query.Members: group %q has %d members (MembersOmitted %t), want Members nil", g.DisplayName, len(g.Members), g.MembersOmitted)
		}
	}
	p := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10, Members: true})
	if len(p.Groups) != len(want) {
		t.Errorf("ListGroups with members returned %d groups, want %d", len(p.Groups), len(want))
	}
	for _, g := range p.Groups {
		if g.MembersOmitted {
			t.Errorf("ListGroups with members and no MaxMembers: group %q has MembersOmitted", g.DisplayName)
		}
		checkMembers(t, fmt.Sprintf("ListGroups with members, group %q", g.DisplayName), g, want[g.ID])
	}
	// A filtered page loads the members of its groups only.
	q := scim.Query{Filter: k.groupFilter(t, `displayName eq "g1"`), StartIndex: 1, Count: 10, Members: true}
	p = k.listGroups(t, k.ctx, q)
	if len(p.Groups) != 1 {
		t.Fatalf("ListGroups(%s) returned %d groups, want 1", queryString(q), len(p.Groups))
	}
	checkMembers(t, fmt.Sprintf("ListGroups(%s)", queryString(q)), p.Groups[0], want[p.Groups[0].ID])
}

func checkGroupMaxMembers(t tb, k *storeKit) {
	u := k.users(t, k.ctx, 1, 5)
	sizes := map[string]int{}
	want := map[string][]scim.Member{}
	for _, members := range [][]string{u[:1], u[:3], u[:5], nil} {
		g := k.createGroup(t, k.ctx, newGroup(fmt.Sprintf("Size %d", len(members)), members...))
		sizes[g.ID], want[g.ID] = len(members), userMembers(members...)
	}
	for _, max := range []int{0, 4, 2, 1} {
		q := scim.Query{StartIndex: 1, Count: 10, Members: true, MaxMembers: max}
		p := k.listGroups(t, k.ctx, q)
		loaded := 0
		for _, g := range p.Groups {
			what := fmt.Sprintf("ListGroups(members, MaxMembers %d), group %q", max, g.DisplayName)
			switch {
			case g.MembersOmitted && g.Members != nil:
				t.Errorf("%s: MembersOmitted with %d members, want Members nil", what, len(g.Members))
			case g.MembersOmitted && max == 0:
				t.Errorf("%s: MembersOmitted without a cap", what)
			case !g.MembersOmitted:
				// Which groups of a page fit is the store's choice;
				// what it embeds is complete and within the cap.
				checkMembers(t, what, g, want[g.ID])
				loaded += len(g.Members)
			}
			if max > 0 && sizes[g.ID] > max && !g.MembersOmitted {
				t.Errorf("%s: %d members embedded, more than the cap %d alone", what, len(g.Members), max)
			}
		}
		if max > 0 && loaded > max {
			t.Errorf("ListGroups(members, MaxMembers %d) embedded %d members in all", max, loaded)
		}
	}
	// A page whose groups fit the cap together embeds them all.
	p := k.listGroups(t, k.ctx, scim.Query{StartIndex: 1, Count: 10, Members: true, MaxMembers: 9})
	for _, g := range p.Groups {
		if g.MembersOmitted {
			t.Errorf("ListGroups(members, MaxMembers 9) omitted the members of %q although the page has 9 members in all", g.DisplayName)
		}
	}
}

func checkGroupTenants(t tb, k *storeKit) {
	ua := k.users(t, k.ctx, 1, 1)
	ub := k.users(t, k.ctxB, 1, 1) // the same userName, in tenant B
	gb := k.createGroup(t, k.ctxB, newGroup("Shared Name", ub[0]))
	// Tenant B's user is unknown in tenant A. (Types are given: ids are
	// unique across types within a tenant, so tenant B's user id may
	// still be the id of a group of tenant A.)
	in := newGroup("Shared Name", ua[0], ub[0])
	in.Members[1].Type = scim.MemberUser
	_, err := k.gs().CreateGroup(k.ctx, in)
	if ids, ok := unknownIDs(t, fmt.Sprintf("CreateGroup in tenant %q with tenant %q's user", tenantA, tenantB), err); ok && !slices.Equal(ids, []string{ub[0]}) {
		t.Errorf("the error names %q, want %q", ids, []string{ub[0]})
	}
	ga := k.createGroup(t, k.ctx, newGroup("Shared Name", ua[0]))
	_, err = k.gs().ModifyGroup(k.ctx, ga.ID, scim.GroupChange{Add: []scim.Member{{Value: ub[0], Type: scim.MemberUser}, {Value: gb.ID, Type: scim.MemberGroup}}, Now: groupTime}, "")
	if ids, ok := unknownIDs(t, fmt.Sprintf("ModifyGroup in tenant %q adding tenant %q's user and group", tenantA, tenantB), err); ok {
		if want := slices.Sorted(slices.Values([]string{ub[0], gb.ID})); !slices.Equal(ids, want) {
			t.Errorf("the error names %q, want %q", ids, want)
		}
	}
	// Tenant B's group is invisible in tenant A.
	_, err = k.gs().Group(k.ctx, gb.ID, true)
	wantErrIs(t, fmt.Sprintf("Group in tenant %q of tenant %q's group", tenantA, tenantB), err, scim.ErrNotFound)
	_, err = k.gs().ModifyGroup(k.ctx, gb.ID, scim.GroupChange{DisplayName: ptr("taken over"), Remove: []string{ub[0]}, Now: groupTime}, "")
	wantErrIs(t, fmt.Sprintf("ModifyGroup in tenant %q of tenant %q's group", tenantA, tenantB), err, scim.ErrNotFound)
	err = k.gs().DeleteGroup(k.ctx, gb.ID, "")
	wantErrIs(t, fmt.Sprintf("DeleteGroup in tenant %q of tenant %q's group", tenantA, tenantB), err, scim.ErrNotFound)
	for _, f := range []string{`displayName eq "Shared Name"`, fmt.Sprintf("id eq %q", gb.ID), fmt.Sprintf("members.value eq %q", ub[0])} {
		q := scim.Query{Filter: k.groupFilter(t, f), StartIndex: 1, Count: 10}
		for _, g := range k.listGroups(t, k.ctx, q).Groups {
			if g.ID == gb.ID {
				t.Errorf("ListGroups(%s) in tenant %q returned tenant %q's group", queryString(q), tenantA, tenantB)
			}
		}
	}
	if refs, err := k.gs().UserGroups(k.ctx, ub[0]); err != nil || len(refs) != 0 {
		t.Errorf("UserGroups in tenant %q of tenant %q's user = %+v, %v; want none", tenantA, tenantB, refs, err)
	}
	// Tenant B's group is untouched.
	stored := k.group(t, k.ctxB, gb.ID, true)
	checkMembers(t, fmt.Sprintf("tenant %q's group after tenant %q's attempts", tenantB, tenantA), stored, userMembers(ub[0]))
	if stored != nil && (stored.DisplayName != "Shared Name" || stored.Meta.Version != gb.Meta.Version) {
		t.Errorf("tenant %q's group changed: displayName %q version %q (was %q)", tenantB, stored.DisplayName, stored.Meta.Version, gb.Meta.Version)
	}
	p := k.listGroups(t, k.ctxB, scim.Query{StartIndex: 1, Count: 10})
	if got := groupIDs(p.Groups); !slices.Equal(got, []string{gb.ID}) {
		t.Errorf("ListGroups in tenant %q = %q, want only %q", tenantB, got, gb.ID)
	}
	// Deleting tenant A's user leaves tenant B's group alone.
	if err := k.s.Delete(k.ctx, ua[0], ""); err != nil {
		t.Fatalf("Delete(user %q): %v", ua[0], err)
	}
	checkMembers(t, fmt.Sprintf("tenant %q's group after a delete in tenant %q", tenantB, tenantA), k.group(t, k.ctxB, gb.ID, true), userMembers(ub[0]))
}
