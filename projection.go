package scim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scim/schema"
)

// projection is a request's attributes or excludedAttributes parameter
// (RFC 7644 §3.9), resolved against a resource type's names. The nil
// *projection returns the default set: every attribute whose returned is
// "default" or "always". Encoders ask it attribute by attribute, and the
// handler asks it before a Store call, so that what is excluded is never
// loaded (a group's members above all).
type projection struct {
	// only is set for attributes=…: nothing but the listed attributes
	// (and those returned "always") is returned.
	only bool
	// paths are the listed attributes, canonical: "name", "name.givenName",
	// "urn:…:enterprise:2.0:User:employeeNumber", or an extension's URN
	// alone for all of its attributes.
	paths []string
}

// requestProjection is parseProjection of a request's query, skipped (no
// query parsing, no allocation) when the query cannot name either
// parameter: every GET of a user runs it. A name spelled with an escape
// ("a%74tributes") has a %.
func (h *Handler) requestProjection(n *names, r *http.Request) (*projection, *Error) {
	raw := r.URL.RawQuery
	if !strings.Contains(raw, "ttributes") && !strings.Contains(raw, "%") {
		return nil, nil
	}
	var vals [2]string
	var has [2]bool
	if e := readQuery(raw, projectionKeys[:], vals[:], has[:]); e != nil {
		return nil, e
	}
	return h.parseProjection(n, vals[0], vals[1])
}

// projectionKeys are the query parameters of a projection (RFC 7644 §3.9).
var projectionKeys = [...]string{"attributes", "excludedAttributes"}

// parseProjection reads a request's attributes and excludedAttributes
// parameters. A name the schema does not have is a 400 invalidValue
// naming it (or, when unknown attributes are ignored, left out); a
// mis-cased one names the right spelling.
func (h *Handler) parseProjection(n *names, attrs, excl string) (*projection, *Error) {
	if attrs == "" && excl == "" {
		return nil, nil
	}
	p := &projection{only: attrs != ""}
	param, list := "excludedAttributes", excl
	if p.only {
		// RFC 7644 §3.9 defines no meaning for both at once; attributes,
		// the narrower answer, wins.
		param, list = "attributes", attrs
	}
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		path, ne := n.projectionPath(name)
		if ne != nil {
			if ne.suggest == "" && !h.cfg.Leniency.DisallowUnknownAttributes {
				continue
			}
			return nil, badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s: %s", param, ne.Error()))
		}
		p.paths = append(p.paths, path)
	}
	return p, nil
}

// projectionPath resolves one name of attributes or excludedAttributes to
// its canonical path.
func (n *names) projectionPath(s string) (string, *nameError) {
	if ext := n.extension(s); ext != nil {
		return ext.ID, nil
	}
	urn, rest := splitURN(s)
	name, sub, _ := strings.Cut(rest, ".")
	ref, ne := n.resolve(urn, name, sub)
	if ne != nil {
		return "", ne
	}
	return ref.path(), nil
}

// lists reports whether path is listed or inside a listed path (a
// sub-attribute of a listed attribute, an attribute of a listed extension)
// or, when parentOK, around one (name around name.givenName).
func (p *projection) lists(path string, parentOK bool) bool {
	for _, q := range p.paths {
		if q == path {
			return true
		}
		// "name" lists "name.givenName"; an extension's URN lists its
		// attributes.
		if strings.HasPrefix(path, q) && (path[len(q)] == '.' || path[len(q)] == ':') {
			return true
		}
		// With attributes=name.givenName, name itself is returned (holding
		// only givenName).
		if parentOK && strings.HasPrefix(q, path) && (q[len(path)] == '.' || q[len(path)] == ':') {
			return true
		}
	}
	return false
}

// wants reports whether the attribute at path (canonical, as
// projectionPath writes it) is returned, given how its schema says it is
// returned.
func (p *projection) wants(path string, returned schema.Returned) bool {
	switch returned {
	case schema.Always:
		return true
	case schema.Never:
		return false
	}
	if p == nil {
		return returned != schema.Request
	}
	if p.only {
		return p.lists(path, true)
	}
	return returned != schema.Request && !p.lists(path, false)
}

// explicit reports whether attributes=… names path itself: how a client
// asks for what is costly to compute and so served only on request in
// lists (a user's groups).
func (p *projection) explicit(path string) bool {
	return p != nil && p.only && slices.Contains(p.paths, path)
}

// wantsCustom is wants for a host-declared attribute of the schema urn (""
// for the core schema). Without a projection it builds no path: it runs
// for every custom attribute of every user written.
func (p *projection) wantsCustom(urn, name string, returned schema.Returned) bool {
	if p == nil {
		return returned != schema.Never && returned != schema.Request
	}
	if urn != "" {
		name = urn + ":" + name
	}
	return p.wants(name, returned)
}

// attributes lists the top-level attributes of n's resource type that p
// returns, for Query.Attributes: the common and core ones by name, an
// extension's qualified with its URN. Never nil, so that a Store may
// leave out what the served schema has no place for even without a
// projection.
func (p *projection) attributes(n *names) []string {
	if p == nil && n.returned != nil {
		return n.returned
	}
	size := len(n.core)
	for i := range n.extensions {
		size += len(n.extensions[i].Attributes)
	}
	out := make([]string, 0, size)
	for i := range n.core {
		if a := &n.core[i]; p.wants(a.Name, a.Returned) {
			out = append(out, a.Name)
		}
	}
	for i := range n.extensions {
		ext := &n.extensions[i]
		for j := range ext.Attributes {
			a := &ext.Attributes[j]
			if p == nil && a.Returned != schema.Request && a.Returned != schema.Never ||
				p != nil && p.wants(ext.ID+":"+a.Name, a.Returned) {
				out = append(out, ext.ID+":"+a.Name)
			}
		}
	}
	return out
}
