package scim_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// TestTenantIsolationRandomized runs many random operations from two tenants that
// use the same userNames over one store, and checks that no request of one
// ever reads, lists, changes or deletes a user of the other.
func TestTenantIsolationRandomized(t *testing.T) {
	tokens := scim.NewTokens(nil)
	tok := map[string]string{}
	for _, tenant := range []string{"acme", "globex"} {
		tok[tenant], _ = tokens.Issue(tenant, "test", time.Time{})
	}
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens})
	if err != nil {
		t.Fatal(err)
	}
	owned := map[string]map[string]bool{"acme": {}, "globex": {}} // tenant → ids it created and has not deleted
	other := map[string]string{"acme": "globex", "globex": "acme"}
	rng := rand.New(rand.NewPCG(1, 2))
	auth := func(tenant string) []string { return []string{"Authorization", "Bearer " + tok[tenant]} }
	anyID := func(tenant string) string {
		for id := range owned[tenant] {
			return id
		}
		return "no-such-id"
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`

	for i := range 600 {
		tenant := []string{"acme", "globex"}[rng.IntN(2)]
		victim := anyID(other[tenant])
		name := fmt.Sprintf("user%d@example.com", rng.IntN(20)) // the same names in both tenants
		switch op := rng.IntN(7); op {
		case 0, 1:
			code, u := call(t, h, "POST", "/Users", userBody(name, name, ""), auth(tenant)...)
			switch code {
			case 201:
				owned[tenant][u["id"].(string)] = true
			case 409: // this tenant already has the name
			default:
				t.Fatalf("step %d: create: %d %v", i, code, u)
			}
		case 2:
			if code, _ := call(t, h, "GET", "/Users/"+victim, "", auth(tenant)...); code != 404 {
				t.Fatalf("step %d: %s read %s's user %s: %d", i, tenant, other[tenant], victim, code)
			}
		case 3:
			if code, _ := call(t, h, "PATCH", "/Users/"+victim, patch, auth(tenant)...); code != 404 {
				t.Fatalf("step %d: %s patched %s's user: %d", i, tenant, other[tenant], code)
			}
		case 4:
			if code, _ := call(t, h, "PUT", "/Users/"+victim, userBody(name, name, ""), auth(tenant)...); code != 404 {
				t.Fatalf("step %d: %s replaced %s's user: %d", i, tenant, other[tenant], code)
			}
		case 5:
			if code, _ := call(t, h, "DELETE", "/Users/"+victim, "", auth(tenant)...); code != 404 {
				t.Fatalf("step %d: %s deleted %s's user: %d", i, tenant, other[tenant], code)
			}
			if id := anyID(tenant); id != "no-such-id" && rng.IntN(3) == 0 {
				if code, _ := call(t, h, "DELETE", "/Users/"+id, "", auth(tenant)...); code != 204 {
					t.Fatalf("step %d: %s could not delete its own user: %d", i, tenant, code)
				}
				delete(owned[tenant], id)
			}
		case 6:
			filter := ""
			if rng.IntN(2) == 0 {
				filter = "?filter=" + strings.ReplaceAll(fmt.Sprintf("userName eq %q", name), " ", "%20")
			}
			code, list := call(t, h, "GET", "/Users"+filter, "", auth(tenant)...)
			if code != 200 {
				t.Fatalf("step %d: list: %d %v", i, code, list)
			}
			for _, r := range list["Resources"].([]any) {
				id := r.(map[string]any)["id"].(string)
				if !owned[tenant][id] {
					t.Fatalf("step %d: %s listed user %s, which it does not own", i, tenant, id)
				}
			}
			if filter == "" && int(list["totalResults"].(float64)) != len(owned[tenant]) {
				t.Fatalf("step %d: %s sees %v users, owns %d", i, tenant, list["totalResults"], len(owned[tenant]))
			}
		}
	}
	if len(owned["acme"]) == 0 || len(owned["globex"]) == 0 {
		t.Fatal("the random walk created no users in one tenant; the test proved nothing")
	}
}

func TestTenantInPath(t *testing.T) {
	tokens := scim.NewTokens(nil)
	acme, _ := tokens.Issue("acme", "okta", time.Time{})
	globex, _ := tokens.Issue("globex", "entra", time.Time{})
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens, TenantInPath: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", h)
	tests := []struct {
		path, token string
		want        int
	}{
		{"/scim/v2/acme/Users", acme, 200},
		{"/scim/v2/globex/Users", globex, 200},
		{"/scim/v2/globex/Users", acme, 401},
		{"/scim/v2/acme/Users", globex, 401},
		{"/scim/v2/Users", acme, 401}, // no tenant in the path
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+tt.token)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("GET %s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.want)
		}
		if rec.Code == 401 && (rec.Header().Get("WWW-Authenticate") == "" || strings.Contains(rec.Body.String(), tt.token)) {
			t.Errorf("GET %s: 401 without WWW-Authenticate or echoing the token", tt.path)
		}
	}
	// meta.location carries the tenant's base URL.
	req := httptest.NewRequest("POST", "/scim/v2/acme/Users", strings.NewReader(userBody("ann@example.com", "ann@example.com", "")))
	req.Header.Set("Authorization", "Bearer "+acme)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "http://example.com/scim/v2/acme/Users/") {
		t.Errorf("Location %q is not under the tenant's base URL", loc)
	}
}
