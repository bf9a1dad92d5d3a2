package scim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// patchComplexElements applies an operation on attr[filter] or
// attr[filter].sub of a multi-valued complex attribute held in
// User.Custom (RFC 7644 §3.5.2): remove drops the matching elements (or
// their sub-attribute); add and replace set the value's sub-attributes
// on them (or the one sub-attribute). When nothing matches, add and
// replace create the element if the filter is a type eq of a canonical
// type (upsertType), as Entra ID expects of emails and phoneNumbers, and
// are a noTarget otherwise (RFC 7644 §3.5.2.3); a remove of nothing does
// nothing. One pass over the elements.
func (h *Handler) patchComplexElements(u *User, t patchTarget, op PatchOp, remove bool, v rawValue) *Error {
	d := t.ref.def
	old, _ := u.Custom[d.Name].([]map[string]any)
	var list []map[string]any
	var set map[string]any // what add and replace set on a matching element
	if !remove {
		var e *Error
		if t.ref.sub != nil {
			if t.ref.sub.Mutability == schema.ReadOnly {
				return nil
			}
			x, e := h.decodeScalar(t.ref.sub, v)
			if e != nil {
				return e
			}
			set = map[string]any{t.ref.sub.Name: x}
		} else if set, e = h.decodeComplex(d, v, d.Name); e != nil {
			return e
		}
	}
	matched, last := 0, -1
	el := &element{name: d.Name} // one for all elements: an interface conversion per element allocates
	for i, m := range old {
		el.m = m
		ok, err := filter.Match(t.filter, el)
		if err != nil {
			return badRequest(ScimTypeInvalidFilter, err.Error())
		}
		if !ok {
			if list != nil {
				list = append(list, m)
			}
			continue
		}
		if list == nil {
			// The list is copied from the first match on: a filter
			// matching nothing (a remove that finds nothing to remove,
			// a thousand times in one PATCH) costs no copy.
			list = append(make([]map[string]any, 0, len(old)+1), old[:i]...)
		}
		matched++
		switch {
		case remove && t.ref.sub == nil:
			continue // the element goes
		case remove:
			m = maps.Clone(m)
			delete(m, t.ref.sub.Name)
		default:
			m = mergeComplex(m, set)
		}
		if len(m) > 0 {
			list = append(list, m)
			last = len(list) - 1
		}
	}
	if matched == 0 {
		if remove {
			return nil
		}
		typ, ok := upsertType(d, t.filter.Filter)
		if !ok {
			return badRequest(ScimTypeNoTarget, fmt.Sprintf("no element of %q matches %s; nothing to %s (only a filter type eq one of the canonical types creates an element)", d.Name, t.filter.String(), op))
		}
		created := mergeComplex(map[string]any{"type": typ}, set)
		if len(created) == 1 {
			return badRequest(ScimTypeNoTarget, fmt.Sprintf("no element of %q matches %s, and the operation gives no value to create one with", d.Name, t.filter.String()))
		}
		list = append(slices.Clone(old), created)
		last = len(list) - 1
	}
	if last >= 0 {
		onePrimary(list, last)
	}
	// An element the operation changed may now equal another.
	h.setCustom(u, d.Name, collapseElements(list))
	return nil
}

// upsertType returns the type of the element an add or replace of
// attr[filter] creates when no element matches: Entra ID sends
// emails[type eq "work"].value for a user without a work email, and means
// "set it". Only a filter that is exactly type eq one of the canonical
// values /Schemas lists for attr's type (compared as the filter compares,
// so "Work" is "work") creates one, with the canonical spelling; any other
// filter that matches nothing is a noTarget (RFC 7644 §3.5.2.3).
func upsertType(d *schema.Attribute, f filter.Expr) (string, bool) {
	c, ok := f.(*filter.Compare)
	if !ok || c.Op != filter.Eq || c.Path.Name != "type" || c.Path.Sub != "" || c.Value.Kind != filter.String {
		return "", false
	}
	typ, ok := d.SubAttribute("type", false)
	if !ok {
		return "", false
	}
	for _, v := range typ.CanonicalValues {
		if v == c.Value.Str || !c.CaseExact && strings.EqualFold(v, c.Value.Str) {
			return v, true
		}
	}
	return "", false
}

// removeComplexValues removes from a multi-valued complex attribute the
// elements whose value equals that of an element of v, as a remove with
// a value list asks (Entra ID sends such removes).
func (h *Handler) removeComplexValues(u *User, d *schema.Attribute, v rawValue) *Error {
	drop, e := h.decodeComplexList(d, v)
	if e != nil {
		return e
	}
	gone := make(map[any]struct{}, len(drop))
	for _, m := range drop {
		if x, ok := m["value"]; ok {
			gone[x] = struct{}{}
		}
	}
	old, _ := u.Custom[d.Name].([]map[string]any)
	list := make([]map[string]any, 0, len(old))
	for _, m := range old {
		if _, ok := gone[m["value"]]; !ok {
			list = append(list, m)
		}
	}
	h.setCustom(u, d.Name, list)
	return nil
}
