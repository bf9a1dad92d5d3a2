package scimtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/scimtest"
)

// The mistakes of a server that implements more of RFC 7644 than Okta and
// Entra ID use, each a wrapper around the real handler as in
// handler_test.go.

// ignoresAttributes returns every default attribute whatever attributes
// and excludedAttributes say, as servers that never read them do.
func ignoresAttributes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Users") {
			q := r.URL.Query()
			q.Del("attributes")
			q.Del("excludedAttributes")
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
		}
		h.ServeHTTP(w, r)
	})
}

// nextCursorSelf gives, on every page after the first, the cursor that
// requested the page as its nextCursor, as a server that encodes the
// wrong end of the page does: the walk would read the second page for
// ever.
func nextCursorSelf(h http.Handler) http.Handler {
	return rewriteList(h, func(r *http.Request, list map[string]any) {
		if c := r.URL.Query().Get("cursor"); c != "" {
			if _, ok := list["nextCursor"]; ok {
				list["nextCursor"] = c
			}
		}
	})
}

// nextCursorRepeats is nextCursorSelf with a fresh cursor string each
// time, as a server that mints a cursor per response but seeks to the
// wrong key does: the same page again, under a new name.
func nextCursorRepeats(h http.Handler) http.Handler {
	var mu sync.Mutex
	aliases := map[string]string{} // minted → the cursor it stands for
	inner := rewriteList(h, func(r *http.Request, list map[string]any) {
		c := r.URL.Query().Get("cursor")
		if _, ok := list["nextCursor"]; !ok || c == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		alias := fmt.Sprintf("again%d", len(aliases))
		aliases[alias] = c
		list["nextCursor"] = alias
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		real, ok := aliases[q.Get("cursor")]
		mu.Unlock()
		if ok {
			q.Set("cursor", real)
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
		}
		inner.ServeHTTP(w, r)
	})
}

// searchIgnoresFilter drops the filter of a POST /Users/.search, as a
// server that reads only startIndex and count from the body does.
func searchIgnoresFilter(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/.search") {
			body, _ := io.ReadAll(r.Body)
			var req map[string]any
			if json.Unmarshal(body, &req) == nil {
				delete(req, "filter")
				body, _ = json.Marshal(req)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		h.ServeHTTP(w, r)
	})
}

// altersAccepted serves a cursor it did not issue as the first page, as a
// server that falls back to the start on a cursor it cannot read does.
func altersAccepted(h http.Handler, issued map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if c := q.Get("cursor"); c != "" && !issued[c] {
			q.Set("cursor", "")
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var list map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &list) == nil {
			for _, k := range []string{"nextCursor", "previousCursor"} {
				if c, ok := list[k].(string); ok {
					issued[c] = true
				}
			}
		}
		copyResponse(w, rec)
	})
}

// noCursors says pagination.cursor false in /ServiceProviderConfig, as a
// server that pages by index only does.
func noCursors(h http.Handler) http.Handler {
	return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
		if !strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			return
		}
		var spc map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &spc) != nil {
			return
		}
		spc["pagination"] = map[string]any{"cursor": false, "index": true}
		b, _ := json.Marshal(spc)
		rec.Body.Reset()
		rec.Body.Write(b)
	})
}

// noSearch answers POST …/.search with a 405, as a server without it
// does.
func noSearch(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.search") {
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("Allow", "GET, PUT, PATCH, DELETE")
			w.WriteHeader(http.StatusMethodNotAllowed)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"405","detail":"method not allowed"}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// rewritePatch rewrites each operation of a PATCH request with change before
// h sees it.
func rewritePatch(h http.Handler, change func(r *http.Request, op map[string]any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			body, _ := io.ReadAll(r.Body)
			var req map[string]any
			if json.Unmarshal(body, &req) == nil {
				ops, _ := req["Operations"].([]any)
				for _, op := range ops {
					if m, ok := op.(map[string]any); ok {
						change(r, m)
					}
				}
				body, _ = json.Marshal(req)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		h.ServeHTTP(w, r)
	})
}

// refusesRemoveActive answers a remove of active with a 400 invalidValue,
// as scimkit did before it read RFC 7644 §3.5.2.2.
func refusesRemoveActive(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPatch && bytes.Contains(body, []byte(`"op":"remove","path":"active"`)) {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"attribute \"active\" cannot be removed or set to null; set it to true or false"}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

// keepsActiveOnRemove answers a remove of active 200 and leaves the user
// active, as a server that ignores what it cannot store does.
func keepsActiveOnRemove(h http.Handler) http.Handler {
	return rewritePatch(h, func(_ *http.Request, op map[string]any) {
		if op["op"] == "remove" && op["path"] == "active" {
			op["op"], op["value"] = "replace", true
		}
	})
}

// createsOnNoTarget turns a replace of emails[type eq "…"].value that
// matches nothing into an add of such an email, as scimkit did for any
// filter of eq comparisons.
func createsOnNoTarget(h http.Handler) http.Handler {
	return rewritePatch(h, func(_ *http.Request, op map[string]any) {
		path, _ := op["path"].(string)
		if typ, ok := strings.CutPrefix(path, `emails[type eq "`); ok && strings.HasSuffix(typ, `"].value`) && typ != `work"].value` {
			op["op"], op["path"] = "add", "emails"
			op["value"] = []any{map[string]any{"type": strings.TrimSuffix(typ, `"].value`), "value": op["value"]}}
		}
	})
}

// keepsDuplicates serves a user created with several emails, and a group
// created with several members, with the first of them twice, as a
// server that stores what it is sent does when sent it twice.
func keepsDuplicates(h http.Handler) http.Handler {
	var mu sync.Mutex
	sentTwice := map[string]bool{} // ids of resources created with a list of several
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
			var req, res map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &res) != nil {
				return
			}
			json.Unmarshal(body, &req)
			id, _ := res["id"].(string)
			mu.Lock()
			defer mu.Unlock()
			for _, attr := range []string{"emails", "members"} {
				if list, _ := req[attr].([]any); r.Method == http.MethodPost && len(list) > 1 {
					sentTwice[id] = true
				}
			}
			if !sentTwice[id] {
				return
			}
			for _, attr := range []string{"emails", "members"} {
				if list, _ := res[attr].([]any); len(list) > 0 {
					res[attr] = append(list, list[0])
				}
			}
			b, _ := json.Marshal(res)
			rec.Body.Reset()
			rec.Body.Write(b)
		}).ServeHTTP(w, r)
	})
}

// rfcConversations are the conversations of the rfc group.
func rfcConversations() []scimtest.Conversation {
	var rfc []scimtest.Conversation
	for _, c := range scimtest.Conversations() {
		if c.IdP == "rfc" {
			rfc = append(rfc, c)
		}
	}
	return rfc
}

// runRFC runs the rfc conversations against h, and captures what they
// report.
func runRFC(h http.Handler) *capture {
	c := &capture{}
	for _, conv := range rfcConversations() {
		conv.Run(context.Background(), scimtest.Target{Handler: h, Token: testToken}, c)
	}
	return c
}

func TestRFCConversationsCatchBrokenHandlers(t *testing.T) {
	tests := []struct {
		name  string
		wrap  func(http.Handler) http.Handler
		want  []string // exactly the failing checks
		about string   // a word every failure's message has
	}{
		{"ignores attributes", ignoresAttributes, []string{"rfc/projection"}, "RFC 7644 §3.9"},
		{"nextCursor repeats a page", nextCursorRepeats, []string{"rfc/cursor"}, "RFC 9865 §2"},
		{"nextCursor is the page's own cursor", nextCursorSelf, []string{"rfc/cursor"}, "the walk would never end"},
		{".search ignores the filter", searchIgnoresFilter, []string{"rfc/search"}, "rfc/search-"},
		{"accepts an altered cursor", func(h http.Handler) http.Handler { return altersAccepted(h, map[string]bool{}) }, []string{"rfc/cursor"}, "rfc/cursor-altered: status: want 400, got 200"},
		{"refuses to remove active", refusesRemoveActive, []string{"rfc/remove-active"}, "only a required or read-only attribute may be refused"},
		{"keeps active on its remove", keepsActiveOnRemove, []string{"rfc/remove-active"}, "active is still true after its remove"},
		{"creates an email for a filter matching nothing", createsOnNoTarget, []string{"rfc/no-target"}, "rfc/no-target-"},
		{"keeps an email and a member sent twice", keepsDuplicates, []string{"rfc/duplicates"}, "rfc/duplicates-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.wrap(newHandler(t, scim.Config{}))
			got := runRFC(h)
			got.caught(t, tt.want, tt.about)
			for _, f := range got.failures {
				t.Log(f)
			}
		})
	}
}

// The failures name the users concretely: the one listed twice, or the one
// outside the filter.
func TestRFCFailuresAreConcrete(t *testing.T) {
	tests := []struct {
		wrap func(http.Handler) http.Handler
		want []string
	}{
		{nextCursorRepeats, []string{"page 3 of the walk forward lists 5 users again: ", ", first on page 2)", "page 3 of the walk forward lists no user it had not listed before: the cursor leads nowhere new"}},
		{searchIgnoresFilter, []string{"its userName does not start with", "the search did not apply its filter", "totalResults: want 3, got 4"}},
		{ignoresAttributes, []string{`emails is returned ([{"primary":true,"type":"work","value":"scimtest.`, "although the request says excludedAttributes=emails", "name.familyName is returned"}},
	}
	for _, tt := range tests {
		got := runRFC(tt.wrap(newHandler(t, scim.Config{})))
		var all strings.Builder
		for _, f := range got.failures {
			all.WriteString(f.String() + "\n")
		}
		for _, w := range tt.want {
			if !strings.Contains(all.String(), w) {
				t.Errorf("no failure mentions %q:\n%s", w, all.String())
			}
		}
	}
}

// A server that does not advertise cursors, or does not serve .search, has
// those conversations skipped with the reason, not failed.
func TestRFCConversationsSkipWhatIsNotServed(t *testing.T) {
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		skip string // the conversation skipped
		why  string
	}{
		{"no cursors", noCursors, "rfc/cursor", "does not say pagination.cursor true"},
		{"no .search", noSearch, "rfc/search", "POST /Users/.search answered 405"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.wrap(newHandler(t, scim.Config{}))
			target := scimtest.Target{Handler: h, Token: testToken}
			for _, conv := range rfcConversations() {
				why := conv.Skip(context.Background(), target)
				switch {
				case conv.FullName() == tt.skip && !strings.Contains(why, tt.why):
					t.Errorf("%s: Skip says %q, want it to mention %q", conv.FullName(), why, tt.why)
				case conv.FullName() != tt.skip && why != "":
					t.Errorf("%s skipped: %s", conv.FullName(), why)
				}
			}
			got := runRFC(h)
			got.caught(t, nil, "")
			if !slices.ContainsFunc(got.logs, func(s string) bool { return strings.Contains(s, "not run: ") && strings.Contains(s, tt.why) }) {
				t.Errorf("Run does not log why %s did not run: %q", tt.skip, got.logs)
			}
		})
	}
}

// Both profiles pass: the strict one refuses a mis-cased attribute name
// with a 400, the RFC one honours it; the kit takes either.
func TestRFCConversationsPassBothProfiles(t *testing.T) {
	for _, p := range []scim.Profile{scim.ProfileStrict, scim.ProfileRFC} {
		got := runRFC(newHandler(t, scim.Config{Profile: p}))
		for _, f := range got.failures {
			t.Errorf("profile %d: %s: %s", p, f.Check, f)
		}
		if len(got.logs) > 0 {
			t.Errorf("profile %d: notes %q: the walk back by previousCursor was not checked", p, got.logs)
		}
	}
}

// The cursor walk leaves nothing behind, and the store holds only what it
// held before.
func TestRFCConversationsCleanUp(t *testing.T) {
	h := newHandler(t, scim.Config{})
	existing := createUser(t, h, "", "already.there@example.com")
	runRFC(h)
	var list struct {
		TotalResults int
		Resources    []struct{ ID string }
	}
	body := get(t, h, "/Users")
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	if list.TotalResults != 1 || list.Resources[0].ID != existing {
		t.Errorf("after the rfc conversations the store holds %d users, want only %s:\n%s", list.TotalResults, existing, body)
	}
}

// noPreviousCursor leaves previousCursor out, as RFC 9865 lets a service
// provider that pages forward only do.
func noPreviousCursor(h http.Handler) http.Handler {
	return rewriteList(h, func(_ *http.Request, list map[string]any) { delete(list, "previousCursor") })
}

// previousCursorToFirst gives, as the previousCursor of the last page,
// the cursor back to the first page, as a server that remembers only the
// start of the walk does: the walk back skips the pages in between.
func previousCursorToFirst(h http.Handler) http.Handler {
	var mu sync.Mutex
	second, toFirst := "", ""
	return rewriteList(h, func(r *http.Request, list map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		c := r.URL.Query().Get("cursor")
		switch {
		case c == "":
			second, _ = list["nextCursor"].(string)
		case c == second:
			toFirst, _ = list["previousCursor"].(string)
		default:
			if _, more := list["nextCursor"]; !more && toFirst != "" {
				list["previousCursor"] = toFirst
			}
		}
	})
}

func TestRFCCursorWalkBack(t *testing.T) {
	got := runRFC(noPreviousCursor(newHandler(t, scim.Config{})))
	got.caught(t, nil, "")
	if !slices.ContainsFunc(got.logs, func(s string) bool { return strings.Contains(s, "no previousCursor, so the walk back was not checked") }) {
		t.Errorf("no note that the walk back was not checked: %q", got.logs)
	}

	got = runRFC(previousCursorToFirst(newHandler(t, scim.Config{})))
	got.caught(t, []string{"rfc/cursor"}, "the walk back from the last page by previousCursor over 2 pages left out 5 of the 12 users")
}
