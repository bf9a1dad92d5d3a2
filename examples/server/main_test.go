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
