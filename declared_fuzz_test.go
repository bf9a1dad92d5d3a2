package scim_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// FuzzDeclaredType sends arbitrary POST and PATCH bodies to a declared
// type (the demo's Agent, and a type whose attributes bear the User's
// names). It must never panic; every answer is a success or a SCIM error,
// never a 5xx; a refused PATCH leaves the stored resource as it was, and
// an accepted one a resource with its required attributes.
func FuzzDeclaredType(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["` + agentURN + `"],"name":"bot","owners":[{"value":"x","type":"User"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"owners[value eq \"x\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name":"n","active":"True"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"v"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"name.givenName","value":"G"}]}`,
	} {
		f.Add([]byte(s), byte(0))
		f.Add([]byte(s), byte(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, which byte) {
		d := agentType()
		seed := `{"schemas":["` + agentURN + `"],"name":"seed","owners":[{"value":"x","type":"User"}]}`
		if which&1 != 0 {
			d = personType()
			seed = `{"schemas":["` + d.Schema.ID + `"],"userName":"seed","emails":[{"value":"a@x","type":"work"}],"name":{"givenName":"A"}}`
		}
		st := memstore.New()
		h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{d}})
		if err != nil {
			t.Fatal(err)
		}
		prefix := "/" + d.Endpoint
		rec := do(t, h, "POST", prefix, seed)
		if rec.Code != 201 {
			t.Fatalf("seed: %d %s", rec.Code, rec.Body)
		}
		var seeded map[string]any
		json.Unmarshal(rec.Body.Bytes(), &seeded)
		id := seeded["id"].(string)
		before, _ := st.Resource(context.Background(), &d, id)

		for _, req := range [][2]string{{"POST", prefix}, {"PATCH", prefix + "/" + id}, {"PUT", prefix + "/" + id}} {
			rec := do(t, h, req[0], req[1], string(body))
			switch {
			case rec.Code >= 500:
				t.Fatalf("%s: %d %s\nbody %s", req[0], rec.Code, rec.Body, body)
			case rec.Code >= 400:
				var e struct {
					Schemas        []string
					Status, Detail string
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Schemas) != 1 || e.Schemas[0] != scim.ErrorURN || e.Status != strconv.Itoa(rec.Code) || e.Detail == "" {
					t.Fatalf("%s: %d is not a SCIM error: %s", req[0], rec.Code, rec.Body)
				}
				if req[0] != "POST" {
					after, _ := st.Resource(context.Background(), &d, id)
					if !reflect.DeepEqual(before, after) {
						t.Fatalf("refused %s (%d %s) changed the resource:\nbefore %+v\nafter  %+v", req[0], rec.Code, e.Detail, before, after)
					}
				}
			case req[0] != "POST":
				after, err := st.Resource(context.Background(), &d, id)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range d.Schema.Attributes {
					if _, ok := after.Attributes[a.Name]; a.Required && !ok {
						t.Fatalf("accepted %s left the resource without %q: %+v\nbody %s", req[0], a.Name, after, body)
					}
				}
				before = after
			}
		}
	})
}
