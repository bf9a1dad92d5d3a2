package scim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// A Config with nothing but an Authenticator serves, every other field at
// its default.
func TestNewHandlerMinimalConfig(t *testing.T) {
	h, err := scim.NewHandler(newFakeStore(), scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatalf("minimal Config: %v", err)
	}
	u := create(t, h, "ann@example.com")
	if u.ID == "" || u.Meta.Location != "http://example.com/scim/v2/Users/"+u.ID {
		t.Fatalf("minimal Config create: id %q location %q", u.ID, u.Meta.Location)
	}
}

func TestNewHandlerNilStore(t *testing.T) {
	if _, err := scim.NewHandler(nil, scim.Config{Authenticator: scim.SkipAuthentication}); err == nil {
		t.Fatal("NewHandler(nil) did not fail")
	}
}

func TestNewHandlerBadConfig(t *testing.T) {
	ext := func(id string, attrs ...schema.Attribute) schema.Schema {
		return schema.Schema{ID: id, Name: "Ext", Attributes: attrs}
	}
	str := func(name string) schema.Attribute { return schema.Attribute{Name: name, Type: schema.String} }
	const extA = "urn:example:params:scim:schemas:extension:acme:2.0:User"
	const extB = "urn:example:params:scim:schemas:extension:other:2.0:User"
	tests := []struct {
		name string
		cfg  scim.Config
		want string // a word the error must contain
	}{
		{"relative BasePath", scim.Config{BasePath: "scim/v2"}, "BasePath"},
		{"BaseURL without scheme", scim.Config{BaseURL: "app.example.com/scim/v2"}, "BaseURL"},
		{"BaseURL without host", scim.Config{BaseURL: "https:///scim/v2"}, "BaseURL"},
		{"BaseURL unparsable", scim.Config{BaseURL: "https://exa mple.com:port/"}, "BaseURL"},
		{"negative MaxResults", scim.Config{MaxResults: -1}, "MaxResults"},
		{"negative MaxBodyBytes", scim.Config{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"custom decimal", scim.Config{Attributes: []schema.Attribute{{Name: "score", Type: schema.Decimal}}}, "score"},
		{"custom complex", scim.Config{Attributes: []schema.Attribute{{Name: "address", Type: schema.Complex,
			SubAttributes: []schema.Attribute{str("city")}}}}, "address"},
		{"custom binary", scim.Config{Attributes: []schema.Attribute{{Name: "photo", Type: schema.Binary}}}, "photo"},
		{"custom reference", scim.Config{Attributes: []schema.Attribute{{Name: "profile", Type: schema.Reference}}}, "profile"},
		{"extension attribute of unsupported type", scim.Config{Extensions: []schema.Schema{ext(extA, schema.Attribute{Name: "score", Type: schema.Decimal})}}, "score"},
		{"custom name clashes with core", scim.Config{Attributes: []schema.Attribute{str("UserName")}}, "userName"},
		{"custom name clashes with a common attribute", scim.Config{Attributes: []schema.Attribute{str("externalId")}}, "externalId"},
		{"custom name invalid", scim.Config{Attributes: []schema.Attribute{str("cost center")}}, "cost center"},
		{"duplicate across extensions", scim.Config{Extensions: []schema.Schema{ext(extA, str("costCenter")), ext(extB, str("costcenter"))}}, "costcenter"},
		{"extension duplicates a custom attribute", scim.Config{Attributes: []schema.Attribute{str("regions")}, Extensions: []schema.Schema{ext(extA, str("regions"))}}, "regions"},
		{"extension duplicates a core attribute", scim.Config{Extensions: []schema.Schema{ext(extA, str("displayName"))}}, "displayName"},
		{"extension declared twice", scim.Config{Extensions: []schema.Schema{ext(extA, str("a")), ext(strings.Replace(extA, "acme", "ACME", 1), str("b"))}}, "twice"},
		{"extension with the User URN", scim.Config{Extensions: []schema.Schema{ext(scim.UserURN, str("a"))}}, "twice"},
		{"extension id not a URN", scim.Config{Extensions: []schema.Schema{ext("acme", str("a"))}}, "acme"},
		{"unknown Required path", scim.Config{Required: []string{"userName", "nickName"}}, "nickName"},
		{"unknown Required sub-attribute", scim.Config{Required: []string{"name.middleName"}}, "middleName"},
		{"mis-cased Required path", scim.Config{Required: []string{"Name.givenName"}}, "name"},
		{"Required read-only", scim.Config{Required: []string{"id"}}, "id"},
		{"Required password", scim.Config{Required: []string{"password"}}, "password"},
		{"Required unknown extension", scim.Config{Required: []string{extA + ":costCenter"}}, "costCenter"},
		{"Required emails.display, which is not kept", scim.Config{Required: []string{"emails.display"}}, "emails.display"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.Authenticator == nil {
				cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
			}
			h, err := scim.NewHandler(newFakeStore(), cfg)
			if err == nil {
				t.Fatalf("NewHandler accepted %+v", tt.cfg)
			}
			if h != nil {
				t.Error("NewHandler returned a handler with its error")
			}
			if !strings.HasPrefix(err.Error(), "scim: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want a scim: error naming %q", err, tt.want)
			}
		})
	}
}

func TestNewHandlerGoodConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  scim.Config
	}{
		{"BasePath with trailing slash", scim.Config{BasePath: "/scim/v2/"}},
		{"BaseURL with trailing slash", scim.Config{BaseURL: "https://app.example.com/scim/v2/"}},
		{"all custom types", scim.Config{Attributes: customAttrs}},
		{"extension", scim.Config{Extensions: []schema.Schema{acmeExt}}},
		{"Required custom and extension", scim.Config{Attributes: customAttrs, Extensions: []schema.Schema{acmeExt},
			Required: []string{"userName", "regions", acmeURN + ":costCenter"}}},
		{"Required case-insensitive", scim.Config{Leniency: scim.Leniency{CaseInsensitiveNames: true}, Required: []string{"USERNAME", "Name.GivenName"}}},
		{"Required externalId only", scim.Config{Required: []string{"externalId"}}},
		{"Required complex name", scim.Config{Required: []string{"name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Authenticator = scim.SkipAuthentication
			if _, err := scim.NewHandler(newFakeStore(), cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

const acmeURN = "urn:example:params:scim:schemas:extension:acme:2.0:User"

// customAttrs are host-declared attributes of every supported type.
var customAttrs = []schema.Attribute{
	{Name: "regions", Type: schema.String, MultiValued: true},
	{Name: "contractor", Type: schema.Boolean},
	{Name: "level", Type: schema.Integer},
	{Name: "hiredAt", Type: schema.DateTime},
}

var acmeExt = schema.Schema{ID: acmeURN, Name: "AcmeUser", Description: "Acme's user extension",
	Attributes: []schema.Attribute{{Name: "costCenter", Type: schema.String}}}

// TestRequired checks that every path Config.Required accepts can be
// satisfied and is enforced: a required attribute the handler could never
// see as present would refuse every create.
func TestRequired(t *testing.T) {
	tests := []struct {
		required []string
		ok, bad  string // extra members of a user with and without it
	}{
		{[]string{"name"}, `,"name":{"familyName":"Lee"}`, `,"name":{}`},
		{[]string{"name.givenName"}, `,"name":{"givenName":"Ann"}`, `,"name":{"familyName":"Lee"}`},
		{[]string{"emails"}, `,"emails":[{"type":"work","value":"a@example.com"}]`, `,"emails":[]`},
		{[]string{"emails.value"}, `,"emails":[{"type":"work","value":"a@example.com"}]`, `,"emails":[{"type":"work"}]`},
		{[]string{"emails.type"}, `,"emails":[{"type":"work","value":"a@example.com"}]`, ``},
		{[]string{"emails.primary"}, `,"emails":[{"primary":true,"value":"a@example.com"}]`, ``},
		{[]string{"externalId"}, `,"externalId":"x1"`, `,"externalId":""`},
		{[]string{"displayName"}, `,"displayName":"Ann"`, ``},
		{[]string{"regions"}, `,"regions":["us1"]`, `,"regions":[]`},
		{[]string{"contractor"}, `,"contractor":false`, `,"contractor":null`},
		{[]string{acmeURN + ":costCenter"}, `,"` + acmeURN + `":{"costCenter":"cc1"}`, `,"` + acmeURN + `":{}`},
	}
	for _, tt := range tests {
		t.Run(tt.required[0], func(t *testing.T) {
			h, _ := newHandler(t, scim.Config{Required: tt.required, Attributes: customAttrs, Extensions: []schema.Schema{acmeExt}})
			body := func(extra string) string {
				return `{"schemas":["` + scim.UserURN + `"],"userName":"ann"` + extra + `}`
			}
			if rec := do(t, h, "POST", "/Users", body(tt.ok)); rec.Code != 201 {
				t.Fatalf("with %s: %d %s", tt.required[0], rec.Code, rec.Body)
			}
			e := wantError(t, do(t, h, "POST", "/Users", body(tt.bad)), 400, scim.ScimTypeInvalidValue)
			if !strings.Contains(e.Detail, tt.required[0]) {
				t.Errorf("detail %q does not name %s", e.Detail, tt.required[0])
			}
		})
	}
}

// The zero Config fails closed: a handler with no Authenticator would
// serve every request unauthenticated, so NewHandler refuses it and names
// the two ways out.
func TestNewHandlerRefusesNoAuthenticator(t *testing.T) {
	_, err := scim.NewHandler(newFakeStore(), scim.Config{})
	if err == nil || !strings.Contains(err.Error(), "Authenticator") || !strings.Contains(err.Error(), "SkipAuthentication") {
		t.Fatalf("NewHandler with no Authenticator: %v", err)
	}
	// SkipAuthentication serves the request without a token, as the host's
	// middleware in front of it has authenticated it.
	h, err := scim.NewHandler(newFakeStore(), scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	if rec := do(t, h, "GET", "/scim/v2/Users", ""); rec.Code != http.StatusOK {
		t.Errorf("no token behind SkipAuthentication: %d %s", rec.Code, rec.Body)
	}
}
