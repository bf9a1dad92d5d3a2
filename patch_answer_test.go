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

// TestWriteWithBadProjectionWritesNothing sends POST, PUT and PATCH with
// an attributes parameter that cannot be read, to every type: a 400, and
// nothing written (the answer would otherwise refuse a stored change).
func TestWriteWithBadProjectionWritesNothing(t *testing.T) {
	const patch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"changed"}]}`
	for _, noContent := range []bool{false, true} {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, PatchNoContent: noContent, ResourceTypes: []scim.ResourceType{agentType()}})
		if err != nil {
			t.Fatal(err)
		}
		user := `{"schemas":["` + scim.UserURN + `"],"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"a@example.com","type":"work"}]}`
		group := `{"schemas":["` + scim.GroupURN + `"],"displayName":"G"}`
		agent := `{"schemas":["` + agentURN + `"],"name":"bot"}`
		for _, c := range []struct{ endpoint, body string }{{"/Users", user}, {"/Groups", group}, {"/Agents", agent}} {
			id := decodeMap(t, do(t, h, "POST", c.endpoint, c.body).Body.String())["id"].(string)
			for _, query := range []string{"?attributes=%zz", "?excludedAttributes=DisplayName"} {
				before := do(t, h, "GET", c.endpoint+"/"+id, "").Body.String()
				for _, w := range [][2]string{{"PATCH", patch}, {"PUT", c.body}} {
					if rec := do(t, h, w[0], c.endpoint+"/"+id+query, w[1]); rec.Code != 400 {
						t.Errorf("%s %s/{id}%s: %d, want 400", w[0], c.endpoint, query, rec.Code)
					}
				}
				if after := do(t, h, "GET", c.endpoint+"/"+id, "").Body.String(); after != before {
					t.Errorf("refused writes to %s%s changed it:\nbefore %s\nafter  %s", c.endpoint, query, before, after)
				}
				list := do(t, h, "GET", c.endpoint+"?count=0", "").Body.String()
				if rec := do(t, h, "POST", c.endpoint+query, c.body); rec.Code != 400 {
					t.Errorf("POST %s%s: %d, want 400", c.endpoint, query, rec.Code)
				}
				if got := do(t, h, "GET", c.endpoint+"?count=0", "").Body.String(); got != list {
					t.Errorf("refused POST %s%s created a resource: %s, was %s", c.endpoint, query, got, list)
				}
			}
		}
	}
}
