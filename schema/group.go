package schema

// GroupURN is the URN of the core Group schema.
const GroupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"

// Group returns the core Group schema of RFC 7643 §4.2 as scimkit serves
// it: displayName and members. A member's display, which Okta sends, is
// not kept (the member's own resource has it) and so not advertised.
func Group() Schema {
	return Schema{
		ID:          GroupURN,
		Name:        "Group",
		Description: "Group",
		Attributes: []Attribute{
			{Name: "displayName", Type: String, Required: true,
				Description: "A human-readable name for the Group. Compared case-insensitively in filters; not unique."},
			{Name: "members", Type: Complex, MultiValued: true,
				Description: "A list of members of the Group: users, or groups for nesting.",
				SubAttributes: []Attribute{
					{Name: "value", Type: String, CaseExact: true, Mutability: Immutable,
						Description: "Identifier of the member of this Group."},
					{Name: "$ref", Type: Reference, CaseExact: true, Mutability: Immutable, ReferenceTypes: []string{"User", "Group"},
						Description: "The URI corresponding to a SCIM resource that is a member of this Group."},
					{Name: "type", Type: String, Mutability: Immutable, CanonicalValues: []string{"User", "Group"},
						Description: "A label indicating the type of resource, e.g., 'User' or 'Group'."},
				}},
		},
	}
}

// UserGroups is the User schema's groups attribute as a service provider
// that serves Groups describes it (RFC 7643 §4.1.2): read-only, managed
// through the groups' members.
func UserGroups() Attribute {
	return Attribute{Name: "groups", Type: Complex, MultiValued: true, Mutability: ReadOnly,
		Description: "A list of groups to which the user belongs, either through direct membership or through nested groups; read-only, changed through the Group's members.",
		SubAttributes: []Attribute{
			{Name: "value", Type: String, CaseExact: true, Mutability: ReadOnly, Description: "The identifier of the User's group."},
			{Name: "$ref", Type: Reference, CaseExact: true, Mutability: ReadOnly, ReferenceTypes: []string{"Group"}, Description: "The URI of the corresponding 'Group' resource to which the user belongs."},
			{Name: "display", Type: String, Mutability: ReadOnly, Description: "A human-readable name of the group."},
			{Name: "type", Type: String, Mutability: ReadOnly, CanonicalValues: []string{"direct"}, Description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'."},
		}}
}
