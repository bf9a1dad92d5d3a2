package scim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// Complex attributes held in User.Custom (the RFC profile's addresses,
// phoneNumbers, every email, the enterprise manager, name's other parts):
// a singular one is a map[string]any of its sub-attributes' values, a
// multi-valued one a []map[string]any, each value a string, bool, int64
// or time.Time as for simple custom attributes.

// decodeComplex reads one complex value: an object of sub-attributes,
// each decoded by its type. A bare string is taken as the value
// sub-attribute, as Entra ID sends the enterprise manager. Read-only
// sub-attributes are ignored; null ones are absent. It returns nil for an
// object with no value at all.
func (h *Handler) decodeComplex(d *schema.Attribute, v rawValue, where string) (map[string]any, *Error) {
	if len(v.data) > 0 && v.data[0] == '"' {
		if _, ok := d.SubAttribute("value", false); ok {
			s, e := decodeString(where, v)
			if e != nil || s == "" {
				return nil, e
			}
			return map[string]any{"value": s}, nil
		}
	}
	if len(v.data) == 0 || v.data[0] != '{' {
		return nil, badRequest(ScimTypeInvalidValue, valueError(where, "an object", v).Detail)
	}
	var m map[string]any
	e := members(v, where, func(key string, v rawValue) *Error {
		sub, ne := h.names.lookup(d.SubAttributes, key, d.Name)
		if ne != nil {
			return h.unknown(ne)
		}
		if sub.Mutability == schema.ReadOnly || v.isNull() {
			return nil
		}
		x, e := h.decodeScalar(sub, v)
		if e != nil {
			e.Detail = strings.Replace(e.Detail, `"`+sub.Name+`"`, `"`+d.Name+"."+sub.Name+`"`, 1)
			return e
		}
		if m == nil {
			m = make(map[string]any, len(d.SubAttributes))
		}
		m[sub.Name] = x
		return nil
	})
	if e != nil {
		return nil, e
	}
	return m, nil
}

// decodeComplexList reads the value of a multi-valued complex attribute:
// an array of objects (one object alone is an array of one). Exact
// duplicates are collapsed (collapseElements); then primary may be true
// in one element at most (RFC 7643 §2.4).
func (h *Handler) decodeComplexList(d *schema.Attribute, v rawValue) ([]map[string]any, *Error) {
	if len(v.data) > 0 && v.data[0] == '{' {
		m, e := h.decodeComplex(d, v, d.Name)
		if m == nil || e != nil {
			return nil, e
		}
		return []map[string]any{m}, nil
	}
	if len(v.data) == 0 || v.data[0] != '[' {
		return nil, badRequest(ScimTypeInvalidValue, valueError(d.Name, "an array of objects", v).Detail)
	}
	var out []map[string]any
	e := elements(v, d.Name, func(i int, el rawValue) *Error {
		m, e := h.decodeComplex(d, el, d.Name+"["+strconv.Itoa(i)+"]")
		if e == nil && m != nil {
			out = append(out, m)
		}
		return e
	})
	if e != nil {
		return nil, e
	}
	out = collapseElements(out)
	if first := slices.IndexFunc(out, isPrimary); first >= 0 && slices.ContainsFunc(out[first+1:], isPrimary) {
		return nil, badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s has more than one element with primary true; at most one may be primary", d.Name))
	}
	return out, nil
}

// mergeComplex returns old with the sub-attributes of add set over it, as
// an add or replace of a singular complex attribute does (RFC 7644
// §3.5.2.1, §3.5.2.3: sub-attributes not given are left alone).
func mergeComplex(old, add map[string]any) map[string]any {
	out := maps.Clone(old)
	if out == nil {
		out = make(map[string]any, len(add))
	}
	maps.Copy(out, add)
	return out
}

// onePrimary sets primary false on every element of list but keep, when
// keep is primary: a PATCH that makes an element primary makes the
// others not (RFC 7644 §3.5.2).
func onePrimary(list []map[string]any, keep int) {
	if p, _ := list[keep]["primary"].(bool); !p {
		return
	}
	for i, m := range list {
		if p, _ := m["primary"].(bool); p && i != keep {
			m = maps.Clone(m)
			delete(m, "primary")
			list[i] = m
		}
	}
}

// complexValue is sub of element i of a complex value, for filters; sub
// "" means value.
func complexValue(v any, i int, sub string) filter.Value {
	if sub == "" {
		sub = "value"
	}
	var m map[string]any
	switch v := v.(type) {
	case map[string]any:
		if i == 0 {
			m = v
		}
	case []map[string]any:
		if i >= 0 && i < len(v) {
			m = v[i]
		}
	}
	x, ok := m[sub]
	if !ok {
		return filter.Value{}
	}
	return customValue(x, 0)
}

// element is one element of a multi-valued complex attribute as a
// filter.Resource, so that attr[filter] can be tested element by element.
type element struct {
	name string
	m    map[string]any
}

func (e element) AttrLen(p filter.AttrPath) int {
	if p.Name == e.name {
		return 1
	}
	return 0
}

func (e element) AttrValue(p filter.AttrPath, i int) filter.Value {
	if p.Name != e.name {
		return filter.Value{}
	}
	return complexValue(e.m, i, p.Sub)
}

// assignComplex sets a complex attribute held in User.Custom. A singular
// one takes the sub-attributes given over those it has; a multi-valued one
// is replaced, or with add gains the elements it does not hold yet (a new
// primary element making the others not primary).
func (h *Handler) assignComplex(u *User, d *schema.Attribute, v rawValue, add bool) *Error {
	if !d.MultiValued {
		m, e := h.decodeComplex(d, v, d.Name)
		if e != nil {
			return e
		}
		old, _ := u.Custom[d.Name].(map[string]any)
		h.setCustom(u, d.Name, mergeComplex(old, m))
		return nil
	}
	list, e := h.decodeComplexList(d, v)
	if e != nil {
		return e
	}
	if add {
		// One pass with a set of the elements held: a client may add
		// thousands to thousands. An element held already is not added
		// again (collapseElements); sent as primary, it becomes primary.
		old, _ := u.Custom[d.Name].([]map[string]any)
		merged := append(make([]map[string]any, 0, len(old)+len(list)), old...)
		at := make(map[string]int, len(old)+len(list))
		for i, m := range old {
			at[elementKey(m)] = i
		}
		newPrimary := -1
		for _, m := range list {
			k := elementKey(m)
			if i, ok := at[k]; ok {
				if isPrimary(m) {
					merged[i], newPrimary = withPrimary(merged[i]), i
				}
				continue
			}
			at[k] = len(merged)
			merged = append(merged, m)
			if isPrimary(m) {
				newPrimary = len(merged) - 1
			}
		}
		if newPrimary >= 0 {
			onePrimary(merged, newPrimary)
		}
		list = merged
	}
	h.setCustom(u, d.Name, list)
	return nil
}
