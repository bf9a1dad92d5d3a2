package scim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// decodeUser reads a User from a POST or PUT body, validating every member
// against the schema. It reports whether the body set active, since a PUT
// that omits it keeps the stored value.
func (h *Handler) decodeUser(body []byte) (u *User, hasActive bool, e *Error) {
	u = &User{}
	e = h.decodeResource(body, &h.names, func(ref attrRef, v rawValue) *Error {
		if ref.def.Name == "active" && ref.urn == "" && !v.isNull() {
			hasActive = true
		}
		return h.assign(u, ref, v, false)
	}, func(urn string, v rawValue) *Error {
		return h.decodeExtension(u, urn, v)
	})
	if e != nil {
		return nil, false, e
	}
	h.deriveEmail(u)
	return u, hasActive, nil
}

// decodeResource walks the members of a POST or PUT body of the resource
// type whose names are n: schemas must list its URN, a member keyed by a
// URN goes to ext (an extension's object), and every other member is
// resolved against n and given to attr; an unknown name follows the
// handler's rule for unknown attributes.
func (h *Handler) decodeResource(body []byte, n *names, attr func(ref attrRef, v rawValue) *Error, ext func(urn string, v rawValue) *Error) *Error {
	sawSchemas := false
	// JSON allows white space before the value; members wants the value.
	start := 0
	for start < len(body) && isSpace(body[start]) {
		start++
	}
	e := members(rawValue{data: body[start:], off: int64(start)}, "the request body", func(key string, v rawValue) *Error {
		if strings.EqualFold(key, "schemas") {
			// schemas is an attribute too (RFC 7643 §3), spelled as the
			// others are.
			if key != "schemas" && !h.cfg.Leniency.CaseInsensitiveNames {
				return badRequest(ScimTypeInvalidSyntax, (&nameError{name: key, suggest: "schemas"}).Error())
			}
			if sawSchemas {
				return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("member %q appears twice in the request body", "schemas"))
			}
			sawSchemas = true
			return checkSchemas(v, n.urn)
		}
		if strings.HasPrefix(strings.ToLower(key), "urn:") {
			return ext(key, v)
		}
		ref, ne := n.resolve("", key, "")
		if ne != nil {
			return h.unknown(ne)
		}
		return attr(ref, v)
	})
	if e != nil {
		return e
	}
	if !sawSchemas {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("the request body has no \"schemas\"; it must list %q", n.urn))
	}
	return nil
}

// checkSchemas checks that v is an array of strings that contains want
// (compared case-insensitively; other URNs, such as Entra's misspelt
// enterprise extension, are tolerated).
func checkSchemas(v rawValue, want string) *Error {
	found := false
	e := elements(v, "schemas", func(_ int, el rawValue) *Error {
		s, e := decodeString("schemas", el)
		if e != nil {
			return badRequest(ScimTypeInvalidSyntax, "schemas must be an array of URN strings")
		}
		found = found || strings.EqualFold(s, want)
		return nil
	})
	if e != nil {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("schemas must be an array of URN strings that includes %q", want))
	}
	if !found {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("schemas must include %q", want))
	}
	return nil
}

// unknown decides what an unresolved name means: a mis-cased name is always
// an error (it is a typo the client must fix); an unknown one is ignored
// unless the handler disallows unknown attributes.
func (h *Handler) unknown(ne *nameError) *Error {
	if ne.suggest == "" && !h.cfg.Leniency.DisallowUnknownAttributes {
		return nil
	}
	return badRequest(ScimTypeInvalidSyntax, ne.Error())
}

func (h *Handler) decodeExtension(u *User, urn string, v rawValue) *Error {
	ext := h.names.extension(urn)
	if ext == nil {
		return h.unknown(&nameError{name: urn})
	}
	if v.isNull() {
		return nil
	}
	return members(v, urn, func(key string, v rawValue) *Error {
		ref, ne := h.names.resolve(ext.ID, key, "")
		if ne != nil {
			return h.unknown(ne)
		}
		return h.assign(u, ref, v, false)
	})
}

// assign sets the attribute ref of u to v. JSON null unassigns it. With
// add, values of a multi-valued attribute are added to the existing ones
// (PATCH add); otherwise they replace them. Read-only attributes and
// password are ignored: a client may send them back (Okta's PUT sends id,
// meta and groups), and a password is never stored.
func (h *Handler) assign(u *User, ref attrRef, v rawValue, add bool) *Error {
	d := ref.def
	if d.Mutability == schema.ReadOnly || d.Mutability == schema.WriteOnly {
		return nil
	}
	if ref.urn == "" && d.Name == "externalId" {
		return setString(&u.ExternalID, "externalId", v)
	}
	if !h.isCustom(ref.urn, d) {
		switch d.Name {
		case "userName":
			return setString(&u.UserName, "userName", v)
		case "displayName":
			return setString(&u.DisplayName, "displayName", v)
		case "active":
			if v.isNull() {
				return nil
			}
			b, e := decodeBool("active", v, !h.cfg.Leniency.DisallowStringBooleans)
			if e == nil {
				u.Active = b
			}
			return e
		case "name":
			return h.assignName(u, ref, v)
		case "emails":
			if ref.sub != nil {
				return badRequest(ScimTypeInvalidPath, fmt.Sprintf("%q names every email's %s; use emails[type eq \"work\"].%s", ref.path(), ref.sub.Name, ref.sub.Name))
			}
			if !h.allEmails {
				return h.assignEmails(u, v, add)
			}
		}
	}
	return h.assignCustom(u, ref, v, add)
}

func setString(dst *string, attr string, v rawValue) *Error {
	if v.isNull() {
		*dst = ""
		return nil
	}
	s, e := decodeString(attr, v)
	if e == nil {
		*dst = s
	}
	return e
}

// assignName sets name or one of its sub-attributes: givenName and
// familyName in User's fields, the others (kept in the RFC profile or
// with Keep "name") in User.Custom["name"].
func (h *Handler) assignName(u *User, ref attrRef, v rawValue) *Error {
	if ref.sub != nil {
		switch ref.sub.Name {
		case "givenName":
			return setString(&u.GivenName, "name.givenName", v)
		case "familyName":
			return setString(&u.FamilyName, "name.familyName", v)
		}
		return h.assignSub(u, ref, v)
	}
	if v.isNull() {
		u.GivenName, u.FamilyName = "", ""
		delete(u.Custom, "name")
		return nil
	}
	// Sub-attributes not given are left as they are (RFC 7644 §3.5.2.3);
	// a POST or PUT starts from an empty user, so there it is a full set.
	return members(v, "name", func(key string, v rawValue) *Error {
		sub, ne := h.names.lookup(ref.def.SubAttributes, key, "name")
		if ne != nil {
			return h.unknown(ne)
		}
		return h.assignName(u, attrRef{def: ref.def, sub: sub}, v)
	})
}

// email is one element of emails as a client sent it.
type email struct {
	value, typ string
	primary    bool
	hasType    bool
}

// assignEmails keeps the work email of an emails array: the element whose
// type is "work", or, when none has a type of work, an untyped element that
// is primary. Other elements are treated like unknown attributes: scimkit
// stores one email.
func (h *Handler) assignEmails(u *User, v rawValue, add bool) *Error {
	if v.isNull() {
		u.Email = ""
		return nil
	}
	var work, untypedPrimary, primary, first *email
	e := elements(v, "emails", func(i int, el rawValue) *Error {
		if i >= h.cfg.Limits.MaxValues {
			// One is kept, but every element sent is read: the same cap
			// as every multi-valued attribute.
			return tooManyValues("emails", i+1, h.cfg.Limits.MaxValues)
		}
		m, e := h.decodeEmail(el, i)
		if e != nil {
			return e
		}
		switch {
		case strings.EqualFold(m.typ, "work"):
			if work != nil && m.value == work.value {
				work.primary = work.primary || m.primary // the same email twice: once (RFC 7643 §2.4)
				return nil
			}
			if work != nil {
				return badRequest(ScimTypeInvalidValue, "emails has two elements of type \"work\"; type must be unique within emails")
			}
			work = &m
		case !m.hasType && m.primary && untypedPrimary == nil:
			untypedPrimary = &m
		case m.primary && primary == nil:
			primary = &m
		case first == nil && m.value != "":
			first = &m
		}
		return nil
	})
	if e != nil {
		return e
	}
	// One email is kept: the work one, or else the primary one (an
	// untyped one first), or else the first. An email sent without a type, or only of other types,
	// never vanishes (it is served as the work email: the strict profile
	// keeps one; Keep "emails" or the RFC profile keep them all).
	work = cmp.Or(work, untypedPrimary, primary, first)
	switch {
	case work != nil:
		u.Email = work.value
	case !add:
		u.Email = ""
	}
	return nil
}

func (h *Handler) decodeEmail(el rawValue, i int) (email, *Error) {
	var m email
	e := h.subMembers(&h.names, &h.names.core[h.emailsIndex], el, fmt.Sprintf("emails[%d]", i), "", func(sub *schema.Attribute, v rawValue) *Error {
		switch sub.Name {
		case "value":
			return setString(&m.value, "emails.value", v)
		case "type":
			m.hasType = !v.isNull()
			if e := setString(&m.typ, "emails.type", v); e != nil {
				return e
			}
			// Not kept (the one email is the work one), still a value
			// under the limits.
			return checkString(fmt.Sprintf("emails[%d].type", i), m.typ, h.cfg.Limits.MaxStringLength, "MaxStringLength")
		case "primary":
			if v.isNull() {
				return nil
			}
			b, e := decodeBool("emails.primary", v, !h.cfg.Leniency.DisallowStringBooleans)
			m.primary = b
			return e
		}
		return nil // display: not kept
	})
	return m, e
}

// subMembers walks the members of el, an element of the multi-valued
// complex attribute def of the resource type whose names are n, and gives
// each sub-attribute with its value to fn. A member named ignore (in the
// handler's spelling rule) is skipped; an unknown one follows the
// handler's rule for unknown attributes.
func (h *Handler) subMembers(n *names, def *schema.Attribute, el rawValue, where, ignore string, fn func(sub *schema.Attribute, v rawValue) *Error) *Error {
	return members(el, where, func(key string, v rawValue) *Error {
		if ignore != "" && (key == ignore || h.cfg.Leniency.CaseInsensitiveNames && strings.EqualFold(key, ignore)) {
			return nil
		}
		sub, ne := n.lookup(def.SubAttributes, key, def.Name)
		if ne != nil {
			return h.unknown(ne)
		}
		return fn(sub, v)
	})
}

// assignSub sets one sub-attribute of a singular complex attribute held
// in User.Custom (name.formatted, the enterprise manager.value); null
// removes it.
func (h *Handler) assignSub(u *User, ref attrRef, v rawValue) *Error {
	if ref.sub.Mutability == schema.ReadOnly {
		return nil
	}
	old, _ := u.Custom[ref.def.Name].(map[string]any)
	if v.isNull() {
		if _, ok := old[ref.sub.Name]; ok {
			old = maps.Clone(old)
			delete(old, ref.sub.Name)
			h.setCustom(u, ref.def.Name, old)
		}
		return nil
	}
	x, e := h.decodeScalar(ref.sub, v)
	if e != nil {
		return e
	}
	h.setCustom(u, ref.def.Name, mergeComplex(old, map[string]any{ref.sub.Name: x}))
	return nil
}

// setCustom sets u.Custom[name] to v, or removes it when v holds nothing.
func (h *Handler) setCustom(u *User, name string, v any) {
	if customLen(v) == 0 {
		delete(u.Custom, name)
		return
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		delete(u.Custom, name)
		return
	}
	if u.Custom == nil {
		u.Custom = make(map[string]any, len(h.customCore))
	}
	u.Custom[name] = v
}

// assignCustom sets an attribute held in User.Custom: a host-declared one,
// or one of the RFC's that the handler keeps. A multi-valued string also
// accepts one comma-separated string, as Okta sends list attributes
// ("us1,emea2").
func (h *Handler) assignCustom(u *User, ref attrRef, v rawValue, add bool) *Error {
	d := ref.def
	if ref.sub != nil {
		if d.MultiValued {
			return badRequest(ScimTypeInvalidPath, fmt.Sprintf("%q names a sub-attribute of every element of %s; name the elements with a filter, e.g. %s[type eq \"work\"].%s", ref.path(), d.Name, d.Name, ref.sub.Name))
		}
		return h.assignSub(u, ref, v)
	}
	if v.isNull() {
		delete(u.Custom, d.Name)
		return nil
	}
	if d.Type == schema.Complex {
		return h.assignComplex(u, d, v, add)
	}
	var val any
	var e *Error
	if !d.MultiValued {
		val, e = h.decodeScalar(d, v)
	} else {
		var old any
		if add {
			old = u.Custom[d.Name]
		}
		val, e = h.decodeList(d, v)
		if e == nil {
			val = appendNew(old, val) // each value once (RFC 7643 §2.4)
		}
	}
	if e != nil {
		return e
	}
	if u.Custom == nil {
		u.Custom = make(map[string]any, len(h.cfg.Attributes))
	}
	u.Custom[d.Name] = val
	return nil
}

func (h *Handler) decodeScalar(d *schema.Attribute, v rawValue) (any, *Error) {
	switch d.Type {
	case schema.Boolean:
		return decodeBool(d.Name, v, !h.cfg.Leniency.DisallowStringBooleans)
	case schema.Integer:
		return decodeInt(d.Name, v, h.cfg.Leniency.AllowStringIntegers)
	case schema.DateTime:
		return decodeDateTime(d.Name, v)
	}
	return decodeString(d.Name, v)
}

func (h *Handler) decodeList(d *schema.Attribute, v rawValue) (any, *Error) {
	if d.Type == schema.String && len(v.data) > 0 && v.data[0] == '"' {
		s, e := decodeString(d.Name, v)
		if e != nil {
			return nil, e
		}
		var out []string
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out, nil
	}
	switch d.Type {
	case schema.Boolean:
		return decodeEach(d, v, func(v rawValue) (bool, *Error) { return decodeBool(d.Name, v, !h.cfg.Leniency.DisallowStringBooleans) })
	case schema.Integer:
		return decodeEach(d, v, func(v rawValue) (int64, *Error) { return decodeInt(d.Name, v, h.cfg.Leniency.AllowStringIntegers) })
	case schema.DateTime:
		return decodeEach(d, v, func(v rawValue) (time.Time, *Error) { return decodeDateTime(d.Name, v) })
	}
	return decodeEach(d, v, func(v rawValue) (string, *Error) { return decodeString(d.Name, v) })
}

func decodeEach[T any](d *schema.Attribute, v rawValue, one func(rawValue) (T, *Error)) ([]T, *Error) {
	if len(v.data) > 0 && v.data[0] != '[' {
		// A single value for a multi-valued attribute is a list of one.
		x, e := one(v)
		return []T{x}, e
	}
	var out []T
	e := elements(v, d.Name, func(_ int, el rawValue) *Error {
		x, e := one(el)
		out = append(out, x)
		return e
	})
	return out, e
}

// appendNew adds to the existing values those of add they do not hold yet.
func appendNew(existing, add any) any {
	switch add := add.(type) {
	case []string:
		return appendMissing(existing, add)
	case []bool:
		return appendMissing(existing, add)
	case []int64:
		return appendMissing(existing, add)
	case []time.Time:
		old, _ := existing.([]time.Time)
		return appendMissingBy(old, add, time.Time.UnixNano) // equal instants are equal values
	}
	return add
}

func appendMissing[T comparable](existing any, add []T) []T {
	old, _ := existing.([]T)
	return appendMissingBy(old, add, func(x T) T { return x })
}

// appendMissingBy appends to a copy of old the values of add whose key it
// does not hold yet, in linear time: a client may send thousands.
func appendMissingBy[T any, K comparable](old, add []T, key func(T) K) []T {
	out := slices.Clone(old)
	seen := make(map[K]struct{}, len(old)+len(add))
	for _, x := range old {
		seen[key(x)] = struct{}{}
	}
	for _, x := range add {
		if _, dup := seen[key(x)]; !dup {
			seen[key(x)] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

// checkRequired reports every required attribute u lacks, in one error,
// so that a client learns from one response all it must send.
func (h *Handler) checkRequired(u *User) *Error {
	if missing := h.missingRequired(u); len(missing) > 0 {
		return badRequest(ScimTypeInvalidValue, requiredDetail(missing))
	}
	return nil
}

// missingRequired returns the required attributes u lacks, in the order
// of h.required; nil, without allocating, when it has them all.
func (h *Handler) missingRequired(u *User) []string {
	var missing []string
	for _, p := range h.required {
		if !h.has(u, p) {
			missing = append(missing, p)
		}
	}
	return missing
}

// requiredDetail says that the attributes named are required.
func requiredDetail(names []string) string {
	if len(names) == 1 {
		return fmt.Sprintf("attribute %q is required", names[0])
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return fmt.Sprintf("attributes %s and %s are required", strings.Join(quoted[:len(quoted)-1], ", "), quoted[len(quoted)-1])
}

func (h *Handler) has(u *User, path string) bool {
	if h.generic && path != "externalId" {
		_, rest := splitURN(path)
		name, sub, _ := strings.Cut(rest, ".")
		if sub == "" {
			return customLen(u.Custom[name]) > 0
		}
		return attrValue(u.Custom[name], 0, sub).Kind != filter.Null
	}
	switch path {
	case "userName":
		return strings.TrimSpace(u.UserName) != ""
	case "name":
		return u.GivenName != "" || u.FamilyName != ""
	case "name.givenName":
		return u.GivenName != ""
	case "name.familyName":
		return u.FamilyName != ""
	case "emails", "emails.value", "emails.type", "emails.primary":
		// The work email is kept and served with type work and primary
		// true, so its sub-attributes are present exactly when it is.
		return u.Email != ""
	case "externalId":
		return u.ExternalID != ""
	case "displayName":
		return u.DisplayName != ""
	case "active":
		return true
	}
	_, name := splitURN(path)
	return customLen(u.Custom[name]) > 0
}
