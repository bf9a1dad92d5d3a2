package scim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scim/schema"
)

// listParams is a list request as the client sent it, from a GET's query
// (GET /Users?filter=…) or a SearchRequest body (POST /Users/.search),
// before it is resolved against a resource type. Both go through the same
// resolveList, list function and writeList, so that GET and .search give
// the same results, pages and errors.
type listParams struct {
	filter    string
	hasFilter bool
	// startIndex and count as sent; badStart and badCount hold what was
	// sent instead of an integer.
	startIndex, count    int
	hasStart, hasCount   bool
	badStart, badCount   string
	cursor               string
	hasCursor            bool
	attributes, excluded string // comma-separated, as in a query
}

// listKeys are the query parameters of a GET of a list, in the order
// paramsFromQuery reads them. sortBy and sortOrder are read only to refuse
// them malformed: sorting is not offered (see /ServiceProviderConfig).
var listKeys = [...]string{"filter", "cursor", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder"}

// paramsFromQuery reads the list parameters of a GET from its raw query; a
// parameter that cannot be read is a 400 naming it (see readQuery).
func paramsFromQuery(raw string) (listParams, *Error) {
	var lp listParams
	var vals [len(listKeys)]string
	var has [len(listKeys)]bool
	if e := readQuery(raw, listKeys[:], vals[:], has[:]); e != nil {
		return lp, e
	}
	lp.filter, lp.hasFilter = vals[0], has[0]
	lp.cursor, lp.hasCursor = vals[1], has[1]
	if s := vals[2]; s != "" {
		n, err := strconv.Atoi(s)
		lp.startIndex, lp.hasStart = n, true
		if err != nil {
			lp.badStart = strconv.Quote(s)
		}
	}
	if s := vals[3]; s != "" {
		n, err := strconv.Atoi(s)
		lp.count, lp.hasCount = n, true
		if err != nil {
			lp.badCount = strconv.Quote(s)
		}
	}
	lp.attributes, lp.excluded = vals[4], vals[5]
	return lp, nil
}

// projection resolves the attributes and excludedAttributes of lp against
// n, with the rules of a GET's parameters.
func (h *Handler) listProjection(n *names, lp *listParams) (*projection, *Error) {
	if lp.attributes == "" && lp.excluded == "" {
		return nil, nil
	}
	return h.parseProjection(n, lp.attributes, lp.excluded)
}

// resolveList turns lp into a Query for the resource type with names n at
// endpoint ("Users", "Groups"): the filter resolved, the page by index or,
// with a cursor, by keyset (keyset says the store can); cur is nil for
// index paging.
func (h *Handler) resolveList(r *http.Request, lp *listParams, rt *resourceType, keyset bool) (q Query, cur *cursorState, e *Error) {
	n, endpoint := rt.names, rt.endpoint
	q = Query{StartIndex: 1, Count: h.cfg.MaxResults}
	if lp.hasCursor {
		cur, e = h.resolveCursor(r, lp, endpoint, keyset)
		if e != nil {
			return q, nil, e
		}
		q.Count, q.Seek = cur.count, Seek{Key: cur.key, Backward: cur.backward}
	} else {
		if lp.badStart != "" {
			return q, nil, badRequest(ScimTypeInvalidValue, fmt.Sprintf("startIndex must be an integer, got %s", lp.badStart))
		}
		if lp.badCount != "" {
			return q, nil, badRequest(ScimTypeInvalidValue, fmt.Sprintf("count must be an integer, got %s", lp.badCount))
		}
		if lp.hasStart {
			q.StartIndex = max(lp.startIndex, 1) // RFC 7644 §3.4.2.4: below 1 means 1
		}
		if lp.hasCount {
			q.Count = min(max(lp.count, 0), h.cfg.MaxResults)
		}
	}
	if lp.filter != "" {
		f, e := h.parseFilter(n, lp.filter)
		if e != nil {
			return q, nil, e
		}
		q.Filter = f
	}
	return q, cur, nil
}

// resolveCursor reads the cursor and count of a cursor-paged request (RFC
// 9865 §2): an empty cursor starts a walk, any other continues the one
// that issued it, with the same filter and count.
func (h *Handler) resolveCursor(r *http.Request, lp *listParams, endpoint string, keyset bool) (*cursorState, *Error) {
	if lp.hasStart {
		return nil, badRequest(ScimTypeInvalidValue, "startIndex and cursor ask for two kinds of paging; send one of them")
	}
	if !keyset {
		return nil, badRequest(ScimTypeInvalidCursor, fmt.Sprintf("this service provider does not page /%s by cursor (see pagination in /ServiceProviderConfig); page with startIndex instead", endpoint))
	}
	cur := &cursorState{count: h.cfg.MaxResults}
	if lp.cursor != "" {
		c, e := h.openCursor(r, endpoint, lp.filter, lp.cursor)
		if e != nil {
			return nil, e
		}
		cur = &c
	}
	if lp.badCount != "" {
		return nil, badRequest(ScimTypeInvalidCount, fmt.Sprintf("count must be an integer between 0 and %d, got %s", h.cfg.MaxResults, lp.badCount))
	}
	if lp.hasCount {
		c := max(lp.count, 0) // RFC 9865 §2: a negative count is 0
		switch {
		case c > h.cfg.MaxResults:
			return nil, badRequest(ScimTypeInvalidCount, fmt.Sprintf("count must be between 0 and maxPageSize, %d; got %d", h.cfg.MaxResults, lp.count))
		case lp.cursor != "" && c != cur.count:
			return nil, badRequest(ScimTypeInvalidCount, fmt.Sprintf("count must stay the same through a cursor walk: this cursor was issued for count %d, got %d", cur.count, c))
		}
		cur.count = c
	}
	return cur, nil
}

// listMeta is what a ListResponse says besides its resources.
type listMeta struct {
	total      int // omitted when negative
	startIndex int // omitted when 0 (cursor paging)
	next, prev string
}

// pageMeta is the ListResponse metadata of a page: by index, or with the
// cursors that continue a keyset walk.
func (h *Handler) pageMeta(r *http.Request, lp *listParams, endpoint string, q Query, cur *cursorState, total int, keys PageKeys) listMeta {
	if cur == nil {
		return listMeta{total: total, startIndex: q.StartIndex}
	}
	m := listMeta{total: total}
	now := h.cfg.Now().Unix()
	if keys.After && keys.Last != "" && cur.count > 0 {
		m.next = h.sealCursor(r, endpoint, lp.filter, cursorState{key: keys.Last, count: cur.count, issued: now})
	}
	if keys.Before && keys.First != "" && cur.count > 0 {
		m.prev = h.sealCursor(r, endpoint, lp.filter, cursorState{key: keys.First, backward: true, count: cur.count, issued: now})
	}
	return m
}

// listing is a resource type's part of a list request, what the list
// pipeline (listResources) cannot know of it: how its store reads a page,
// what the projection asks of the store, and how one listed resource is
// written.
type listing[T, O any] struct {
	// keyset says the store pages by cursor (RFC 9865).
	keyset bool
	// query completes q for the projection p (Query.Attributes, a
	// group's members). It takes and returns q by value: a pointer given
	// to a function value escapes, an allocation on every list.
	query func(q Query, p *projection) Query
	// fetch reads the page q asks for, by keyset when cursor is set.
	fetch func(r *http.Request, q Query, cursor bool) (items []T, total int, keys PageKeys, err error)
	// fit cuts an index page to the response budget; nil when the
	// type's resources are bounded as they are written.
	fit func(items []T) []T
	// out is what writing the request's resources needs beside them
	// (their location prefix, the projection), built once per request.
	out func(r *http.Request, req request, p *projection) (O, error)
	// write appends one listed resource.
	write func(r *http.Request, b []byte, c *chunkWriter, o O, item T) []byte
}

// listResources answers a list of the resource type rt, from a GET or a
// .search: the query and the projection resolved against rt's schemas,
// the page read, cut to count (and to the response budget when paged by
// index: a cursor page is not cut, since its next cursor is the store's
// key of its last resource and a cut would skip those after it), and
// written.
func listResources[T, O any](h *Handler, w http.ResponseWriter, r *http.Request, req request, lp *listParams, rt *resourceType, l *listing[T, O]) {
	q, cur, e := h.resolveList(r, lp, rt, l.keyset)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	p, e := h.listProjection(rt.names, lp)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	q = l.query(q, p)
	items, total, keys, err := l.fetch(r, q, cur != nil)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if len(items) > q.Count {
		items = items[:q.Count]
	}
	if cur == nil && l.fit != nil {
		items = l.fit(items)
	}
	o, err := l.out(r, req, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeList(w, h.pageMeta(r, lp, rt.endpoint, q, cur, total, keys), len(items), func(b []byte, c *chunkWriter, i int) []byte {
		return l.write(r, b, c, o, items[i])
	})
}

// withListing completes rt with the list pipeline over l, h's part of a
// list of rt's resources: GET and .search lists, and rt's part of a root
// .search.
func withListing[T, O any](h *Handler, rt *resourceType, l *listing[T, O]) *resourceType {
	rt.listWith = func(w http.ResponseWriter, r *http.Request, req request, lp *listParams) {
		listResources(h, w, r, req, lp, rt, l)
	}
	rt.rootPart = l.part
	return rt
}

// rootPart is one resource type's part of a root .search: its total, and
// the page's resources that fall to it, ready to write.
type rootPart struct {
	total int
	n     int
	write func(b []byte, c *chunkWriter, i int) []byte
}

// part reads the type's part of a root .search: the page q asks for, by
// index, with the projection p.
func (l *listing[T, O]) part(r *http.Request, req request, q Query, p *projection) (rootPart, error) {
	q = l.query(q, p)
	items, total, _, err := l.fetch(r, q, false)
	if err != nil {
		return rootPart{}, err
	}
	items = items[:min(len(items), q.Count)]
	o, err := l.out(r, req, p)
	if err != nil {
		return rootPart{}, err
	}
	return rootPart{total: total, n: len(items), write: func(b []byte, c *chunkWriter, i int) []byte {
		return l.write(r, b, c, o, items[i])
	}}, nil
}

// userListing is the Users type's part of a list.
func (h *Handler) userListing() *listing[*User, listedUsers] {
	kl, keyset := h.store.(KeysetLister)
	return &listing[*User, listedUsers]{
		keyset: keyset,
		query: func(q Query, p *projection) Query {
			q.Attributes = p.attributes(&h.names)
			return q
		},
		fetch: func(r *http.Request, q Query, cursor bool) ([]*User, int, PageKeys, error) {
			var page *Page
			var err error
			if cursor {
				page, err = kl.ListKeyset(r.Context(), q)
			} else {
				page, err = h.store.List(r.Context(), q)
			}
			if err != nil {
				return nil, 0, PageKeys{}, h.unkeptFilter(q.Filter, err)
			}
			return page.Users, page.TotalResults, page.Keys, nil
		},
		fit: h.fitUsers,
		out: func(r *http.Request, req request, p *projection) (listedUsers, error) {
			o, err := h.userOutFor(r, req, p, nil, false)
			return listedUsers{o, h.users.prefix(h.baseURL(r, req))}, err
		},
		write: func(r *http.Request, b []byte, _ *chunkWriter, o listedUsers, u *User) []byte {
			return h.appendListedUser(r, b, u, o.prefix, o.out)
		},
	}
}

// listedUsers is what writing a page of users needs beside them.
type listedUsers struct {
	out    *userOut
	prefix string // of their locations
}

// appendListedUser appends a user of a list.
func (h *Handler) appendListedUser(r *http.Request, b []byte, u *User, base string, o *userOut) []byte {
	if o != nil && o.withGroups {
		// Asked for by name: one store call per listed user.
		o.groups, _ = h.groupStore.UserGroups(r.Context(), u.ID)
	}
	return h.appendUser(b, u, base+url.PathEscape(u.ID), o)
}

// groupListing is the Groups type's part of a list.
func (h *Handler) groupListing() *listing[*Group, groupOut] {
	kl, keyset := h.groupStore.(GroupKeysetLister)
	return &listing[*Group, groupOut]{
		keyset: keyset,
		query: func(q Query, p *projection) Query {
			h.groupQuery(&q, p)
			return q
		},
		fetch: func(r *http.Request, q Query, cursor bool) ([]*Group, int, PageKeys, error) {
			list := h.groupStore.ListGroups
			if cursor {
				list = kl.ListGroupsKeyset
			}
			page, err := list(r.Context(), q)
			if err != nil {
				return nil, 0, PageKeys{}, err
			}
			return page.Groups, page.TotalResults, page.Keys, nil
		},
		out: func(r *http.Request, req request, p *projection) (groupOut, error) {
			return h.groupOut(r, req, p), nil
		},
		write: func(_ *http.Request, b []byte, c *chunkWriter, o groupOut, g *Group) []byte {
			return h.appendGroup(b, c, g, h.groups.location(o.base, g.ID), o)
		},
	}
}

// groupQuery sets what a list of groups loads of their members.
func (h *Handler) groupQuery(q *Query, p *projection) {
	q.Members = p.wants("members", schema.Default)
	q.MaxMembers = h.cfg.MaxListMembers
	q.Attributes = p.attributes(&h.groupNames)
}

// joinNames writes names in listParams' comma-separated form.
func joinNames(names []string) string { return strings.Join(names, ",") }
