package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/internal/testtypes"
	"github.com/scimkit/scim/memstore"
)

// agentServer serves users, groups and agents over memstore, with wrap
// around the handler; it returns the base URL and the totalResults of a
// list request.
func agentServer(t *testing.T, wrap func(http.Handler) http.Handler) (string, func(target string) int) {
	t.Helper()
	srv := newServerWith(t, memstore.New(), scim.Config{ResourceTypes: []scim.ResourceType{agentType()}}, wrap)
	return srv.URL + "/scim/v2", func(target string) int { return count(t, srv, target) }
}

func TestDeclaredTypeConversation(t *testing.T) {
	url, countOf := agentServer(t, identity)
	out, stderr, code := runCheck(t, "-url", url, "-token", token, "-only", "declared")
	if code != exitPass {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "\nPASS declared/Agent\n") {
		t.Errorf("no PASS declared/Agent:\n%s", out)
	}
	// The declared type's conversation and the error cases.
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "6" || m[2] != "0" {
		t.Errorf("summary: want 6 passed, 0 failed:\n%s", out)
	}
	if n := countOf("/scim/v2/Agents?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d agents, want 0", n)
	}
	// Without -only, the declared types run after the others.
	out, _, code = runCheck(t, "-url", url, "-token", token, "-import-users", "3", "-large-group", "5")
	if code != exitPass || !strings.HasSuffix(strings.TrimSpace(out), "42 passed, 0 failed") || !strings.Contains(out, "\nPASS declared/Agent\n") {
		t.Errorf("a full run: exit %d\n%s", code, out)
	}
}

// dropAgentPatches answers a PATCH of an agent with the agent as it is,
// without applying it, as a server that ignores PATCH on a type it does
// not know does.
func dropAgentPatches(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/Agents/") {
			io.Copy(io.Discard, r.Body)
			get, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, r.URL.String(), nil)
			get.Header = r.Header.Clone()
			get.RequestURI = r.URL.RequestURI()
			h.ServeHTTP(w, get)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func TestDeclaredTypeConversationFailsWhenPatchIsDropped(t *testing.T) {
	url, countOf := agentServer(t, dropAgentPatches)
	out, _, code := runCheck(t, "-url", url, "-token", token, "-only", "declared")
	if code != exitFail {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"\nFAIL declared/Agent\n",
		"enforces: RFC 7644 on the declared resource type Agent (/Agents)",
		"declared/Agent-patch: displayName: want \"scimcheck-patched-",
		"declared/Agent-patch-read: displayName: want \"scimcheck-patched-",
		"request:  PATCH /scim/v2/Agents/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if m := summary.FindStringSubmatch(out); m == nil || m[1] != "5" || m[2] != "1" {
		t.Errorf("summary: want 5 passed, 1 failed:\n%s", out)
	}
	// What it created is deleted all the same.
	if n := countOf("/scim/v2/Agents?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d agents, want 0", n)
	}
}

// A create that is refused fails the conversation at its first step, and
// nothing is left behind.
func TestDeclaredTypeConversationFailsWhenCreateIsRefused(t *testing.T) {
	refuse := refuseCreates("/Agents", http.StatusNotImplemented)
	url, _ := agentServer(t, refuse)
	out, _, code := runCheck(t, "-url", url, "-token", token, "-only", "declared")
	if code != exitFail || !strings.Contains(out, "declared/Agent-create: status: want 201, got 501") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// The demo's Agent, declared once for the repository's tests.
const agentURN = testtypes.AgentURN

func agentType() scim.ResourceType { return testtypes.Agent() }

// refuseCreates wraps a handler so that it answers every POST to a path
// ending in suffix with a SCIM error of the given status.
func refuseCreates(suffix string, status int) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"%d","detail":"no"}`, status)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
