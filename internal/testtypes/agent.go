package testtypes

import (
	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// AgentURN is the Agent's core schema.
const AgentURN = "urn:ietf:params:scim:schemas:core:2.0:Agent"

// Agent is an AI agent's identity in the shape of the IETF agent drafts,
// as the demo declares it: name required and unique in a tenant, owners
// referring to users and groups (a deleted owner leaves the list).
func Agent() scim.ResourceType {
	str := func(name string, required bool, u schema.Uniqueness) schema.Attribute {
		return schema.Attribute{Name: name, Type: schema.String, Required: required, Mutability: schema.ReadWrite, Returned: schema.Default, Uniqueness: u}
	}
	owners := schema.Attribute{Name: "owners", Type: schema.Complex, MultiValued: true, Mutability: schema.ReadWrite, Returned: schema.Default,
		SubAttributes: []schema.Attribute{
			{Name: "value", Type: schema.String, Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "$ref", Type: schema.Reference, ReferenceTypes: []string{"User", "Group"}, Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "type", Type: schema.String, CanonicalValues: []string{"User", "Group"}, Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "display", Type: schema.String, Mutability: schema.ReadOnly, Returned: schema.Default},
		}}
	return scim.ResourceType{
		Name: "Agent", Endpoint: "Agents", Description: "AI agent identity",
		Schema: schema.Schema{ID: AgentURN, Name: "Agent", Description: "An AI agent", Attributes: []schema.Attribute{
			str("name", true, schema.Server),
			str("displayName", false, schema.None),
			str("agentType", false, schema.None),
			{Name: "active", Type: schema.Boolean, Mutability: schema.ReadWrite, Returned: schema.Default},
			str("description", false, schema.None),
			owners,
		}},
	}
}
