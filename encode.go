package scim

import (
	"strconv"
	"time"

	"github.com/scimkit/scim/internal/jsontext"
	"github.com/scimkit/scim/schema"
)

// appendUser appends the JSON of u to b. It is written by hand because
// every GET, list and write answers with users: it does no reflection and
// allocates nothing beyond b's growth. location is meta.location.
func (h *Handler) appendUser(b []byte, u *User, location string) []byte {
	b = append(b, `{"schemas":["`...)
	b = append(b, UserURN...)
	b = append(b, '"')
	for i := range h.names.extensions {
		if h.hasExtensionValues(u, &h.names.extensions[i]) {
			b = append(b, ',', '"')
			b = append(b, h.names.extensions[i].ID...)
			b = append(b, '"')
		}
	}
	b = append(b, `],"id":`...)
	b = jsontext.AppendString(b, u.ID)
	if u.ExternalID != "" {
		b = append(b, `,"externalId":`...)
		b = jsontext.AppendString(b, u.ExternalID)
	}
	b = append(b, `,"userName":`...)
	b = jsontext.AppendString(b, u.UserName)
	if u.GivenName != "" || u.FamilyName != "" {
		b = append(b, `,"name":{`...)
		sep := false
		if u.GivenName != "" {
			b = append(b, `"givenName":`...)
			b = jsontext.AppendString(b, u.GivenName)
			sep = true
		}
		if u.FamilyName != "" {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"familyName":`...)
			b = jsontext.AppendString(b, u.FamilyName)
		}
		b = append(b, '}')
	}
	if dn := u.displayName(); dn != "" {
		b = append(b, `,"displayName":`...)
		b = jsontext.AppendString(b, dn)
	}
	if u.Email != "" {
		b = append(b, `,"emails":[{"value":`...)
		b = jsontext.AppendString(b, u.Email)
		b = append(b, `,"type":"work","primary":true}]`...)
	}
	b = append(b, `,"active":`...)
	b = strconv.AppendBool(b, u.Active)
	for i := range h.cfg.Attributes {
		b = appendCustom(b, &h.cfg.Attributes[i], u.Custom)
	}
	for i := range h.names.extensions {
		ext := &h.names.extensions[i]
		if !h.hasExtensionValues(u, ext) {
			continue
		}
		b = append(b, ',')
		b = jsontext.AppendString(b, ext.ID)
		b = append(b, ':', '{')
		n := len(b)
		for j := range ext.Attributes {
			b = appendCustom(b, &ext.Attributes[j], u.Custom)
		}
		if len(b) > n {
			b = append(b[:n], b[n+1:]...) // drop the leading comma
		}
		b = append(b, '}')
	}
	b = append(b, `,"meta":{"resourceType":"User"`...)
	if !u.Meta.Created.IsZero() {
		b = append(b, `,"created":"`...)
		b = u.Meta.Created.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if !u.Meta.LastModified.IsZero() {
		b = append(b, `,"lastModified":"`...)
		b = u.Meta.LastModified.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if u.Meta.Version != "" {
		b = append(b, `,"version":`...)
		b = jsontext.AppendString(b, etag(u.Meta.Version))
	}
	if location != "" {
		b = append(b, `,"location":`...)
		b = jsontext.AppendString(b, location)
	}
	return append(b, '}', '}')
}

func (h *Handler) hasExtensionValues(u *User, ext *schema.Schema) bool {
	for i := range ext.Attributes {
		if r := ext.Attributes[i].Returned; r == schema.Never || r == schema.Request {
			continue
		}
		if customLen(u.Custom[ext.Attributes[i].Name]) > 0 {
			return true
		}
	}
	return false
}

// appendCustom appends ,"name":value for a host-declared attribute that has
// a value.
func appendCustom(b []byte, d *schema.Attribute, custom map[string]any) []byte {
	v, ok := custom[d.Name]
	if !ok || customLen(v) == 0 || d.Returned == schema.Never || d.Returned == schema.Request {
		// returned "request" needs the attributes parameter, which scimkit
		// does not implement: such an attribute is never returned.
		return b
	}
	b = append(b, ',')
	b = jsontext.AppendString(b, d.Name)
	b = append(b, ':')
	switch v := v.(type) {
	case string:
		return jsontext.AppendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case time.Time:
		return appendTime(b, v)
	case []string:
		return appendList(b, v, jsontext.AppendString)
	case []bool:
		return appendList(b, v, strconv.AppendBool)
	case []int64:
		return appendList(b, v, func(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) })
	case []time.Time:
		return appendList(b, v, appendTime)
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
