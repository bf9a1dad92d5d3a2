package scim

import (
	"net/url"

	"github.com/scimkit/scim/internal/jsontext"
	"github.com/scimkit/scim/schema"
)

// appendGroup appends the JSON of g, with the attributes o.p wants. Its
// members are spilled through c as they are written, so a group of
// 100,000 members goes out in chunks rather than as one buffer.
func (h *Handler) appendGroup(b []byte, c *chunkWriter, g *Group, location string, o groupOut) []byte {
	p := o.p
	b = append(b, `{"schemas":["`+GroupURN+`"],"id":`...)
	b = jsontext.AppendString(b, g.ID)
	if g.ExternalID != "" && p.wants("externalId", schema.Default) {
		b = append(b, `,"externalId":`...)
		b = jsontext.AppendString(b, g.ExternalID)
	}
	if p.wants("displayName", schema.Default) {
		b = append(b, `,"displayName":`...)
		b = jsontext.AppendString(b, g.DisplayName)
	}
	// A group without members has no members attribute, whether the store
	// said none with an empty slice or with nil: an empty multi-valued
	// attribute is unassigned, and unassigned attributes are absent (RFC
	// 7643 §2.5), so every store gives the same answer.
	if len(g.Members) > 0 && p.wants("members", schema.Default) {
		value, ref, typ := p.wants("members.value", schema.Default), p.wants("members.$ref", schema.Default), p.wants("members.type", schema.Default)
		// A member's $ref is the mount URL, the endpoint and the path-escaped
		// id (JSON-safe as it is); the quoted prefix is built once.
		userRef, groupRef := refPrefix(h.users.prefix(o.base)), refPrefix(h.groups.prefix(o.base))
		b = append(b, `,"members":[`...)
		for i, m := range g.Members {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			n := len(b)
			if value {
				b = append(b, `,"value":`...)
				b = jsontext.AppendString(b, m.Value)
			}
			if ref {
				b = append(b, `,"$ref":`...)
				if m.Type == MemberGroup {
					b = append(b, groupRef...)
				} else {
					b = append(b, userRef...)
				}
				b = append(b, url.PathEscape(m.Value)...)
				b = append(b, '"')
			}
			if typ && m.Type != "" {
				b = append(b, `,"type":`...)
				b = jsontext.AppendString(b, m.Type)
			}
			if len(b) > n {
				b = append(b[:n], b[n+1:]...) // drop the leading comma
			}
			b = append(b, '}')
			b = c.spill(b)
		}
		b = append(b, ']')
	}
	b = appendMeta(b, "Group", &g.Meta, location, p)
	return append(b, '}')
}

// refPrefix is the JSON string prefix without its closing quote.
func refPrefix(prefix string) []byte {
	b := jsontext.AppendString(nil, prefix)
	return b[:len(b)-1]
}

// appendUserGroups appends the user's groups attribute (RFC 7643 §4.1.2).
// groupsPrefix is the locations of groups up to their ids.
func appendUserGroups(b []byte, groups []GroupRef, groupsPrefix string, p *projection) []byte {
	b = append(b, `,"groups":[`...)
	for i, g := range groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		n := len(b)
		if p.wants("groups.value", schema.Default) {
			b = append(b, `,"value":`...)
			b = jsontext.AppendString(b, g.ID)
		}
		if p.wants("groups.$ref", schema.Default) {
			b = append(b, `,"$ref":`...)
			b = jsontext.AppendString(b, groupsPrefix+url.PathEscape(g.ID))
		}
		if p.wants("groups.display", schema.Default) {
			b = append(b, `,"display":`...)
			b = jsontext.AppendString(b, g.DisplayName)
		}
		if p.wants("groups.type", schema.Default) {
			b = append(b, `,"type":"direct"`...)
		}
		if len(b) > n {
			b = append(b[:n], b[n+1:]...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}
