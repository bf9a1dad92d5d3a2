package scimtest

import (
	"fmt"
	"net/http"
	"strings"
)

// rfcRemoveActive is rfc/remove-active. RFC 7643 §4.1.1 defines active
// neither required nor read-only, so a remove makes it unassigned (RFC
// 7644 §3.5.2.2) where a service provider's /Schemas agrees; one that
// lists it required or read-only must refuse with a 400 mutability. What
// an unassigned active means is the service provider's to say: served
// absent, or false; the one answer that cannot be right is the user
// still served active.
func rfcRemoveActive(s *session) {
	v := s.rfcUser()
	if v == nil {
		return
	}
	refusable, listed := s.activeRefusable()
	const step = "rfc/remove-active-patch"
	resp := s.do(step, v)
	switch {
	case resp == nil || resp.status/100 != 2 && resp.status != http.StatusBadRequest:
		return // do reported it
	case resp.status == http.StatusBadRequest && !refusable:
		s.failResp(step, resp, "the remove of active is refused, but /Schemas lists active %s: removed, it is unassigned (RFC 7644 §3.5.2.2); only a required or read-only attribute may be refused", listed)
		return
	case resp.status == http.StatusBadRequest:
		if st := stringOr(resp.json, "scimType"); st != "mutability" {
			s.failResp(step, resp, "/Schemas lists active %s, so the remove may be refused, but with scimType mutability, not %q (RFC 7644 §3.5.2.2)", listed, st)
		}
		return
	case refusable:
		s.failResp(step, resp, "/Schemas lists active %s, so its remove must be refused with a 400 mutability (RFC 7644 §3.5.2.2), not answered %d", listed, resp.status)
		return
	}
	const get = "rfc/remove-active-get"
	if resp := s.do(get, v); ok(resp) {
		if a, _ := at(resp.json, "active"); a == true {
			s.failResp(get, resp, "active is still true after its remove: removed, active is unassigned (RFC 7644 §3.5.2.2), and the user must not stay active; serve it absent, or false")
		}
	}
}

// activeRefusable reads in /Schemas whether a remove of active may be
// refused: when it lists active required or read-only. listed says what
// it lists. Without an answer it holds to RFC 7643 §4.1.1: required
// false, readWrite.
func (s *session) activeRefusable() (refusable bool, listed string) {
	required, mutability := false, "readWrite"
	for _, a := range s.userAttributes() {
		if !strings.EqualFold(stringOr(a, "name"), "active") {
			continue
		}
		r, _ := at(a, "required")
		required = r == true
		if m := stringOr(a, "mutability"); m != "" {
			mutability = m
		}
	}
	return required || strings.EqualFold(mutability, "readOnly"), fmt.Sprintf("required %t, mutability %s", required, mutability)
}
