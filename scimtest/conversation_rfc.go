package scimtest

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// rfcConversations are what a generic client, written from RFC 7643, RFC
// 7644 and RFC 9865 alone, relies on beyond what Okta and Entra ID send:
// projection, POST /Users/.search, cursor paging, and the PATCH and
// multi-valued corners third-party conformance runs probe. The kit is for any
// service provider, so each asserts no more than the RFC does: where the
// RFC leaves a choice (a name in another case, an unknown one), either
// answer passes; what a service provider need not serve (.search, cursors)
// is skipped, with the reason, when it does not.
var rfcConversations = []Conversation{
	{IdP: "rfc", Name: "projection", run: rfcProjection,
		Enforces: "attributes=userName returns id and userName and none of the default set; excludedAttributes=emails drops emails and only emails; attributes=name.givenName returns name with givenName alone; a list honours attributes too; a name in another case or one the schema lacks is a 400 or honoured (RFC 7644 §3.9, RFC 7643 §2.1)"},
	{IdP: "rfc", Name: "search", run: rfcSearch, NeedsSearch: true,
		Enforces: "POST /Users/.search with a SearchRequest (filter, startIndex, count, attributes) finds the same users as the equivalent GET, page by page, each once, with only the attributes asked for (RFC 7644 §3.4.3)"},
	{IdP: "rfc", Name: "cursor", run: rfcCursor, NeedsCursor: true,
		Enforces: "cursor paging, when /ServiceProviderConfig says pagination.cursor: GET /Users?filter=…&cursor=&count=5 then each nextCursor until there is none lists every matching user exactly once, pages of at most 5; previousCursor, when given, walks back over each exactly once; an altered cursor is a 400 invalidCursor (RFC 9865 §2)"},
	{IdP: "rfc", Name: "remove-active", run: rfcRemoveActive,
		Enforces: "a PATCH remove of active makes it unassigned, so the user is no longer served active:true, unless /Schemas lists active required or read-only, and then the remove is a 400 mutability (RFC 7644 §3.5.2.2)"},
	{IdP: "rfc", Name: "no-target", run: rfcNoTarget,
		Enforces: "a PATCH replace of emails[type eq \"nonexistent\"].value, or of emails[value eq …].value for a value no email has, is a 400 noTarget, and creates nothing (RFC 7644 §3.5.2.3)"},
	{IdP: "rfc", Name: "duplicates", run: rfcDuplicates,
		Enforces: "an email sent twice with the same type and value, in a create or an add, is served once, and primary true at most once; a group member named twice is a member once (RFC 7643 §2.4); a 400 for the create passes"},
}

// userSchemaURN is the core User schema (RFC 7643 §4.1).
const userSchemaURN = "urn:ietf:params:scim:schemas:core:2.0:User"

// rfcUser creates a user as a generic client does (rfc/create) and returns
// its values with its id; nil when there is no id.
func (s *session) rfcUser() vars {
	v := newUser()
	id, _ := s.create("rfc/create", v)
	if id == "" {
		return nil
	}
	return v.with("id", id)
}

func rfcProjection(s *session) {
	v := s.rfcUser()
	if v == nil {
		return
	}
	always := s.alwaysReturned()

	const onlyUserName = "attributes=userName"
	if resp := s.do("rfc/get-attributes", v); ok(resp) {
		s.notReturned("rfc/get-attributes", resp, resp.json, onlyUserName, always, "name", "emails", "displayName", "active")
	}
	if resp := s.do("rfc/get-excluded", v); ok(resp) {
		s.notReturned("rfc/get-excluded", resp, resp.json, "excludedAttributes=emails", always, "emails")
	}
	if resp := s.do("rfc/get-sub-attribute", v); ok(resp) {
		s.notReturned("rfc/get-sub-attribute", resp, resp.json, "attributes=name.givenName", always, "name.familyName", "userName", "emails", "displayName", "active")
	}
	if resp := s.do("rfc/lookup-attributes", v); ok(resp) {
		for _, u := range arrayAt(resp.json, "Resources") {
			s.notReturned("rfc/lookup-attributes", resp, u, onlyUserName, always, "name", "emails", "displayName", "active")
		}
	}
	// Where RFC 7644 §3.9 leaves the choice, a 400 passes (send has
	// checked it is a SCIM error); a 200 must honour what it accepted.
	for _, step := range []string{"rfc/get-miscased", "rfc/get-unknown"} {
		resp := s.do(step, v)
		if !ok(resp) {
			continue
		}
		if got, _ := stringAt(resp.json, "userName"); got != v["userName"] {
			s.failResp(step, resp, "the service provider accepted the attributes parameter (200), but userName is %s, not %q: attribute names are case-insensitive (RFC 7643 §2.1), and an accepted attributes returns what it names (RFC 7644 §3.9); refuse the name with a 400 instead", describeAt(resp.json, "userName"), v["userName"])
		}
		s.notReturned(step, resp, resp.json, "an attributes parameter naming userName only", always, "name", "emails", "displayName", "active")
	}
}

// ok reports whether resp is a 200 (do has reported anything else).
func ok(resp *response) bool { return resp != nil && resp.status == http.StatusOK }

func describeAt(v any, path string) string {
	x, found := at(v, path)
	if !found {
		return "missing"
	}
	return describe(x)
}

// notReturned reports each of attrs (paths such as "name.familyName") that
// resource r has although the request (param) did not ask for it, unless
// the service provider's schema returns it "always".
func (s *session) notReturned(step string, resp *response, r any, param string, always map[string]bool, attrs ...string) {
	for _, a := range attrs {
		x, found := at(r, a)
		if !found || always[strings.ToLower(a)] {
			continue
		}
		s.failResp(step, resp, "%s is returned (%s) although the request says %s: only what is asked for and what is returned \"always\" comes back (RFC 7644 §3.9)", a, describe(x), param)
	}
}

// alwaysReturned asks the service provider's /Schemas which User
// attributes it returns "always" (RFC 7643 §7), as lowercased paths
// ("id", "name.familyName"): those may come back whatever a projection
// says. It asks quietly; without an answer it holds to RFC 7643 §8.7.1,
// where no User attribute but id is returned "always".
func (s *session) alwaysReturned() map[string]bool {
	always := map[string]bool{"id": true}
	for _, a := range s.userAttributes() {
		name := strings.ToLower(stringOr(a, "name"))
		if strings.EqualFold(stringOr(a, "returned"), "always") {
			always[name] = true
		}
		for _, sub := range arrayAt(a, "subAttributes") {
			if strings.EqualFold(stringOr(sub, "returned"), "always") {
				always[name+"."+strings.ToLower(stringOr(sub, "name"))] = true
			}
		}
	}
	return always
}

// userAttributes asks the service provider's /Schemas, quietly, for the
// attributes of the core User schema (RFC 7643 §7); nil without an
// answer.
func (s *session) userAttributes() []any {
	status, v, err := s.quiet(http.MethodGet, "Schemas/"+userSchemaURN, "")
	if err != nil || status != http.StatusOK {
		return nil
	}
	return arrayAt(v, "attributes")
}

// quiet sends a request below the base URL (path relative to it) for what
// the conversations need to know rather than check, and returns the
// status and the decoded body. Nothing is reported.
func (s *session) quiet(method, path, body string) (int, any, error) {
	u := s.base.JoinPath(path)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u.String(), rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	resp, done, err := s.roundTrip(s.ctx, req)
	if err != nil {
		return 0, nil, err
	}
	defer done()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	v, _ := decodeJSON(b)
	return resp.StatusCode, v, nil
}

// searchSkip says why rfc/search does not apply ("" when it does): the
// service provider answers a search that finds nothing with 404, 405 or
// 501, so it does not serve POST /Users/.search. RFC 7644 §3.4.3 lets a
// client search that way, but /ServiceProviderConfig has no member to say
// whether it is served, and many service providers do not: the kit asks.
// Any other answer, a 400 or a 500 included, runs the conversation, which
// then reports it.
func (s *session) searchSkip() string {
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"scimtest.probe.%s@example.com\"","count":1}`, randomHex(12))
	status, _, err := s.quiet(http.MethodPost, "Users/.search", body)
	path := s.pathOf("Users/.search")
	switch {
	case err != nil:
		return fmt.Sprintf("POST %s failed (%v), so whether the service provider serves .search is unknown", path, err)
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented:
		return fmt.Sprintf("POST %s answered %d: the service provider does not serve searches by POST (RFC 7644 §3.4.3)", path, status)
	}
	return ""
}

// cursorSkip says why rfc/cursor does not apply ("" when it does): the
// service provider's /ServiceProviderConfig does not say pagination.cursor
// true (RFC 9865 §4), or cannot be read.
func (s *session) cursorSkip() string {
	status, v, err := s.quiet(http.MethodGet, "ServiceProviderConfig", "")
	path := s.pathOf("ServiceProviderConfig")
	switch {
	case err != nil:
		return fmt.Sprintf("GET %s failed (%v), so whether the service provider pages by cursor is unknown", path, err)
	case status != http.StatusOK:
		return fmt.Sprintf("GET %s answered %d, so whether the service provider pages by cursor is unknown (RFC 9865 §4)", path, status)
	}
	if c, _ := at(v, "pagination.cursor"); c != true {
		return fmt.Sprintf("GET %s does not say pagination.cursor true, so the service provider does not page by cursor (RFC 9865 §4)", path)
	}
	return ""
}

// pathOf is the absolute path of a path relative to the base URL.
func (s *session) pathOf(rel string) string {
	return "/" + strings.TrimPrefix(s.base.JoinPath(rel).Path, "/")
}

// prefixedUsers creates n users whose userNames start with one prefix no
// other user has, and returns the prefix and the users with their ids;
// nil when one could not be created (the failure is reported).
func (s *session) prefixedUsers(n int) (string, []vars) {
	prefix := "scimtest." + randomHex(8) + "."
	users := s.users("rfc/create", n, func() vars {
		v := newUser()
		userName := prefix + v["suffix"] + "@example.com"
		return v.with("userName", userName, "upperUserName", strings.ToUpper(userName), "email", userName)
	})
	return prefix, users
}

// searchUsers is how many users rfc/search finds: two pages of two.
const searchUsers = 3

func rfcSearch(s *session) {
	prefix, users := s.prefixedUsers(searchUsers)
	if users == nil {
		return
	}
	// A user outside the filter, so that a search that ignores the filter
	// finds one user too many, even in an empty store.
	if id, _ := s.create("rfc/create", newUser()); id == "" {
		return
	}
	v := vars{"prefix": prefix, "u1": users[0]["id"], "u2": users[1]["id"], "u3": users[2]["id"]}
	names := map[string]string{}
	for _, u := range users {
		names[u["id"]] = u["userName"]
	}
	s.do("rfc/search-get", v)

	seen := map[string]string{} // id → the step that listed it
	always := s.alwaysReturned()
	var resp *response
	for _, step := range []string{"rfc/search-page1", "rfc/search-page2"} {
		resp = s.do(step, v)
		if !ok(resp) {
			return
		}
		for _, r := range arrayAt(resp.json, "Resources") {
			id := stringOr(r, "id")
			switch {
			case names[id] == "":
				s.failResp(step, resp, "user %s (%s) is listed, but its userName does not start with %q: the search did not apply its filter (RFC 7644 §3.4.3)", id, stringOr(r, "userName"), prefix)
			case seen[id] != "":
				s.failResp(step, resp, "user %s (%s) is listed again, first by %s: the pages overlap", id, names[id], seen[id])
			default:
				seen[id] = step
			}
			s.notReturned(step, resp, r, `"attributes":["userName"]`, always, "name", "emails", "displayName", "active")
		}
	}
	for _, u := range users {
		if seen[u["id"]] == "" {
			s.failResp("rfc/search-page2", resp, "user %s (%s) matches the filter, and the GET finds it, but neither page of the search lists it (RFC 7644 §3.4.3)", u["id"], u["userName"])
		}
	}
}

// cursorUsers is how many users rfc/cursor walks over: pages of 5, 5 and
// 2.
const cursorUsers = 12

// maxCursorPages bounds a walk whose cursors never end.
const maxCursorPages = 20

func rfcCursor(s *session) {
	prefix, users := s.prefixedUsers(cursorUsers)
	if users == nil {
		return
	}
	names := map[string]string{}
	for _, u := range users {
		names[u["id"]] = u["userName"]
	}
	v := vars{"prefix": prefix}
	fwd := s.cursorWalk(v, names, "nextCursor", "", nil)
	switch {
	case !fwd.complete:
	case fwd.pages > 1 && fwd.lastBack == "":
		s.logf("the last page has no previousCursor, so the walk back was not checked (RFC 9865 §2 makes previousCursor optional)")
	case fwd.lastBack != "":
		s.cursorWalk(v, names, "previousCursor", fwd.lastBack, fwd.lastIDs)
	}
	if fwd.firstNext == "" {
		return
	}
	c := []byte(fwd.firstNext)
	i := len(c) / 2
	if c[i] == 'A' {
		c[i] = 'B'
	} else {
		c[i] = 'A'
	}
	s.do("rfc/cursor-altered", v.with("cursor", string(c)))
}

// walk is what a cursor walk found.
type walk struct {
	complete  bool     // it ended: a page without the cursor it follows
	pages     int      // how many pages it read
	firstNext string   // the first page's nextCursor
	lastBack  string   // the last page's previousCursor
	lastIDs   []string // the users the last page lists
}

// cursorWalk reads the pages of a walk that follows member (nextCursor
// forward, previousCursor back) from the page at cursor ("" for the first
// page), and reports a page of more than 5 users, a user the filter does
// not match, one listed twice, and, when the walk ends, each user of names
// it did not list. The walk back starts from the last page of the walk
// forward: from's users are its first page, cursor its previousCursor.
func (s *session) cursorWalk(v vars, names map[string]string, member, cursor string, from []string) walk {
	const step = "rfc/cursor-page"
	var w walk
	seen := map[string]int{} // id → the page (1, 2, …) that listed it
	way, page := "forward", 1
	if member == "previousCursor" {
		way, page = "back from the last page", 2
		for _, id := range from {
			seen[id] = 1
		}
	}
	var resp *response
	for ; w.pages < maxCursorPages; page++ {
		w.pages++
		resp = s.do(step, v.with("cursor", cursor))
		if !ok(resp) {
			return w
		}
		res := arrayAt(resp.json, "Resources")
		if len(res) > 5 {
			s.failResp(step, resp, "page %d of the walk %s has %d users, but count=5 (RFC 9865 §2)", page, way, len(res))
		}
		w.lastIDs = nil
		fresh, again := 0, []string(nil)
		for _, r := range res {
			id := stringOr(r, "id")
			w.lastIDs = append(w.lastIDs, id)
			switch {
			case names[id] == "":
				s.failResp(step, resp, "page %d of the walk %s lists user %s (%s), whose userName does not start with %q: the filter was not applied", page, way, id, stringOr(r, "userName"), v["prefix"])
			case seen[id] != 0:
				again = append(again, fmt.Sprintf("%s (%s, first on page %d)", id, names[id], seen[id]))
			default:
				seen[id] = page
				fresh++
			}
		}
		if len(again) > 0 {
			s.failResp(step, resp, "page %d of the walk %s lists %d users again: %s; a cursor led back to users already listed (RFC 9865 §2)", page, way, len(again), list(again))
		}
		if fresh == 0 && len(res) > 0 {
			s.failResp(step, resp, "page %d of the walk %s lists no user it had not listed before: the cursor leads nowhere new, and the walk stops here (RFC 9865 §2)", page, way)
			return w
		}
		next, _ := stringAt(resp.json, "nextCursor")
		back, _ := stringAt(resp.json, "previousCursor")
		if w.pages == 1 {
			w.firstNext = next
		}
		w.lastBack = back
		follow := next
		if member == "previousCursor" {
			follow = back
		}
		if follow == "" {
			w.complete = true
			break
		}
		if follow == cursor {
			s.failResp(step, resp, "page %d of the walk %s gives as its %s the cursor that requested it: the walk would never end (RFC 9865 §2)", page, way, member)
			return w
		}
		cursor = follow
	}
	if !w.complete {
		s.failResp(step, resp, "the walk %s did not end after %d pages of at most 5 of %d users: each page gives another %s (RFC 9865 §2)", way, maxCursorPages, len(names), member)
		return w
	}
	var missing []string
	for id, name := range names {
		if seen[id] == 0 {
			missing = append(missing, id+" ("+name+")")
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		// The response is the last page, the one that ended the walk.
		s.failResp(step, resp, "the walk %s by %s over %d pages left out %d of the %d users the filter matches: %s", way, member, page, len(missing), len(names), list(missing))
	}
	return w
}
