package scim

import (
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// A PATCH may name one multi-valued attribute in thousands of operations
// (18,000 removes of regions[value co "…"], one per value to drop). Applied
// one by one, each operation rescans and reallocates the whole list. A run
// of consecutive removes, or of consecutive adds, on one multi-valued
// simple attribute is applied instead in one pass over the list, with the
// same result: a remove never changes the elements it keeps, so an element
// survives a run of removes exactly when no operation of the run selects
// it; and adding the values of several adds in turn, each without the
// values already there, is adding their concatenation once.

// runOf returns how many operations from ops[0] form a run that applyRun
// applies together (0 when ops[0] starts none), and whether it is a run of
// removes.
func runOf(ops []PatchOperation) (int, bool) {
	first := &ops[0]
	d := runAttr(first)
	if d == nil {
		return 0, false
	}
	remove := first.Op == PatchRemove
	n := 1
	for n < len(ops) && runAttr(&ops[n]) == d && ops[n].target.ref.urn == first.target.ref.urn && (ops[n].Op == PatchRemove) == remove {
		n++
	}
	if n < 2 {
		return 0, false
	}
	return n, remove
}

// runAttr is the attribute op may share a run on: a host-declared
// multi-valued simple attribute that op removes elements of (by filter or
// by value) or adds values to (without a filter); nil for any other op.
func runAttr(op *PatchOperation) *schema.Attribute {
	t := &op.target
	d := t.ref.def
	if op.Path == nil || t.ext != nil || d == nil || !d.MultiValued || d.Type == schema.Complex ||
		d.Mutability == schema.ReadOnly || d.Mutability == schema.WriteOnly || t.ref.urn == "" && d.Name == "emails" {
		return nil
	}
	if t.filter == nil && t.ref.sub != nil {
		return nil
	}
	switch op.Op {
	case PatchRemove:
		if t.filter == nil && op.value.isNull() {
			return nil // removes the attribute: not an element-wise change
		}
	case PatchAdd:
		if t.filter != nil || op.value.isNull() {
			return nil
		}
	default:
		return nil
	}
	return d // the User schema's own multi-valued attributes are complex
}

// applyRun applies the run ops (as runOf found it) to u, changing u only
// when it succeeds. On an error it returns the position in ops of the
// operation to blame; the caller then applies the run one operation at a
// time, so that the error is the one that order gives.
func (h *Handler) applyRun(u *User, ops []PatchOperation, remove bool) (int, *Error) {
	d := ops[0].target.ref.def
	if !remove {
		var all any
		for i := range ops {
			add, e := h.decodeList(d, ops[i].value)
			if e != nil {
				return i, e
			}
			all = concatValues(all, add)
		}
		if u.Custom == nil {
			u.Custom = map[string]any{}
		}
		u.Custom[d.Name] = appendNew(u.Custom[d.Name], all)
		return 0, nil
	}
	dropped := map[valueKey]struct{}{}
	var filters []*filter.ValuePath
	for i := range ops {
		if ops[i].target.filter != nil {
			filters = append(filters, ops[i].target.filter)
			continue
		}
		drop, e := h.decodeList(d, ops[i].value)
		if e != nil {
			return i, e
		}
		for k := range customLen(drop) {
			dropped[keyOf(customValue(drop, k))] = struct{}{}
		}
	}
	list := u.Custom[d.Name]
	n := customLen(list)
	keep := make([]int, 0, n)
	el := &listElement{} // one for all elements: an interface conversion per element allocates
	for i := range n {
		v := customValue(list, i)
		if _, ok := dropped[keyOf(v)]; ok {
			continue
		}
		el.v = v
		hit := false
		for _, f := range filters {
			ok, err := filter.Match(f, el)
			if err != nil {
				return len(ops) - 1, badRequest(ScimTypeInvalidFilter, err.Error())
			}
			if hit = ok; hit {
				break
			}
		}
		if !hit {
			keep = append(keep, i)
		}
	}
	if len(keep) < n {
		setElements(u, d, keep)
	}
	return 0, nil
}

// concatValues appends the values of b (a []T of decodeList) to a.
func concatValues(a, b any) any {
	switch b := b.(type) {
	case []string:
		x, _ := a.([]string)
		return append(x, b...)
	case []bool:
		x, _ := a.([]bool)
		return append(x, b...)
	case []int64:
		x, _ := a.([]int64)
		return append(x, b...)
	case []time.Time:
		x, _ := a.([]time.Time)
		return append(x, b...)
	}
	return b
}
