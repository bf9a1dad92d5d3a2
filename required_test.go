package scim_test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// requiredCase is a handler configuration and a user with every attribute
// it keeps, for the tests that derive their cases from /Schemas.
type requiredCase struct {
	name string
	cfg  scim.Config
	// user is a create body with every attribute the profile keeps; its
	// userName is {{userName}}.
	user string
}

func requiredCases(t *testing.T) []requiredCase {
	t.Helper()
	full, err := os.ReadFile("testdata/rfc/full-user.json")
	if err != nil {
		t.Fatal(err)
	}
	ent, err := os.ReadFile("testdata/rfc/enterprise-user.json")
	if err != nil {
		t.Fatal(err)
	}
	var fullUser, entUser map[string]any
	if err := json.Unmarshal(full, &fullUser); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ent, &entUser); err != nil {
		t.Fatal(err)
	}
	const entURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	fullUser[entURN] = entUser[entURN]
	fullUser["schemas"] = []string{scim.UserURN, entURN}
	fullUser["userName"] = "{{userName}}"
	rfcUser, _ := json.Marshal(fullUser)
	strictUser := `{"schemas":["` + scim.UserURN + `"],"userName":"{{userName}}","externalId":"ext-1","displayName":"Ann Lee","active":true,` +
		`"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@example.com","primary":true}]}`
	return []requiredCase{
		{"strict", scim.Config{}, strictUser},
		{"strict, more required", scim.Config{Required: []string{"userName", "name.givenName", "name.familyName", "emails", "displayName", "externalId"}}, strictUser},
		{"rfc", scim.Config{Profile: scim.ProfileRFC}, string(rfcUser)},
		{"rfc, more required", scim.Config{Profile: scim.ProfileRFC, Required: []string{"userName", "title", "name.familyName", "phoneNumbers", entURN + ":department"}}, string(rfcUser)},
	}
}

// servedSchemas returns the User schema and its extensions as h's
// /Schemas serves them.
func servedSchemas(t *testing.T, h http.Handler) []schemaDoc {
	t.Helper()
	var rt struct {
		Schema           string
		SchemaExtensions []struct{ Schema string }
	}
	if err := json.Unmarshal(do(t, h, "GET", "/scim/v2/ResourceTypes/User", "").Body.Bytes(), &rt); err != nil {
		t.Fatal(err)
	}
	ids := []string{rt.Schema}
	for _, e := range rt.SchemaExtensions {
		ids = append(ids, e.Schema)
	}
	var docs []schemaDoc
	for _, id := range ids {
		var d schemaDoc
		if err := json.Unmarshal(do(t, h, "GET", "/scim/v2/Schemas/"+id, "").Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// attrPath names attribute a (and sub, when not nil) of schema d as the
// handler names attributes: extension attributes with their URN.
func attrPath(d schemaDoc, a attrDoc, sub *attrDoc) string {
	p := a.Name
	if sub != nil {
		p += "." + sub.Name
	}
	if d.ID != scim.UserURN {
		p = d.ID + ":" + p
	}
	return p
}

// requiredPaths are the attributes /Schemas says a user must have: a
// required attribute, or its required sub-attributes when it marks some.
func requiredPaths(docs []schemaDoc) []string {
	var out []string
	for _, d := range docs {
		for _, a := range d.Attributes {
			if !a.Required {
				continue
			}
			subs := 0
			for i := range a.SubAttributes {
				if a.SubAttributes[i].Required {
					out = append(out, attrPath(d, a, &a.SubAttributes[i]))
					subs++
				}
			}
			if subs == 0 {
				out = append(out, attrPath(d, a, nil))
			}
		}
	}
	return out
}

// A create or replace that lacks several required attributes is one 400
// that names every one of them, so that a client learns from one response
// all it must send.
func TestCreateNamesEveryMissingRequiredAttribute(t *testing.T) {
	for _, tc := range requiredCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			h, err := scim.NewHandler(memstore.New(), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			required := requiredPaths(servedSchemas(t, h))
			if len(required) < 2 && tc.name != "rfc" {
				t.Fatalf("/Schemas marks only %q required; the case needs several", required)
			}
			wantAll := func(rec *http.Response, body string, lacking []string) {
				t.Helper()
				if rec.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d: %s", rec.StatusCode, body)
				}
				var e errorBody
				json.Unmarshal([]byte(body), &e)
				if e.ScimType != "invalidValue" {
					t.Errorf("scimType %q, want invalidValue", e.ScimType)
				}
				for _, p := range required {
					if named := strings.Contains(e.Detail, strconv.Quote(p)); named != slices.Contains(lacking, p) {
						t.Errorf("detail %q names %q: %t, want %t", e.Detail, p, named, !named)
					}
				}
			}
			empty := `{"schemas":["` + scim.UserURN + `"]}`
			rec := do(t, h, "POST", "/scim/v2/Users", empty)
			wantAll(rec.Result(), rec.Body.String(), required)

			withName := `{"schemas":["` + scim.UserURN + `"],"userName":"only@example.com"}`
			rec = do(t, h, "POST", "/scim/v2/Users", withName)
			if len(required) == 1 {
				if rec.Code != http.StatusCreated {
					t.Fatalf("a user with only userName, the only required attribute: %d %s", rec.Code, rec.Body)
				}
				return
			}
			wantAll(rec.Result(), rec.Body.String(), slices.DeleteFunc(slices.Clone(required), func(p string) bool { return p == "userName" }))

			created := decodeUser(t, do(t, h, "POST", "/scim/v2/Users", strings.ReplaceAll(tc.user, "{{userName}}", "full@example.com")), http.StatusCreated)
			rec = do(t, h, "PUT", "/scim/v2/Users/"+created.ID, withName)
			wantAll(rec.Result(), rec.Body.String(), slices.DeleteFunc(slices.Clone(required), func(p string) bool { return p == "userName" }))
		})
	}
}
