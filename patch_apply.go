package scim

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// applyPatch applies ops to a copy of u and validates the result as a PUT
// body is validated. It is all or nothing: on error u is unchanged and
// nothing is returned. It is a pure function of u, ops and the handler's
// schema and configuration.
//
// It observes ctx between operations, so that a request out of time stops
// (a 503). Runs of operations on one multi-valued attribute are applied
// in one pass (applyRun), and after each operation no multi-valued
// attribute may hold more than Limits.MaxValues values, so the work of
// each operation is bounded.
func (h *Handler) applyPatch(ctx context.Context, u *User, ops []PatchOperation) (*User, *Error) {
	next := u.Clone()
	opError := func(i int, e *Error) *Error {
		return &Error{Status: e.Status, ScimType: e.ScimType, Detail: fmt.Sprintf("Operations[%d]: %s", ops[i].index, e.Detail), Err: e.Err}
	}
	// The elements the value filters will test, first as the lists are
	// now (a PATCH over the bound is refused before any scan), then as
	// each operation finds them.
	visits := 0
	for i := range ops {
		if visits += h.filterVisits(u, &ops[i]); visits > h.maxFilterVisits() {
			return nil, opError(i, h.tooManyVisits())
		}
	}
	visits, counted := 0, 0
	for i := 0; i < len(ops); {
		if ctx.Err() != nil {
			return nil, ctxError(ctx)
		}
		n, remove := runOf(ops[i:])
		for ; counted < i+max(n, 1); counted++ {
			if visits += h.filterVisits(next, &ops[counted]); visits > h.maxFilterVisits() {
				return nil, opError(counted, h.tooManyVisits())
			}
		}
		if n > 0 {
			// applyRun changes next only when it succeeds; on an error the
			// run is applied one operation at a time below, for the error
			// that order gives.
			if _, e := h.applyRun(next, ops[i:i+n], remove); e == nil {
				if e := h.checkValueCounts(u, next, &ops[i]); e != nil {
					return nil, opError(i+n-1, e)
				}
				i += n
				continue
			}
		}
		if e := h.applyOperation(next, &ops[i]); e != nil {
			return nil, opError(i, e)
		}
		if e := h.checkValueCounts(u, next, &ops[i]); e != nil {
			return nil, opError(i, e)
		}
		i++
	}
	if e := h.checkUser(next); e != nil {
		if h.checkUser(u) == nil {
			return nil, e // the PATCH made the breach
		}
		// u was stored before the limits it breaches (before an upgrade
		// that brought them, or before the host tightened them): it may
		// still be changed, deactivated above all, as long as what
		// changes is within the limits and the user does not grow.
		if e := h.checkUserChange(u, next); e != nil {
			return nil, e
		}
	}
	if h.cfg.DisableProfileUpdates && profileChanged(u, next) {
		return nil, errProfileUpdates
	}
	if e := h.checkImmutable(u, next); e != nil {
		return nil, e
	}
	h.deriveEmail(next)
	if e := h.checkRequiredAfter(ops, next); e != nil {
		return nil, e
	}
	return next, nil
}

func (h *Handler) applyOperation(u *User, op *PatchOperation) *Error {
	add := op.Op == PatchAdd
	switch {
	case op.Path == nil:
		return h.applyValue(u, op.value, add)
	case op.target.ext != nil:
		if op.Op == PatchRemove || op.value.isNull() {
			for i := range op.target.ext.Attributes {
				delete(u.Custom, op.target.ext.Attributes[i].Name)
			}
			return nil
		}
		return h.applyExtension(u, op.target.ext, op.value, add)
	}
	return h.applyTarget(u, op.target, op.Op, op.value, true)
}

// applyValue applies the value of an operation without a path: a partial
// user whose members are set as in a PUT body, except that members not
// given are left alone and, with add, multi-valued attributes gain values
// rather than being replaced. Keys may be paths (Entra ID's
// "name.givenName", "urn:…:User:employeeNumber",
// "emails[type eq \"work\"].value"); unknown keys and read-only members
// follow the rule for bodies.
//
// Two keys that set one attribute ("name":{"givenName":…} and
// "name.givenName") are a 400: which one wins would be a guess.
func (h *Handler) applyValue(u *User, v rawValue, add bool) *Error {
	return h.applyValueOnce(u, v, add, &setPaths{})
}

func (h *Handler) applyValueOnce(u *User, v rawValue, add bool, seen *setPaths) *Error {
	return members(v, "value", func(key string, v rawValue) *Error {
		switch {
		case key == "schemas":
			return nil
		case strings.EqualFold(key, UserURN):
			if v.isNull() {
				return nil
			}
			return h.applyValueOnce(u, v, add, seen)
		}
		t, ne, e := h.resolvePatchPath(&h.names, key)
		if ne == nil && e == nil {
			if e := seen.addTarget(key, t, v); e != nil {
				return e
			}
		}
		switch {
		case ne != nil:
			return h.unknown(ne)
		case e != nil:
			if e.ScimType == ScimTypeInvalidPath && !strings.ContainsAny(key, "[") {
				// Not a path at all ("a b"): an unknown member.
				return h.unknown(&nameError{name: key})
			}
			e.Detail = fmt.Sprintf("member %q of value: %s", key, e.Detail)
			return e
		case t.ext != nil:
			if v.isNull() {
				return nil
			}
			return h.applyExtension(u, t.ext, v, add)
		}
		op := PatchReplace
		if add {
			op = PatchAdd
		}
		return h.applyTarget(u, t, op, v, false)
	})
}

func (h *Handler) applyExtension(u *User, ext *schema.Schema, v rawValue, add bool) *Error {
	return members(v, ext.ID, func(key string, v rawValue) *Error {
		ref, ne := h.names.resolve(ext.ID, key, "")
		if ne != nil {
			return h.unknown(ne)
		}
		return h.assign(u, ref, v, add)
	})
}

// applyTarget applies one operation to the attribute t. strict is true
// for a path, which is an instruction: read-only targets are an error
// there, while in a path-less value they are ignored as in a PUT.
func (h *Handler) applyTarget(u *User, t patchTarget, op PatchOp, v rawValue, strict bool) *Error {
	ref := t.ref
	d := ref.def
	switch {
	case d.Mutability == schema.WriteOnly:
		return nil // password: accepted, never stored
	case d.Mutability == schema.ReadOnly || ref.sub != nil && ref.sub.Mutability == schema.ReadOnly:
		if strict {
			return errorf(http.StatusBadRequest, ScimTypeMutability, fmt.Sprintf("attribute %q is read-only; it cannot be changed", ref.path()))
		}
		return nil
	}
	remove := op == PatchRemove || v.isNull()
	if remove && ref.urn == "" && d.Name == "active" && !h.generic {
		// Removed, active is unassigned (RFC 7644 §3.5.2.2), which
		// User.Active holds as false: see there why. In a path-less value
		// null follows the rule for bodies (PUT keeps what is stored).
		if !strict {
			return nil
		}
		if slices.Contains(h.required, "active") {
			// Never missing from a User, so checkRequiredAfter cannot see
			// it go.
			return errorf(http.StatusBadRequest, ScimTypeMutability, "attribute \"active\" is required; it cannot be removed (RFC 7644 §3.5.2.2)")
		}
		u.Active = false
		return nil
	}
	workEmail := ref.urn == "" && d.Name == "emails" && !h.allEmails && !h.generic
	if t.filter != nil {
		switch {
		case workEmail:
			return h.patchWorkEmail(u, t, remove, v)
		case d.Type == schema.Complex:
			return h.patchComplexElements(u, t, op, remove, v)
		}
		return h.patchElements(u, t, op, remove, v)
	}
	if remove {
		if op == PatchRemove && d.MultiValued && !v.isNull() {
			if d.Type == schema.Complex && !workEmail {
				return h.removeComplexValues(u, d, v)
			}
			if d.Type != schema.Complex {
				return h.removeValues(u, d, v)
			}
		}
		if workEmail {
			if ref.sub == nil || ref.sub.Name == "value" {
				u.Email = "" // emails or emails.value: the one email goes
			}
			return nil // type, primary, display: not kept
		}
		return h.assign(u, ref, rawValue{}, false)
	}
	if workEmail && ref.sub == nil && len(v.data) > 0 && v.data[0] == '{' {
		// One email given as an object rather than an array of one.
		v = rawValue{data: append(append([]byte{'['}, v.data...), ']'), off: v.off - 1, valid: v.valid}
	}
	return h.assign(u, ref, v, op == PatchAdd)
}

// removeValues removes the values v (one, or an array) from a multi-valued
// simple attribute, as Entra ID's remove with a value asks.
func (h *Handler) removeValues(u *User, d *schema.Attribute, v rawValue) *Error {
	drop, e := h.decodeList(d, v)
	if e != nil {
		return e
	}
	dropped := make(map[valueKey]struct{}, customLen(drop))
	for i := range customLen(drop) {
		dropped[keyOf(customValue(drop, i))] = struct{}{}
	}
	n := customLen(u.Custom[d.Name])
	keep := make([]int, 0, n)
	for i := range n {
		if _, ok := dropped[keyOf(customValue(u.Custom[d.Name], i))]; !ok {
			keep = append(keep, i)
		}
	}
	setElements(u, d, keep)
	return nil
}

// valueKey identifies a value of a multi-valued attribute, times by
// instant, so that removal takes linear time however many values a client
// sends.
type valueKey struct {
	kind filter.Kind
	str  string
	num  float64
	b    bool
	t    int64
}

func keyOf(v filter.Value) valueKey {
	return valueKey{v.Kind, v.Str, v.Num, v.Bool, v.Time.UnixNano()}
}

// setElements keeps the elements at the indexes keep of a multi-valued
// custom attribute; none left unassigns it.
func setElements(u *User, d *schema.Attribute, keep []int) {
	if len(keep) == 0 {
		delete(u.Custom, d.Name)
		return
	}
	switch old := u.Custom[d.Name].(type) {
	case []string:
		u.Custom[d.Name] = pickIndexes(old, keep)
	case []bool:
		u.Custom[d.Name] = pickIndexes(old, keep)
	case []int64:
		u.Custom[d.Name] = pickIndexes(old, keep)
	case []time.Time:
		u.Custom[d.Name] = pickIndexes(old, keep)
	}
}

func pickIndexes[T any](s []T, keep []int) []T {
	out := make([]T, 0, len(keep))
	for _, i := range keep {
		out = append(out, s[i])
	}
	return out
}

// patchElements applies an operation on attr[filter] of a multi-valued
// simple attribute: remove drops the matching elements; add and replace
// put the value in their place. Nothing matching is a noTarget for add
// and replace (RFC 7644 §3.5.2.3) and nothing to do for remove.
func (h *Handler) patchElements(u *User, t patchTarget, op PatchOp, remove bool, v rawValue) *Error {
	d := t.ref.def
	n := customLen(u.Custom[d.Name])
	keep := make([]int, 0, n)
	el := &listElement{} // one for all elements: an interface conversion per element allocates
	for i := range n {
		el.v = customValue(u.Custom[d.Name], i)
		ok, err := filter.Match(t.filter, el)
		if err != nil {
			return badRequest(ScimTypeInvalidFilter, err.Error())
		}
		if !ok {
			keep = append(keep, i)
		}
	}
	if remove {
		setElements(u, d, keep)
		return nil
	}
	if len(keep) == n {
		return badRequest(ScimTypeNoTarget, fmt.Sprintf("no value of %q matches %s; nothing to %s", d.Name, t.filter.String(), op))
	}
	add, e := h.decodeList(d, v)
	if e != nil {
		return e
	}
	setElements(u, d, keep)
	if u.Custom == nil {
		u.Custom = map[string]any{}
	}
	u.Custom[d.Name] = appendNew(u.Custom[d.Name], add)
	return nil
}

// listElement is one value of a multi-valued simple attribute as a
// filter.Resource: regions[value eq "us1"] tests it as value.
type listElement struct{ v filter.Value }

func (e listElement) AttrLen(filter.AttrPath) int { return 1 }

func (e listElement) AttrValue(p filter.AttrPath, _ int) filter.Value {
	if p.Sub == "value" {
		return e.v
	}
	return filter.Value{}
}

// patchWorkEmail applies an operation on emails[filter] or
// emails[filter].sub. scimkit stores one email, the work email; when the
// filter matches none, add and replace create it if the filter is
// type eq "work" (upsertType: Entra ID's emails[type eq "work"].value on a
// user without one) and are a noTarget otherwise. A remove that matches
// nothing does nothing.
func (h *Handler) patchWorkEmail(u *User, t patchTarget, remove bool, v rawValue) *Error {
	matched := false
	if u.Email != "" {
		ok, err := filter.Match(t.filter, u)
		if err != nil {
			return badRequest(ScimTypeInvalidFilter, err.Error())
		}
		matched = ok
	}
	sub := ""
	if t.ref.sub != nil {
		sub = t.ref.sub.Name
	}
	if remove {
		if matched && (sub == "" || sub == "value") {
			u.Email = ""
		}
		return nil
	}
	value := u.Email
	if !matched {
		if _, ok := upsertType(t.ref.def, t.filter.Filter); !ok {
			return badRequest(ScimTypeNoTarget, fmt.Sprintf("no email matches %s, and only the work email (emails[type eq \"work\"]) is stored, so there is nothing to change", t.filter.String()))
		}
		value = ""
	}
	switch sub {
	case "":
		if len(v.data) == 0 || v.data[0] != '{' {
			return valueError("emails", "an object of email sub-attributes", v)
		}
		m, e := h.decodeEmail(v, 0)
		if e != nil {
			return e
		}
		if m.hasType && !strings.EqualFold(m.typ, "work") {
			return badRequest(ScimTypeInvalidValue, fmt.Sprintf("only the work email is stored; its emails.type cannot become %.64q", m.typ))
		}
		if m.value != "" {
			value = m.value
		}
	case "value":
		s, e := decodeString("emails.value", v)
		if e != nil {
			return e
		}
		value = s
	case "type":
		s, e := decodeString("emails.type", v)
		if e == nil {
			e = checkString("emails.type", s, h.cfg.Limits.MaxStringLength, "MaxStringLength")
		}
		if e != nil {
			return e
		}
		if !strings.EqualFold(s, "work") {
			return badRequest(ScimTypeInvalidValue, fmt.Sprintf("only the work email is stored; its emails.type cannot become %.64q", s))
		}
	case "primary":
		if _, e := decodeBool("emails.primary", v, !h.cfg.Leniency.DisallowStringBooleans); e != nil {
			return e
		}
	default: // display: checked, not kept
		if _, e := decodeString("emails."+sub, v); e != nil {
			return e
		}
	}
	if value == "" {
		return badRequest(ScimTypeNoTarget, fmt.Sprintf("no email matches %s and the operation gives it no value, so there is nothing to create", t.filter.String()))
	}
	u.Email = value
	return nil
}

// checkImmutable rejects a change to an immutable custom attribute that
// already had a value (RFC 7643 §7: it may be set once).
func (h *Handler) checkImmutable(old, next *User) *Error {
	check := func(attrs []schema.Attribute) *Error {
		for i := range attrs {
			d := &attrs[i]
			if d.Mutability != schema.Immutable {
				continue
			}
			a, had := old.Custom[d.Name]
			if had && customLen(a) > 0 && !reflect.DeepEqual(a, next.Custom[d.Name]) {
				return errorf(http.StatusBadRequest, ScimTypeMutability, fmt.Sprintf("attribute %q is immutable; it cannot change once set", d.Name))
			}
		}
		return nil
	}
	if e := check(h.cfg.Attributes); e != nil {
		return e
	}
	for i := range h.names.extensions {
		if e := check(h.names.extensions[i].Attributes); e != nil {
			return e
		}
	}
	return nil
}
