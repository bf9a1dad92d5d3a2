package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/examples/internal/demo"
	"github.com/scimkit/scim/memstore"
)

// TestDemoMux checks the demo's two mounts: the token decides the tenant
// at /scim/v2, and at /scim/v2/{tenant} the token must also be that
// tenant's.
func TestDemoMux(t *testing.T) {
	tokens := scim.NewTokens(nil)
	acme, _ := tokens.Issue("acme", "demo", time.Time{})
	globex, _ := tokens.Issue("globex", "demo", time.Time{})
	mux, err := newMux(memstore.New(), tokens, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := logRequests(slog.New(slog.NewTextHandler(io.Discard, nil)), mux)
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}]}`
	tests := []struct {
		method, path, token string
		want                int
	}{
		{"POST", "/scim/v2/Users", acme, 201},
		{"GET", "/scim/v2/acme/Users?filter=userName%20eq%20%22ANN@example.com%22", acme, 200},
		{"GET", "/scim/v2/globex/Users", acme, 401},
		{"POST", "/scim/v2/globex/Users", globex, 201},
		{"GET", "/scim/v2/Users", "", 401},
	}
	for _, tt := range tests {
		var rd io.Reader
		if tt.method == "POST" {
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequest(tt.method, tt.path, rd)
		req.Header.Set("Content-Type", "application/scim+json")
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.path, rec.Code, rec.Body, tt.want)
		}
		if tt.method == "GET" && tt.want == 200 && !strings.Contains(rec.Body.String(), `"totalResults":1`) {
			t.Errorf("acme's user is not found through the per-tenant URL: %s", rec.Body)
		}
	}
	if rec := httptest.NewRecorder(); true {
		req := httptest.NewRequest("GET", "/scim/v2/acme/Users", nil)
		req.Header.Set("Authorization", "Bearer "+acme)
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("per-tenant URL: %d", rec.Code)
		}
	}
}

// TestRequestLogNamesParametersOnly checks that the request log holds the
// path and the names of the query's parameters, never their values: a
// filter's literals are userNames and e-mail addresses.
func TestRequestLogNamesParametersOnly(t *testing.T) {
	tests := []struct {
		target, path string
		params       []string
	}{
		{`/scim/v2/Users?filter=userName%20eq%20%22secret.ann%40example.com%22&attributes=emails&filter=x`, "/scim/v2/Users", []string{"filter", "attributes"}},
		{`/scim/v2/Users?filter=emails%5Bvalue%20eq%20%22secret.ann@example.com%22%5D;count=5&startIndex=%ZZsecret.ann`, "/scim/v2/Users", []string{"filter", "startIndex"}},
		{`/scim/v2/Groups?excludedAttributes=members&%ZZ=secret.ann&flag`, "/scim/v2/Groups", []string{"excludedAttributes", "flag"}},
		{`/scim/v2/Users/2819c223`, "/scim/v2/Users/2819c223", nil},
	}
	for _, tt := range tests {
		var log strings.Builder
		h := logRequests(slog.New(slog.NewJSONHandler(&log, nil)), http.NotFoundHandler())
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tt.target, nil))
		var line struct {
			Path   string
			Params []string
		}
		if err := json.Unmarshal([]byte(log.String()), &line); err != nil {
			t.Fatalf("%s: %v: %s", tt.target, err, log.String())
		}
		if line.Path != tt.path || !slices.Equal(line.Params, tt.params) {
			t.Errorf("%s: logged path %q, params %q; want %q, %q", tt.target, line.Path, line.Params, tt.path, tt.params)
		}
		if strings.Contains(log.String(), "secret.ann") {
			t.Errorf("%s: the log holds a parameter's value: %s", tt.target, log.String())
		}
	}
}

// TestDemoServesAgents walks the demo's /Agents over HTTP with a demo
// tenant's token: create, read, filter, PATCH, uniqueness, discovery, a
// deleted owner leaving the list, delete, and the other tenant seeing none
// of it.
func TestDemoServesAgents(t *testing.T) {
	tokens := scim.NewTokens(nil)
	issued, err := demo.IssueTokens(tokens, "")
	if err != nil {
		t.Fatal(err)
	}
	mux, err := newMux(memstore.New(), tokens, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base := srv.URL + "/scim/v2"
	send := func(tenant, method, path, body string, want int) (map[string]any, http.Header) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("Authorization", "Bearer "+issued[tenant])
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, raw, want)
		}
		var m map[string]any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, raw)
			}
		}
		return m, res.Header
	}

	user, _ := send("acme", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}]}`, 201)
	uid := user["id"].(string)
	agent, h := send("acme", "POST", "/Agents", `{"schemas":["`+demo.AgentURN+`"],"externalId":"okta-agent-1","name":"triage-bot","displayName":"Triage","agentType":"Assistant","active":true,
		"description":"Sorts tickets","owners":[{"value":"`+uid+`","$ref":"`+base+`/Users/`+uid+`","type":"User"}]}`, 201)
	id := agent["id"].(string)
	if loc := h.Get("Location"); loc != base+"/Agents/"+id {
		t.Errorf("Location %q", loc)
	}
	if meta := agent["meta"].(map[string]any); meta["resourceType"] != "Agent" {
		t.Errorf("meta %v", meta)
	}

	got, h := send("acme", "GET", "/Agents/"+id, "", 200)
	if h.Get("ETag") == "" || got["name"] != "triage-bot" || got["agentType"] != "Assistant" || len(got["owners"].([]any)) != 1 {
		t.Errorf("GET: ETag %q, %v", h.Get("ETag"), got)
	}
	// name is unique and compared case-insensitively (caseExact false):
	// the drafts' lookup before a create.
	list, _ := send("acme", "GET", `/Agents?filter=name%20eq%20%22TRIAGE-BOT%22&attributes=displayName`, "", 200)
	if list["totalResults"] != 1.0 {
		t.Fatalf("filter by name: %v", list)
	}
	if r := list["Resources"].([]any)[0].(map[string]any); r["displayName"] != "Triage" || r["name"] != nil {
		t.Errorf("projected %v", r)
	}
	if list, _ := send("acme", "GET", `/acme/Agents?filter=externalId%20eq%20%22okta-agent-1%22`, "", 200); list["totalResults"] != 1.0 {
		t.Errorf("per-tenant URL, filter by externalId: %v", list)
	}
	if list, _ := send("globex", "GET", "/Agents", "", 200); list["totalResults"] != 0.0 {
		t.Errorf("another tenant sees acme's agent: %v", list)
	}
	send("acme", "POST", "/Agents", `{"schemas":["`+demo.AgentURN+`"],"name":"Triage-Bot"}`, 409)

	patched, _ := send("acme", "PATCH", "/Agents/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 200)
	if patched["active"] != false {
		t.Errorf("after PATCH: %v", patched)
	}

	types, _ := send("acme", "GET", "/ResourceTypes", "", 200)
	var agentType map[string]any
	for _, r := range types["Resources"].([]any) {
		if r := r.(map[string]any); r["name"] == "Agent" {
			agentType = r
		}
	}
	if agentType == nil || agentType["endpoint"] != "/Agents" || agentType["schema"] != demo.AgentURN {
		t.Errorf("/ResourceTypes: %v", types)
	}
	s, _ := send("acme", "GET", "/Schemas/"+demo.AgentURN, "", 200)
	attrs := map[string]map[string]any{}
	for _, a := range s["attributes"].([]any) {
		a := a.(map[string]any)
		attrs[a["name"].(string)] = a
	}
	for _, name := range []string{"name", "displayName", "agentType", "active", "description", "owners"} {
		if attrs[name] == nil {
			t.Errorf("/Schemas/%s has no %q", demo.AgentURN, name)
		}
	}
	if n := attrs["name"]; n == nil || n["required"] != true || n["uniqueness"] != "server" {
		t.Errorf("/Schemas: name is %v", n)
	}

	// A deleted owner leaves the list.
	send("acme", "DELETE", "/Users/"+uid, "", 204)
	if got, _ := send("acme", "GET", "/Agents/"+id, "", 200); got["owners"] != nil {
		t.Errorf("owners after the owner's delete: %v", got["owners"])
	}
	send("acme", "DELETE", "/Agents/"+id, "", 204)
	send("acme", "GET", "/Agents/"+id, "", 404)
}
