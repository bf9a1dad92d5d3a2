package scim

import (
	"fmt"
	"strings"

	"github.com/scimkit/scim/schema"
)

// attrRef is an attribute resolved against the handler's schemas.
type attrRef struct {
	urn string            // "" for the core User schema and the common attributes
	def *schema.Attribute // the top-level attribute
	sub *schema.Attribute // the sub-attribute, or nil
}

// path is the canonical name of the attribute, as used in messages and in
// resolved filters.
func (a attrRef) path() string {
	name := a.def.Name
	if a.sub != nil {
		name += "." + a.sub.Name
	}
	if a.urn != "" {
		return a.urn + ":" + name
	}
	return name
}

// names resolves attribute names against a resource type's core schema,
// its extensions and the common attributes, strictly or
// case-insensitively. Each resource type has its own.
type names struct {
	urn        string             // the URN of the resource's core schema
	core       []schema.Attribute // common attributes, then the core schema's
	extensions []schema.Schema
	fold       bool
	// returned lists the top-level attributes returned without a
	// projection, built once (see projection.attributes): every list
	// passes it to the Store as Query.Attributes.
	returned []string
	// limits is the limit walk of the resource type's values, planned
	// from the attributes above (see limits_walk.go).
	limits walkPlan
}

// nameError says why a name did not resolve; the caller picks the scimType
// (invalidSyntax in a body, invalidFilter in a filter, invalidPath in a
// PATCH path).
type nameError struct {
	name    string // as written
	suggest string // the right spelling when name differs only in case
	within  string // the attribute or URN the name was looked up in, or ""
}

func (e *nameError) Error() string {
	where := ""
	if e.within != "" {
		where = " in " + e.within
	}
	if e.suggest != "" {
		return fmt.Sprintf("attribute %q%s is not spelled as the schema defines it: attribute names are case-sensitive, use %q", e.name, where, e.suggest)
	}
	return fmt.Sprintf("unknown attribute %q%s", e.name, where)
}

// lookup finds name in attrs.
func (n *names) lookup(attrs []schema.Attribute, name, within string) (*schema.Attribute, *nameError) {
	for i := range attrs {
		if attrs[i].Name == name {
			return &attrs[i], nil
		}
	}
	for i := range attrs {
		if strings.EqualFold(attrs[i].Name, name) {
			if n.fold {
				return &attrs[i], nil
			}
			return nil, &nameError{name: name, suggest: attrs[i].Name, within: within}
		}
	}
	return nil, &nameError{name: name, within: within}
}

// extension returns the extension schema with the given URN (URNs compare
// case-insensitively, RFC 8141 §3.1).
func (n *names) extension(urn string) *schema.Schema {
	for i := range n.extensions {
		if strings.EqualFold(n.extensions[i].ID, urn) {
			return &n.extensions[i]
		}
	}
	return nil
}

// resolve resolves urn, name and sub (urn and sub may be empty).
func (n *names) resolve(urn, name, sub string) (attrRef, *nameError) {
	attrs := n.core
	within := ""
	ref := attrRef{}
	if urn != "" && !strings.EqualFold(urn, n.urn) {
		ext := n.extension(urn)
		if ext == nil {
			return ref, &nameError{name: urn + ":" + name}
		}
		attrs, within, ref.urn = ext.Attributes, ext.ID, ext.ID
	}
	def, err := n.lookup(attrs, name, within)
	if err != nil {
		return ref, err
	}
	ref.def = def
	if sub != "" {
		if def.Type != schema.Complex {
			return ref, &nameError{name: name + "." + sub}
		}
		s, err := n.lookup(def.SubAttributes, sub, def.Name)
		if err != nil {
			return ref, err
		}
		ref.sub = s
	}
	return ref, nil
}

// splitURN splits "urn:…:User:name.sub" into its URN and "name.sub". A
// string that is not URN-prefixed comes back whole with an empty URN.
func splitURN(s string) (urn, rest string) {
	if !strings.HasPrefix(strings.ToLower(s), "urn:") {
		return "", s
	}
	i := strings.LastIndexByte(s, ':')
	return s[:i], s[i+1:]
}
