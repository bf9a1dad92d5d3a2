package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

const token = "scimcheck-token-0123456789abcdef"

// newServer serves scimkit over memstore at /scim/v2, as the demo server
// does, with wrap around the handler.
func newServer(t *testing.T, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	return newServerWith(t, memstore.New(), scim.Config{}, wrap)
}

// newServerWith is newServer over store, with cfg.
func newServerWith(t *testing.T, store scim.Store, cfg scim.Config, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	tokens := scim.NewTokens(nil)
	if err := tokens.Add(token, "acme", "scimcheck", time.Time{}); err != nil {
		t.Fatal(err)
	}
	cfg.Authenticator = tokens
	h, err := scim.NewHandler(store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", wrap(h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func identity(h http.Handler) http.Handler { return h }

// nullResources writes an empty list as "Resources": null, as a Go server
// that encodes a nil slice does: Okta's connector test fails on it.
func nullResources(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := bytes.Replace(rec.Body.Bytes(), []byte(`"Resources":[]`), []byte(`"Resources":null`), 1)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// summary is the last line, alone: "N passed, N failed".
var summary = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\n\z`)

func runCheck(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestPassesAgainstScimkit(t *testing.T) {
	srv := newServer(t, identity)
	out, stderr, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-import-users", "120", "-large-group", "2500")
	if code != exitPass {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	m := summary.FindStringSubmatch(out)
	if m == nil || m[2] != "0" || m[1] == "0" {
		t.Fatalf("no summary line N passed, 0 failed:\n%s", out)
	}
	// 18 user and error conversations, 17 group conversations, 6 rfc
	// conversations (projection, .search, cursor, remove-active,
	// no-target, duplicates).
	if got := strings.Count(out, "\nPASS "); got != 41 {
		t.Errorf("%d PASS lines, want 41:\n%s", got, out)
	}
	if strings.Contains(out, token) {
		t.Error("the report shows the token")
	}
	// scimcheck leaves the deployment as it found it.
	if n := count(t, srv, "/scim/v2/Users?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d users, want 0", n)
	}
	if n := count(t, srv, "/scim/v2/Groups?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d groups, want 0", n)
	}
}

// count is the totalResults of a list request.
func count(t *testing.T, srv *httptest.Server, target string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ TotalResults int }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list.TotalResults
}

// groupChecks are the group conversations, as scimcheck names them.
var groupChecks = []string{
	"okta/groups-push", "okta/groups-import", "okta/groups-rename", "okta/groups-membership",
	"okta/groups-full-push", "okta/groups-wizard-put", "okta/groups-unlink", "okta/groups-user-attribute",
	"entra/groups-create", "entra/groups-add", "entra/groups-remove", "entra/groups-rename",
	"entra/groups-exclude-members", "entra/groups-delete", "entra/groups-user-delete",
	"entra/groups-parallel", "entra/groups-large",
}

func TestOnlyGroups(t *testing.T) {
	srv := newServer(t, identity)
	out, stderr, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "groups", "-large-group", "2500")
	if code != exitPass {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	for _, name := range groupChecks {
		if !strings.Contains(out, "\nPASS "+name+"\n") {
			t.Errorf("no PASS %s:\n%s", name, out)
		}
	}
	if strings.Contains(out, "okta/create") || strings.Contains(out, "entra/lookup\n") {
		t.Errorf("-only groups ran a user conversation:\n%s", out)
	}
	// The group conversations and the error cases, in the summary.
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "22" || m[2] != "0" {
		t.Errorf("summary: want 22 passed, 0 failed:\n%s", out)
	}
	if users, groups := count(t, srv, "/scim/v2/Users?count=0"), count(t, srv, "/scim/v2/Groups?count=0"); users != 0 || groups != 0 {
		t.Errorf("after scimcheck the store holds %d users and %d groups, want none", users, groups)
	}
}

// usersOnly hides every capability of the Store it holds, GroupStore
// included: a handler over it serves no groups.
type usersOnly struct{ scim.Store }

func TestGroupsSkippedWithoutGroups(t *testing.T) {
	srv := newServerWith(t, usersOnly{memstore.New()}, scim.Config{}, identity)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "groups")
	if code != exitPass {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
	for _, name := range groupChecks {
		if !strings.Contains(out, "\nSKIP "+name+"\n     note: not run: GET /scim/v2/ResourceTypes does not list the Group resource type") {
			t.Errorf("%s not skipped with the reason:\n%s", name, out)
		}
	}
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "5" || m[2] != "0" {
		t.Errorf("summary: want 5 passed (the error cases), 0 failed:\n%s", out)
	}
}

// A service provider whose cap on members per request is below the
// batches scimcheck sends fails entra/groups-large with the 413, and the
// failure is counted.
func TestGroupsFailAgainstASmallCap(t *testing.T) {
	srv := newServerWith(t, memstore.New(), scim.Config{MaxMembersPerRequest: 500}, identity)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "groups", "-large-group", "1200")
	if code != exitFail {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"\nFAIL entra/groups-large\n",
		"entra/groups-add-batch: status: want 200 or 204, got 413\n",
		"the request names more than 500 group members",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "21" || m[2] != "1" {
		t.Errorf("summary: want 21 passed, 1 failed:\n%s", out)
	}
	// The same service provider passes with batches within its cap.
	out, _, code = runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "groups", "-large-group", "1200", "-members-per-patch", "500")
	if code != exitPass {
		t.Errorf("with -members-per-patch 500: exit %d, want 0:\n%s", code, out)
	}
}

func TestFailsAgainstABrokenServer(t *testing.T) {
	srv := newServer(t, nullResources)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-import-users", "101", "-large-group", "1500")
	if code != exitFail {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"\nFAIL okta/connection-test\n",
		"\nPASS okta/lookup\n",
		"okta/lookup-absent: body.Resources: want an array, got null\n",
		"request:  GET /scim/v2/Users?filter=userName%20eq%20%22scimtest.",
		"response: HTTP 200 OK\n",
		`"Resources":null`,
		"enforces: Okta's \"Test Connector Configuration\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	// The 7 user checks with an empty lookup, and entra/groups-create and
	// entra/groups-delete, whose lookups of a group that is not there
	// answer "Resources":null. The rfc conversations list no empty page.
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "32" || m[2] != "9" {
		t.Errorf("summary: want 32 passed, 9 failed:\n%s", out)
	}
	if strings.Contains(out, token) {
		t.Error("the report shows the token")
	}
}

func TestJSON(t *testing.T) {
	srv := newServer(t, nullResources)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-json", "-only", "entra", "-large-group", "1500")
	if code != exitFail {
		t.Errorf("exit %d, want 1", code)
	}
	var report struct {
		URL    string
		Passed int
		Failed int
		Checks []struct {
			Name, IdP, Status string
			Failures          []struct{ Step, Message, Request, Response string }
		}
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if report.URL != srv.URL+"/scim/v2" || report.Passed+report.Failed != len(report.Checks) || report.Failed != 7 {
		t.Errorf("url %q, %d passed, %d failed of %d checks", report.URL, report.Passed, report.Failed, len(report.Checks))
	}
	for _, c := range report.Checks {
		if c.IdP == "okta" {
			t.Errorf("-only entra ran %s", c.Name)
		}
		if c.Name == "entra/test-connection" {
			if c.Status != "fail" || len(c.Failures) == 0 || !strings.Contains(c.Failures[0].Response, `"Resources":null`) || !strings.HasPrefix(c.Failures[0].Request, "GET /scim/v2/Users?filter=") {
				t.Errorf("entra/test-connection: %+v", c)
			}
		}
	}
}

func TestNoToken(t *testing.T) {
	srv := httptest.NewServer(func() http.Handler {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}())
	defer srv.Close()
	t.Setenv("SCIM_TOKEN", "")
	out, stderr, code := runCheck(t, "-url", srv.URL, "-only", "okta", "-import-users", "1")
	if code != exitPass {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "\nSKIP errors/bad-token\n") || !strings.Contains(stderr, "no -token") {
		t.Errorf("bad-token not skipped with a warning:\n%s\n%s", out, stderr)
	}
}

// rfcChecks are the rfc conversations, as scimcheck names them.
var rfcChecks = []string{"rfc/projection", "rfc/search", "rfc/cursor", "rfc/remove-active", "rfc/no-target", "rfc/duplicates"}

func TestOnlyRFC(t *testing.T) {
	srv := newServer(t, identity)
	out, stderr, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "rfc")
	if code != exitPass {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	for _, name := range rfcChecks {
		if !strings.Contains(out, "\nPASS "+name+"\n") {
			t.Errorf("no PASS %s:\n%s", name, out)
		}
	}
	if strings.Contains(out, "okta/") || strings.Contains(out, "entra/") {
		t.Errorf("-only rfc ran an identity provider's conversation:\n%s", out)
	}
	// The rfc conversations and the error cases.
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "11" || m[2] != "0" {
		t.Errorf("summary: want 11 passed, 0 failed:\n%s", out)
	}
	if n := count(t, srv, "/scim/v2/Users?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d users, want 0", n)
	}
}

// noCursorsNoSearch says pagination.cursor false and answers .search with
// a 405, as a server that pages by index only and has no .search does.
func noCursorsNoSearch(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.search") {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"405","detail":"method not allowed"}`))
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := bytes.Replace(rec.Body.Bytes(), []byte(`"cursor":true`), []byte(`"cursor":false`), 1)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func TestRFCSkippedWhenNotServed(t *testing.T) {
	srv := newServer(t, noCursorsNoSearch)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "rfc")
	if code != exitPass {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
	for _, want := range []string{
		"\nPASS rfc/projection\n",
		"\nSKIP rfc/search\n     note: not run: POST /scim/v2/Users/.search answered 405",
		"\nSKIP rfc/cursor\n     note: not run: GET /scim/v2/ServiceProviderConfig does not say pagination.cursor true",
		"\nPASS rfc/remove-active\n", "\nPASS rfc/no-target\n", "\nPASS rfc/duplicates\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "9" || m[2] != "0" {
		t.Errorf("summary: want 9 passed, 0 failed:\n%s", out)
	}
}

func TestTimeout(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer srv.Close()
	defer close(done)
	out, _, code := runCheck(t, "-url", srv.URL, "-token", token, "-timeout", "20ms", "-only", "okta", "-import-users", "1")
	if code != exitFail || !strings.Contains(out, "no response within 20ms") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "-url is required"},
		{[]string{"-url", "app.example.com/scim/v2"}, "is not an http or https URL"},
		{[]string{"-url", "https://x", "-only", "onelogin"}, "-only must be okta, entra, groups, rfc or declared"},
		{[]string{"-url", "https://x", "-large-group", "-1"}, "-large-group must be at least 1"},
		{[]string{"-url", "https://x", "-members-per-patch", "0"}, "-members-per-patch must be at least 1"},
		{[]string{"-url", "https://x", "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"-url", "https://x", "extra"}, "unexpected arguments"},
		{[]string{"-bogus"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, stderr, code := runCheck(t, tt.args...)
			if code != exitUsage || out != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, stderr, tt.want)
			}
		})
	}
}

func TestWrongToken(t *testing.T) {
	srv := newServer(t, identity)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", "not-the-token-0123456789", "-only", "entra")
	if code != exitFail || !strings.Contains(out, "\nhint: the service provider answered 401 to the token given") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if summary.FindStringSubmatch(out) == nil {
		t.Errorf("the summary is not the last line:\n%s", out)
	}
}
