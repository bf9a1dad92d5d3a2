package scim

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
)

// SearchRequestURN is the schema of a POST /.search body (RFC 7644
// §3.4.3).
const SearchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

// decodeSearch reads a SearchRequest body (RFC 7644 §3.4.3, with RFC
// 9865's cursor) into the parameters a GET would carry. Member names
// follow the handler's rule for names (exact, or any case with
// CaseInsensitiveNames); unknown members are ignored unless unknown
// attributes are disallowed. sortBy and sortOrder are checked and then
// ignored, as they are on a GET: /ServiceProviderConfig says sort is not
// supported, and RFC 7644 §3.4.2.3 makes sorting optional.
func (h *Handler) decodeSearch(body []byte) (listParams, *Error) {
	var lp listParams
	sawSchemas := false
	e := members(rawValue{data: body}, "the request body", func(key string, v rawValue) *Error {
		name, e := h.messageKey(key, "the request body", "schemas", "attributes", "excludedAttributes", "filter", "sortBy", "sortOrder", "startIndex", "count", "cursor")
		if e != nil || name == "" {
			return e
		}
		if v.isNull() && name != "schemas" {
			return nil // RFC 7643 §2.5: null is unassigned
		}
		switch name {
		case "schemas":
			sawSchemas = true
			return checkMessageSchemas(v, SearchRequestURN, errSearchSchemas)
		case "attributes", "excludedAttributes":
			var names []string
			e := elements(v, name, func(i int, el rawValue) *Error {
				s, e := decodeString(fmt.Sprintf("%s[%d]", name, i), el)
				if e == nil && strings.Contains(s, ",") {
					e = badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s[%d] is %q; name one attribute per element (byte offset %d)", name, i, s, el.off))
				}
				names = append(names, s)
				return e
			})
			if e != nil {
				return e
			}
			if name == "attributes" {
				lp.attributes = joinNames(names)
			} else {
				lp.excluded = joinNames(names)
			}
		case "filter":
			s, e := decodeString("filter", v)
			lp.filter, lp.hasFilter = s, true
			return e
		case "sortBy":
			_, e := decodeString("sortBy", v)
			return e
		case "sortOrder":
			s, e := decodeString("sortOrder", v)
			if e == nil && s != "ascending" && s != "descending" {
				e = badRequest(ScimTypeInvalidValue, fmt.Sprintf("sortOrder must be \"ascending\" or \"descending\", got %q (byte offset %d)", s, v.off))
			}
			return e
		case "startIndex":
			n, e := decodeInt("startIndex", v, false)
			if e != nil {
				return e
			}
			lp.startIndex, lp.hasStart = clampInt(n), true
		case "count":
			n, e := decodeInt("count", v, false)
			if e != nil {
				// Reported when the paging is known: invalidCount with a
				// cursor, invalidValue without.
				lp.badCount, lp.hasCount = fmt.Sprintf("%s (byte offset %d)", v.kind(), v.off), true
				return nil
			}
			lp.count, lp.hasCount = clampInt(n), true
		case "cursor":
			s, e := decodeString("cursor", v)
			lp.cursor, lp.hasCursor = s, true
			return e
		}
		return nil
	})
	switch {
	case e != nil:
		return lp, e
	case !sawSchemas:
		return lp, badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("the request body has no \"schemas\"; it must be [%q]", SearchRequestURN))
	}
	return lp, nil
}

// clampInt keeps an int64 from the body within int range on any platform.
func clampInt(n int64) int {
	return int(max(min(n, 1<<31-1), -1<<31))
}

var errSearchSchemas = badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("schemas must be [%q] in a search request", SearchRequestURN))

// readSearch reads and decodes the body of a POST …/.search.
func (h *Handler) readSearch(w http.ResponseWriter, r *http.Request) (listParams, *Error) {
	body, e := h.readBody(w, r)
	if e != nil {
		return listParams{}, e
	}
	return h.decodeSearch(body)
}

// searchRoot serves POST /.search, a search of every resource type served
// (RFC 7644 §3.4.3): users, then groups, then the host's types, as one
// list. A filter applies to the resource types whose schema knows its
// attributes (one that no type knows is the error a GET would give for
// the first type), and so do the names of attributes and
// excludedAttributes. Paging is by index over the concatenation:
// totalResults is the sum, and a page that runs past one type's resources
// goes on with the next type's. Cursors are refused here (they page one
// resource type): use /{type}/.search.
func (h *Handler) searchRoot(w http.ResponseWriter, r *http.Request, req request) {
	if !h.allow(w, r, http.MethodPost) {
		return
	}
	lp, e := h.readSearch(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	if lp.hasCursor {
		h.writeError(w, r, badRequest(ScimTypeInvalidCursor, "cursor paging is per resource type: search /Users/.search or /Groups/.search with a cursor, or page this search with startIndex"))
		return
	}
	types := h.types()
	queries := make([]Query, len(types))
	var first *Error
	served := 0
	for i, rt := range types {
		q, _, e := h.resolveList(r, &lp, rt, false)
		if e != nil {
			first = cmp.Or(first, e)
			types[i] = nil // the filter names what this type does not have
			continue
		}
		queries[i] = q
		served++
	}
	if served == 0 {
		h.writeError(w, r, first)
		return
	}
	projections := make([]*projection, len(types))
	for i, rt := range types {
		if rt == nil {
			continue
		}
		if projections[i], e = h.rootProjection(rt.names, &lp); e != nil {
			h.writeError(w, r, e)
			return
		}
	}
	// Paging is the same for every type: the first query says it.
	start, count := 0, 0
	for i := range types {
		if types[i] != nil {
			start, count = queries[i].StartIndex, queries[i].Count
			break
		}
	}
	parts := make([]rootPart, 0, len(types))
	total, n := 0, 0
	for i, rt := range types {
		if rt == nil {
			continue
		}
		// This type's part of the page starts where the earlier types end.
		q := queries[i]
		q.StartIndex, q.Count = max(start-total, 1), count-n
		part, err := rt.rootPart(r, req, q, projections[i])
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		parts = append(parts, part)
		total += part.total
		n += part.n
	}
	writeList(w, listMeta{total: total, startIndex: start}, n, func(b []byte, c *chunkWriter, i int) []byte {
		for _, p := range parts {
			if i < p.n {
				return p.write(b, c, i)
			}
			i -= p.n
		}
		return b
	})
}

// rootProjection resolves attributes and excludedAttributes for one of the
// resource types a root search lists: a name this type does not know is
// left out for it (another type may know it), and only a name no type
// knows is an error.
func (h *Handler) rootProjection(n *names, lp *listParams) (*projection, *Error) {
	p, e := h.listProjection(n, lp)
	if e == nil {
		return p, nil
	}
	keep := func(list string) string {
		var kept []string
		for name := range strings.SplitSeq(list, ",") {
			if _, e := h.parseProjection(n, name, ""); e == nil {
				kept = append(kept, name)
			} else if !h.knownToAnyType(name) {
				return "\x00" // no type knows it: the error stands
			}
		}
		return joinNames(kept)
	}
	a, x := keep(lp.attributes), keep(lp.excluded)
	if a == "\x00" || x == "\x00" {
		return nil, e
	}
	if lp.attributes != "" && a == "" {
		// Only attributes other types have: this type returns what it
		// always returns (id).
		return &projection{only: true}, nil
	}
	return h.listProjection(n, &listParams{attributes: a, excluded: x})
}

// knownToAnyType reports whether a served resource type has the
// attribute name, spelled as sent.
func (h *Handler) knownToAnyType(name string) bool {
	name = strings.TrimSpace(name)
	for _, rt := range h.types() {
		if _, ne := rt.names.projectionPath(name); ne == nil {
			return true
		}
	}
	return false
}
