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

// listUsersWith answers a list of users, from a GET or a .search.
func (h *Handler) listUsersWith(w http.ResponseWriter, r *http.Request, req request, lp *listParams) {
	kl, keyset := h.store.(KeysetLister)
	q, cur, e := h.resolveList(r, lp, h.users, keyset)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	p, e := h.listProjection(&h.names, lp)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	q.Attributes = p.attributes(&h.names)
	var page *Page
	var err error
	if cur != nil {
		page, err = kl.ListKeyset(r.Context(), q)
	} else {
		page, err = h.store.List(r.Context(), q)
	}
	if err != nil {
		h.writeError(w, r, h.unkeptFilter(q.Filter, err))
		return
	}
	users := page.Users
	if len(users) > q.Count {
		users = users[:q.Count]
	}
	if cur == nil {
		// Within Limits.MaxResponseBytes; itemsPerPage says so. A cursor
		// page is not cut: its next cursor is the store's key of its last
		// user, and a cut would skip the users after the cut.
		users = h.fitUsers(users)
	}
	o, err := h.userOutFor(r, req, p, nil, false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	base := h.users.prefix(h.baseURL(r, req))
	writeList(w, h.pageMeta(r, lp, h.users.endpoint, q, cur, page.TotalResults, page.Keys), len(users), func(b []byte, _ *chunkWriter, i int) []byte {
		return h.appendListedUser(r, b, users[i], base, o)
	})
}

// appendListedUser appends a user of a list.
func (h *Handler) appendListedUser(r *http.Request, b []byte, u *User, base string, o *userOut) []byte {
	if o != nil && o.withGroups {
		// Asked for by name: one store call per listed user.
		o.groups, _ = h.groupStore.UserGroups(r.Context(), u.ID)
	}
	return h.appendUser(b, u, base+url.PathEscape(u.ID), o)
}

// listGroupsWith answers a list of groups, from a GET or a .search.
func (h *Handler) listGroupsWith(w http.ResponseWriter, r *http.Request, req request, lp *listParams) {
	kl, keyset := h.groupStore.(GroupKeysetLister)
	q, cur, e := h.resolveList(r, lp, h.groups, keyset)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	p, e := h.listProjection(&h.groupNames, lp)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	h.groupQuery(&q, p)
	var page *GroupPage
	var err error
	if cur != nil {
		page, err = kl.ListGroupsKeyset(r.Context(), q)
	} else {
		page, err = h.groupStore.ListGroups(r.Context(), q)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	groups := page.Groups
	if len(groups) > q.Count {
		groups = groups[:q.Count]
	}
	o := h.groupOut(r, req, p)
	writeList(w, h.pageMeta(r, lp, h.groups.endpoint, q, cur, page.TotalResults, page.Keys), len(groups), func(b []byte, c *chunkWriter, i int) []byte {
		g := groups[i]
		return h.appendGroup(b, c, g, h.groups.location(o.base, g.ID), o)
	})
}

// groupQuery sets what a list of groups loads of their members.
func (h *Handler) groupQuery(q *Query, p *projection) {
	q.Members = p.wants("members", schema.Default)
	q.MaxMembers = h.cfg.MaxListMembers
	q.Attributes = p.attributes(&h.groupNames)
}

// joinNames writes names in listParams' comma-separated form.
func joinNames(names []string) string { return strings.Join(names, ",") }
