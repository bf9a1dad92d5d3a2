package scim_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// A resource type of the host's own: /Agents, with a unique name. The
// declaration and a ResourceStore (memstore is one) are all it takes; the
// handler serves it as it serves Users.
func Example_declaredType() {
	const urn = "urn:ietf:params:scim:schemas:core:2.0:Agent"
	agents := scim.ResourceType{Name: "Agent", Endpoint: "Agents", Description: "AI agent identities",
		Schema: schema.Schema{ID: urn, Name: "Agent", Attributes: []schema.Attribute{
			{Name: "name", Type: schema.String, Required: true, Uniqueness: schema.Server, Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "active", Type: schema.Boolean, Mutability: schema.ReadWrite, Returned: schema.Default},
		}}}
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication,
		ResourceTypes: []scim.ResourceType{agents}})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", h))
	defer srv.Close()

	res, err := http.Post(srv.URL+"/scim/v2/Agents", "application/scim+json",
		strings.NewReader(`{"schemas":["`+urn+`"],"name":"triage-bot","active":true}`))
	if err != nil {
		log.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	fmt.Println("POST", res.StatusCode)

	res, err = http.Get(srv.URL + "/scim/v2/Agents/" + created.ID)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var got struct {
		Name   string
		Active bool
		Meta   struct{ ResourceType string }
	}
	json.NewDecoder(res.Body).Decode(&got)
	fmt.Println("GET", res.StatusCode, got.Meta.ResourceType, got.Name, got.Active, res.Header.Get("ETag") != "")
	// Output:
	// POST 201
	// GET 200 Agent triage-bot true true
}
