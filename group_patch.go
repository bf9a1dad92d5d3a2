package scim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scimkit/scim/filter"
)

// groupChange turns the operations of a group PATCH into one GroupChange:
// the attributes set and the net membership delta of all operations, in
// their order (a remove then an add of one member adds it). Nothing is
// read: the store applies the delta atomically, so membership PATCHes cost
// O(change) and parallel ones never lose a member.
func (h *Handler) groupChange(ops []PatchOperation) (GroupChange, *Error) {
	var c GroupChange
	d := memberDelta{addAt: map[string]int{}, removed: map[string]bool{}, ordered: map[string]bool{}}
	budget := h.cfg.MaxMembersPerRequest
	for i := range ops {
		op := &ops[i]
		if op.Path == nil {
			// A path-less add or replace: an object of attributes, keyed by
			// name or by path (Okta's rename sends {"id":…,"displayName":…}).
			e := members(op.value, fmt.Sprintf("Operations[%d].value", op.index), func(key string, v rawValue) *Error {
				t, ne, e := h.resolvePatchPath(&h.groupNames, key)
				switch {
				case ne != nil:
					return h.unknown(ne)
				case e != nil:
					return e
				case t.ref.def != nil && t.ref.def.Name == "id" || t.ref.def != nil && t.ref.def.Name == "meta":
					return nil // read-only: echoed back, ignored
				}
				return h.groupTarget(&c, &d, op, t, v, &budget)
			})
			if e != nil {
				return c, e
			}
			continue
		}
		if e := h.groupTarget(&c, &d, op, op.target, op.value, &budget); e != nil {
			return c, e
		}
	}
	d.into(&c)
	return c, h.checkGroupChange(&c)
}

// groupTarget applies one operation on target t with value v to c and d.
func (h *Handler) groupTarget(c *GroupChange, d *memberDelta, op *PatchOperation, t patchTarget, v rawValue, budget *int) *Error {
	where := fmt.Sprintf("Operations[%d]", op.index)
	if t.ext != nil || t.ref.def == nil {
		return badRequest(ScimTypeInvalidPath, fmt.Sprintf("%s: a group has no extension attributes", where))
	}
	if d := t.ref.def; d.Required && (op.Op == PatchRemove || unassigns(v)) {
		return errorf(http.StatusBadRequest, ScimTypeMutability, fmt.Sprintf("%s: attribute %q is required; it cannot be removed (RFC 7644 §3.5.2.2)", where, t.ref.path()))
	}
	switch t.ref.def.Name {
	case "displayName":
		s, e := decodeString("displayName", v)
		if e != nil {
			return e
		}
		if strings.TrimSpace(s) == "" {
			return badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s: displayName is required; it cannot be empty", where))
		}
		c.DisplayName = &s
		return nil
	case "externalId":
		s := ""
		if op.Op != PatchRemove {
			if e := setString(&s, "externalId", v); e != nil {
				return e
			}
		}
		c.ExternalID = &s
		return nil
	case "members":
		return h.membersTarget(d, op, t, v, where, budget)
	}
	return errorf(http.StatusBadRequest, ScimTypeMutability, fmt.Sprintf("%s: attribute %q is read-only; it cannot be changed", where, t.ref.path()))
}

// membersTarget applies an operation on members: add or replace a list,
// remove a list or everyone, or remove members[value eq "…"].
func (h *Handler) membersTarget(d *memberDelta, op *PatchOperation, t patchTarget, v rawValue, where string, budget *int) *Error {
	if t.ref.sub != nil {
		return badRequest(ScimTypeInvalidPath, fmt.Sprintf("%s: a member's %s cannot be changed; remove the member and add it again", where, t.ref.sub.Name))
	}
	if t.filter != nil {
		if op.Op != PatchRemove {
			return badRequest(ScimTypeInvalidPath, fmt.Sprintf("%s: members[…] can only be removed; add members with path \"members\" and a value list", where))
		}
		ids, ok := memberIDs(t.filter.Filter, nil)
		if !ok {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%s: members can be removed by value only, as members[value eq \"<id>\"] (several joined with or)", where))
		}
		if *budget -= len(ids); *budget < 0 {
			return h.tooManyMembers()
		}
		for _, id := range ids {
			d.remove(id)
		}
		return nil
	}
	if op.Op == PatchRemove && op.value.data == nil {
		// RFC 7644 §3.5.2.2: a remove of a multi-valued attribute without
		// a filter removes all its values.
		d.replaceAll(nil)
		return nil
	}
	ms, e := h.decodeMembers(v, where+".value", budget)
	if e != nil {
		return e
	}
	switch op.Op {
	case PatchAdd:
		for _, m := range ms {
			d.add(m)
		}
	case PatchReplace:
		d.replaceAll(ms)
	case PatchRemove:
		// Entra ID's default shape: path members and the members to
		// remove as the value. Only those go.
		for _, m := range ms {
			d.remove(m.Value)
		}
	}
	return nil
}

// memberIDs collects the ids of a members[…] filter made only of
// value eq "…" comparisons joined with or.
func memberIDs(f filter.Expr, ids []string) ([]string, bool) {
	switch f := f.(type) {
	case *filter.Compare:
		if f.Op != filter.Eq || f.Path.Name != "value" || f.Value.Kind != filter.String {
			return nil, false
		}
		return append(ids, f.Value.Str), true
	case *filter.Logical:
		if f.Op != filter.Or {
			return nil, false
		}
		ids, ok := memberIDs(f.Left, ids)
		if !ok {
			return nil, false
		}
		return memberIDs(f.Right, ids)
	}
	return nil, false
}

// memberDelta composes membership operations into one delta.
type memberDelta struct {
	replace bool
	adds    []Member
	addAt   map[string]int // index in adds; -1 once removed again
	removed map[string]bool
	order   []string // removed ids in order, each once
	ordered map[string]bool
}

func (d *memberDelta) add(m Member) {
	if i, ok := d.addAt[m.Value]; ok && i >= 0 {
		return
	}
	delete(d.removed, m.Value)
	d.addAt[m.Value] = len(d.adds)
	d.adds = append(d.adds, m)
}

func (d *memberDelta) remove(id string) {
	if i, ok := d.addAt[id]; ok && i >= 0 {
		d.adds[i].Value = "" // dropped in into
		d.addAt[id] = -1
	}
	if !d.replace && !d.removed[id] {
		d.removed[id] = true
		if !d.ordered[id] {
			d.ordered[id] = true
			d.order = append(d.order, id)
		}
	}
}

func (d *memberDelta) replaceAll(ms []Member) {
	d.replace = true
	d.adds = d.adds[:0]
	clear(d.addAt)
	clear(d.removed)
	clear(d.ordered)
	d.order = d.order[:0]
	for _, m := range ms {
		d.add(m)
	}
}

// into writes the delta into c.
func (d *memberDelta) into(c *GroupChange) {
	c.ReplaceMembers = d.replace
	for _, m := range d.adds {
		if m.Value != "" {
			c.Add = append(c.Add, m)
		}
	}
	for _, id := range d.order {
		if d.removed[id] {
			c.Remove = append(c.Remove, id)
		}
	}
	if c.ReplaceMembers && c.Add == nil {
		c.Add = []Member{}
	}
}
