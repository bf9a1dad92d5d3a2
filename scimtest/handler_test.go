package scimtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/scimtest"
)

const testToken = "scimtest-token-0123456789abcdef"

// newHandler is the reference: scim.NewHandler over memstore, with a
// Tokens authenticator so that the 401 checks run.
func newHandler(t *testing.T, cfg scim.Config) http.Handler {
	t.Helper()
	tokens := scim.NewTokens(nil)
	if err := tokens.Add(testToken, "acme", "scimtest", time.Time{}); err != nil {
		t.Fatal(err)
	}
	cfg.Authenticator = tokens
	h, err := scim.NewHandler(memstore.New(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandlerPasses(t *testing.T) {
	tests := []struct {
		name string
		cfg  scim.Config
		// mount wraps the handler the way a host mounts it.
		mount func(http.Handler) http.Handler
		opts  scimtest.HandlerOptions
	}{
		// The only run of entra/groups-large at its default size.
		{name: "default", opts: scimtest.HandlerOptions{Token: testToken}},
		{
			// Without a required work email, entra/work-email gets to
			// check the Add to a missing work email too.
			name: "email not required",
			cfg:  scim.Config{Required: []string{"userName", "name.givenName", "name.familyName"}},
			opts: scimtest.HandlerOptions{Token: testToken, LargeGroupMembers: smallLargeGroup},
		},
		{
			// The kit's membership PATCHes name at most 1,000 members, so
			// a handler with that cap passes.
			name: "1,000 members per request",
			cfg:  scim.Config{MaxMembersPerRequest: 1000},
			opts: scimtest.HandlerOptions{Token: testToken, LargeGroupMembers: smallLargeGroup},
		},
		{
			name: "smaller batches",
			cfg:  scim.Config{MaxMembersPerRequest: 300},
			opts: scimtest.HandlerOptions{Token: testToken, LargeGroupMembers: 1000, MembersPerPatch: 300},
		},
		{
			name: "mounted at /scim/v2 in a ServeMux",
			cfg:  scim.Config{BasePath: "/scim/v2"},
			mount: func(h http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/scim/v2/", h)
				return mux
			},
			opts: scimtest.HandlerOptions{Token: testToken, BasePath: "/scim/v2", LargeGroupMembers: smallLargeGroup},
		},
		{name: "no token: bad-token is skipped", opts: scimtest.HandlerOptions{ImportUsers: 101, LargeGroupMembers: smallLargeGroup}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, tt.cfg)
			if tt.opts.Token == "" {
				h = withToken(h, testToken)
			}
			if tt.mount != nil {
				h = tt.mount(h)
			}
			// A user that is there before and after: the conversations run
			// against a store that is not empty, and leave it as they found
			// it.
			prefix := tt.opts.BasePath
			existing := createUser(t, h, prefix, "already.there@example.com")
			group := createGroup(t, h, prefix, "already-there", existing)

			scimtest.TestHandler(t, h, tt.opts)

			body := get(t, h, prefix+"/Users")
			var list struct {
				TotalResults int
				Resources    []struct{ ID string }
			}
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatalf("GET /Users: %v\n%s", err, body)
			}
			if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].ID != existing {
				t.Errorf("after the conversations the store holds %d users, want only the one that was there before (%s): the conversations must clean up\n%s", list.TotalResults, existing, body)
			}
			body = get(t, h, prefix+"/Groups?excludedAttributes=members")
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatalf("GET /Groups: %v\n%s", err, body)
			}
			if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].ID != group {
				t.Errorf("after the conversations the store holds %d groups, want only the one that was there before (%s): the conversations must clean up\n%s", list.TotalResults, group, body)
			}
			var g struct{ Members []struct{ Value string } }
			if body = get(t, h, prefix+"/Groups/"+group); json.Unmarshal(body, &g) != nil || len(g.Members) != 1 || g.Members[0].Value != existing {
				t.Errorf("the group that was there before lost its member %s:\n%s", existing, body)
			}
		})
	}
}

// withToken stands for a host's own authentication middleware: it adds
// the token to requests that carry none.
func withToken(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(w, r)
	})
}

func createUser(t *testing.T, h http.Handler, prefix, userName string) string {
	t.Helper()
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"name":{"givenName":"A","familyName":"B"},"emails":[{"value":%q,"type":"work"}]}`, userName, userName)
	r := httptest.NewRequest(http.MethodPost, prefix+"/Users", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var u struct{ ID string }
	if err := json.Unmarshal(w.Body.Bytes(), &u); w.Code != http.StatusCreated || err != nil {
		t.Fatalf("create: %d %v\n%s", w.Code, err, w.Body)
	}
	return u.ID
}

func createGroup(t *testing.T, h http.Handler, prefix, displayName, member string) string {
	t.Helper()
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":%q,"members":[{"value":%q}]}`, displayName, member)
	r := httptest.NewRequest(http.MethodPost, prefix+"/Groups", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var g struct{ ID string }
	if err := json.Unmarshal(w.Body.Bytes(), &g); w.Code != http.StatusCreated || err != nil {
		t.Fatalf("create group: %d %v\n%s", w.Code, err, w.Body)
	}
	return g.ID
}

func get(t *testing.T, h http.Handler, target string) []byte {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Body.Bytes()
}

// capture is a Reporter that keeps what it is told.
type capture struct {
	mu       sync.Mutex
	failures []scimtest.Failure
	logs     []string
}

func (c *capture) Fail(f scimtest.Failure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, f)
}

func (c *capture) Logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logs = append(c.logs, fmt.Sprintf(format, args...))
}

// failing returns the names of the checks that failed, sorted.
func (c *capture) failing() []string {
	var names []string
	for _, f := range c.failures {
		if !slices.Contains(names, f.Check) {
			names = append(names, f.Check)
		}
	}
	slices.Sort(names)
	return names
}

// runAll runs every conversation against t, as TestHandler and scimcheck
// do, and captures what they report.
func runAll(t scimtest.Target) *capture {
	c := &capture{}
	for _, conv := range scimtest.Conversations() {
		conv.Run(context.Background(), t, c)
	}
	return c
}

// The classic mistakes, each a wrapper around the real handler that
// rewrites its requests or responses. Every one breaks Okta or Entra ID in
// the field; TestHandler must catch each, and name the right checks.

// rejectsStringBooleans refuses Entra ID's "True"/"False", as servers that
// decode PATCH values into a Go bool do.
func rejectsStringBooleans(h http.Handler) http.Handler {
	stringBool := regexp.MustCompile(`(?i)"value"\s*:\s*"(true|false)"`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Method == http.MethodPatch && stringBool.Match(body) {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"json: cannot unmarshal string into Go value of type bool"}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// caseSensitiveUserName compares the userName of a filter exactly, as a
// WHERE user_name = ? on a case-sensitive column does.
func caseSensitiveUserName(h http.Handler) http.Handler {
	eq := regexp.MustCompile(`^userName eq "(.*)"$`)
	return rewriteList(h, func(r *http.Request, list map[string]any) {
		m := eq.FindStringSubmatch(r.URL.Query().Get("filter"))
		if m == nil {
			return
		}
		var kept []any
		for _, u := range list["Resources"].([]any) {
			if u.(map[string]any)["userName"] == m[1] {
				kept = append(kept, u)
			}
		}
		if kept == nil {
			kept = []any{}
		}
		list["Resources"] = kept
		list["totalResults"] = len(kept)
		list["itemsPerPage"] = len(kept)
	})
}

// nullResources writes an empty list as "Resources": null, as a Go server
// that encodes a nil slice does.
func nullResources(h http.Handler) http.Handler {
	return rewriteList(h, func(_ *http.Request, list map[string]any) {
		if r, _ := list["Resources"].([]any); len(r) == 0 {
			list["Resources"] = nil
		}
	})
}

// notFoundForEmpty answers a filter that matches nothing with a 404, as
// servers that treat a list like a GET of one user do.
func notFoundForEmpty(h http.Handler) http.Handler {
	return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
		var list map[string]any
		if r.Method != http.MethodGet || rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil || list["totalResults"] != float64(0) {
			return
		}
		rec.Code = http.StatusNotFound
		rec.Body.Reset()
		rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"user not found"}`)
	})
}

// plainJSON answers with Content-Type application/json, which Microsoft's
// validator fails.
func plainJSON(h http.Handler) http.Handler {
	return rewrite(h, func(_ *http.Request, rec *httptest.ResponseRecorder) {
		if rec.Header().Get("Content-Type") != "" {
			rec.Header().Set("Content-Type", "application/json")
		}
	})
}

// putDefaultsActive takes a PUT without active as active true, as servers
// that decode into a struct with Active defaulting to true do.
func putDefaultsActive(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			var u map[string]any
			body, _ := io.ReadAll(r.Body)
			if json.Unmarshal(body, &u) == nil {
				if _, ok := u["active"]; !ok {
					u["active"] = true
					body, _ = json.Marshal(u)
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		h.ServeHTTP(w, r)
	})
}

// rewrite serves r with h into a recorder, lets change edit the recorded
// response, and writes that.
func rewrite(h http.Handler, change func(*http.Request, *httptest.ResponseRecorder)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		change(r, rec)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// rewriteList lets change edit the ListResponse of every list request.
func rewriteList(h http.Handler, change func(*http.Request, map[string]any)) http.Handler {
	return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
		var list map[string]any
		if r.Method != http.MethodGet || rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil {
			return
		}
		if _, ok := list["Resources"]; !ok {
			return
		}
		change(r, list)
		b, _ := json.Marshal(list)
		rec.Body.Reset()
		rec.Body.Write(b)
	})
}

// emptyListChecks are the checks that look up a user who is not there.
var emptyListChecks = []string{
	"entra/create", "entra/deprovision", "entra/groups-create", "entra/groups-delete", "entra/test-connection",
	"errors/bad-json", "errors/bad-token",
	"okta/connection-test", "okta/create",
}

func TestHandlerCatchesBrokenHandlers(t *testing.T) {
	all := []string{}
	for _, c := range scimtest.Conversations() {
		all = append(all, c.FullName())
	}
	slices.Sort(all)
	tests := []struct {
		name  string
		wrap  func(http.Handler) http.Handler
		want  []string // exactly the failing checks
		about string   // a word every failure's message has
	}{
		{"real handler", func(h http.Handler) http.Handler { return h }, nil, ""},
		{"rejects string booleans", rejectsStringBooleans, []string{"entra/deprovision", "entra/patch-default"}, "got 400"},
		{"case-sensitive userName filter", caseSensitiveUserName, []string{"okta/lookup"}, "lookup-other-case"},
		{"Resources null", nullResources, emptyListChecks, "Resources: want an array, got null"},
		{"404 for an empty list", notFoundForEmpty, emptyListChecks, "want 200, got 404"},
		{"application/json", plainJSON, all, "Content-Type"},
		{"PUT without active activates", putDefaultsActive, []string{"okta/profile-update"}, "active: want false, got true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.wrap(newHandler(t, scim.Config{}))
			got := runAll(scimtest.Target{Handler: h, Token: testToken, ImportUsers: 101, LargeGroupMembers: smallLargeGroup})
			got.caught(t, tt.want, tt.about)
		})
	}
}

// caught checks that exactly the checks want failed, each failure
// mentioning about, with its request and without the token.
func (c *capture) caught(t *testing.T, want []string, about string) {
	t.Helper()
	if failing := c.failing(); !slices.Equal(failing, want) {
		t.Errorf("failing checks:\n got %q\nwant %q", failing, want)
		for _, f := range c.failures {
			t.Logf("%s: %s", f.Check, f)
		}
	}
	for _, f := range c.failures {
		if !strings.Contains(f.String(), about) && f.Step != "(more)" {
			t.Errorf("%s: failure does not mention %q:\n%s", f.Check, about, f)
		}
		if f.Request == "" && f.Step != "(more)" && f.Step != "okta/import-page" && f.Step != "okta/groups-import-page" {
			t.Errorf("%s: failure without its request:\n%s", f.Check, f)
		}
		if strings.Contains(f.String(), testToken) {
			t.Errorf("%s: failure shows the bearer token:\n%s", f.Check, f)
		}
	}
}

func TestConversationsOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, scim.Config{}))
	defer srv.Close()
	got := runAll(scimtest.Target{BaseURL: srv.URL + "/scim/v2", Token: testToken, ImportUsers: 101, LargeGroupMembers: smallLargeGroup})
	for _, f := range got.failures {
		t.Errorf("%s: %s", f.Check, f)
	}
}

func TestConversationReportsNoResponse(t *testing.T) {
	conv := scimtest.Conversations()[0]
	tests := []struct {
		name   string
		target func(t *testing.T) scimtest.Target
		want   string
	}{
		{"panic", func(*testing.T) scimtest.Target {
			return scimtest.Target{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })}
		}, "the handler panicked: boom"},
		{"timeout", func(t *testing.T) scimtest.Target {
			done := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-done:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(done) })
			return scimtest.Target{BaseURL: srv.URL, Timeout: 50 * time.Millisecond}
		}, "no response within 50ms"},
		{"HTML", func(*testing.T) scimtest.Target {
			return scimtest.Target{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "<html>login</html>")
			})}
		}, `Content-Type: want application/scim+json, got "text/html; charset=utf-8"`},
		{"no target", func(*testing.T) scimtest.Target { return scimtest.Target{} }, "needs a Handler or a BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &capture{}
			conv.Run(context.Background(), tt.target(t), c)
			if len(c.failures) == 0 {
				t.Fatal("no failure reported")
			}
			if s := c.failures[0].String(); !strings.Contains(s, tt.want) {
				t.Errorf("first failure:\n%s\nwant it to mention %q", s, tt.want)
			}
		})
	}
}

// Okta sends a request answered 429 again after its Retry-After; so do the
// conversations, so that a handler with a rate limit passes rather than
// fails on its own protection.
func TestConversationsRetryTooManyRequests(t *testing.T) {
	h := throttleEvery(7, newHandler(t, scim.Config{}))
	got := runAll(scimtest.Target{Handler: h, Token: testToken, ImportUsers: 101, LargeGroupMembers: smallLargeGroup})
	for _, f := range got.failures {
		t.Errorf("%s: %s", f.Check, f)
	}
	if !slices.ContainsFunc(got.logs, func(s string) bool { return strings.Contains(s, "429 Too Many Requests and sent again") }) {
		t.Errorf("no request was throttled, so the test proves nothing; logs: %q", got.logs)
	}
}

// throttleEvery answers every nth request with a 429, as a rate limiter
// does, with a Retry-After of 0 seconds to keep the test fast.
func throttleEvery(n int64, h http.Handler) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1)%n == 0 {
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"too many requests"}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// smallLargeGroup keeps entra/groups-large quick where a test runs every
// conversation many times over: a PATCH of 1,000 and one of 200.
// TestHandlerPasses runs it at its default of 20,000 once.
const smallLargeGroup = 1_200
