package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// Groups: Entra ID creates a group, adds a member with a PATCH (answered
// 204) and reads the group back; AfterGroupChange maps the membership to
// the host's own teams.
func Example_groups() {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Hooks: scim.Hooks{
		AfterGroupChange: func(_ context.Context, e scim.GroupEvent) {
			fmt.Printf("hook: %s %q, %d added\n", e.Kind, e.Group.DisplayName, len(e.Added))
		},
	}})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", h))
	defer srv.Close()
	send := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		return res
	}
	var user, group struct{ ID string }
	res := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com",
		"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@example.com"}]}`)
	json.NewDecoder(res.Body).Decode(&user)
	res = send("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng"}`)
	json.NewDecoder(res.Body).Decode(&group)

	res = send("PATCH", "/Groups/"+group.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+user.ID+`"}]}]}`)
	fmt.Println("PATCH", res.StatusCode)

	res = send("GET", "/Groups/"+group.ID, "")
	var got struct {
		DisplayName string
		Members     []struct{ Value string }
	}
	json.NewDecoder(res.Body).Decode(&got)
	fmt.Println(got.DisplayName, len(got.Members), got.Members[0].Value == user.ID)
	// Output:
	// hook: created "Eng", 0 added
	// hook: updated "Eng", 1 added
	// PATCH 204
	// Eng 1 true
}

// The RFC profile keeps the whole RFC 7643 User: here a second email, an
// address and the enterprise extension's department, with attributes
// asking for just those.
func Example_rfcProfile() {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", h))
	defer srv.Close()
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen",
		"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
		"addresses":[{"type":"work","locality":"Hollywood","country":"USA"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}`
	res, err := http.Post(srv.URL+"/scim/v2/Users?attributes=emails.value,addresses,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
		"application/scim+json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	delete(out, "id")
	b, _ := json.Marshal(out)
	fmt.Println(res.StatusCode, string(b))
	// Output:
	// 201 {"addresses":[{"country":"USA","locality":"Hollywood","type":"work"}],"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}
}
