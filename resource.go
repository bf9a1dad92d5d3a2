package scim

import (
	"net/http"
	"net/url"
)

// resourceType is one resource type the handler serves, as a value: its
// names and schemas, its endpoint, and the handlers that are its own
// (create, read, replace, patch, delete, and a list once the query is
// read). What every type shares is written once over it: routing
// (serveResource), a list from a GET's query and from a .search body,
// meta.location, the wording of the store's errors, ETags (etag.go) and
// the limit walk (names.limits).
type resourceType struct {
	name     string // "User": meta.resourceType and /ResourceTypes
	endpoint string // "Users"
	noun     string // "user", in messages
	// description is /ResourceTypes' description of it.
	description string
	names       *names // its schemas: names, projection, filters, limits
	// listWith answers a list of the type's resources, from a GET or a
	// .search.
	listWith func(w http.ResponseWriter, r *http.Request, req request, lp *listParams)
	create   func(w http.ResponseWriter, r *http.Request, req request)
	// get, replace, patch and del serve /{endpoint}/{id}.
	get, replace, patch, del func(w http.ResponseWriter, r *http.Request, req request, id string)
	// disabled is the host's switch for write operations (Config.Disabled);
	// nil when the resource type has none.
	disabled func(Operations) bool
	// rootPart reads the type's part of a root .search (searchRoot).
	rootPart func(r *http.Request, req request, q Query, p *projection) (rootPart, error)
	// conflict words a uniqueness conflict the store reports without
	// naming the attribute; label names a resource in the activity log
	// and the audit record (users and declared types).
	conflict string
	label    func(*User) string
	// patchNoContent says a PATCH is answered 204 unless the request asks
	// for attributes (see patchWithoutContent): Groups'.
	patchNoContent bool
	// view is the handler's view that serves a declared type (see
	// declaredType); nil for Users and Groups.
	view *Handler
}

// prefix is the locations of the type's resources up to their ids, under
// the mount URL base: base + "/Users/".
func (rt *resourceType) prefix(base string) string {
	return base + "/" + rt.endpoint + "/"
}

// location is meta.location of the resource with the given id, built in
// one expression: one allocation, however long base is.
func (rt *resourceType) location(base, id string) string {
	return base + "/" + rt.endpoint + "/" + url.PathEscape(id)
}

// list serves GET /{endpoint}: the answer a .search with the same
// parameters gets.
func (h *Handler) list(w http.ResponseWriter, r *http.Request, req request, rt *resourceType) {
	lp, e := paramsFromQuery(r.URL.RawQuery)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	rt.listWith(w, r, req, &lp)
}

// search serves POST /{endpoint}/.search (RFC 7644 §3.4.3).
func (h *Handler) search(w http.ResponseWriter, r *http.Request, req request, rt *resourceType) {
	lp, e := h.readSearch(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	rt.listWith(w, r, req, &lp)
}

// types are the resource types the handler serves, in the order
// /ResourceTypes lists them.
func (h *Handler) types() []*resourceType {
	h = h.top()
	out := make([]*resourceType, 0, 2+len(h.declared))
	out = append(out, h.users)
	if h.groups != nil {
		out = append(out, h.groups)
	}
	return append(out, h.declared...)
}

// top is the handler h is a view of (see declaredType), or h.
func (h *Handler) top() *Handler {
	if h.root != nil {
		return h.root
	}
	return h
}

// typeOf is the resource type whose endpoint the request names, or nil.
func (h *Handler) typeOf(r *http.Request) *resourceType {
	req, ok := h.route(r)
	if !ok {
		return nil
	}
	for _, rt := range h.types() {
		if req.endpoint == rt.endpoint {
			return rt
		}
	}
	return nil
}

// nounOf names the kind of resource the request is about, for the wording
// of the store's errors: "user" outside any resource type's endpoint.
func (h *Handler) nounOf(r *http.Request) string {
	if rt := h.typeOf(r); rt != nil {
		return rt.noun
	}
	return h.users.noun
}
