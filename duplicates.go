package scim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// RFC 7643 §2.4: a multi-valued attribute SHOULD NOT return the same value
// twice (for a complex one, the same type and value), and primary is true
// in one element at most. Exact duplicates are collapsed where values are
// written, for every multi-valued attribute: a simple one's equal values
// by appendNew, a complex one's elements equal in every sub-attribute but
// primary by collapseElements, a group's members with one value by
// collapseMembers (an id names one resource). The first keeps its place.
// Two elements with one type and value that differ in another
// sub-attribute (display) are not exact duplicates: which to keep would
// be a guess, so both are. Only what a request writes is looked at, so a
// PATCH of active costs nothing more.

// collapseElements returns list without the elements that repeat an
// earlier one in every sub-attribute but primary; the earlier one is
// primary when either was. A short list without duplicates, the usual
// case, is compared pairwise and returned as it is; anything else goes
// through a set of keys, so that the work stays linear.
func collapseElements(list []map[string]any) []map[string]any {
	if len(list) < 2 || len(list) <= 8 && !hasSameElements(list) {
		return list
	}
	out := make([]map[string]any, 0, len(list))
	at := make(map[string]int, len(list))
	for _, m := range list {
		k := elementKey(m)
		i, dup := at[k]
		if !dup {
			at[k] = len(out)
			out = append(out, m)
			continue
		}
		if isPrimary(m) && !isPrimary(out[i]) {
			out[i] = withPrimary(out[i])
		}
	}
	return out
}

func hasSameElements(list []map[string]any) bool {
	for i := range list {
		for j := range i {
			if sameElement(list[i], list[j]) {
				return true
			}
		}
	}
	return false
}

// sameElement reports whether a and b hold the same sub-attributes with
// equal values, primary aside.
func sameElement(a, b map[string]any) bool {
	na, nb := len(a), len(b)
	if _, ok := a["primary"]; ok {
		na--
	}
	if _, ok := b["primary"]; ok {
		nb--
	}
	if na != nb {
		return false
	}
	for k, x := range a {
		if k == "primary" {
			continue
		}
		if y, ok := b[k]; !ok || !sameScalar(x, y) {
			return false
		}
	}
	return true
}

// sameScalar compares two values of sub-attributes: times by instant,
// the others (string, bool, int64) as they are.
func sameScalar(x, y any) bool {
	if t, ok := x.(time.Time); ok {
		u, ok := y.(time.Time)
		return ok && t.Equal(u)
	}
	return x == y
}

func isPrimary(m map[string]any) bool {
	p, _ := m["primary"].(bool)
	return p
}

// withPrimary returns a copy of m that is primary.
func withPrimary(m map[string]any) map[string]any {
	c := maps.Clone(m)
	c["primary"] = true
	return c
}

// collapseMembers returns ms without the members whose value an earlier
// one has; the earlier one takes a type that only the later one gave.
func collapseMembers(ms []Member) []Member {
	if len(ms) < 2 {
		return ms
	}
	out := ms[:0:0]
	at := make(map[string]int, len(ms))
	for _, m := range ms {
		i, dup := at[m.Value]
		switch {
		case !dup:
			at[m.Value] = len(out)
			out = append(out, m)
		case out[i].Type == "":
			out[i].Type = m.Type
		}
	}
	return out
}

// elementKey identifies an element of a multi-valued complex attribute by
// all its sub-attributes but primary, in a canonical order, times by
// instant: elements with equal keys are duplicates (sameElement).
func elementKey(m map[string]any) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		if k == "primary" {
			continue
		}
		x := m[k]
		if t, ok := x.(time.Time); ok {
			x = t.UnixNano()
		}
		fmt.Fprintf(&b, "%s\x00%T\x00%v\x00", k, m[k], x)
	}
	return b.String()
}
