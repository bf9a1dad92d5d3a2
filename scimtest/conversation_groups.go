package scimtest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// What the group conversations share: whether the service provider serves
// groups at all, the groups a conversation created (to delete them), and
// the reads that show what a membership change did. The identity
// providers never rely on a PATCH's body for members (Okta: "members may
// be omitted"; Entra asks for 204), so neither do the conversations: they
// read the group afterwards.

// groupsSkip says why the group conversations do not apply ("" when they
// do): the service provider's /ResourceTypes (RFC 7644 §4) does not list
// Group, or cannot be read. It asks quietly; the user conversations report
// a service provider that answers nothing.
func (s *session) groupsSkip() string {
	u := s.base.JoinPath("ResourceTypes")
	path := "/" + strings.TrimPrefix(u.Path, "/")
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return err.Error()
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	resp, done, err := s.roundTrip(s.ctx, req)
	if err != nil {
		return fmt.Sprintf("GET %s failed (%v), so whether the service provider serves groups is unknown", path, err)
	}
	defer done()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("GET %s answered %d, so whether the service provider serves groups is unknown (RFC 7644 §4)", path, resp.StatusCode)
	}
	v, _ := decodeJSON(body)
	for _, rt := range arrayAt(v, "Resources") {
		if stringOr(rt, "name") == "Group" || stringOr(rt, "id") == "Group" || stringOr(rt, "endpoint") == "/Groups" {
			return ""
		}
	}
	return fmt.Sprintf("GET %s does not list the Group resource type, so the service provider does not serve groups (RFC 7644 §4)", path)
}

// trackGroup remembers a group the conversation created, to delete it at
// the end (before its members). displayName finds it when the response
// gave no id.
func (s *session) trackGroup(id, displayName string) { s.remember(groupKind, id, displayName) }

// forgetGroup drops a group the conversation deleted itself.
func (s *session) forgetGroup(id string) { s.drop(groupKind, id) }

// newGroupVars returns the values of a group no store has: a random suffix in
// its displayName (letters, digits and dashes only: special characters
// are known to break Entra ID's own filter) and a GUID as externalId.
func newGroupVars() vars {
	suffix := randomHex(8)
	return vars{
		"displayName":     "scimtest-eng-" + suffix,
		"newDisplayName":  "scimtest-eng-team-" + suffix,
		"groupExternalId": guid(),
	}
}

// createGroup sends a create exchange, tracks the group for clean-up and
// returns v with its groupId; nil when there is none (the failure is
// reported).
func (s *session) createGroup(step string, v vars) vars {
	resp := s.do(step, v)
	if resp == nil || resp.status/100 != 2 {
		return nil
	}
	id := stringOr(resp.json, "id")
	s.trackGroup(id, v["displayName"])
	if id == "" {
		s.failResp(step, resp, "the created group has no id; the conversation cannot go on")
		return nil
	}
	return v.with("groupId", id)
}

// users creates n users with the create exchange step, each with values
// from fresh, and returns them with their ids; nil when one could not be
// created (the failure is reported).
func (s *session) users(step string, n int, fresh func() vars) []vars {
	users := make([]vars, n)
	var failed atomic.Bool
	parallel(n, func(i int) {
		v := fresh()
		id, _ := s.create(step, v)
		if id == "" {
			failed.Store(true)
		}
		users[i] = v.with("id", id)
	})
	if failed.Load() {
		return nil
	}
	return users
}

// groupOf creates n users with the exchange createUser and values from
// fresh, then a group with the exchange createGroup, and returns the
// group's values with the users' (memberVars), and the users; nil when
// that failed (the failure is reported).
func (s *session) groupOf(createUser string, fresh func() vars, n int, createGroup string) (vars, []vars) {
	users := s.users(createUser, n, fresh)
	if users == nil {
		return nil, nil
	}
	v := s.createGroup(createGroup, newGroupVars())
	if v == nil {
		return nil, nil
	}
	return memberVars(v, users), users
}

// memberVars are the values the membership exchanges name the users by:
// u1, u2, … their ids, u1Name, … their userNames (Okta's display).
func memberVars(v vars, users []vars) vars {
	kv := make([]string, 0, 4*len(users))
	for i, u := range users {
		n := fmt.Sprint(i + 1)
		kv = append(kv, "u"+n, u["id"], "u"+n+"Name", u["userName"])
	}
	return v.with(kv...)
}

// one is v with memberId and memberName set to user u's.
func one(v, u vars) vars {
	return v.with("memberId", u["id"], "memberName", u["userName"])
}

// change sends a membership or rename PATCH (or a PUT) and reports whether
// the service provider took it. A 200's body, when there is one, must be
// the group; its members are not looked at.
func (s *session) change(step string, v vars) bool {
	resp := s.do(step, v)
	if resp == nil || resp.status/100 != 2 {
		return false
	}
	if resp.status == http.StatusOK && resp.json != nil {
		if id := stringOr(resp.json, "id"); id != v["groupId"] {
			s.failResp(step, resp, "the PATCH answered 200 with a resource whose id is %q, not the group's %q (RFC 7644 §3.5.2)", id, v["groupId"])
		}
	}
	return true
}

// memberIDs returns the values of a group's members, reporting a member
// without a value and one listed twice. No members (absent, null or []) is
// an empty list.
func (s *session) memberIDs(step string, resp *response, g any) []string {
	var ids []string
	seen := map[string]bool{}
	for i, m := range arrayAt(g, "members") {
		id, ok := stringAt(m, "value")
		switch {
		case !ok:
			s.failResp(step, resp, "members[%d] has no value: %s (RFC 7643 §4.2)", i, describe(m))
		case seen[id]:
			s.failResp(step, resp, "member %s is listed twice (RFC 7643 §4.2: members is a set)", id)
		default:
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// checkMembers reads the group (GET /Groups/{id}, members and all) and
// reports, after what changed them, every member that is missing and every
// one that should not be there, by id and userName.
func (s *session) checkMembers(after string, v vars, want ...vars) {
	const step = "groups/get"
	resp := s.do(step, v)
	if resp == nil || resp.status != http.StatusOK {
		return
	}
	s.compareMembers(step, resp, after, s.memberIDs(step, resp, resp.json), want)
}

// compareMembers reports the difference between the member ids got and
// the users want.
func (s *session) compareMembers(step string, resp *response, after string, got []string, want []vars) {
	in := make(map[string]bool, len(got))
	for _, id := range got {
		in[id] = true
	}
	wanted := make(map[string]bool, len(want))
	var missing []string
	for _, u := range want {
		wanted[u["id"]] = true
		if !in[u["id"]] {
			missing = append(missing, u["id"]+" ("+u["userName"]+")")
		}
	}
	var extra []string
	for _, id := range got {
		if !wanted[id] {
			extra = append(extra, id)
		}
	}
	if len(missing) > 0 {
		s.failResp(step, resp, "after %s, %d of %d members are missing: %s", after, len(missing), len(want), list(missing))
	}
	if len(extra) > 0 {
		s.failResp(step, resp, "after %s, the group has %d members it should not have: %s", after, len(extra), list(extra))
	}
}

// list is a few of items, and how many more there are.
func list(items []string) string {
	const show = 5
	if len(items) <= show {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:show], ", ") + fmt.Sprintf(" and %d more", len(items)-show)
}

// checkUserGroups reads user u and reports whether its readOnly groups
// attribute (RFC 7643 §4.1.2) lists the group of v as it should: with
// the group's id as value and, when display is given, its displayName.
func (s *session) checkUserGroups(after string, u, v vars, member bool) {
	const step = "groups/get-user"
	resp := s.do(step, u)
	if resp == nil || resp.status != http.StatusOK {
		return
	}
	var found any
	for _, g := range arrayAt(resp.json, "groups") {
		if stringOr(g, "value") == v["groupId"] {
			found = g
		}
	}
	switch {
	case member && found == nil:
		s.failResp(step, resp, "after %s, user %s (%s) is a member of group %s (%s), but its groups attribute does not list it (RFC 7643 §4.1.2)", after, u["id"], u["userName"], v["groupId"], v["displayName"])
	case !member && found != nil:
		s.failResp(step, resp, "after %s, user %s (%s) is no member of group %s, but its groups attribute still lists it: %s (RFC 7643 §4.1.2)", after, u["id"], u["userName"], v["groupId"], describe(found))
	case found != nil:
		if d, ok := stringAt(found, "display"); ok && d != v["displayName"] {
			s.failResp(step, resp, "after %s, the groups attribute names group %s %q, but its displayName is %q (RFC 7643 §4.1.2)", after, v["groupId"], d, v["displayName"])
		}
	}
}
