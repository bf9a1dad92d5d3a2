package scim_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

type attrDoc struct {
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	MultiValued     bool      `json:"multiValued"`
	Required        bool      `json:"required"`
	CaseExact       bool      `json:"caseExact"`
	Mutability      string    `json:"mutability"`
	Returned        string    `json:"returned"`
	CanonicalValues []string  `json:"canonicalValues"`
	SubAttributes   []attrDoc `json:"subAttributes"`
}

type schemaDoc struct {
	Schemas    []string  `json:"schemas"`
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Attributes []attrDoc `json:"attributes"`
	Meta       struct {
		ResourceType string `json:"resourceType"`
		Location     string `json:"location"`
	} `json:"meta"`
}

func (s schemaDoc) attr(name string) *attrDoc {
	for i := range s.Attributes {
		if s.Attributes[i].Name == name {
			return &s.Attributes[i]
		}
	}
	return nil
}

func discoveryHandler(t *testing.T) *scim.Handler {
	h, _ := newHandler(t, scim.Config{Attributes: customAttrs, Extensions: []schema.Schema{acmeExt}, MaxResults: 50})
	return h
}

func getJSON(t *testing.T, h *scim.Handler, target string, v any) {
	t.Helper()
	rec := do(t, h, "GET", target, "")
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	wantSCIMType(t, rec)
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
}

func TestServiceProviderConfig(t *testing.T) {
	h := discoveryHandler(t)
	var spc struct {
		Schemas          []string
		DocumentationURI string
		Patch, Bulk      struct{ Supported bool }
		Filter           struct {
			Supported  bool
			MaxResults int
		}
		ChangePassword, Sort, Etag struct{ Supported bool }
		AuthenticationSchemes      []struct {
			Type, Name, Description, SpecURI, DocumentationURI string
		}
		Meta struct{ ResourceType, Location string }
	}
	getJSON(t, h, "/scim/v2/ServiceProviderConfig", &spc)
	if !slices.Equal(spc.Schemas, []string{scim.ServiceProviderConfigURN}) {
		t.Errorf("schemas %q", spc.Schemas)
	}
	if !spc.Patch.Supported || !spc.Filter.Supported || spc.Filter.MaxResults != 50 || !spc.Etag.Supported || spc.Bulk.Supported || spc.Sort.Supported || spc.ChangePassword.Supported {
		t.Errorf("supported: %+v", spc)
	}
	if len(spc.AuthenticationSchemes) != 1 {
		t.Fatalf("authenticationSchemes %+v", spc.AuthenticationSchemes)
	}
	a := spc.AuthenticationSchemes[0]
	if a.Type != "oauthbearertoken" || a.Name == "" || a.Description == "" || a.SpecURI == "" || a.DocumentationURI == "" {
		t.Errorf("authentication scheme %+v", a)
	}
	for _, u := range []string{a.SpecURI, a.DocumentationURI, spc.DocumentationURI} {
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" {
			t.Errorf("%q is not an https URL", u)
		}
	}
	if spc.Meta.ResourceType != "ServiceProviderConfig" || spc.Meta.Location != "http://example.com/scim/v2/ServiceProviderConfig" {
		t.Errorf("meta %+v", spc.Meta)
	}
}

type resourceTypeDoc struct {
	Schemas          []string
	ID, Name         string
	Endpoint, Schema string
	SchemaExtensions []struct {
		Schema   string
		Required bool
	}
	Meta struct{ ResourceType, Location string }
}

func TestResourceTypes(t *testing.T) {
	h := discoveryHandler(t)
	var rt resourceTypeDoc
	getJSON(t, h, "/scim/v2/ResourceTypes/User", &rt)
	if !slices.Equal(rt.Schemas, []string{scim.ResourceTypeURN}) || rt.ID != "User" || rt.Endpoint != "/Users" || rt.Schema != scim.UserURN {
		t.Errorf("ResourceType %+v", rt)
	}
	if len(rt.SchemaExtensions) != 1 || rt.SchemaExtensions[0].Schema != acmeURN || rt.SchemaExtensions[0].Required {
		t.Errorf("schemaExtensions %+v", rt.SchemaExtensions)
	}
	if rt.Meta.ResourceType != "ResourceType" || rt.Meta.Location != "http://example.com/scim/v2/ResourceTypes/User" {
		t.Errorf("meta %+v", rt.Meta)
	}
	var list struct {
		Schemas                                []string
		TotalResults, StartIndex, ItemsPerPage int
		Resources                              []resourceTypeDoc
	}
	getJSON(t, h, "/scim/v2/ResourceTypes", &list)
	if !slices.Equal(list.Schemas, []string{scim.ListResponseURN}) || list.TotalResults != 1 || list.StartIndex != 1 || list.ItemsPerPage != 1 ||
		len(list.Resources) != 1 || list.Resources[0].ID != "User" {
		t.Errorf("ResourceTypes %+v", list)
	}

	// Without extensions, schemaExtensions is an empty array.
	plain, _ := newHandler(t, scim.Config{})
	rec := do(t, plain, "GET", "/ResourceTypes/User", "")
	var raw map[string]json.RawMessage
	json.Unmarshal(rec.Body.Bytes(), &raw)
	if string(raw["schemaExtensions"]) != "[]" {
		t.Errorf("schemaExtensions %s, want []", raw["schemaExtensions"])
	}
}

func TestSchemas(t *testing.T) {
	h := discoveryHandler(t)
	var list struct {
		Schemas                                []string
		TotalResults, StartIndex, ItemsPerPage int
		Resources                              []schemaDoc
	}
	getJSON(t, h, "/scim/v2/Schemas", &list)
	var ids []string
	for _, s := range list.Resources {
		ids = append(ids, s.ID)
		if !slices.Equal(s.Schemas, []string{scim.SchemaURN}) || s.Meta.ResourceType != "Schema" || s.Meta.Location != "http://example.com/scim/v2/Schemas/"+s.ID {
			t.Errorf("%s: schemas %q meta %+v", s.ID, s.Schemas, s.Meta)
		}
	}
	want := []string{scim.UserURN, acmeURN, scim.ServiceProviderConfigURN, scim.ResourceTypeURN, scim.SchemaURN}
	if !slices.Equal(ids, want) || list.TotalResults != len(want) || list.ItemsPerPage != len(want) || list.StartIndex != 1 {
		t.Errorf("Schemas lists %q (total %d), want %q", ids, list.TotalResults, want)
	}

	var user schemaDoc
	getJSON(t, h, "/scim/v2/Schemas/"+scim.UserURN, &user)
	if user.ID != scim.UserURN {
		t.Fatalf("User schema id %q", user.ID)
	}
	checks := []struct {
		name  string
		check func(a *attrDoc) bool
	}{
		{"id", func(a *attrDoc) bool { return a.CaseExact && a.Mutability == "readOnly" && a.Returned == "always" }},
		{"externalId", func(a *attrDoc) bool { return a.CaseExact && a.Mutability == "readWrite" }},
		{"userName", func(a *attrDoc) bool { return !a.CaseExact && a.Required && a.Type == "string" }},
		{"name", func(a *attrDoc) bool { return a.Type == "complex" && len(a.SubAttributes) == 2 }},
		{"emails", func(a *attrDoc) bool { return a.MultiValued && a.Type == "complex" }},
		{"active", func(a *attrDoc) bool { return a.Type == "boolean" }},
		{"password", func(a *attrDoc) bool { return a.Mutability == "writeOnly" && a.Returned == "never" }},
		{"groups", func(a *attrDoc) bool { return a.Mutability == "readOnly" }},
		{"regions", func(a *attrDoc) bool { return a.MultiValued && a.Type == "string" }},
		{"contractor", func(a *attrDoc) bool { return a.Type == "boolean" && !a.MultiValued }},
		{"level", func(a *attrDoc) bool { return a.Type == "integer" }},
		{"hiredAt", func(a *attrDoc) bool { return a.Type == "dateTime" }},
	}
	for _, c := range checks {
		a := user.attr(c.name)
		if a == nil || !c.check(a) {
			t.Errorf("User schema attribute %s: %+v", c.name, a)
		}
	}
	if user.attr("costCenter") != nil {
		t.Error("the extension's attribute is listed in the User schema")
	}

	var ext schemaDoc
	getJSON(t, h, "/scim/v2/Schemas/"+acmeURN, &ext)
	if ext.ID != acmeURN || ext.Name != "AcmeUser" || len(ext.Attributes) != 1 || ext.Attributes[0].Name != "costCenter" {
		t.Errorf("extension schema %+v", ext)
	}

	for _, id := range []string{scim.ServiceProviderConfigURN, scim.ResourceTypeURN, scim.SchemaURN} {
		var s schemaDoc
		getJSON(t, h, "/scim/v2/Schemas/"+id, &s)
		if s.ID != id || len(s.Attributes) == 0 {
			t.Errorf("%s: %+v", id, s)
		}
	}
	var s schemaDoc
	getJSON(t, h, "/scim/v2/Schemas/"+url.PathEscape("URN:ietf:params:scim:schemas:core:2.0:user"), &s)
	if s.ID != scim.UserURN {
		t.Errorf("URNs compare case-insensitively: got %q", s.ID)
	}
}

// TestSchemasRequired checks that the served User schema marks what the
// handler requires, so that a client can learn it before a 400.
func TestSchemasRequired(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	var user schemaDoc
	getJSON(t, h, "/Schemas/"+scim.UserURN, &user)
	name := user.attr("name")
	if name == nil || !user.attr("emails").Required || !name.Required {
		t.Errorf("emails and name are required by default but not marked so: %+v %+v", user.attr("emails"), name)
	}
	for _, sub := range name.SubAttributes {
		if !sub.Required {
			t.Errorf("name.%s is required by default but not marked so", sub.Name)
		}
	}
	h, _ = newHandler(t, scim.Config{Required: []string{"userName"}})
	getJSON(t, h, "/Schemas/"+scim.UserURN, &user)
	if user.attr("emails").Required || user.attr("name").Required {
		t.Error("emails or name marked required when Config.Required leaves them out")
	}
}

// TestSchemasRequiredExtension checks a required extension attribute.
func TestSchemasRequiredExtension(t *testing.T) {
	h, _ := newHandler(t, scim.Config{Extensions: []schema.Schema{acmeExt}, Required: []string{"userName", acmeURN + ":costCenter"}})
	var ext schemaDoc
	getJSON(t, h, "/Schemas/"+acmeURN, &ext)
	if !ext.attr("costCenter").Required {
		t.Error("costCenter is required but not marked so")
	}
	if acmeExt.Attributes[0].Required {
		t.Error("marking changed the host's Config.Extensions")
	}
}
