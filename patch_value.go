package scim

import (
	"fmt"
	"strings"

	"github.com/scimkit/scim/schema"
)

// setPaths records what the keys of a path-less PATCH value set, to find
// two keys that set one attribute. Attributes are recorded whole ("name",
// "emails") or by sub-attribute ("name.givenName"), in lower case; two
// maps keep the check linear however many keys a value has.
type setPaths struct {
	leaves map[string]string // attribute or attribute.sub → the key that set it
	subsOf map[string]string // attribute → the first key that set one of its subs
}

// addTarget records what key, resolved to t with value v, sets.
func (s *setPaths) addTarget(key string, t patchTarget, v rawValue) *Error {
	if t.ext != nil {
		if len(v.data) == 0 || v.data[0] != '{' {
			return nil // null: nothing set; anything else fails later
		}
		return members(v, t.ext.ID, func(name string, _ rawValue) *Error {
			return s.add(key+"."+name, strings.ToLower(t.ext.ID)+":"+strings.ToLower(name), "")
		})
	}
	d := t.ref.def
	attr := strings.ToLower(t.ref.urn + ":" + d.Name)
	switch {
	case t.ref.sub != nil:
		return s.add(key, attr, strings.ToLower(t.ref.sub.Name))
	case t.filter != nil && d.Type == schema.Complex:
		return s.add(key, attr, "")
	case d.Type == schema.Complex && !d.MultiValued && len(v.data) > 0 && v.data[0] == '{':
		// name: {"givenName": …} sets name.givenName, not all of name.
		return members(v, key, func(sub string, _ rawValue) *Error {
			return s.add(key+"."+sub, attr, strings.ToLower(sub))
		})
	}
	return s.add(key, attr, "")
}

// add records that key sets attr (whole, when sub is "") or attr.sub.
func (s *setPaths) add(key, attr, sub string) *Error {
	if s.leaves == nil {
		s.leaves, s.subsOf = map[string]string{}, map[string]string{}
	}
	leaf := attr
	if sub != "" {
		leaf += "." + sub
	}
	prev, dup := s.leaves[leaf]
	if !dup && sub != "" {
		prev, dup = s.leaves[attr]
	}
	if !dup && sub == "" {
		prev, dup = s.subsOf[attr]
	}
	if dup {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("members %q and %q of value set the same attribute; set each attribute once", prev, key))
	}
	s.leaves[leaf] = key
	if sub != "" {
		if _, ok := s.subsOf[attr]; !ok {
			s.subsOf[attr] = key
		}
	}
	return nil
}
