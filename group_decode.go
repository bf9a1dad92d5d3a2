package scim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scim/schema"
)

// decodeGroup reads a Group from a POST or PUT body. Read-only members (id,
// meta, which Okta's PUT echoes) are ignored; displayName is required.
func (h *Handler) decodeGroup(body []byte) (*Group, *Error) {
	g := &Group{}
	budget := h.cfg.MaxMembersPerRequest
	e := h.decodeResource(body, &h.groupNames, func(ref attrRef, v rawValue) *Error {
		if ref.def.Mutability == schema.ReadOnly {
			return nil
		}
		switch ref.def.Name {
		case "displayName":
			return setString(&g.DisplayName, "displayName", v)
		case "externalId":
			return setString(&g.ExternalID, "externalId", v)
		case "members":
			ms, e := h.decodeMembers(v, "members", &budget)
			g.Members = ms
			return e
		}
		return nil
	}, func(urn string, _ rawValue) *Error {
		return h.unknown(&nameError{name: urn})
	})
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return nil, badRequest(ScimTypeInvalidValue, "attribute \"displayName\" is required")
	}
	if e := h.checkGroup(g); e != nil {
		return nil, e
	}
	return g, nil
}

// decodeMembers reads a members value: an array of member objects (one
// object alone is taken as an array of one), or null for none; a member
// named twice is there once (collapseMembers). budget is what is left of
// MaxMembersPerRequest for the request; it is spent here.
func (h *Handler) decodeMembers(v rawValue, where string, budget *int) ([]Member, *Error) {
	if v.isNull() {
		return nil, nil
	}
	if len(v.data) > 0 && v.data[0] == '{' {
		m, e := h.decodeMember(v, where)
		if e != nil {
			return nil, e
		}
		if *budget--; *budget < 0 {
			return nil, h.tooManyMembers()
		}
		return []Member{m}, nil
	}
	if len(v.data) == 0 || v.data[0] != '[' {
		return nil, badRequest(ScimTypeInvalidValue, valueError(where, "an array of members", v).Detail)
	}
	ms := []Member{}
	e := elements(v, where, func(i int, el rawValue) *Error {
		if *budget--; *budget < 0 {
			return h.tooManyMembers()
		}
		m, e := h.decodeMember(el, where+"["+strconv.Itoa(i)+"]")
		if e == nil {
			ms = append(ms, m)
		}
		return e
	})
	return collapseMembers(ms), e
}

func (h *Handler) tooManyMembers() *Error {
	return errorf(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request names more than %d group members, the most one request may; send the rest in further PATCH requests", h.cfg.MaxMembersPerRequest))
}

// decodeMember reads one member object. value is required; type, when
// given, must be User or Group; $ref is derived from value and type, and
// display (which Okta sends) from the member itself, so both are not kept.
func (h *Handler) decodeMember(el rawValue, where string) (Member, *Error) {
	var m Member
	if len(el.data) == 0 || el.data[0] != '{' {
		return m, badRequest(ScimTypeInvalidValue, valueError(where, "a member object such as {\"value\":\"<id>\"}", el).Detail)
	}
	e := h.subMembers(&h.groupNames, &h.groupNames.core[h.membersIndex], el, where, "display", func(sub *schema.Attribute, v rawValue) *Error {
		switch sub.Name {
		case "value":
			return setString(&m.Value, "members.value", v)
		case "$ref":
			// Derived, so not kept; still a value, under the limits.
			var ref string
			if e := setString(&ref, "members.$ref", v); e != nil {
				return e
			}
			return checkString("members.$ref", ref, h.cfg.Limits.MaxStringLength, "MaxStringLength")
		case "type":
			var t string
			if e := setString(&t, "members.type", v); e != nil {
				return e
			}
			if e := checkString("members.type", t, h.cfg.Limits.MaxStringLength, "MaxStringLength"); e != nil {
				return e
			}
			switch {
			case t == "":
			case strings.EqualFold(t, MemberUser):
				m.Type = MemberUser
			case strings.EqualFold(t, MemberGroup):
				m.Type = MemberGroup
			default:
				return badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s.type is %.64q; it must be \"User\" or \"Group\"", where, t))
			}
		}
		return nil
	})
	if e == nil && m.Value == "" {
		e = badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s has no \"value\"; a member is named by its id", where))
	}
	return m, e
}
