package scim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// TestPatchAnswerRule checks the one rule by which every resource type
// answers a PATCH (RFC 7644 §3.5.2): 200 with the resource whenever the
// request names attributes, else 204 when Config.PatchNoContent says so
// or the type answers so by default (Groups), else 200.
func TestPatchAnswerRule(t *testing.T) {
	const patch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"%s","value":"%s"}]}`
	for _, noContent := range []bool{false, true} {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, PatchNoContent: noContent, ResourceTypes: []scim.ResourceType{agentType()}})
		if err != nil {
			t.Fatal(err)
		}
		user := decodeMap(t, do(t, h, "POST", "/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"a@example.com","type":"work"}]}`).Body.String())
		group := decodeMap(t, do(t, h, "POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"G"}`).Body.String())
		agent := decodeMap(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"bot"}`).Body.String())
		cases := []struct {
			target, path string
			quiet        bool // 204 without attributes
		}{
			{"/Users/" + user["id"].(string), "displayName", noContent},
			{"/Groups/" + group["id"].(string), "displayName", true},
			{"/Agents/" + agent["id"].(string), "displayName", noContent},
		}
		for i, c := range cases {
			for _, query := range []string{"", "?attributes=displayName", "?excludedAttributes=meta"} {
				rec := do(t, h, "PATCH", c.target+query, fmt.Sprintf(patch, c.path, fmt.Sprintf("v%d%s%v", i, query, noContent)))
				want := http.StatusOK
				if c.quiet && query == "" {
					want = http.StatusNoContent
				}
				if rec.Code != want {
					t.Errorf("PatchNoContent %v: PATCH %s%s: %d, want %d", noContent, c.target, query, rec.Code, want)
				}
				if rec.Header().Get("ETag") == "" {
					t.Errorf("PATCH %s%s: no ETag", c.target, query)
				}
				if want == http.StatusNoContent && rec.Body.Len() != 0 {
					t.Errorf("PATCH %s: 204 with a body %q", c.target, rec.Body)
				}
			}
		}
	}
}
