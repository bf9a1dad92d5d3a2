package scim_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// TestMalformedQueryParameters checks that a query parameter the handler
// reads but cannot decode (a bad percent-escape, RFC 3986 §2.1, or a
// semicolon, which url.ParseQuery drops) is a 400 naming it, never
// dropped: a dropped filter or cursor would serve every user instead of
// the one asked for. Parameters the handler does not read stay ignored.
func TestMalformedQueryParameters(t *testing.T) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	user := create(t, h, "qz7@example.com").ID
	rec := do(t, h, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}`)
	group := decodeGroup(t, rec, 201).ID

	tests := []struct {
		name, method, target, body string
		scimType, param            string
	}{
		{"users filter", "GET", `/Users?filter=userName%20eq%20%22qz7%ZZ%22`, "", "invalidFilter", "filter"},
		{"users filter with a semicolon", "GET", `/Users?filter=userName%20eq%20%22a;b%22`, "", "invalidFilter", "filter"},
		{"users filter after a semicolon", "GET", `/Users?count=5;filter=userName%20eq%20%22x%22`, "", "invalidValue", "count"},
		{"users second filter", "GET", `/Users?filter=userName%20pr&filter=%ZZ`, "", "invalidFilter", "filter"},
		{"users cursor", "GET", "/Users?cursor=%ZZ", "", "invalidValue", "cursor"},
		{"users count", "GET", "/Users?count=1%Z", "", "invalidValue", "count"},
		{"users startIndex", "GET", "/Users?startIndex=%", "", "invalidValue", "startIndex"},
		{"users attributes", "GET", "/Users?attributes=userName%ZZ", "", "invalidValue", "attributes"},
		{"users excludedAttributes", "GET", "/Users?excludedAttributes=%ZZemails", "", "invalidValue", "excludedAttributes"},
		{"users sortBy", "GET", "/Users?sortBy=%ZZ", "", "invalidValue", "sortBy"},
		{"users sortOrder", "GET", "/Users?sortOrder=%ZZ", "", "invalidValue", "sortOrder"},
		{"users escaped name", "GET", "/Users?%66ilter=%ZZ", "", "invalidFilter", "filter"},
		{"groups filter", "GET", "/Groups?filter=%ZZ", "", "invalidFilter", "filter"},
		{"groups cursor", "GET", "/Groups?cursor=%ZZ", "", "invalidValue", "cursor"},
		{"groups excludedAttributes", "GET", "/Groups?excludedAttributes=members%ZZ", "", "invalidValue", "excludedAttributes"},
		{"one user attributes", "GET", "/Users/" + user + "?attributes=%ZZ", "", "invalidValue", "attributes"},
		{"one user excludedAttributes", "GET", "/Users/" + user + "?excludedAttributes=a;b", "", "invalidValue", "excludedAttributes"},
		{"one group attributes", "GET", "/Groups/" + group + "?attributes=%ZZ", "", "invalidValue", "attributes"},
		{"group replace attributes", "PUT", "/Groups/" + group + "?attributes=%ZZ", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}`, "invalidValue", "attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, do(t, h, tt.method, tt.target, tt.body), 400, tt.scimType)
			if !strings.Contains(e.Detail, "parameter "+tt.param+" ") {
				t.Errorf("detail %q does not name the parameter %s", e.Detail, tt.param)
			}
			if strings.Contains(e.Detail, "qz7") {
				t.Errorf("detail %q echoes the parameter's value", e.Detail)
			}
		})
	}

	t.Run("parameters not read stay ignored", func(t *testing.T) {
		if l := decodeList(t, do(t, h, "GET", "/Users?utm=%ZZ&x=a;b", "")); l.TotalResults != 1 {
			t.Errorf("totalResults %d, want 1", l.TotalResults)
		}
		decodeUser(t, do(t, h, "GET", "/Users/"+user+"?utm=%ZZ", ""), 200)
	})
	t.Run("an escaped name is read as url.ParseQuery reads it", func(t *testing.T) {
		u := decodeUser(t, do(t, h, "GET", "/Users/"+user+"?a%74tributes=userName", ""), 200)
		if _, ok := u.Raw["emails"]; ok || u.UserName != "qz7@example.com" {
			t.Errorf("a%%74tributes=userName was not applied: %v", u.Raw)
		}
	})
}
