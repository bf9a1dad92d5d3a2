package scim_test

import (
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
	"github.com/scimkit/scim/scimtest"
)

// TestLimitsEveryAttribute attacks every attribute /Schemas advertises,
// in every profile and with the host's own attributes and extension:
// scimtest.TestLimits derives its cases from /Schemas, so an attribute
// added to any schema is attacked with no change here.
func TestLimitsEveryAttribute(t *testing.T) {
	for _, c := range limitsConfigs() {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Authenticator = scim.SkipAuthentication
			h, err := scim.NewHandler(memstore.New(), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			scimtest.TestLimits(t, h, scimtest.LimitsOptions{Limits: c.cfg.Limits})
		})
	}
}

type limitsConfig struct {
	name string
	cfg  scim.Config
}

// limitsConfigs are the handler configurations whose schemas differ:
// strict, strict keeping every RFC attribute, the RFC profile, each with
// the host's attributes and an extension.
func limitsConfigs() []limitsConfig {
	host := []schema.Attribute{
		{Name: "regions", Type: schema.String, MultiValued: true},
		{Name: "costCode", Type: schema.String},
		{Name: "badges", Type: schema.Integer, MultiValued: true},
	}
	ext := schema.Schema{ID: "urn:example:params:scim:schemas:extension:acme:2.0:User", Name: "Acme", Attributes: []schema.Attribute{
		{Name: "nicknames", Type: schema.String, MultiValued: true},
		{Name: "office", Type: schema.String},
	}}
	var keep []string
	for _, a := range schema.FullUser().Attributes {
		if a.Mutability != schema.ReadOnly && a.Mutability != schema.WriteOnly {
			keep = append(keep, a.Name)
		}
	}
	for _, a := range schema.EnterpriseUser().Attributes {
		keep = append(keep, schema.EnterpriseUserURN+":"+a.Name)
	}
	return []limitsConfig{
		{"strict", scim.Config{}},
		{"strict with host attributes", scim.Config{Attributes: host, Extensions: []schema.Schema{ext}}},
		{"strict keeping every RFC attribute", scim.Config{Keep: keep, Attributes: host, Extensions: []schema.Schema{ext}}},
		{"RFC profile", scim.Config{Profile: scim.ProfileRFC}},
		{"RFC profile with host attributes", scim.Config{Profile: scim.ProfileRFC, Attributes: host, Extensions: []schema.Schema{ext}}},
		{"RFC profile, small limits", scim.Config{Profile: scim.ProfileRFC, Limits: scim.Limits{MaxStringLength: 64, MaxValues: 20, MaxResourceBytes: 4096}}},
		{"a declared resource type", scim.Config{ResourceTypes: []scim.ResourceType{agentWithExtension()}}},
	}
}

// agentWithExtension is the demo's Agent type with an extension of the
// host's, so that the limits reach a declared type's extension too.
func agentWithExtension() scim.ResourceType {
	d := agentType()
	d.Extensions = []schema.Schema{{ID: "urn:example:params:scim:schemas:extension:acme:2.0:Agent", Name: "AcmeAgent", Attributes: []schema.Attribute{
		{Name: "scopes", Type: schema.String, MultiValued: true},
		{Name: "costCenter", Type: schema.String},
	}}}
	return d
}
