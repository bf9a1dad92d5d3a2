package scimtest

import (
	"net/http"
	"strings"
)

// rfcDuplicates is rfc/duplicates. RFC 7643 §2.4: a multi-valued
// attribute SHOULD NOT return the same (type, value) more than once, and
// primary is true in one element at most. A service provider may refuse
// the duplicate instead (a 400 passes, and the rest is not checked);
// what it accepts, it serves once. The member part runs when the service
// provider serves groups.
func rfcDuplicates(s *session) {
	v := newUser()
	id, resp := s.create("rfc/duplicates-create", v)
	if resp != nil && resp.status == http.StatusBadRequest {
		s.logf("the service provider refused a create with one email twice (RFC 7643 §2.4 lets it), so how it serves duplicates was not checked: %s", stringOr(resp.json, "detail"))
		return
	}
	if id == "" {
		return
	}
	v = v.with("id", id)
	s.emailOnce("rfc/duplicates-create", resp, v)
	if resp := s.do("rfc/duplicates-get", v); ok(resp) {
		s.emailOnce("rfc/duplicates-get", resp, v)
	}
	if resp := s.do("rfc/duplicates-add", v); resp != nil && resp.status/100 == 2 {
		if resp := s.do("rfc/duplicates-get", v); ok(resp) {
			s.emailOnce("rfc/duplicates-get", resp, v)
		}
	}
	if s.groupsSkip() != "" {
		return
	}
	g := newGroupVars().with("memberId", id)
	resp = s.do("rfc/duplicates-group", g)
	if resp == nil || resp.status != http.StatusCreated {
		return
	}
	groupID := stringOr(resp.json, "id")
	s.trackGroup(groupID, g["displayName"])
	if groupID == "" {
		s.failResp("rfc/duplicates-group", resp, "the created group has no id; the conversation cannot go on")
		return
	}
	const get = "rfc/duplicates-group-get"
	if resp := s.do(get, g.with("groupId", groupID)); ok(resp) {
		if n := len(s.memberIDs(get, resp, resp.json)); n != 1 {
			s.failResp(get, resp, "the group lists %d members; it was created with one user named twice, a member once (RFC 7643 §2.4)", n)
		}
	}
}

// emailOnce reports a user (resp's body) whose emails list v["email"] more
// than once, or not at all, or more than one element as primary.
func (s *session) emailOnce(step string, resp *response, v vars) {
	n, primaries := 0, 0
	for _, e := range arrayAt(resp.json, "emails") {
		if strings.EqualFold(stringOr(e, "value"), v["email"]) {
			n++
		}
		if p, _ := at(e, "primary"); p == true {
			primaries++
		}
	}
	switch {
	case n == 0:
		s.failResp(step, resp, "emails does not list %s, which the create sent", v["email"])
	case n > 1:
		s.failResp(step, resp, "emails lists %s %d times; the same (type, value) SHOULD NOT be returned more than once (RFC 7643 §2.4)", v["email"], n)
	}
	if primaries > 1 {
		s.failResp(step, resp, "emails has %d elements with primary true; at most one may be (RFC 7643 §2.4)", primaries)
	}
}
