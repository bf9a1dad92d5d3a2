package schema_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scim/schema"
)

func TestValidate(t *testing.T) {
	str := func(name string) schema.Attribute { return schema.Attribute{Name: name, Type: schema.String} }
	tests := []struct {
		name    string
		s       schema.Schema
		wantErr string // "" for valid
	}{
		{"core user schema", schema.User(), ""},
		{"user schema with custom attributes", schema.User(schema.Attribute{Name: "regions", Type: schema.String, MultiValued: true}), ""},
		{"discovery schemas", schema.SchemaSchema(), ""},
		{"id not a URN", schema.Schema{ID: "User"}, "not a URN"},
		{"empty name", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{str("")}}, "not a valid SCIM attribute name"},
		{"name starting with a digit", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{str("1st")}}, "not a valid"},
		{"name with a dot", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{str("a.b")}}, "not a valid"},
		{"$ref is valid", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{str("$ref")}}, ""},
		{"duplicate differing in case", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{str("region"), str("Region")}}, "declared twice"},
		{"custom attribute clashing with a core one", schema.User(str("UserName")), "declared twice"},
		{"unknown type", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: "text"}}}, "unknown type"},
		{"complex without sub-attributes", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.Complex}}}, "no sub-attributes"},
		{"nested complex", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.Complex,
			SubAttributes: []schema.Attribute{{Name: "b", Type: schema.Complex, SubAttributes: []schema.Attribute{str("c")}}}}}}, "nested"},
		{"simple with sub-attributes", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.String, SubAttributes: []schema.Attribute{str("b")}}}}, "has sub-attributes"},
		{"bad mutability", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.String, Mutability: "sometimes"}}}, "unknown mutability"},
		{"bad returned", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.String, Returned: "maybe"}}}, "unknown returned"},
		{"bad uniqueness", schema.Schema{ID: "urn:x", Attributes: []schema.Attribute{{Name: "a", Type: schema.String, Uniqueness: "tenant"}}}, "unknown uniqueness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestAttributeLookup(t *testing.T) {
	u := schema.User()
	if a, ok := u.Attribute("userName", false); !ok || a.Name != "userName" {
		t.Fatal("exact lookup failed")
	}
	if _, ok := u.Attribute("USERNAME", false); ok {
		t.Fatal("strict lookup matched a mis-cased name")
	}
	if a, ok := u.Attribute("USERNAME", true); !ok || a.Name != "userName" {
		t.Fatal("folded lookup failed")
	}
	name, _ := u.Attribute("name", false)
	if s, ok := name.SubAttribute("givenname", true); !ok || s.Name != "givenName" {
		t.Fatal("folded sub-attribute lookup failed")
	}
}

// TestResourceJSON checks the RFC 7643 §7 representation: every
// characteristic spelled out with its default, sub-attributes nested.
func TestResourceJSON(t *testing.T) {
	u := schema.User()
	b, err := json.Marshal(u.Resource("https://example.com/scim/v2/Schemas/" + u.ID))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schemas    []string
		ID         string
		Attributes []map[string]any
		Meta       map[string]string
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != schema.UserURN || got.Schemas[0] != schema.SchemaURN || got.Meta["resourceType"] != "Schema" || !strings.HasSuffix(got.Meta["location"], got.ID) {
		t.Fatalf("header fields: %s", b)
	}
	byName := map[string]map[string]any{}
	for _, a := range got.Attributes {
		byName[a["name"].(string)] = a
		for _, k := range []string{"type", "multiValued", "required", "caseExact", "mutability", "returned", "uniqueness"} {
			if _, ok := a[k]; !ok {
				t.Errorf("attribute %v lacks %q", a["name"], k)
			}
		}
	}
	if un := byName["userName"]; un["uniqueness"] != "server" || un["required"] != true || un["caseExact"] != false {
		t.Errorf("userName: %v", un)
	}
	if pw := byName["password"]; pw["returned"] != "never" || pw["mutability"] != "writeOnly" {
		t.Errorf("password: %v", pw)
	}
	// The strict schema keeps the work email's value, type and primary;
	// display is not kept, so it is not advertised (issue 13). FullUser's
	// emails have all four.
	if subs, ok := byName["emails"]["subAttributes"].([]any); !ok || len(subs) != 3 || strings.Contains(fmt.Sprint(subs), "name:display") {
		t.Errorf("emails sub-attributes: %v", byName["emails"]["subAttributes"])
	}
	full := schema.FullUser()
	if emails, ok := full.Attribute("emails", false); !ok || len(emails.SubAttributes) != 4 {
		t.Errorf("FullUser emails: %+v", emails)
	}
	if _, ok := byName["active"]["subAttributes"]; ok {
		t.Errorf("a simple attribute carries subAttributes: %v", byName["active"])
	}
}
