package scim

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
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
// type's /Schemas is built from: a type gets the limits by having a
// schema, not by a list of its fields kept by hand. It reads a type's
// typed fields through filter.Resource, which every type implements for
// filters, and the values it holds generically (User.Custom: the RFC's
// long tail, kept and host-declared attributes) from the map directly,
// which costs one lookup for an attribute the resource does not have.

// walkPlan is the limit walk of one resource type.
type walkPlan struct {
	attrs []walkAttr
	// generic finds the attributes held generically by name.
	generic map[string]int
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
	// one is set for a multi-valued attribute of which the type keeps one
	// element, in fields (the strict profile's work email): the filter
	// that selects it, for messages.
	one string
	// generic is set for an attribute held in the resource's map of
	// generic values (walkView.generic), by its name.
	generic bool
	// split is set for a complex attribute some of whose sub-attributes
	// are held in fields and the others in the generic map, under the
	// attribute's name (the User's name: givenName and familyName in
	// fields, formatted and the rest in Custom["name"]).
	split bool
}

// walkLeaf is one value-bearing path of a walkAttr.
type walkLeaf struct {
	path filter.AttrPath
	sub  string // the sub-attribute's name; "" for a simple attribute
	key  int    // bytes of the sub-attribute's name in JSON
	max  int    // the string limit
	knob string // the Limits field of max
	// text is set for a leaf whose values are strings (string,
	// reference, binary); the others are bounded in size without being
	// read.
	text bool
	// field reads the leaf's value from the resource type's own field, as
	// walkType.fields binds it; nil reads it through AttrValue.
	field func(walkView) string
}

// walkType is what a resource type tells the limit walk beside its
// schemas: where it holds each attribute's values.
type walkType struct {
	// fields binds the string leaves the type holds in fields of its own,
	// by canonical path ("userName", "name.givenName"), so that the walk
	// reads them without a filter.Resource call.
	fields map[string]func(walkView) string
	// generic reports whether the type holds the top-level attribute d of
	// the schema urn in its map of generic values (walkView.generic).
	generic func(urn string, d *schema.Attribute) bool
	// one names the multi-valued attributes of which the type keeps one
	// element, in fields, with the filter that selects it.
	one map[string]string
	// outside lists the attributes whose values the store keeps apart
	// from the resource (a group's members).
	outside []string
}

// planWalk builds the walk of the resource type n names, held as t says.
func (h *Handler) planWalk(n *names, t walkType) walkPlan {
	var p walkPlan
	add := func(urn string, d *schema.Attribute) {
		if d.Mutability == schema.ReadOnly || d.Mutability == schema.WriteOnly {
			return // id, meta, groups: the server's; password: never stored
		}
		a := walkAttr{urn: urn, def: d, name: d.Name, key: len(d.Name) + 4}
		if urn != "" {
			a.name = urn + ":" + d.Name
		}
		a.outside = urn == "" && slices.Contains(t.outside, d.Name)
		a.generic = t.generic != nil && t.generic(urn, d)
		if d.Type != schema.Complex {
			a.leafs = []walkLeaf{h.leaf(urn, d, nil)}
		}
		for i := range d.SubAttributes {
			sub := &d.SubAttributes[i]
			if sub.Mutability != schema.ReadOnly && sub.Mutability != schema.WriteOnly {
				a.leafs = append(a.leafs, h.leaf(urn, d, sub))
			}
		}
		bound := 0
		for i := range a.leafs {
			lf := &a.leafs[i]
			if path := d.Name; urn == "" && !a.generic {
				if lf.sub != "" {
					path += "." + lf.sub
				}
				if lf.field = t.fields[path]; lf.field != nil {
					bound++
				}
			}
		}
		if urn == "" && d.MultiValued && bound > 0 {
			a.one = t.one[d.Name]
		}
		// Leaves of a singular complex attribute not held in fields are
		// in the generic map under its name.
		a.split = !a.generic && d.Type == schema.Complex && !d.MultiValued && bound > 0 && bound < len(a.leafs)
		if a.generic {
			if p.generic == nil {
				p.generic = map[string]int{}
			}
			p.generic[d.Name] = len(p.attrs)
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
	lf.text = d.Type == schema.String || d.Type == schema.Reference || d.Type == schema.Binary
	if sub != nil {
		lf.path.Sub, lf.sub, lf.key = sub.Name, sub.Name, len(sub.Name)+4
		lf.text = sub.Type == schema.String || sub.Type == schema.Reference || sub.Type == schema.Binary
	}
	switch {
	case urn == "" && d.Name == "userName":
		lf.max, lf.knob = l.MaxUserNameLength, "MaxUserNameLength"
	case urn == "" && d.Name == "emails" && lf.sub == "value":
		lf.max, lf.knob = l.MaxEmailLength, "MaxEmailLength"
	}
	return lf
}

// walkView is how the walk reads a resource: its typed values through
// filter.Resource, and the map of the values it holds generically.
type walkView interface {
	filter.Resource
	generic() map[string]any
}

// check walks r: it returns the first breach, in schema order, so that
// the error is the same on every run, and the size of r's values as
// JSON.
func (p *walkPlan) check(l *Limits, r walkView) (int, *Error) {
	custom := r.generic()
	if len(custom) < len(p.generic)/2 {
		// Few generic values (a user of the RFC profile has a handful of
		// the twenty-odd attributes): walked from the map, with the
		// typed ones; a breach is walked again in schema order, for the
		// error that order gives.
		size, e := p.walk(l, r, false)
		for name, v := range custom {
			ai, ok := p.generic[name]
			if !ok {
				continue
			}
			a := &p.attrs[ai]
			bytes, e1 := a.checkGeneric(l, v, l.MaxValues)
			if e == nil {
				e = e1
			}
			if size += bytes + a.key; size > l.MaxResourceBytes && e == nil {
				e = p.tooLarge(l, r)
			}
		}
		if e == nil {
			return size, nil
		}
	}
	return p.walk(l, r, true)
}

// walk walks r in schema order, its generic values too when generic is
// set.
func (p *walkPlan) walk(l *Limits, r walkView, generic bool) (int, *Error) {
	size := 0
	custom := r.generic()
	for ai := range p.attrs {
		a := &p.attrs[ai]
		if a.generic && !generic {
			continue
		}
		bytes, e := a.check(l, r, custom, l.MaxValues)
		if e != nil {
			return 0, e
		}
		if bytes > 0 && !a.outside {
			if size += bytes + a.key; size > l.MaxResourceBytes {
				return size, p.tooLarge(l, r)
			}
		}
	}
	return size, nil
}

// check walks the values of a in r (custom is r's generic map), a
// multi-valued one allowed maxValues: the bytes of a's values as JSON (0
// when it has none) and a's first breach.
func (a *walkAttr) check(l *Limits, r walkView, custom map[string]any, maxValues int) (int, *Error) {
	if a.generic {
		v, ok := custom[a.def.Name]
		if !ok {
			return 0, nil
		}
		return a.checkGeneric(l, v, maxValues)
	}
	bytes, e := a.checkTyped(l, r, maxValues)
	if m, ok := custom[a.def.Name].(map[string]any); ok && a.split && e == nil {
		var more int
		more, e = a.checkElement(m, 0)
		bytes += more
	}
	return bytes, e
}

// checkTyped walks a, held in the resource's typed fields: a singular
// attribute's strings from the fields walkFields binds (or through
// AttrValue), a multi-valued one's through filter.Resource. It returns
// the bytes of a's values, 0 when it has none.
func (a *walkAttr) checkTyped(l *Limits, r walkView, maxValues int) (int, *Error) {
	if !a.def.MultiValued {
		bytes := 0
		for li := range a.leafs {
			lf := &a.leafs[li]
			var s string
			switch {
			case !lf.text:
				bytes += lf.key + scalarBytes
				continue
			case lf.field != nil:
				s = lf.field(r)
			case a.split:
				continue // in the generic map: walk reads it
			default:
				s = r.AttrValue(lf.path, 0).Str
			}
			if s == "" {
				continue
			}
			b, e := a.checkLeaf(lf, s, 0)
			if e != nil {
				return 0, e
			}
			bytes += b + lf.key + 1
		}
		return bytes, nil
	}
	if a.one != "" {
		// The one element kept: its strings from fields (its value), and
		// room for those the type serves beside them ("type":"work",
		// "primary":true).
		bytes := 0
		for li := range a.leafs {
			lf := &a.leafs[li]
			if lf.field == nil {
				bytes += lf.key + 6 // "work", true
				continue
			}
			s := lf.field(r)
			if s == "" {
				return 0, nil // no element
			}
			b, e := a.checkLeaf(lf, s, 0)
			if e != nil {
				return 0, e
			}
			bytes += b + lf.key + 1
		}
		return bytes, nil
	}
	n := r.AttrLen(filter.AttrPath{URN: a.urn, Name: a.def.Name})
	if n == 0 {
		return 0, nil
	}
	if n > maxValues && !a.outside {
		return 0, tooManyValues(a.name, n, l.MaxValues)
	}
	bytes := 0
	for i := range n {
		for li := range a.leafs {
			lf := &a.leafs[li]
			if !lf.text {
				bytes += lf.key + scalarBytes
				continue
			}
			s := r.AttrValue(lf.path, i).Str
			if s == "" {
				continue
			}
			b, e := a.checkLeaf(lf, s, i)
			if e != nil {
				return 0, e
			}
			bytes += b + lf.key + 1
		}
		bytes += 3 // {}, or []
	}
	return bytes, nil
}

// scalarBytes bounds a number or a time as JSON.
const scalarBytes = 32

// checkGeneric walks v, a's value as User.Custom holds it: a scalar, a
// list of them, a complex value or a list of complex values.
func (a *walkAttr) checkGeneric(l *Limits, v any, maxValues int) (int, *Error) {
	if a.def.MultiValued {
		if n := customLen(v); n > maxValues {
			return 0, tooManyValues(a.name, n, l.MaxValues)
		}
	}
	switch v := v.(type) {
	case string:
		return a.checkLeaf(&a.leafs[0], v, 0)
	case []string:
		bytes := 2
		for i, s := range v {
			b, e := a.checkLeaf(&a.leafs[0], s, i)
			if e != nil {
				return 0, e
			}
			bytes += b + 1
		}
		return bytes, nil
	case map[string]any:
		return a.checkElement(v, 0)
	case []map[string]any:
		bytes := 2
		for i, m := range v {
			b, e := a.checkElement(m, i)
			if e != nil {
				return 0, e
			}
			bytes += b + 1
		}
		return bytes, nil
	}
	return 2 + customLen(v)*(scalarBytes+1), nil // booleans, integers, times
}

// checkElement walks element i of a complex attribute.
func (a *walkAttr) checkElement(m map[string]any, i int) (int, *Error) {
	bytes := 2
	for li := range a.leafs {
		lf := &a.leafs[li]
		x, ok := m[lf.sub]
		if !ok {
			continue
		}
		bytes += lf.key + 1
		s, ok := x.(string)
		if !ok {
			bytes += scalarBytes
			continue
		}
		b, e := a.checkLeaf(lf, s, i)
		if e != nil {
			return 0, e
		}
		bytes += b
	}
	return bytes, nil
}

// checkLeaf checks the string s, value i of the leaf lf, and returns its
// bytes as JSON.
func (a *walkAttr) checkLeaf(lf *walkLeaf, s string, i int) (int, *Error) {
	if len(s) > lf.max || strings.IndexByte(s, 0) >= 0 {
		return 0, checkString(a.valueName(lf, i), s, lf.max, lf.knob)
	}
	return jsonStringLen(s), nil
}

// counts checks the count of values of the multi-valued attribute d of
// next, or of every one when d is nil, without their strings: applyPatch
// calls it after each operation, so that no operation works on a list
// longer than MaxValues. A list over the limit in old, the resource as
// stored, may keep its length but not grow.
func (p *walkPlan) counts(l *Limits, old, next walkView, d *schema.Attribute) *Error {
	for ai := range p.attrs {
		a := &p.attrs[ai]
		if !a.def.MultiValued || a.outside || d != nil && a.def != d {
			continue
		}
		if n := a.count(next); n > l.MaxValues && n > a.count(old) {
			return tooManyValues(a.name, n, l.MaxValues)
		}
	}
	return nil
}

// count is the number of values of the multi-valued attribute a of r.
func (a *walkAttr) count(r walkView) int {
	if a.generic {
		return customLen(r.generic()[a.def.Name])
	}
	return r.AttrLen(filter.AttrPath{URN: a.urn, Name: a.def.Name})
}

// checkChanged checks, in schema order, the attributes whose values differ
// between old and next (string lengths, NUL, counts), leaving alone those
// a change did not touch: the check of a PATCH of a resource stored
// before the limits it breaches.
func (p *walkPlan) checkChanged(l *Limits, old, next walkView) *Error {
	oc, nc := old.generic(), next.generic()
	for ai := range p.attrs {
		a := &p.attrs[ai]
		if a.same(old, next, oc, nc) {
			continue
		}
		if _, e := a.check(l, next, nc, max(l.MaxValues, a.count(old))); e != nil {
			return e
		}
	}
	return nil
}

// same reports whether a has the same values in old and next (oc and nc
// their generic maps).
func (a *walkAttr) same(old, next walkView, oc, nc map[string]any) bool {
	if a.generic || a.split {
		if !reflect.DeepEqual(oc[a.def.Name], nc[a.def.Name]) {
			return false
		}
		if a.generic {
			return true
		}
	}
	return a.sameTyped(old, next)
}

// sameTyped reports whether the typed attribute a has the same values in
// old and next.
func (a *walkAttr) sameTyped(old, next walkView) bool {
	top := filter.AttrPath{URN: a.urn, Name: a.def.Name}
	n := 1
	if a.def.MultiValued {
		if n = old.AttrLen(top); n != next.AttrLen(top) {
			return false
		}
	}
	for i := range n {
		for li := range a.leafs {
			lf := &a.leafs[li]
			if lf.field != nil && !a.def.MultiValued {
				if lf.field(old) != lf.field(next) {
					return false
				}
				continue
			}
			if old.AttrValue(lf.path, i) != next.AttrValue(lf.path, i) {
				return false
			}
		}
	}
	return true
}

// valueName names value i of the leaf lf of a in an error: the attribute
// itself, "regions[3]", "addresses[0].formatted", "name.formatted".
func (a *walkAttr) valueName(lf *walkLeaf, i int) string {
	if a.one != "" {
		return a.one + "." + lf.sub
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
// it names the largest attribute, the one to trim (not the one the walk,
// in schema order, was at when the sum passed the limit).
func (p *walkPlan) tooLarge(l *Limits, r walkView) *Error {
	largest, most := "", 0
	custom := r.generic()
	for ai := range p.attrs {
		a := &p.attrs[ai]
		if bytes, _ := a.check(l, r, custom, math.MaxInt); bytes > most && !a.outside {
			largest, most = a.name, bytes
		}
	}
	return errorf(http.StatusRequestEntityTooLarge, ScimTypeInvalidValue, fmt.Sprintf("the resource would be larger than %d bytes of JSON, the most this service provider stores for one resource (Limits.MaxResourceBytes); its largest attribute is %q, %d bytes", l.MaxResourceBytes, largest, most))
}

// jsonStringLen is the length of s as jsontext.AppendString writes it.
func jsonStringLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			n += int(jsonEscapeExtra[c])
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5 // \ufffd for one byte
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		i += size - 1
	}
	return n
}

// jsonEscapeExtra is what escaping adds to an ASCII byte: \n and the like
// one byte, \u00XX (other controls, and <, > and & for HTML) five.
var jsonEscapeExtra = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			t[c] = 1
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			t[c] = 5
		}
	}
	return t
}()

// storedUser is a User as the walk reads it: its values as stored, not as
// served (displayName's fallback is not a value the client set).
type storedUser struct{ *User }

// userWalk is how a User holds its values, for the limit walk: typed
// fields, and User.Custom for every attribute isCustom names (name's
// other parts under "name"); the strict profile keeps one email, the work
// email, in User.Email.
func (h *Handler) userWalk() walkType {
	t := walkType{fields: userFields, generic: func(urn string, d *schema.Attribute) bool {
		return d.Name != "name" && d.Name != "externalId" && h.isCustom(urn, d)
	}}
	if !h.allEmails {
		t.one = map[string]string{"emails": `emails[type eq "work"]`}
	}
	return t
}

// userFields binds the User's typed string fields for the limit walk.
var userFields = map[string]func(walkView) string{
	"externalId":      func(r walkView) string { return r.(storedUser).ExternalID },
	"userName":        func(r walkView) string { return r.(storedUser).UserName },
	"displayName":     func(r walkView) string { return r.(storedUser).DisplayName },
	"name.givenName":  func(r walkView) string { return r.(storedUser).GivenName },
	"name.familyName": func(r walkView) string { return r.(storedUser).FamilyName },
	"emails.value":    func(r walkView) string { return r.(storedUser).Email }, // the work email, in the strict profile
}

// groupFields binds the Group's typed string fields for the limit walk.
var groupFields = map[string]func(walkView) string{
	"externalId":  func(r walkView) string { return r.(*Group).ExternalID },
	"displayName": func(r walkView) string { return r.(*Group).DisplayName },
}

func (u storedUser) generic() map[string]any { return u.Custom }

func (u storedUser) AttrValue(p filter.AttrPath, i int) filter.Value {
	if _, generic := u.Custom["displayName"]; !generic && p.Name == "displayName" && p.URN == "" {
		return strValue(u.DisplayName)
	}
	return u.User.AttrValue(p, i)
}
