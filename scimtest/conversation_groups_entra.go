package scimtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// entraGroupConversations replay Microsoft Entra ID's group provisioning
// (IDP-TRAFFIC.md, Groups: Microsoft Entra ID). They run when
// /ResourceTypes lists Group.
var entraGroupConversations = []Conversation{
	{IdP: "entra", Name: "groups-create", run: entraGroupsCreate, NeedsGroups: true,
		Enforces: "Entra ID's group create: a displayName lookup with excludedAttributes=members finds nothing (200, empty list); POST with Microsoft's extra schema URN, with no members or \"members\":[] → 201 with id and externalId; the GET and the lookup, members excluded, find it (RFC 7644 §3.3, §3.4.2)"},
	{IdP: "entra", Name: "groups-add", run: entraGroupsAdd, NeedsGroups: true,
		Enforces: `Entra ID's Add of several members in one PATCH, "$ref":null → 200 or 204, and all of them are members; the same Add again (a retry) is a no-op (RFC 7644 §3.5.2.1)`},
	{IdP: "entra", Name: "groups-remove", run: entraGroupsRemove, NeedsGroups: true,
		Enforces: `Entra ID's Remove in both shapes it sends: path members with a value array, and path members[value eq "…"]; each removes only the members it names, never all of them; removing an absent member is a no-op (RFC 7644 §3.5.2.2)`},
	{IdP: "entra", Name: "groups-rename", run: entraGroupsRename, NeedsGroups: true,
		Enforces: "Entra ID's Replace of displayName → 200 or 204; the group has the new name, keeps its members, and the lookup by the new name finds it (RFC 7644 §3.5.2.3)"},
	{IdP: "entra", Name: "groups-exclude-members", run: entraGroupsExcludeMembers, NeedsGroups: true,
		Enforces: "Entra ID sends excludedAttributes=members on every group GET and lookup: a group with members comes back without a single one (RFC 7644 §3.9)"},
	{IdP: "entra", Name: "groups-delete", run: entraGroupsDelete, NeedsGroups: true,
		Enforces: "Entra ID's DELETE /Groups/{id} → 204; then GET → 404 and the lookup finds nothing; its members are still users, in no such group (RFC 7644 §3.6)"},
	{IdP: "entra", Name: "groups-user-delete", run: entraGroupsUserDelete, NeedsGroups: true,
		Enforces: "Entra ID deletes users that are group members: a deleted user is no longer a member of any group, and the others stay (RFC 7644 §3.6)"},
	{IdP: "entra", Name: "groups-parallel", run: entraGroupsParallel, NeedsGroups: true,
		Enforces: "Entra ID sends membership PATCHes to one group in parallel: 20 concurrent PATCHes, each adding a different user, leave all 20 members; none is lost to a read-modify-write (RFC 7644 §3.5.2)"},
	{IdP: "entra", Name: "groups-large", run: entraGroupsLarge, NeedsGroups: true, Large: true,
		Enforces: "large tenants: a group of LargeGroupMembers (default 20,000) built by Add PATCHes of at most MembersPerPatch (default 1,000) members each holds every member; adding and removing one member then works, and a GET with excludedAttributes=members returns none of them (RFC 7644 §3.5.2, §3.9)"},
}

// entraGroup creates n users and a group as Entra ID provisions them.
func (s *session) entraGroup(n int) (vars, []vars) {
	return s.groupOf("entra/create", newEntraUser, n, "entra/groups-create")
}

// lookup is v with the lookup's filter value: the displayName in upper
// case, since displayName is caseExact false.
func lookup(v vars) vars { return v.with("lookupName", strings.ToUpper(v["displayName"])) }

func entraGroupsCreate(s *session) {
	v := newGroupVars()
	s.do("entra/groups-lookup-absent", v)
	if v = s.createGroup("entra/groups-create", v); v == nil {
		return
	}
	s.do("entra/groups-get", v)
	s.do("entra/groups-lookup", lookup(v))
	s.checkMembers("a create with no members", v)

	w := newGroupVars()
	if w = s.createGroup("entra/groups-create-empty-members", w); w != nil {
		s.do("entra/groups-get", w)
		s.checkMembers(`a create with "members":[]`, w)
	}
}

func entraGroupsAdd(s *session) {
	v, users := s.entraGroup(3)
	if v == nil {
		return
	}
	if s.change("entra/groups-add", v) {
		s.checkMembers("an Add of u1, u2 and u3 in one PATCH", v, users...)
	}
	if s.change("entra/groups-add", v) {
		s.checkMembers("the same Add again (a retry)", v, users...)
	}
}

func entraGroupsRemove(s *session) {
	v, users := s.entraGroup(3)
	if v == nil || !s.change("entra/groups-add", v) {
		return
	}
	u1, u2, u3 := users[0], users[1], users[2]
	if s.change("entra/groups-remove", one(v, u1)) {
		s.checkMembers(`a Remove with path "members" and the value [u1]`, v, u2, u3)
	}
	if s.change("entra/groups-remove-filter", one(v, u2)) {
		s.checkMembers(`a remove with path members[value eq "u2"]`, v, u3)
	}
	if s.change("entra/groups-remove", one(v, u1)) {
		s.checkMembers("the Remove of u1 again (a retry: u1 is no member)", v, u3)
	}
}

func entraGroupsRename(s *session) {
	v, users := s.entraGroup(3)
	if v == nil || !s.change("entra/groups-add", v) {
		return
	}
	renamed := v.with("displayName", v["newDisplayName"])
	if !s.change("entra/groups-rename", renamed) {
		return
	}
	s.do("entra/groups-get", renamed)
	s.do("entra/groups-lookup", lookup(renamed))
	s.checkMembers("the Replace of displayName", renamed, users...)
}

func entraGroupsExcludeMembers(s *session) {
	v, _ := s.entraGroup(3)
	if v == nil || !s.change("entra/groups-add", v) {
		return
	}
	s.do("entra/groups-get", v)
	s.do("entra/groups-lookup", lookup(v))
}

func entraGroupsDelete(s *session) {
	v, users := s.entraGroup(1)
	if v == nil || !s.change("entra/groups-add-one", one(v, users[0])) {
		return
	}
	if resp := s.do("entra/groups-delete", v); resp == nil || resp.status != http.StatusNoContent {
		return
	}
	s.forgetGroup(v["groupId"])
	s.do("entra/groups-get-deleted", v)
	s.do("entra/groups-lookup-absent", v)
	s.checkUserGroups("the group's DELETE", users[0], v, false)
}

func entraGroupsUserDelete(s *session) {
	v, users := s.entraGroup(3)
	if v == nil || !s.change("entra/groups-add", v) {
		return
	}
	if resp := s.do("entra/delete", users[0]); resp == nil || resp.status != http.StatusNoContent {
		return
	}
	s.forget(users[0]["id"])
	s.checkMembers("the DELETE of user u1", v, users[1:]...)
}

// parallelPatches is how many membership PATCHes entra/groups-parallel
// sends to one group at once.
const parallelPatches = 20

func entraGroupsParallel(s *session) {
	v, users := s.entraGroup(parallelPatches)
	if v == nil {
		return
	}
	// Every PATCH waits at the gate, so that all of them are in flight
	// together, as Entra ID's are.
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			<-gate
			s.change("entra/groups-add-one", one(v, u))
		})
	}
	close(gate)
	wg.Wait()
	s.checkMembers(fmt.Sprintf("%d concurrent PATCHes, each adding a different user", parallelPatches), v, users...)
}

func entraGroupsLarge(s *session) {
	n, batch := s.t.LargeGroupMembers, s.t.MembersPerPatch
	v, users := s.entraGroup(n + 1)
	if v == nil {
		return
	}
	users, extra := users[:n], users[n]
	for start := 0; start < n; start += batch {
		members := make([]map[string]any, 0, batch)
		for _, u := range users[start:min(start+batch, n)] {
			members = append(members, map[string]any{"$ref": nil, "value": u["id"]})
		}
		b, _ := json.Marshal(members)
		if !s.change("entra/groups-add-batch", v.with("membersJSON", string(b))) {
			s.logf("the group could not be built: the Add of members %d to %d of %d failed", start+1, start+len(members), n)
			return
		}
	}
	big := fmt.Sprintf("a group of %d members", n)
	if s.change("entra/groups-add-one", one(v, extra)) {
		s.checkUserGroups("adding one user to "+big, extra, v, true)
	}
	if s.change("entra/groups-remove", one(v, extra)) {
		s.checkUserGroups("removing that user again", extra, v, false)
	}
	s.do("entra/groups-get", v)

	const step = "groups/get-member-values"
	resp := s.do(step, v)
	if resp == nil || resp.status != http.StatusOK {
		return
	}
	s.compareMembers(step, resp, fmt.Sprintf("%d Add PATCHes of at most %d members each, and adding and removing one more", (n+batch-1)/batch, batch), s.memberIDs(step, resp, resp.json), users)
}
