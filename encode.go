package scim

import (
	"maps"
	"strconv"
	"time"

	"github.com/scimkit/scim/internal/jsontext"
	"github.com/scimkit/scim/schema"
)

// userOut is what writing a user needs besides the user, when the request
// asked for more or less than the default: a projection, or the user's
// groups. The nil *userOut writes the default attributes.
type userOut struct {
	p *projection
	// groups are the user's groups, served when withGroups is set.
	groups     []GroupRef
	withGroups bool
	base       string // the mount URL, for the groups' $ref
}

// appendUser appends the JSON of u to b. It is written by hand because
// every GET, list and write answers with users: it does no reflection and
// allocates nothing beyond b's growth. location is meta.location.
func (h *Handler) appendUser(b []byte, u *User, location string, o *userOut) []byte {
	var p *projection
	if o != nil {
		p = o.p
	}
	b = append(b, `{"schemas":["`...)
	b = append(b, h.names.urn...)
	b = append(b, '"')
	for i := range h.names.extensions {
		if h.hasExtensionValues(u, &h.names.extensions[i], p) {
			b = append(b, ',', '"')
			b = append(b, h.names.extensions[i].ID...)
			b = append(b, '"')
		}
	}
	b = append(b, `],"id":`...)
	b = jsontext.AppendString(b, u.ID)
	if u.ExternalID != "" && p.wants("externalId", schema.Default) {
		b = append(b, `,"externalId":`...)
		b = jsontext.AppendString(b, u.ExternalID)
	}
	if !h.generic {
		b = h.appendTyped(b, u, p)
	}
	for _, d := range h.customCore {
		b = appendCustom(b, d, "", u.Custom, p)
	}
	if o != nil && o.withGroups && len(o.groups) > 0 && p.wants("groups", schema.Default) {
		b = appendUserGroups(b, o.groups, h.groups.prefix(o.base), p)
	}
	for i := range h.names.extensions {
		ext := &h.names.extensions[i]
		if !h.hasExtensionValues(u, ext, p) {
			continue
		}
		b = append(b, ',')
		b = jsontext.AppendString(b, ext.ID)
		b = append(b, ':', '{')
		n := len(b)
		for j := range ext.Attributes {
			b = appendCustom(b, &ext.Attributes[j], ext.ID, u.Custom, p)
		}
		if len(b) > n {
			b = append(b[:n], b[n+1:]...) // drop the leading comma
		}
		b = append(b, '}')
	}
	b = appendMeta(b, h.users.name, &u.Meta, location, p)
	return append(b, '}')
}

// appendTyped appends a User's typed attributes: userName, name's typed
// parts, displayName, the work email and active.
func (h *Handler) appendTyped(b []byte, u *User, p *projection) []byte {
	if p.wants("userName", schema.Default) {
		b = append(b, `,"userName":`...)
		b = jsontext.AppendString(b, u.UserName)
	}
	if extra, ok := u.Custom["name"].(map[string]any); ok {
		b = h.appendFullName(b, u, extra, p)
	} else if given, family := u.GivenName != "" && p.wants("name.givenName", schema.Default), u.FamilyName != "" && p.wants("name.familyName", schema.Default); given || family {
		b = append(b, `,"name":{`...)
		if given {
			b = append(b, `"givenName":`...)
			b = jsontext.AppendString(b, u.GivenName)
		}
		if family {
			if given {
				b = append(b, ',')
			}
			b = append(b, `"familyName":`...)
			b = jsontext.AppendString(b, u.FamilyName)
		}
		b = append(b, '}')
	}
	if dn := u.displayName(); dn != "" && p.wants("displayName", schema.Default) {
		b = append(b, `,"displayName":`...)
		b = jsontext.AppendString(b, dn)
	}
	if u.Email != "" && p.wants("emails", schema.Default) && customLen(u.Custom["emails"]) == 0 {
		if p == nil {
			b = append(b, `,"emails":[{"value":`...)
			b = jsontext.AppendString(b, u.Email)
			b = append(b, `,"type":"work","primary":true}]`...)
		} else {
			b = appendWorkEmail(b, u.Email, p)
		}
	}
	if p.wants("active", schema.Default) {
		b = append(b, `,"active":`...)
		b = strconv.AppendBool(b, u.Active)
	}
	return b
}

// appendMeta appends ,"meta":{…} for a resource of the given type, with
// the sub-attributes p wants.
func appendMeta(b []byte, resourceType string, m *Meta, location string, p *projection) []byte {
	if p != nil && !p.wants("meta", schema.Default) {
		return b
	}
	b = append(b, `,"meta":{`...)
	n := len(b)
	if p.wants("meta.resourceType", schema.Default) {
		b = append(b, `,"resourceType":"`...)
		b = append(b, resourceType...)
		b = append(b, '"')
	}
	if !m.Created.IsZero() && p.wants("meta.created", schema.Default) {
		b = append(b, `,"created":"`...)
		b = m.Created.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if !m.LastModified.IsZero() && p.wants("meta.lastModified", schema.Default) {
		b = append(b, `,"lastModified":"`...)
		b = m.LastModified.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if m.Version != "" && p.wants("meta.version", schema.Default) {
		b = append(b, `,"version":`...)
		b = jsontext.AppendString(b, etag(m.Version))
	}
	if location != "" && p.wants("meta.location", schema.Default) {
		b = append(b, `,"location":`...)
		b = jsontext.AppendString(b, location)
	}
	if len(b) > n {
		b = append(b[:n], b[n+1:]...) // drop the leading comma
	}
	return append(b, '}')
}

// appendFullName appends name with the parts kept beside givenName and
// familyName (the RFC profile's formatted, middleName, honorifics), in
// schema order.
func (h *Handler) appendFullName(b []byte, u *User, extra map[string]any, p *projection) []byte {
	m := maps.Clone(extra)
	if u.GivenName != "" {
		m["givenName"] = u.GivenName
	}
	if u.FamilyName != "" {
		m["familyName"] = u.FamilyName
	}
	ref, _ := h.names.resolve("", "name", "")
	n := len(b)
	b = append(b, `,"name":`...)
	b = appendComplex(b, ref.def, "name", m, p)
	if b[len(b)-2] == '{' {
		b = b[:n] // nothing of name is wanted
	}
	return b
}

// appendWorkEmail appends the work email with the sub-attributes p wants.
func appendWorkEmail(b []byte, email string, p *projection) []byte {
	b = append(b, `,"emails":[{`...)
	n := len(b)
	if p.wants("emails.value", schema.Default) {
		b = append(b, `,"value":`...)
		b = jsontext.AppendString(b, email)
	}
	if p.wants("emails.type", schema.Default) {
		b = append(b, `,"type":"work"`...)
	}
	if p.wants("emails.primary", schema.Default) {
		b = append(b, `,"primary":true`...)
	}
	if len(b) > n {
		b = append(b[:n], b[n+1:]...)
	}
	return append(b, '}', ']')
}

// hasExtensionValues reports whether u has a value for an attribute of ext
// that is returned.
func (h *Handler) hasExtensionValues(u *User, ext *schema.Schema, p *projection) bool {
	for i := range ext.Attributes {
		a := &ext.Attributes[i]
		if customLen(u.Custom[a.Name]) > 0 && p.wantsCustom(ext.ID, a.Name, a.Returned) {
			return true
		}
	}
	return false
}

// appendCustom appends ,"name":value for a host-declared attribute of the
// schema urn ("" for the core User schema) that has a value and is
// returned.
func appendCustom(b []byte, d *schema.Attribute, urn string, custom map[string]any, p *projection) []byte {
	v, ok := custom[d.Name]
	if !ok || customLen(v) == 0 {
		return b
	}
	if !p.wantsCustom(urn, d.Name, d.Returned) {
		return b
	}
	b = append(b, ',')
	b = jsontext.AppendString(b, d.Name)
	b = append(b, ':')
	switch v := v.(type) {
	case map[string]any:
		var path string
		if p != nil {
			path = d.Name
			if urn != "" {
				path = urn + ":" + d.Name
			}
		}
		return appendComplex(b, d, path, v, p)
	case []map[string]any:
		var path string
		if p != nil {
			path = d.Name
			if urn != "" {
				path = urn + ":" + d.Name
			}
		}
		return appendList(b, v, func(b []byte, m map[string]any) []byte { return appendComplex(b, d, path, m, p) })
	case []string:
		return appendList(b, v, jsontext.AppendString)
	case []bool:
		return appendList(b, v, strconv.AppendBool)
	case []int64:
		return appendList(b, v, func(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) })
	case []time.Time:
		return appendList(b, v, appendTime)
	}
	return appendScalar(b, v)
}

// appendScalar appends one simple value: a string, bool, int64 or
// time.Time.
func appendScalar(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return jsontext.AppendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case time.Time:
		return appendTime(b, v)
	}
	return append(b, "null"...)
}

func appendList[T any](b []byte, v []T, one func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, x)
	}
	return append(b, ']')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendComplex appends the object m of the complex attribute d, its
// sub-attributes in schema order, those p wants. path is d's canonical
// path.
func appendComplex(b []byte, d *schema.Attribute, path string, m map[string]any, p *projection) []byte {
	b = append(b, '{')
	n := len(b)
	for i := range d.SubAttributes {
		sub := &d.SubAttributes[i]
		x, ok := m[sub.Name]
		if !ok || p != nil && !p.wants(path+"."+sub.Name, sub.Returned) {
			continue
		}
		b = append(b, ',')
		b = jsontext.AppendString(b, sub.Name)
		b = append(b, ':')
		b = appendScalar(b, x)
	}
	if len(b) > n {
		b = append(b[:n], b[n+1:]...)
	}
	return append(b, '}')
}
