package demo

import (
	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// AgentURN is the schema of the demo's /Agents: the core Agent schema of
// both IETF agent drafts.
const AgentURN = "urn:ietf:params:scim:schemas:core:2.0:Agent"

// AgentType declares /Agents: an AI agent's identity, in the shape of the
// two IETF drafts that Okta and Microsoft co-author,
// draft-abbey-scim-agent-extension-00 (Okta; "abbey" below) and
// draft-wzdk-scim-agent-resource-00 (Microsoft, Okta, Nextident; "wzdk").
// Both name the resource type "Agent", its endpoint /Agents and its schema
// AgentURN.
//
// The drafts are drafts. When an RFC is published, following it is a change
// of this declaration (an attribute renamed, added or dropped), not a
// scimkit release: the handler serves whatever a host declares.
//
// The demo keeps the attributes an identity provider provisions; the
// drafts' entitlements, roles, groups, applications, subject,
// x509Certificates, protocols and parent are left out.
func AgentType() scim.ResourceType {
	str := func(name, description string) schema.Attribute {
		return schema.Attribute{Name: name, Type: schema.String, Description: description,
			Mutability: schema.ReadWrite, Returned: schema.Default, Uniqueness: schema.None}
	}
	// name: abbey §"Agent Core Schema" and its schema JSON: REQUIRED,
	// caseExact false, readWrite, uniqueness server. (Texts citing wzdk-00
	// call its unique identifier agentUserName; if the RFC does, rename it
	// here.)
	name := str("name", "Unique identifier of the agent within the tenant, typically used by the agent to authenticate. REQUIRED.")
	name.Required, name.Uniqueness = true, schema.Server
	// owners: abbey's and wzdk's accountable parties, Users or Groups.
	// abbey's schema JSON marks owners read-only; the demo lets the
	// identity provider write them, as it writes a group's members. type
	// tells a User owner from a Group owner, as RFC 7643 §4.2's members
	// do; display is the server's.
	owners := schema.Attribute{Name: "owners", Type: schema.Complex, MultiValued: true,
		Description: "The users and groups accountable for the agent.",
		Mutability:  schema.ReadWrite, Returned: schema.Default,
		SubAttributes: []schema.Attribute{
			{Name: "value", Type: schema.String, Description: "The id of the owning User or Group.", Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "$ref", Type: schema.Reference, ReferenceTypes: []string{"User", "Group"}, Description: "The URI of the owning User or Group.", Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "type", Type: schema.String, CanonicalValues: []string{"User", "Group"}, Description: "User or Group.", Mutability: schema.ReadWrite, Returned: schema.Default},
			{Name: "display", Type: schema.String, Description: "The owner's display name.", Mutability: schema.ReadOnly, Returned: schema.Default},
		}}
	return scim.ResourceType{
		Name: "Agent", Endpoint: "Agents", Description: "AI agent identities",
		Schema: schema.Schema{ID: AgentURN, Name: "Agent", Description: "An AI agent", Attributes: []schema.Attribute{
			name,
			// displayName, description: abbey (and wzdk).
			str("displayName", "The agent's display name; when unassigned, name may be shown."),
			// agentType: abbey; no canonical values.
			str("agentType", "Classifies like agents, e.g. Assistant; any value may be used."),
			// active: abbey (and wzdk).
			{Name: "active", Type: schema.Boolean, Description: "The agent's administrative status: false means it may not authenticate.",
				Mutability: schema.ReadWrite, Returned: schema.Default},
			str("description", "The description of the agent."),
			owners,
		}},
	}
}
