package scim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// The limit walk: one pass over every value of every attribute a resource
// type's schemas declare (core, extensions, complex sub-attributes,
// multi-valued elements; the RFC's own, the kept and the host's alike),
// applying the rules that hold for every attribute: each string within
// its length limit and free of NUL, each multi-valued attribute within
// Limits.MaxValues, and the resource as a whole within
// Limits.MaxResourceBytes.
//
// The walk is planned once per resource type from the same names the
// type's /Schemas is built from, and reads values through filter.Resource,
// which every resource type implements for filters: a type gets the
// limits by having a schema, not by a list of its fields kept by hand.

// walkPlan is the limit walk of one resource type.
type walkPlan struct {
	attrs []walkAttr
}

// walkAttr is one top-level attribute of the plan.
type walkAttr struct {
	urn   string
	def   *schema.Attribute
	name  string     // as errors name it: "addresses", "urn:…:User:manager"
	key   int        // bytes of its name in JSON: "name":
	leafs []walkLeaf // the attribute itself, or its writable sub-attributes
	// outside is set for an attribute whose values the store keeps apart
	// from the resource (a group's members, in a membership table): they
	// are capped per request (Config.MaxMembersPerRequest) and paged on
	// reads, so they count toward neither MaxValues nor the resource's
	// size; their strings are still checked.
	outside bool
	// workEmail names the strict profile's one email as the filter that
	// selects it.
	workEmail bool
}

// walkLeaf is one value-bearing path of a walkAttr.
type walkLeaf struct {
	path filter.AttrPath
	sub  string // the sub-attribute's name; "" for a simple attribute
	key  int    // bytes of the sub-attribute's name in JSON
	max  int    // the string limit
	knob string // the Limits field of max
}

// planWalk builds the walk of the resource type n names. outside lists the
// attributes whose values are kept apart from the resource.
func (h *Handler) planWalk(n *names, outside ...string) walkPlan {
	var p walkPlan
	add := func(urn string, d *schema.Attribute) {
		if d.Mutability == schema.ReadOnly || d.Mutability == schema.WriteOnly {
			return // id, meta, groups: the server's; password: never stored
		}
		a := walkAttr{urn: urn, def: d, name: d.Name, key: len(d.Name) + 4}
		if urn != "" {
			a.name = urn + ":" + d.Name
		}
		for _, o := range outside {
			a.outside = a.outside || urn == "" && d.Name == o
		}
		a.workEmail = urn == "" && n == &h.names && d.Name == "emails" && !h.allEmails
		if d.Type != schema.Complex {
			a.leafs = []walkLeaf{h.leaf(urn, d, nil)}
		}
		for i := range d.SubAttributes {
			sub := &d.SubAttributes[i]
			if sub.Mutability != schema.ReadOnly && sub.Mutability != schema.WriteOnly {
				a.leafs = append(a.leafs, h.leaf(urn, d, sub))
			}
		}
		p.attrs = append(p.attrs, a)
	}
	for i := range n.core {
		add("", &n.core[i])
	}
	for i := range n.extensions {
		ext := &n.extensions[i]
		for j := range ext.Attributes {
			add(ext.ID, &ext.Attributes[j])
		}
	}
	return p
}

// leaf plans the value d (sub nil) or d.sub, with its string limit: the
// two that have their own (userName, an email's value), MaxStringLength
// for every other.
func (h *Handler) leaf(urn string, d, sub *schema.Attribute) walkLeaf {
	l := &h.cfg.Limits
	lf := walkLeaf{path: filter.AttrPath{URN: urn, Name: d.Name}, max: l.MaxStringLength, knob: "MaxStringLength"}
	if sub != nil {
		lf.path.Sub, lf.sub, lf.key = sub.Name, sub.Name, len(sub.Name)+4
	}
	switch {
	case urn == "" && d.Name == "userName":
		lf.max, lf.knob = l.MaxUserNameLength, "MaxUserNameLength"
	case urn == "" && d.Name == "emails" && lf.sub == "value":
		lf.max, lf.knob = l.MaxEmailLength, "MaxEmailLength"
	}
	return lf
}

// walkView is how the walk reads a resource: filter.Resource, which every
// resource type implements for filters.
type walkView = filter.Resource

// check walks r: it returns the first breach, in schema order, so that
// the error is the same on every run, and the size of r's values as
// JSON.
func (p *walkPlan) check(l *Limits, r walkView) (int, *Error) {
	size := 0
	for ai := range p.attrs {
		a := &p.attrs[ai]
		top := filter.AttrPath{URN: a.urn, Name: a.def.Name}
		n := 1
		if a.def.MultiValued {
			if n = r.AttrLen(top); n == 0 {
				continue
			}
			if n > l.MaxValues && !a.outside {
				return 0, tooManyValues(a.name, n, l.MaxValues)
			}
		}
		bytes, present := 0, false
		for i := range n {
			for li := range a.leafs {
				lf := &a.leafs[li]
				v := r.AttrValue(lf.path, i)
				switch v.Kind {
				case filter.Null:
					continue
				case filter.String:
					if len(v.Str) > lf.max || strings.IndexByte(v.Str, 0) >= 0 {
						return 0, checkString(a.valueName(lf, i), v.Str, lf.max, lf.knob)
					}
					bytes += jsonStringLen(v.Str)
				case filter.DateTime:
					bytes += len(v.Str) + 2
				case filter.Bool:
					bytes += 5
				default:
					bytes += 24 // a number
				}
				bytes += lf.key + 1
				present = true
			}
			bytes += 3 // {}, or []
		}
		if present && !a.outside {
			if size += bytes + a.key; size > l.MaxResourceBytes {
				return size, tooLarge(a.name, l.MaxResourceBytes)
			}
		}
	}
	return size, nil
}

// counts checks the count of values of every multi-valued attribute of
// r, without its strings: applyPatch calls it after each operation, so
// that no operation works on a list longer than MaxValues.
func (p *walkPlan) counts(l *Limits, r walkView) *Error {
	for ai := range p.attrs {
		a := &p.attrs[ai]
		if !a.def.MultiValued || a.outside {
			continue
		}
		if n := r.AttrLen(filter.AttrPath{URN: a.urn, Name: a.def.Name}); n > l.MaxValues {
			return tooManyValues(a.name, n, l.MaxValues)
		}
	}
	return nil
}

// valueName names value i of the leaf lf of a in an error: the attribute
// itself, "regions[3]", "addresses[0].formatted", "name.formatted".
func (a *walkAttr) valueName(lf *walkLeaf, i int) string {
	if a.workEmail {
		return `emails[type eq "work"].` + lf.sub
	}
	s := a.name
	if a.def.MultiValued {
		s += "[" + strconv.Itoa(i) + "]"
	}
	if lf.sub != "" {
		s += "." + lf.sub
	}
	return s
}

func tooManyValues(attr string, n, max int) *Error {
	return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q has %d values; the most this service provider accepts is %d (Limits.MaxValues)", attr, n, max))
}

// tooLarge is the 413 for a resource whose values pass MaxResourceBytes;
// it names the attribute at which the walk passed the limit.
func tooLarge(attr string, max int) *Error {
	return errorf(http.StatusRequestEntityTooLarge, ScimTypeInvalidValue, fmt.Sprintf("the resource would be larger than %d bytes of JSON, the most this service provider stores for one resource (Limits.MaxResourceBytes); the limit was passed at attribute %q", max, attr))
}

// jsonStringLen is the length of s as jsontext.AppendString writes it.
func jsonStringLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n++
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 5
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5 // \ufffd for one byte
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		i += size
	}
	return n
}

// storedUser is a User as the walk reads it: its values as stored, not as
// served (displayName's fallback is not a value the client set).
type storedUser struct{ *User }

func (u storedUser) AttrValue(p filter.AttrPath, i int) filter.Value {
	if p.Name == "displayName" && p.URN == "" {
		return strValue(u.DisplayName)
	}
	return u.User.AttrValue(p, i)
}
