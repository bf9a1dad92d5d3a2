package scim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// A PATCH is judged by the user it produces: a required attribute (one of
// h.required, which /Schemas marks required) that the patched user lacks
// is a 400. When the last operation that wrote the attribute named it (or
// its parent, or its extension) and unassigned it — a remove, null, or an
// empty array (RFC 7643 §2.5) — the error is a mutability one naming that
// operation, as RFC 7644 §3.5.2.2 says of a required attribute removed;
// nothing after that operation gave the attribute a value again. Any
// other way to end without a value (a filter that removed its last
// element, an empty userName) is the invalidValue of a POST or PUT that
// lacks it, which Entra ID's removal of a required work email has always
// got. Judging the result rather than each step lets a client replace a
// required list with a remove and an add in one PATCH, and costs nothing
// when the result is valid: the operations are looked at again only on
// error, once each.

// checkRequiredAfter reports every required attribute next, the result of
// ops, lacks, and the operations that removed them.
func (h *Handler) checkRequiredAfter(ops []PatchOperation, next *User) *Error {
	missing := h.missingRequired(next)
	if len(missing) == 0 {
		return nil
	}
	type removal struct {
		op    int // position in ops
		names []string
	}
	var removed []removal
	var lacking []string
	for _, p := range missing {
		op := h.removedBy(ops, p)
		if op < 0 {
			lacking = append(lacking, p)
			continue
		}
		i := slices.IndexFunc(removed, func(r removal) bool { return r.op == op })
		if i < 0 {
			removed = append(removed, removal{op: op})
			i = len(removed) - 1
		}
		removed[i].names = append(removed[i].names, p)
	}
	if len(removed) == 0 {
		return badRequest(ScimTypeInvalidValue, requiredDetail(lacking))
	}
	slices.SortFunc(removed, func(a, b removal) int { return a.op - b.op })
	var parts []string
	for _, r := range removed {
		it := "it"
		if len(r.names) > 1 {
			it = "they"
		}
		parts = append(parts, fmt.Sprintf("%s: %s; %s cannot be removed (RFC 7644 §3.5.2.2)", operationName(ops[r.op].index), requiredDetail(r.names), it))
	}
	if len(lacking) > 0 {
		parts = append(parts, requiredDetail(lacking))
	}
	return errorf(http.StatusBadRequest, ScimTypeMutability, strings.Join(parts, "; "))
}

// removedBy returns the position in ops of the operation that removed the
// attribute p (a path of h.required): the last operation that wrote p,
// when it named p, its parent or its extension and unassigned what it
// named. It is -1 when there is none.
func (h *Handler) removedBy(ops []PatchOperation, p string) int {
	for i := len(ops) - 1; i >= 0; i-- {
		op := &ops[i]
		wrote, clears := false, false
		switch {
		case op.Path == nil:
			wrote, clears = h.valueWrites(op.value, p)
		case op.target.ext != nil:
			wrote, clears = overlaps(op.target.ext.ID, p), op.Op == PatchRemove || op.value.isNull()
		default:
			wrote = overlaps(op.target.ref.path(), p)
			clears = op.target.filter == nil && (op.Op == PatchRemove || unassigns(op.value))
		}
		if wrote {
			if clears {
				return i
			}
			return -1
		}
	}
	return -1
}

// valueWrites reports whether the value of a path-less operation writes
// the attribute p, and whether the last of its members that does
// unassigns it. It reads the value as applyValue does.
func (h *Handler) valueWrites(v rawValue, p string) (wrote, clears bool) {
	write := func(path string, v rawValue) {
		if overlaps(path, p) {
			wrote, clears = true, unassigns(v)
		}
	}
	members(v, "value", func(key string, v rawValue) *Error {
		if strings.EqualFold(key, UserURN) {
			if w, c := h.valueWrites(v, p); w {
				wrote, clears = w, c
			}
			return nil
		}
		t, ne, e := h.resolvePatchPath(&h.names, key)
		switch {
		case ne != nil || e != nil:
		case t.ext != nil:
			members(v, t.ext.ID, func(key string, v rawValue) *Error {
				if ref, ne := h.names.resolve(t.ext.ID, key, ""); ne == nil {
					write(ref.path(), v)
				}
				return nil
			})
		case t.ref.sub == nil && !t.ref.def.MultiValued && len(v.data) > 0 && v.data[0] == '{':
			// name: {"givenName": null} writes name.givenName.
			members(v, key, func(key string, v rawValue) *Error {
				if sub, ne := h.names.lookup(t.ref.def.SubAttributes, key, ""); ne == nil {
					write(attrRef{urn: t.ref.urn, def: t.ref.def, sub: sub}.path(), v)
				}
				return nil
			})
		default:
			write(t.ref.path(), v)
		}
		return nil
	})
	return wrote, clears
}

// overlaps reports whether a write of the attribute path w (an attribute,
// attribute.sub, or an extension's URN) writes the attribute path p, or a
// part of it.
func overlaps(w, p string) bool {
	return w == p || strings.HasPrefix(p, w) && (p[len(w)] == '.' || p[len(w)] == ':') || strings.HasPrefix(w, p+".")
}

// unassigns reports whether v leaves the attribute it is written to
// unassigned: null, or an empty array (RFC 7643 §2.5).
func unassigns(v rawValue) bool {
	if v.isNull() {
		return true
	}
	if v.data[0] != '[' {
		return false
	}
	i := skipSpace(v.data, 1)
	return i < len(v.data) && v.data[i] == ']'
}
