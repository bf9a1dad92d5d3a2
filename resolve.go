package scim

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// ParseFilter parses a filter and resolves it against the handler's schema
// exactly as the filter of a list request is resolved before a Store sees
// it: canonical names, CaseExact from the attribute definitions, literals
// of the attribute's type (dateTimes parsed). A Store's tests use it to
// build the queries the handler sends. A bad filter is an *Error, a 400
// invalidFilter that names the problem.
func (h *Handler) ParseFilter(s string) (filter.Expr, error) {
	e, err := h.parseFilter(&h.names, s)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ParseGroupFilter is ParseFilter for a list of groups: names resolve
// against the Group schema (displayName compares ignoring case; id,
// externalId and members.value exactly). It is an error when the handler
// serves no groups.
func (h *Handler) ParseGroupFilter(s string) (filter.Expr, error) {
	if h.groupStore == nil {
		return nil, errors.New("scim: this handler serves no groups")
	}
	e, err := h.parseFilter(&h.groupNames, s)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// parseFilter parses s and resolves it against n, the names of the
// resource type listed.
func (h *Handler) parseFilter(n *names, s string) (filter.Expr, *Error) {
	e, err := h.cfg.FilterLimits.Parse(s)
	if err != nil {
		return nil, badRequest(ScimTypeInvalidFilter, err.Error())
	}
	if err := h.resolveExpr(n, e, nil); err != nil {
		return nil, err
	}
	if err := checkFilterValues(e); err != nil {
		return nil, err
	}
	return expandComplexPr(n, e), nil
}

// expandComplexPr rewrites pr on a complex attribute compared whole (name,
// addresses, meta, the enterprise manager; a multi-valued one with a value
// sub-attribute already means its value) as pr on any of its
// sub-attributes: RFC 7644 §3.4.2.2 matches pr when a complex attribute
// "contains a non-empty node", and stores (filter.Match, filter.SQL)
// compare sub-attributes, never a complex attribute whole. The expansion
// is bounded by the schema, not by the request.
func expandComplexPr(n *names, e filter.Expr) filter.Expr {
	switch x := e.(type) {
	case *filter.Logical:
		x.Left, x.Right = expandComplexPr(n, x.Left), expandComplexPr(n, x.Right)
	case *filter.Not:
		x.X = expandComplexPr(n, x.X)
	case *filter.Compare:
		if x.Op != filter.Pr || x.Path.Sub != "" {
			return e
		}
		ref, ne := n.resolve(x.Path.URN, x.Path.Name, "")
		if ne != nil || ref.def.Type != schema.Complex {
			return e
		}
		if ref.urn == "" && ref.def.Name == "meta" {
			// Every resource has a meta, as it has an id; stores map id
			// but not every sub-attribute of meta.
			return &filter.Compare{Path: filter.AttrPath{Name: "id"}, Op: filter.Pr, CaseExact: true}
		}
		var out filter.Expr
		for i := range ref.def.SubAttributes {
			sub := &ref.def.SubAttributes[i]
			if sub.Mutability == schema.WriteOnly || sub.Returned == schema.Never {
				continue
			}
			c := &filter.Compare{Path: filter.AttrPath{URN: x.Path.URN, Name: x.Path.Name, Sub: sub.Name}, Op: filter.Pr, CaseExact: sub.CaseExact}
			if out == nil {
				out = c
			} else {
				out = &filter.Logical{Op: filter.Or, Left: out, Right: c}
			}
		}
		if out != nil {
			return out
		}
	}
	return e
}

// resolveExpr resolves e in place. Inside a value path, within is the
// multi-valued attribute whose sub-attributes the names are.
func (h *Handler) resolveExpr(n *names, e filter.Expr, within *attrRef) *Error {
	switch e := e.(type) {
	case *filter.Logical:
		if err := h.resolveExpr(n, e.Left, within); err != nil {
			return err
		}
		return h.resolveExpr(n, e.Right, within)
	case *filter.Not:
		return h.resolveExpr(n, e.X, within)
	case *filter.ValuePath:
		if within != nil {
			return badRequest(ScimTypeInvalidFilter, "a value filter cannot be nested in another")
		}
		ref, ne := n.resolve(e.Path.URN, e.Path.Name, e.Path.Sub)
		if ne != nil {
			return badRequest(ScimTypeInvalidFilter, ne.Error())
		}
		if ref.def.Type != schema.Complex || ref.sub != nil {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is not a complex attribute, so it cannot have a [filter]", ref.path()))
		}
		e.Path = filter.AttrPath{URN: ref.urn, Name: ref.def.Name}
		return h.resolveExpr(n, e.Filter, &ref)
	case *filter.Compare:
		ref, err := h.resolveFilterPath(n, e.Path, within)
		if err != nil {
			return err
		}
		if within != nil {
			e.Path = filter.AttrPath{Name: ref.sub.Name}
		} else {
			e.Path = filter.AttrPath{URN: ref.urn, Name: ref.def.Name}
			if ref.sub != nil {
				e.Path.Sub = ref.sub.Name
			}
		}
		return h.resolveCompare(e, ref)
	}
	return badRequest(ScimTypeInvalidFilter, "unsupported filter expression")
}

// resolveFilterPath resolves p, inside a value filter on within when it is
// not nil. A multi-valued complex attribute compared without a
// sub-attribute means its value sub-attribute (RFC 7644 §3.4.2.2).
func (h *Handler) resolveFilterPath(n *names, p filter.AttrPath, within *attrRef) (attrRef, *Error) {
	var ref attrRef
	var ne *nameError
	if within != nil {
		ref = *within
		ref.sub, ne = n.lookup(within.def.SubAttributes, p.Name, within.def.Name)
		if ne == nil && (p.Sub != "" || p.URN != "") {
			return ref, badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q inside %s[…] must name a sub-attribute of %s", p.String(), within.def.Name, within.def.Name))
		}
	} else {
		ref, ne = n.resolve(p.URN, p.Name, p.Sub)
	}
	if ne != nil {
		return ref, badRequest(ScimTypeInvalidFilter, ne.Error())
	}
	if ref.def.Mutability == schema.WriteOnly || ref.def.Returned == schema.Never {
		return ref, badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q cannot be used in a filter", ref.path()))
	}
	if ref.def.Type == schema.Complex && ref.sub == nil && within == nil && ref.def.MultiValued {
		if v, ok := ref.def.SubAttribute("value", false); ok {
			ref.sub = v
		}
	}
	return ref, nil
}

// resolveCompare checks that the operator and literal fit the attribute's
// type, converting literals where the type says how (dateTime strings,
// string booleans when allowed).
func (h *Handler) resolveCompare(c *filter.Compare, ref attrRef) *Error {
	def := ref.def
	if ref.sub != nil {
		def = ref.sub
	}
	c.CaseExact = def.CaseExact
	if c.Op == filter.Pr {
		return nil
	}
	name := ref.path()
	if def.Type == schema.Complex {
		return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is a complex attribute; compare one of its sub-attributes, e.g. %s.%s", name, def.Name, def.SubAttributes[0].Name))
	}
	v := &c.Value
	if v.Kind == filter.Null {
		if c.Op != filter.Eq && c.Op != filter.Ne {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%s %s null: only eq and ne compare with null", name, c.Op))
		}
		return nil
	}
	mismatch := func(want string) *Error {
		return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is %s, so it cannot be compared with %s", name, want, v.String()))
	}
	ordering := c.Op == filter.Gt || c.Op == filter.Ge || c.Op == filter.Lt || c.Op == filter.Le
	substr := c.Op == filter.Co || c.Op == filter.Sw || c.Op == filter.Ew
	switch def.Type {
	case schema.Boolean:
		if v.Kind == filter.String && !h.cfg.Leniency.DisallowStringBooleans {
			switch {
			case strings.EqualFold(v.Str, "true"):
				*v = filter.Value{Kind: filter.Bool, Bool: true}
			case strings.EqualFold(v.Str, "false"):
				*v = filter.Value{Kind: filter.Bool, Bool: false}
			}
		}
		if v.Kind != filter.Bool {
			return mismatch("a boolean")
		}
		if ordering || substr {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is a boolean; only eq, ne and pr apply to it, not %s", name, c.Op))
		}
	case schema.Integer, schema.Decimal:
		if v.Kind != filter.Number {
			return mismatch("a number")
		}
		if substr {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is a number; %s applies to strings only", name, c.Op))
		}
	case schema.DateTime:
		if v.Kind != filter.String && v.Kind != filter.DateTime {
			return mismatch("a dateTime")
		}
		t, err := time.Parse(time.RFC3339Nano, v.Str)
		if err != nil {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is a dateTime; %q is not one (write e.g. \"2026-01-31T09:00:00Z\")", name, v.Str))
		}
		*v = filter.Value{Kind: filter.DateTime, Str: v.Str, Time: t}
		if substr {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("%q is a dateTime; %s applies to strings only", name, c.Op))
		}
	default:
		if v.Kind != filter.String {
			return mismatch("a string")
		}
	}
	return nil
}
