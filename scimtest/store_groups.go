package scimtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// groupCases check the promises of scim.GroupStore; each runs only for a
// store that implements it.
var groupCases = []storeCase{
	{
		name: "GroupCreateAndGet",
		rule: "RFC 7643 §4.2 and RFC 7644 §3.3: CreateGroup returns the group as stored with an id and a version, its members included (duplicates once, Type filled in as \"User\"); Group with members returns the same, Group without members returns Members nil",
		run:  checkGroupCreateAndGet,
	},
	{
		name: "GroupCreateUnknownMembers",
		rule: "scim.GroupStore and RFC 7644 §3.12 invalidValue: a create whose members name no user of the tenant fails with an *scim.UnknownMembersError naming every unknown id, and stores nothing",
		run:  checkGroupCreateUnknown,
	},
	{
		name: "GroupNotFound",
		rule: "RFC 7644 §3.12 (404) and scim.GroupStore: Group, ModifyGroup and DeleteGroup of an unknown id (or of an id in another case: ids are caseExact, RFC 7643 §3.1) fail with scim.ErrNotFound",
		run:  checkGroupNotFound,
	},
	{
		name: "GroupMembershipDeltas",
		rule: "RFC 7644 §3.5.2: Okta and Entra ID change membership with PATCH add and remove of members, and replace of all members (Okta's \"Push now\", an empty list for an empty group); each ModifyGroup applies exactly its delta, returns the group without members and gives it a new version",
		run:  checkGroupDeltas,
	},
	{
		name: "GroupRename",
		rule: "RFC 7644 §3.5.2: Okta renames a group with a replace of displayName, Entra ID with Replace displayName; ModifyGroup sets displayName and externalId (an empty ExternalID removes it) and keeps the members",
		run:  checkGroupRename,
	},
	{
		name: "GroupNoOpKeepsVersion",
		rule: "scim.GroupStore: identity providers retry, so adding a present member, removing an absent one or setting a value a group has already changes nothing, and the group keeps its Meta.Version and Meta.LastModified (an ETag stays valid, RFC 7644 §3.14)",
		run:  checkGroupNoOps,
	},
	{
		name: "GroupModifyUnknownMembers",
		rule: "scim.GroupStore and RFC 7644 §3.5.2 (a PATCH is atomic): a ModifyGroup that adds ids naming no user of the tenant fails with an *scim.UnknownMembersError naming all of them, and nothing of it (not even its removes or rename) is applied",
		run:  checkGroupModifyUnknown,
	},
	{
		name: "GroupVersionCompareAndSwap",
		rule: "RFC 7644 §3.14 (If-Match) and scim.GroupStore: ModifyGroup and DeleteGroup at a stale version fail with scim.ErrVersionMismatch and change nothing; at the current version they succeed",
		run:  checkGroupVersion,
	},
	{
		name: "GroupDelete",
		rule: "RFC 7644 §3.6: a deleted group is not found, is gone from ListGroups, from its members' groups (UserGroups) and from the members of groups it was nested in",
		run:  checkGroupDelete,
	},
	{
		name: "DeleteUserLeavesGroups",
		rule: "scim.GroupStore and RFC 7643 §4.2: deleting a user removes it from every group and gives each such group a new version (Okta and Entra ID deprovision users and then read their groups)",
		run:  checkDeleteUserLeavesGroups,
	},
	{
		name: "UserGroups",
		rule: "RFC 7643 §4.1.2 groups (readOnly): UserGroups lists exactly the groups the user is a direct member of, with their displayName, in a stable order; a user in no group, or an unknown one, has none",
		run:  checkUserGroups,
	},
	{
		name: "GroupFilters",
		rule: "RFC 7644 §3.4.2.2 on /Groups: Entra ID looks groups up with displayName eq (caseExact false, RFC 7643 §4.2), Okta with externalId eq and id eq (caseExact), both check membership with members[value eq \"…\"] or members.value eq; and and or combine them; no match is 0 results, never an error",
		run:  checkGroupFilters,
	},
	{
		name: "GroupStablePaging",
		rule: "RFC 7644 §3.4.2.4 on /Groups: pages of the stable order concatenate to the whole list with no group skipped or repeated, and count=0 gives totalResults only",
		run:  checkGroupPaging,
	},
	{
		name: "GroupMembersOnlyWhenAsked",
		rule: "scim.GroupStore: ListGroups loads members only with Query.Members (Entra ID sends excludedAttributes=members on every group read), and then every group's full list",
		run:  checkGroupMembersWhenAsked,
	},
	{
		name: "GroupMaxMembers",
		rule: "scim.GroupStore ListGroups: with Query.MaxMembers a page embeds at most that many members in all; a group that would take it past the cap comes back with MembersOmitted and no members, the others with all theirs",
		run:  checkGroupMaxMembers,
	},
	{
		name: "GroupTenantIsolation",
		rule: "scim.Store and scim.GroupStore: the tenant partitions groups and members; another tenant's user is an unknown member, and no Group, ListGroups, ModifyGroup, DeleteGroup or UserGroups reaches another tenant's group",
		run:  checkGroupTenants,
	},
	{
		name: "GroupNestedMember",
		rule: "RFC 7643 §4.2 members.type \"Group\": a group may be a member of a group; it is stored and read back with Type \"Group\" and found by members.value eq; an id that names no group of the tenant is unknown as a Group member",
		run:  checkGroupNested,
	},
	{
		name: "ReturnedGroupsAreCopies",
		rule: "scim.GroupStore: the store owns its state; changing a group passed to CreateGroup, or one returned by any method, does not change the stored group",
		run:  checkGroupCopies,
	},
	{
		name: "GroupConcurrentMembership",
		rule: "scim.GroupStore ModifyGroup: concurrent membership changes without a version all take effect (Okta and Entra ID send membership PATCHes to one group in parallel); none may be lost",
		run:  checkGroupConcurrent,
	},
}

// groupStoreCapability is what the cases that need isGroupStore say a
// store lacks when they skip.
const groupStoreCapability = "scim.GroupStore (or answers errors.ErrUnsupported)"

func init() {
	for i := range groupCases {
		groupCases[i].needs = isGroupStore
		groupCases[i].capability = groupStoreCapability
	}
}

// isGroupStore reports whether s serves groups: it implements
// scim.GroupStore, does not say otherwise with ServesGroups, and its
// ListGroups does not answer errors.ErrUnsupported (a store
// whose groups are configured away, such as sqlstore without
// Config.Groups).
func isGroupStore(s scim.Store) bool {
	gs, ok := s.(scim.GroupStore)
	if !ok {
		return false
	}
	if sw, ok := s.(interface{ ServesGroups() bool }); ok && !sw.ServesGroups() {
		return false
	}
	_, err := gs.ListGroups(context.Background(), scim.Query{StartIndex: 1})
	return !errors.Is(err, errors.ErrUnsupported)
}

func (k *storeKit) gs() scim.GroupStore { return k.s.(scim.GroupStore) }

// users creates n users in ctx's tenant, numbered from first, and returns
// their ids.
func (k *storeKit) users(t tb, ctx context.Context, first, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[i] = k.createIn(t, ctx, sampleUser(first+i)).ID
	}
	return ids
}

// groupTime is the Meta the kit gives a new group, as the handler would.
var groupTime = time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)

// newGroup returns a group to create, with members of Type "User" for
// userIDs (left empty, for the store to fill in).
func newGroup(name string, userIDs ...string) *scim.Group {
	g := &scim.Group{DisplayName: name, ExternalID: "ext-" + name, Meta: scim.Meta{Created: groupTime, LastModified: groupTime}}
	for _, id := range userIDs {
		g.Members = append(g.Members, scim.Member{Value: id})
	}
	return g
}

// createGroup creates g in ctx's tenant; a failure stops the check.
func (k *storeKit) createGroup(t tb, ctx context.Context, g *scim.Group) *scim.Group {
	t.Helper()
	got, err := k.gs().CreateGroup(ctx, cloneGroup(g))
	return created(t, fmt.Sprintf("CreateGroup(displayName %q, %d members)", g.DisplayName, len(g.Members)), "group", got, err)
}

// group reads a group in ctx's tenant, or returns nil after reporting an
// error.
func (k *storeKit) group(t tb, ctx context.Context, id string, members bool) *scim.Group {
	t.Helper()
	g, err := k.gs().Group(ctx, id, members)
	return read(t, fmt.Sprintf("Group(%q, members %t)", id, members), "group", g, err)
}

// modify applies c in tenant A; an error stops the check.
func (k *storeKit) modify(t tb, id string, c scim.GroupChange, version string) *scim.Group {
	t.Helper()
	c.Now = groupTime.Add(time.Hour)
	g, err := k.gs().ModifyGroup(k.ctx, id, c, version)
	if err != nil {
		t.Fatalf("ModifyGroup(%q, %s, version %q): %v", id, changeString(c), version, err)
	}
	if g == nil {
		t.Fatalf("ModifyGroup(%q, %s) returned a nil group and no error", id, changeString(c))
	}
	if g.Members != nil {
		t.Errorf("ModifyGroup(%q, %s) returned %d members; it returns the group without members (a large group's list is never loaded for a change)", id, changeString(c), len(g.Members))
	}
	return g
}

// listGroups runs q in ctx; an error stops the check.
func (k *storeKit) listGroups(t tb, ctx context.Context, q scim.Query) *scim.GroupPage {
	t.Helper()
	p, err := k.gs().ListGroups(ctx, q)
	return checkPage(t, groupListing, fmt.Sprintf("%s, members %t", queryString(q), q.Members), q.Count, p, err, pageGroups)
}

func pageGroups(p *scim.GroupPage) []*scim.Group { return p.Groups }

// findGroups runs a filter in tenant A and checks that it matches exactly
// the groups with the given ids, with a matching TotalResults.
func (k *storeKit) findGroups(t tb, f filter.Expr, want ...string) {
	t.Helper()
	groupListing.find(t, k.groupsIn(k.ctx), f, want)
}

// groupsIn lists the groups of ctx's tenant, without members, for the
// checks shared by every resource type.
func (k *storeKit) groupsIn(ctx context.Context) idLister {
	return listerOf(func(q scim.Query) (*scim.GroupPage, error) { return k.gs().ListGroups(ctx, q) },
		func(p *scim.GroupPage) ([]string, int) { return groupIDs(p.Groups), p.TotalResults })
}

// groupFilter parses a group filter written by the kit and resolves it as
// the handler does for /Groups (scim.Handler.ParseGroupFilter), so that
// stores are checked against the queries the handler really sends.
func (k *storeKit) groupFilter(t tb, s string) filter.Expr {
	t.Helper()
	return k.parseFilter(t, "group filter", (*scim.Handler).ParseGroupFilter, s)
}

func groupIDs(gs []*scim.Group) []string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = g.ID
	}
	return s
}

func cloneGroup(g *scim.Group) *scim.Group {
	c := *g
	c.Members = slices.Clone(g.Members)
	return &c
}

// memberKeys are the members as sorted "Type:value" strings, for
// comparison and reports.
func memberKeys(ms []scim.Member) []string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Type + ":" + m.Value
	}
	slices.Sort(s)
	return s
}

// users returns members of Type "User" with the given ids.
func userMembers(ids ...string) []scim.Member {
	ms := make([]scim.Member, len(ids))
	for i, id := range ids {
		ms[i] = scim.Member{Value: id, Type: scim.MemberUser}
	}
	return ms
}

// checkMembers reports when g's members are not exactly want, in any
// order.
func checkMembers(t tb, what string, g *scim.Group, want []scim.Member) {
	t.Helper()
	if g == nil {
		return
	}
	got, w := memberKeys(g.Members), memberKeys(want)
	if !slices.Equal(got, w) {
		t.Errorf("%s: members %q, want %q", what, got, w)
	}
}

// checkGroup reports the differences of got's attributes from want's,
// members and ID and Meta.Version aside.
func checkGroup(t tb, what string, want, got *scim.Group) {
	t.Helper()
	if got == nil {
		return
	}
	if got.DisplayName != want.DisplayName {
		t.Errorf("%s: DisplayName = %q, want %q", what, got.DisplayName, want.DisplayName)
	}
	if got.ExternalID != want.ExternalID {
		t.Errorf("%s: ExternalID = %q, want %q", what, got.ExternalID, want.ExternalID)
	}
	if !got.Meta.Created.Equal(want.Meta.Created) {
		t.Errorf("%s: Meta.Created = %v, want %v", what, got.Meta.Created, want.Meta.Created)
	}
	if !got.Meta.LastModified.Equal(want.Meta.LastModified) {
		t.Errorf("%s: Meta.LastModified = %v, want %v", what, got.Meta.LastModified, want.Meta.LastModified)
	}
}

// unknownIDs returns the ids an *UnknownMembersError names, reporting an
// error when err is not one.
func unknownIDs(t tb, op string, err error) ([]string, bool) {
	t.Helper()
	var ue *scim.UnknownMembersError
	if !errors.As(err, &ue) {
		t.Errorf("%s: got error %v, want an *scim.UnknownMembersError", op, err)
		return nil, false
	}
	if !errors.Is(err, scim.ErrUnknownMember) {
		t.Errorf("%s: the error %v does not wrap scim.ErrUnknownMember", op, err)
	}
	return slices.Sorted(slices.Values(ue.IDs)), true
}

func changeString(c scim.GroupChange) string {
	var parts []string
	if c.DisplayName != nil {
		parts = append(parts, fmt.Sprintf("displayName %q", *c.DisplayName))
	}
	if c.ExternalID != nil {
		parts = append(parts, fmt.Sprintf("externalId %q", *c.ExternalID))
	}
	if c.ReplaceMembers {
		parts = append(parts, fmt.Sprintf("replace members with %q", memberKeys(c.Add)))
	} else {
		if len(c.Remove) > 0 {
			parts = append(parts, fmt.Sprintf("remove %q", c.Remove))
		}
		if len(c.Add) > 0 {
			parts = append(parts, fmt.Sprintf("add %q", memberKeys(c.Add)))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

func ptr[T any](v T) *T { return &v }

// Ids no store has: a well-formed UUID and one in the style of a
// database key.
const (
	unknownUUID = "2819c223-7f76-453a-919d-413861904646"
	unknownKey  = "987654321"
)
