package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// PatchOp is the op of a PATCH operation (RFC 7644 §3.5.2). The handler
// reads it case-insensitively, since Entra ID sends "Add", "Replace" and
// "Remove", and stores it in lower case.
type PatchOp string

// The three PATCH operations.
const (
	PatchAdd     PatchOp = "add"
	PatchReplace PatchOp = "replace"
	PatchRemove  PatchOp = "remove"
)

// PatchOperation is one operation of a PATCH request, parsed and checked
// against the handler's schema before any user is read.
type PatchOperation struct {
	// Op is the operation.
	Op PatchOp
	// Path is the operation's target, resolved against the schema: names
	// have their canonical spelling, URN is empty for the core User schema
	// and the extension's URN for extension attributes, and the value
	// filter, if any, is resolved as a list filter is. A path that names a
	// whole extension schema has URN set and Name empty. It is nil for an
	// operation without a path, whose Value is then a partial user (RFC
	// 7644 §3.5.2.1 and §3.5.2.3), possibly with dotted keys such as
	// "name.givenName" as Entra ID sends them.
	Path *filter.Path
	// Value is the operation's value as the client sent it; nil when the
	// operation has none.
	Value json.RawMessage

	target patchTarget // the resolved Path
	value  rawValue    // Value with its offset in the request body
	// ignored is set for an operation whose path names an attribute the
	// schema does not have, when unknown attributes are ignored.
	ignored bool
	// index is the operation's position in the request, for messages.
	index int
}

// Patch is what a Patcher receives: the operations of one PATCH request
// and a function that applies them with the handler's semantics.
type Patch struct {
	// Operations are the request's operations, in order; there is at least
	// one.
	Operations []PatchOperation
	// Apply applies Operations to a user as the handler does for a Store
	// without Patch: on a copy, all or none, then validated like a PUT. It
	// does not change u; it returns the user to store (ID and
	// Meta.Created kept, Meta.LastModified set by the handler's clock),
	// or an error (a *Error) that the Patcher must return unchanged, with
	// nothing stored.
	Apply func(u *User) (*User, error)
}

// Patcher is an optional capability of a Store: applying a PATCH itself,
// for example by reading the user and writing the result of p.Apply in one
// database transaction, or by turning a simple operation such as a
// replace of active into one UPDATE.
//
// Patch applies p to the user with the given id atomically and returns the
// user as stored, with a new Meta.Version. When version is not empty (the
// request had an If-Match), it applies p only if the stored Meta.Version
// equals version and otherwise returns an error wrapping
// ErrVersionMismatch. When version is empty, concurrent PATCHes of one
// user must all take effect: none may be lost. Errors are those of Store
// (ErrNotFound, ErrUniqueness) and any error p.Apply returned.
//
// A Store without Patch gets PATCH through User, p.Apply and Replace,
// retried when the version moved in between.
type Patcher interface {
	Patch(ctx context.Context, id string, p Patch, version string) (*User, error)
}

// patchTarget is a PATCH path resolved against the schema.
type patchTarget struct {
	ref attrRef
	// filter is the resolved value filter, as a ValuePath over ref's
	// attribute, or nil.
	filter *filter.ValuePath
	// ext is set when the path names a whole extension schema by its URN.
	ext *schema.Schema
}

// readPatch reads and parses a PATCH body against the names n of the
// resource type it changes; on a refusal it has written the error and ok
// is false.
func (h *Handler) readPatch(w http.ResponseWriter, r *http.Request, n *names) (ops []PatchOperation, ok bool) {
	body, e := h.readBody(w, r)
	if e == nil {
		ops, e = h.parsePatch(n, body)
	}
	if e != nil {
		h.writeError(w, r, e)
		return nil, false
	}
	return ops, true
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, req request, id string) {
	ops, ok := h.readPatch(w, r, &h.names)
	if !ok {
		return
	}
	var stored *User
	var err error
	if len(ops) == 0 {
		// Every operation named attributes this service provider does not
		// keep: nothing to change, so nothing is written.
		stored, err = h.current(r, id)
	} else if p, ok := h.store.(Patcher); ok {
		stored, err = h.patchNative(r, p, id, ops)
	} else {
		stored, err = h.update(r, id, func(old *User) (*User, *Error) { return h.applyPatch(r.Context(), old, ops) })
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.patchWithoutContent(h.users, r) {
		writeNoContent(w, stored.Meta.Version)
		return
	}
	h.writeUser(w, r, req, http.StatusOK, stored)
}

// patchNative hands the operations to a Store that implements Patcher.
func (h *Handler) patchNative(r *http.Request, p Patcher, id string, ops []PatchOperation) (*User, error) {
	version := ""
	if r.Header.Get("If-Match") != "" {
		old, err := h.current(r, id)
		if err != nil {
			return nil, err
		}
		version = old.Meta.Version
	}
	var before *User
	apply := func(old *User) (*User, error) {
		before = old
		u, e := h.applyPatch(r.Context(), old, ops)
		if e != nil {
			return nil, e
		}
		u.ID = old.ID
		u.Meta.Created = old.Meta.Created
		u.Meta.LastModified = h.cfg.Now()
		return u, nil
	}
	// The Patcher gets its own copy of the values: Apply reads the handler's,
	// which were checked once and are trusted from then on.
	mine := slices.Clone(ops)
	for i := range mine {
		mine[i].Value = bytes.Clone(mine[i].Value)
	}
	stored, err := p.Patch(r.Context(), id, Patch{Operations: mine, Apply: apply}, version)
	if err != nil {
		return nil, err
	}
	h.changed(r.Context(), EventUpdated, before, stored)
	return stored, nil
}

// parsePatch reads a PatchOp message and resolves the path of every
// operation, so that a malformed request fails before any user is read.
func (h *Handler) parsePatch(n *names, body []byte) ([]PatchOperation, *Error) {
	var ops []PatchOperation
	sawSchemas, sawOps, ignored := false, false, 0
	e := members(rawValue{data: body}, "the request body", func(key string, v rawValue) *Error {
		name, e := h.messageKey(key, "the request body", "schemas", "Operations")
		if e != nil || name == "" {
			return e
		}
		if name == "schemas" {
			sawSchemas = true
			return checkMessageSchemas(v, PatchOpURN, errPatchSchemas)
		}
		sawOps = true
		if len(v.data) == 0 || v.data[0] != '[' {
			return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("Operations must be an array of operations, got %s", v.kind()))
		}
		return elements(v, "Operations", func(i int, el rawValue) *Error {
			if i >= h.cfg.Limits.MaxOperations {
				return h.tooManyOperations()
			}
			op, e := h.parseOperation(n, el, i)
			op.index = i
			if e == nil && op.ignored {
				ignored++
				return nil
			}
			ops = append(ops, op)
			return e
		})
	})
	switch {
	case e != nil:
		return nil, e
	case !sawSchemas:
		return nil, badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("the request body has no \"schemas\"; it must be [%q]", PatchOpURN))
	case !sawOps || len(ops)+ignored == 0:
		return nil, badRequest(ScimTypeInvalidValue, "Operations is empty; a PATCH needs at least one operation")
	}
	return ops, nil
}

var errPatchSchemas = badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("schemas must be [%q] in a PATCH request", PatchOpURN))

// checkMessageSchemas accepts schemas that name the message urn (PatchOp,
// SearchRequest) and nothing else (URNs compare case-insensitively, RFC
// 8141 §3.1); anything else is bad.
func checkMessageSchemas(v rawValue, urn string, bad *Error) *Error {
	n := 0
	e := elements(v, "schemas", func(_ int, el rawValue) *Error {
		s, e := decodeString("schemas", el)
		if e != nil || !strings.EqualFold(s, urn) {
			return bad
		}
		n++
		return nil
	})
	if e != nil || n == 0 {
		return bad
	}
	return nil
}

// messageKey resolves a member name of the PatchOp message itself with the
// handler's rule for names: exact, or a 400 naming the right spelling, or
// case-insensitive when configured. An unknown member comes back as "" (to
// be ignored) unless unknown attributes are disallowed.
func (h *Handler) messageKey(key, within string, known ...string) (string, *Error) {
	for _, k := range known {
		if k == key {
			return k, nil
		}
	}
	for _, k := range known {
		if strings.EqualFold(k, key) {
			if h.cfg.Leniency.CaseInsensitiveNames {
				return k, nil
			}
			return "", h.unknown(&nameError{name: key, suggest: k, within: within})
		}
	}
	return "", h.unknown(&nameError{name: key, within: within})
}

func (h *Handler) parseOperation(n *names, el rawValue, i int) (PatchOperation, *Error) {
	var op PatchOperation
	where := operationName(i)
	var path *string
	hasValue := false
	e := members(el, where, func(key string, v rawValue) *Error {
		name, e := h.messageKey(key, where, "op", "path", "value")
		if e != nil || name == "" {
			return e
		}
		switch name {
		case "op":
			if len(v.data) == 0 || v.data[0] != '"' {
				return badRequest(ScimTypeInvalidSyntax, valueError(where+".op", "a string", v).Detail)
			}
			s := unquote(v.data)
			switch {
			case strings.EqualFold(s, "add"):
				op.Op = PatchAdd
			case strings.EqualFold(s, "replace"):
				op.Op = PatchReplace
			case strings.EqualFold(s, "remove"):
				op.Op = PatchRemove
			default:
				return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("%s.op is %.64q; it must be \"add\", \"replace\" or \"remove\"", where, s))
			}
		case "path":
			if v.isNull() {
				return nil
			}
			if len(v.data) == 0 || v.data[0] != '"' {
				return badRequest(ScimTypeInvalidPath, valueError(where+".path", "a string", v).Detail)
			}
			s := unquote(v.data)
			path = &s
		case "value":
			hasValue = true
			op.Value, op.value = v.data, v
		}
		return nil
	})
	if e != nil {
		return op, e
	}
	if op.Op == "" {
		return op, badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("%s has no \"op\"; it must be \"add\", \"replace\" or \"remove\"", where))
	}
	if path == nil {
		switch {
		case op.Op == PatchRemove:
			return op, badRequest(ScimTypeNoTarget, fmt.Sprintf("%s: a remove needs a \"path\" naming what to remove", where))
		case !hasValue || len(op.value.data) == 0 || op.value.data[0] != '{':
			return op, badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s: an %s without a \"path\" needs a \"value\" that is an object of the attributes to set, got %s", where, op.Op, op.value.kind()))
		}
		return op, nil
	}
	if op.Op != PatchRemove && !hasValue {
		return op, badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s: an %s needs a \"value\"", where, op.Op))
	}
	t, ne, e := h.resolvePatchPath(n, *path)
	if ne != nil && ne.suggest == "" && !h.cfg.Leniency.DisallowUnknownAttributes && h.cfg.Profile != ProfileRFC {
		// The same rule as for unknown members of a body: Entra ID's default
		// mappings patch title, name.formatted, phoneNumbers and more, and a
		// 400 for each would fail every update of a default-configured
		// tenant. A mis-cased name is still an error (a typo to fix). In
		// the RFC profile every attribute of the RFC is known, so an
		// unknown path is a client's mistake (RFC 7644 §3.5.2).
		op.ignored = true
		return op, nil
	}
	if ne != nil {
		return op, badRequest(ScimTypeInvalidPath, pathDetail(where, *path, ne.Error()))
	}
	if e != nil {
		e.Detail = pathDetail(where, *path, e.Detail)
		return op, e
	}
	if d := t.ref.def; d != nil && (d.Mutability == schema.ReadOnly || t.ref.sub != nil && t.ref.sub.Mutability == schema.ReadOnly) {
		return op, errorf(http.StatusBadRequest, ScimTypeMutability, fmt.Sprintf("%s: attribute %q is read-only; it cannot be changed", where, t.ref.path()))
	}
	op.target = t
	op.Path = t.path()
	return op, nil
}

// path is the canonical form of t for Patcher stores.
func (t patchTarget) path() *filter.Path {
	if t.ext != nil {
		return &filter.Path{Attr: filter.AttrPath{URN: t.ext.ID}}
	}
	p := &filter.Path{Attr: filter.AttrPath{URN: t.ref.urn, Name: t.ref.def.Name}}
	if t.ref.sub != nil {
		p.Attr.Sub = t.ref.sub.Name
	}
	if t.filter != nil {
		p.Filter = t.filter.Filter
	}
	return p
}

// resolvePatchPath parses and resolves a PATCH path (or a key of a
// path-less value written as a path). A name the schema does not have is a
// *nameError, for the caller to judge; anything else wrong is an *Error.
func (h *Handler) resolvePatchPath(n *names, s string) (patchTarget, *nameError, *Error) {
	if ext := n.extension(s); ext != nil {
		return patchTarget{ext: ext}, nil, nil
	}
	p, err := h.cfg.FilterLimits.ParsePath(s)
	if err != nil {
		return patchTarget{}, nil, badRequest(ScimTypeInvalidPath, err.Error())
	}
	ref, ne := n.resolve(p.Attr.URN, p.Attr.Name, "")
	if ne != nil {
		return patchTarget{}, ne, nil
	}
	t := patchTarget{ref: ref}
	d := ref.def
	if p.Attr.Sub != "" {
		switch {
		case d.Type == schema.Complex:
			sub, ne := n.lookup(d.SubAttributes, p.Attr.Sub, d.Name)
			if ne != nil {
				return t, ne, nil
			}
			t.ref.sub = sub
		case d.MultiValued && p.Filter != nil && (p.Attr.Sub == "value" || h.cfg.Leniency.CaseInsensitiveNames && strings.EqualFold(p.Attr.Sub, "value")):
			// regions[value eq "us1"].value is the element itself.
		default:
			return t, &nameError{name: d.Name + "." + p.Attr.Sub}, nil
		}
	}
	if p.Filter == nil {
		return t, nil, nil
	}
	if !d.MultiValued {
		return t, nil, badRequest(ScimTypeInvalidPath, fmt.Sprintf("%q is not multi-valued, so it cannot have a [filter]", ref.path()))
	}
	vp := &filter.ValuePath{Path: filter.AttrPath{URN: ref.urn, Name: d.Name}, Filter: p.Filter}
	var e *Error
	if d.Type == schema.Complex {
		e = h.resolveExpr(n, vp, nil)
	} else {
		e = h.resolveElementFilter(vp.Filter, ref)
	}
	if e == nil {
		e = checkFilterValues(vp.Filter)
	}
	if e != nil {
		return t, nil, e
	}
	t.filter = vp
	return t, nil, nil
}

// resolveElementFilter resolves the filter of a value path on a
// multi-valued simple attribute, in which "value" names the element (RFC
// 7644 §3.5.2.2: regions[value eq "us1"]).
func (h *Handler) resolveElementFilter(e filter.Expr, ref attrRef) *Error {
	switch e := e.(type) {
	case *filter.Logical:
		if err := h.resolveElementFilter(e.Left, ref); err != nil {
			return err
		}
		return h.resolveElementFilter(e.Right, ref)
	case *filter.Not:
		return h.resolveElementFilter(e.X, ref)
	case *filter.Compare:
		if e.Path.URN != "" || e.Path.Sub != "" || e.Path.Name != "value" && !(h.cfg.Leniency.CaseInsensitiveNames && strings.EqualFold(e.Path.Name, "value")) {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("inside %s[…] the only attribute is value (an element of %s), not %q", ref.def.Name, ref.def.Name, e.Path.String()))
		}
		e.Path = filter.AttrPath{Name: "value"}
		return h.resolveCompare(e, ref)
	}
	return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("unsupported filter inside %s[…]", ref.def.Name))
}

// opNames are the names of the first operations, built once: every
// operation of every PATCH names itself for its error messages, which are
// rarely written (the over-HTTP profile found the concatenation at a
// tenth of parsing an operation).
var opNames = func() (n [64]string) {
	for i := range n {
		n[i] = "Operations[" + strconv.Itoa(i) + "]"
	}
	return n
}()

// operationName is "Operations[i]".
func operationName(i int) string {
	if i >= 0 && i < len(opNames) {
		return opNames[i]
	}
	return "Operations[" + strconv.Itoa(i) + "]"
}
