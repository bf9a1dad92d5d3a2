package scimtest

import "net/http"

// oktaGroupConversations replay Okta's Push Groups (IDP-TRAFFIC.md, Groups:
// Okta). They run when /ResourceTypes lists Group.
var oktaGroupConversations = []Conversation{
	{IdP: "okta", Name: "groups-push", run: oktaGroupsPush, NeedsGroups: true,
		Enforces: `Okta's Push Groups: POST /Groups with "members":[] → 201 with the group's id and Location; the group reads back with its displayName and no members (RFC 7644 §3.3)`},
	{IdP: "okta", Name: "groups-import", run: oktaGroupsImport, NeedsGroups: true,
		Enforces: "Okta's group import: GET /Groups?startIndex=1&count=100, then 101, … until totalResults; integer paging members, a stable order, every group exactly once with id and displayName (RFC 7644 §3.4.2.4)"},
	{IdP: "okta", Name: "groups-rename", run: oktaGroupsRename, NeedsGroups: true,
		Enforces: "Okta's rename: a path-less replace whose value holds the read-only id and the new displayName → 200 or 204; the group has the new name and keeps every member (RFC 7644 §3.5.2.3)"},
	{IdP: "okta", Name: "groups-membership", run: oktaGroupsMembership, NeedsGroups: true,
		Enforces: `Okta's membership PATCHes, each after a rename: add members with display; one PATCH mixing remove members[value eq "…"] and an add; the same add again as a retry (a no-op). Each → 200 or 204, and the group then holds exactly the members it should (RFC 7644 §3.5.2)`},
	{IdP: "okta", Name: "groups-full-push", run: oktaGroupsFullPush, NeedsGroups: true,
		Enforces: `Okta's full push: replace of members with the whole list leaves exactly that list; "Push now" on an empty group (replace with []) empties it (RFC 7644 §3.5.2.3)`},
	{IdP: "okta", Name: "groups-wizard-put", run: oktaGroupsWizardPut, NeedsGroups: true,
		Enforces: "apps built with Okta's wizard PUT the whole group, id and meta included → 200 with the group; the members become exactly those of the PUT (RFC 7644 §3.5.1)"},
	{IdP: "okta", Name: "groups-unlink", run: oktaGroupsUnlink, NeedsGroups: true,
		Enforces: `Okta's unlink with "Delete the group in the target app": DELETE /Groups/{id} → 204, then GET → 404; its members are still users, in no such group (RFC 7644 §3.6)`},
	{IdP: "okta", Name: "groups-user-attribute", run: oktaGroupsUserAttribute, NeedsGroups: true,
		Enforces: "a user's readOnly groups attribute lists the groups it was added to, by id and displayName, and no longer lists one it was removed from (RFC 7643 §4.1.2)"},
}

// oktaGroup creates n users and a group as Okta pushes them.
func (s *session) oktaGroup(n int) (vars, []vars) {
	return s.groupOf("okta/create", newUser, n, "okta/groups-create")
}

func oktaGroupsPush(s *session) {
	v := s.createGroup("okta/groups-create", newGroupVars())
	if v == nil {
		return
	}
	s.checkMembers(`the push with "members":[]`, v)
}

// importGroups is how many groups okta/groups-import creates: two pages of
// 100.
const importGroups = 101

func oktaGroupsImport(s *session) {
	groups := make([]vars, importGroups)
	parallel(importGroups, func(i int) { groups[i] = s.createGroup("okta/groups-create", newGroupVars()) })
	ids := make([]string, importGroups)
	names := make([]string, importGroups)
	for i, v := range groups {
		if v == nil {
			return
		}
		ids[i], names[i] = v["groupId"], v["displayName"]
	}
	s.importPages("okta/groups-import-page", "group", ids, names, s.listedGroup)
}

// listedGroup checks a group in an import page has what Okta imports.
func (s *session) listedGroup(step string, resp *response, g any) {
	for _, p := range []string{"id", "displayName"} {
		if _, ok := stringAt(g, p); !ok {
			s.failResp(step, resp, "a listed group (id %q) has no %s", stringOr(g, "id"), p)
		}
	}
}

func oktaGroupsRename(s *session) {
	v, users := s.oktaGroup(1)
	if v == nil || !s.change("okta/groups-add-one", one(v, users[0])) {
		return
	}
	renamed := v.with("displayName", v["newDisplayName"])
	if s.change("okta/groups-rename", renamed) {
		s.checkMembers("the rename", renamed, users[0])
	}
}

func oktaGroupsMembership(s *session) {
	v, users := s.oktaGroup(3)
	if v == nil {
		return
	}
	u1, u2, u3 := users[0], users[1], users[2]
	// Okta renames before each membership update; with the name it has,
	// that changes nothing.
	steps := []struct {
		step, after string
		v           vars
		want        []vars
	}{
		{"okta/groups-add", "adding u1 and u2", v, []vars{u1, u2}},
		{"okta/groups-mixed", "removing u2 and adding u3 in one PATCH", v, []vars{u1, u3}},
		{"okta/groups-add-one", "adding u3 again (a retry)", one(v, u3), []vars{u1, u3}},
	}
	for _, st := range steps {
		if !s.change("okta/groups-rename", v) || !s.change(st.step, st.v) {
			return
		}
		s.checkMembers(st.after, v, st.want...)
	}
}

func oktaGroupsFullPush(s *session) {
	v, users := s.oktaGroup(3)
	if v == nil || !s.change("okta/groups-add", v) {
		return
	}
	if s.change("okta/groups-replace-members", v) {
		s.checkMembers("a replace of members with [u2]", v, users[1])
	}
	if s.change("okta/groups-push-now-empty", v) {
		s.checkMembers("a replace of members with []", v)
	}
}

func oktaGroupsWizardPut(s *session) {
	v, users := s.oktaGroup(3)
	if v == nil || !s.change("okta/groups-add-one", one(v, users[1])) {
		return
	}
	renamed := v.with("displayName", v["newDisplayName"])
	if s.change("okta/groups-put", renamed) {
		s.checkMembers("a PUT with members u1 and u3", renamed, users[0], users[2])
	}
}

func oktaGroupsUnlink(s *session) {
	v, users := s.oktaGroup(1)
	if v == nil || !s.change("okta/groups-add-one", one(v, users[0])) {
		return
	}
	if resp := s.do("okta/groups-delete", v); resp == nil || resp.status != http.StatusNoContent {
		return
	}
	s.forgetGroup(v["groupId"])
	s.do("okta/groups-get-deleted", v)
	s.checkUserGroups("the group's DELETE", users[0], v, false)
}

func oktaGroupsUserAttribute(s *session) {
	v, users := s.oktaGroup(2)
	if v == nil {
		return
	}
	u1, u2 := users[0], users[1]
	if !s.change("okta/groups-add-one", one(v, u1)) {
		return
	}
	s.checkUserGroups("adding u1 to the group", u1, v, true)
	s.checkUserGroups("adding u1 (not u2) to the group", u2, v, false)
	if s.change("okta/groups-remove", one(v, u1)) {
		s.checkUserGroups("removing u1 from the group", u1, v, false)
	}
}
