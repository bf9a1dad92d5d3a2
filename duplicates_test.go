package scim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// dupAttributes are host attributes of every type a multi-valued
// attribute may have, in the core schema and an extension.
var (
	dupAttributes = []schema.Attribute{
		{Name: "regions", Type: schema.String, MultiValued: true},
		{Name: "badges", Type: schema.Integer, MultiValued: true},
		{Name: "flags", Type: schema.Boolean, MultiValued: true},
		{Name: "reviews", Type: schema.DateTime, MultiValued: true},
	}
	dupExtension = schema.Schema{ID: "urn:example:params:scim:schemas:extension:dup:2.0:User", Name: "Dup",
		Attributes: []schema.Attribute{{Name: "teams", Type: schema.String, MultiValued: true}}}
)

// sampleValue is a JSON value for attribute a, and the same value written
// another way when there is one (an instant in another offset).
func sampleValue(a attrDoc) (string, string) {
	switch a.Type {
	case "integer":
		return "7", "7"
	case "boolean":
		return "true", "true"
	case "dateTime":
		return `"2024-03-01T09:30:00Z"`, `"2024-03-01T10:30:00+01:00"`
	}
	return `"dup-1"`, `"dup-1"`
}

// sampleElement is an element of the multi-valued attribute a, written
// twice: the second time as primary when a has primary.
func sampleElement(a attrDoc) (string, string) {
	if a.Type != "complex" {
		return sampleValue(a)
	}
	sub := subAttr(a, "value")
	if sub == nil {
		sub = subAttr(a, "locality") // addresses
	}
	v, again := sampleValue(*sub)
	typ := "work"
	if t := subAttr(a, "type"); t != nil && len(t.CanonicalValues) > 0 {
		typ = t.CanonicalValues[0]
	}
	el := `{"type":"` + typ + `","` + sub.Name + `":` + v
	second := `{"type":"` + typ + `","` + sub.Name + `":` + again
	if subAttr(a, "primary") != nil {
		second += `,"primary":true`
	}
	return el + "}", second + "}"
}

// RFC 7643 §2.4: an element sent twice is stored once, and served once,
// in every multi-valued attribute /Schemas lists (the host's and an
// extension's included), in both profiles, whether it comes in a POST, a
// PUT or a PATCH add or replace; of two duplicates one primary makes the
// element primary.
func TestDuplicateElementsCollapse(t *testing.T) {
	for _, profile := range []scim.Profile{scim.ProfileStrict, scim.ProfileRFC} {
		t.Run(fmt.Sprint("profile ", profile), func(t *testing.T) {
			h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: profile, Required: []string{"userName"}, Attributes: dupAttributes, Extensions: []schema.Schema{dupExtension}})
			if err != nil {
				t.Fatal(err)
			}
			n, checked := 0, 0
			for _, d := range servedSchemas(t, h) {
				for _, a := range d.Attributes {
					if !a.MultiValued || a.Mutability == "readOnly" {
						continue
					}
					checked++
					one, again := sampleElement(a)
					twice := "[" + one + "," + again + "]"
					member := func(list string) string {
						if d.ID == scim.UserURN {
							return `"` + a.Name + `":` + list
						}
						return `"` + d.ID + `":{"` + a.Name + `":` + list + `}`
					}
					body := func(list string) string {
						n++
						return `{"schemas":["` + scim.UserURN + `","` + dupExtension.ID + `"],"userName":"u` + fmt.Sprint(n) + `@example.com",` +
							`"name":{"givenName":"Ann","familyName":"Lee"},` + member(list) + `}`
					}
					wantOnce := func(how string, rec interface{ Result() *http.Response }) {
						t.Helper()
						res := rec.Result()
						got := map[string]any{}
						json.NewDecoder(res.Body).Decode(&got)
						if res.StatusCode/100 != 2 {
							t.Errorf("%s %s: %d %v", how, a.Name, res.StatusCode, got)
							return
						}
						v, _ := served(got, d, a, nil)
						list, _ := v.([]any)
						if len(list) != 1 {
							t.Errorf("%s of %s twice: served %v, want one element", how, a.Name, v)
							return
						}
						if el, ok := list[0].(map[string]any); ok && subAttr(a, "primary") != nil && el["primary"] != true {
							t.Errorf("%s of %s twice, once primary: served %v, want it primary", how, a.Name, v)
						}
					}
					rec := do(t, h, "POST", "/scim/v2/Users", body(twice))
					wantOnce("POST", rec)
					u := decodeUser(t, do(t, h, "POST", "/scim/v2/Users", body("["+one+"]")), http.StatusCreated)
					wantOnce("PUT", do(t, h, "PUT", "/scim/v2/Users/"+u.ID, body(twice)))
					path := attrPath(d, a, nil)
					for _, op := range []string{
						`{"op":"add","path":` + quote(path) + `,"value":` + twice + `}`,
						`{"op":"add","path":` + quote(path) + `,"value":[` + one + `]}`,
						`{"op":"replace","path":` + quote(path) + `,"value":` + twice + `}`,
						`{"op":"add","value":{` + member(twice) + `}}`,
					} {
						wantOnce("PATCH "+op, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(op)))
					}
				}
			}
			if checked < 6 {
				t.Fatalf("checked %d multi-valued attributes; /Schemas should list more", checked)
			}
		})
	}
}

// A replace through a filter that makes two elements alike leaves one.
func TestFilterReplaceCollapsesElementsMadeAlike(t *testing.T) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		t.Fatal(err)
	}
	u := decodeUser(t, do(t, h, "POST", "/scim/v2/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"ann@example.com",`+
		`"phoneNumbers":[{"type":"work","value":"555-1"},{"type":"home","value":"555-2"}]}`), http.StatusCreated)
	got := decodeAny(t, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":"phoneNumbers[type eq \"home\"]","value":{"type":"work","value":"555-1"}}`)).Body.Bytes())
	if list, _ := got["phoneNumbers"].([]any); len(list) != 1 {
		t.Errorf("phoneNumbers made alike: %v, want one", got["phoneNumbers"])
	}
}

// A group's member named twice, with and without a type, is a member
// once, in a POST, a PUT and a PATCH.
func TestDuplicateMembersCollapse(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	twice := `[{"value":` + quote(a) + `},{"value":` + quote(a) + `,"type":"User"},{"value":` + quote(a) + `}]`
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":` + twice + `}`
	g := decodeGroup(t, do(t, h, "POST", "/scim/v2/Groups", body), http.StatusCreated)
	if got := getGroup(t, h, g.ID); len(got.Members) != 1 || got.Members[0].Type != "User" {
		t.Errorf("POST with a member three times: %+v", got.Members)
	}
	decodeGroup(t, do(t, h, "PUT", "/scim/v2/Groups/"+g.ID, body), http.StatusOK)
	if got := getGroup(t, h, g.ID); len(got.Members) != 1 {
		t.Errorf("PUT with a member three times: %+v", got.Members)
	}
	for _, op := range []string{`{"op":"add","path":"members","value":` + twice + `}`, `{"op":"replace","path":"members","value":` + twice + `}`} {
		rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(op))
		if rec.Code/100 != 2 {
			t.Fatalf("PATCH %s: %d %s", op, rec.Code, rec.Body)
		}
		if got := getGroup(t, h, g.ID); len(got.Members) != 1 || !strings.EqualFold(got.Members[0].Value, a) {
			t.Errorf("PATCH %s: %+v", op, got.Members)
		}
	}
}
