package scimtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/scimtest"
)

// The classic group mistakes, each a wrapper around the real handler that
// rewrites its requests or responses, as in handler_test.go. Every one
// breaks Okta's Push Groups or Entra ID's group provisioning in the field.

var groupPath = regexp.MustCompile(`/Groups/([^/]+)$`)

// patchOps decodes the operations of a PATCH body.
func patchOps(body []byte) []map[string]any {
	var p struct{ Operations []map[string]any }
	json.Unmarshal(body, &p)
	return p.Operations
}

// readModifyWrite serves a PATCH that only adds members the way servers
// that lose members do: read the group with all its members, add the new
// ones, and PUT the whole list back. Parallel PATCHes each write back what
// they read, and all but the last one's members are lost.
func readModifyWrite(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := groupPath.FindStringSubmatch(r.URL.Path)
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		ops := patchOps(body)
		onlyAdds := len(ops) > 0 && !slices.ContainsFunc(ops, func(op map[string]any) bool {
			return !strings.EqualFold(op["op"].(string), "add") || op["path"] != "members"
		})
		if r.Method != http.MethodPatch || m == nil || !onlyAdds {
			h.ServeHTTP(w, r)
			return
		}
		read := httptest.NewRequest(http.MethodGet, r.URL.Path, nil)
		read.Header.Set("Authorization", r.Header.Get("Authorization"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, read)
		var g map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &g) != nil {
			h.ServeHTTP(w, r)
			return
		}
		members, _ := g["members"].([]any)
		for _, op := range ops {
			added, _ := op["value"].([]any)
			members = append(members, added...)
		}
		time.Sleep(20 * time.Millisecond) // the work a real server does in between
		g["members"] = members
		put, _ := json.Marshal(g)
		write := httptest.NewRequest(http.MethodPut, r.URL.Path, bytes.NewReader(put))
		write.Header.Set("Authorization", r.Header.Get("Authorization"))
		write.Header.Set("Content-Type", "application/scim+json")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, write)
		if rec.Code != http.StatusOK {
			copyResponse(w, rec)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// removeValueWipes takes Entra ID's Remove with path members and a value
// array as a remove of every member, as servers that ignore the value of
// a remove do.
func removeValueWipes(h http.Handler) http.Handler {
	return rewritePatch(h, func(r *http.Request, op map[string]any) {
		if groupPath.MatchString(r.URL.Path) && strings.EqualFold(op["op"].(string), "remove") && op["path"] == "members" {
			delete(op, "value")
		}
	})
}

// membersDespiteExcluded ignores excludedAttributes on group reads, as
// servers that load every member and filter nothing do.
func membersDespiteExcluded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Groups") {
			q := r.URL.Query()
			q.Del("excludedAttributes")
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
		}
		h.ServeHTTP(w, r)
	})
}

// groupsNotFound answers /Groups with a 404 while /ResourceTypes still
// lists Group: discovery that promises what the routing does not serve.
func groupsNotFound(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/Groups") {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"not found"}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// noUserGroups leaves the groups attribute out of every user, as servers
// that never fill it do.
func noUserGroups(h http.Handler) http.Handler {
	return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
		var u map[string]any
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/Users/") || json.Unmarshal(rec.Body.Bytes(), &u) != nil {
			return
		}
		delete(u, "groups")
		b, _ := json.Marshal(u)
		rec.Body.Reset()
		rec.Body.Write(b)
	})
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// groupChecks are the names of the group conversations.
func groupChecks() []string {
	var names []string
	for _, c := range scimtest.Conversations() {
		if c.NeedsGroups {
			names = append(names, c.FullName())
		}
	}
	slices.Sort(names)
	return names
}

func TestHandlerCatchesBrokenGroupHandlers(t *testing.T) {
	tests := []struct {
		name  string
		cfg   scim.Config
		wrap  func(http.Handler) http.Handler
		want  []string // exactly the failing checks
		about string   // a word every failure's message has
	}{
		{name: "read-modify-write membership", wrap: readModifyWrite,
			want: []string{"entra/groups-parallel"}, about: "20 concurrent PATCHes, each adding a different user"},
		{name: "Remove with a value array wipes all members", wrap: removeValueWipes,
			want: []string{"entra/groups-large", "entra/groups-remove"}, about: "members are missing"},
		// Not entra/groups-create: its groups have no members, and a group
		// without members has no members attribute to leak (RFC 7643 §2.5).
		{name: "members despite excludedAttributes", wrap: membersDespiteExcluded,
			want:  []string{"entra/groups-exclude-members", "entra/groups-large", "entra/groups-rename"},
			about: "members: must not be returned"},
		{name: "404 for /Groups listed in /ResourceTypes", wrap: groupsNotFound,
			want: groupChecks(), about: "got 404"},
		{name: "no groups attribute on users", wrap: noUserGroups,
			want: []string{"entra/groups-large", "okta/groups-user-attribute"}, about: "its groups attribute does not list it"},
		{name: "999 members per request", cfg: scim.Config{MaxMembersPerRequest: 999}, wrap: func(h http.Handler) http.Handler { return h },
			want: []string{"entra/groups-large"}, about: "got 413"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.wrap(newHandler(t, tt.cfg))
			got := runGroups(scimtest.Target{Handler: h, Token: testToken, LargeGroupMembers: smallLargeGroup})
			got.caught(t, tt.want, tt.about)
		})
	}
}

// runGroups runs the group conversations against t.
func runGroups(t scimtest.Target) *capture {
	c := &capture{}
	for _, conv := range scimtest.Conversations() {
		if conv.NeedsGroups {
			conv.Run(context.Background(), t, c)
		}
	}
	return c
}

// usersOnly hides every capability of the Store it holds, GroupStore
// included: a handler over it serves no groups.
type usersOnly struct{ scim.Store }

// A handler without groups is not failed for lacking them: each group
// conversation says why it did not run, and Skip says the same.
func TestGroupConversationsSkipWithoutGroups(t *testing.T) {
	h, err := scim.NewHandler(usersOnly{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	target := scimtest.Target{Handler: h}
	got := runGroups(target)
	for _, f := range got.failures {
		t.Errorf("%s: %s", f.Check, f)
	}
	const why = "GET /ResourceTypes does not list the Group resource type"
	if n := len(groupChecks()); len(got.logs) != n || !strings.Contains(strings.Join(got.logs, "\n"), "not run: "+why) {
		t.Errorf("want %d notes that say %q, got %q", n, why, got.logs)
	}
	for _, c := range scimtest.Conversations() {
		skip := c.Skip(context.Background(), target)
		if c.NeedsGroups != strings.Contains(skip, why) {
			t.Errorf("%s: Skip = %q", c.FullName(), skip)
		}
	}
	// With groups, nothing is skipped.
	target = scimtest.Target{Handler: newHandler(t, scim.Config{}), Token: testToken}
	for _, c := range scimtest.Conversations() {
		if skip := c.Skip(context.Background(), target); skip != "" {
			t.Errorf("%s: Skip = %q against a handler that serves groups", c.FullName(), skip)
		}
	}
}

// A run interrupted halfway through a conversation still deletes the
// groups and users it created, as a run that finishes does.
func TestGroupConversationsCleanUpWhenInterrupted(t *testing.T) {
	for _, name := range []string{"entra/groups-large", "okta/groups-membership"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			inner := newHandler(t, scim.Config{})
			// Interrupt at the first membership PATCH: the users and the
			// group exist by then.
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/Groups/") {
					cancel()
				}
				inner.ServeHTTP(w, r)
			})
			var conv scimtest.Conversation
			for _, c := range scimtest.Conversations() {
				if c.FullName() == name {
					conv = c
				}
			}
			c := &capture{}
			conv.Run(ctx, scimtest.Target{Handler: h, Token: testToken, LargeGroupMembers: 50}, c)
			if ctx.Err() == nil {
				t.Fatal("the run was not interrupted, so the test proves nothing")
			}
			for _, target := range []string{"/Users", "/Groups"} {
				var list struct{ TotalResults int }
				body := get(t, inner, target+"?count=0")
				if err := json.Unmarshal(body, &list); err != nil || list.TotalResults != 0 {
					t.Errorf("after the interrupted run, GET %s: %d left (%v), want none:\n%s", target, list.TotalResults, err, body)
				}
			}
		})
	}
}
