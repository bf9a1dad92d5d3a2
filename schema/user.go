package schema

// UserURN is the URN of the core User schema.
const UserURN = "urn:ietf:params:scim:schemas:core:2.0:User"

// User returns the core User schema as scimkit serves it: the attributes of
// RFC 7643 §4.1 that identity providers provision and scimkit stores, plus
// password (write-only, never stored or returned) and groups (read-only),
// which Okta sends and which are therefore known rather than unknown. custom
// are host-declared attributes appended to it.
func User(custom ...Attribute) Schema {
	attrs := []Attribute{
		{Name: "userName", Type: String, Required: true, Uniqueness: Server,
			Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Compared case-insensitively."},
		{Name: "name", Type: Complex, Description: "The components of the user's real name.",
			SubAttributes: []Attribute{
				{Name: "givenName", Type: String, Description: "The given name of the User."},
				{Name: "familyName", Type: String, Description: "The family name of the User."},
			}},
		{Name: "displayName", Type: String,
			Description: "The name of the User, suitable for display to end-users. Defaults to \"givenName familyName\"."},
		{Name: "emails", Type: Complex, MultiValued: true,
			Description: "Email addresses for the user. The element of type \"work\" is kept.",
			SubAttributes: []Attribute{
				{Name: "value", Type: String, Description: "Email address for the User."},
				{Name: "type", Type: String, CanonicalValues: []string{"work"},
					Description: "A label indicating the attribute's function; only \"work\" is stored."},
				{Name: "primary", Type: Boolean, Description: "Indicates the primary email address."},
			}},
		{Name: "active", Type: Boolean, Description: "The User's administrative status."},
		{Name: "password", Type: String, Mutability: WriteOnly, Returned: Never,
			Description: "Accepted for compatibility with identity providers that send one; never stored or returned."},
		{Name: "groups", Type: Complex, MultiValued: true, Mutability: ReadOnly,
			Description: "Groups are not provisioned by this service provider; ignored on input.",
			SubAttributes: []Attribute{
				{Name: "value", Type: String, Mutability: ReadOnly, Description: "The identifier of the User's group."},
				{Name: "display", Type: String, Mutability: ReadOnly, Description: "A human-readable name of the group."},
			}},
	}
	return Schema{
		ID:          UserURN,
		Name:        "User",
		Description: "User Account",
		Attributes:  append(attrs, custom...),
	}
}

// Common returns the attributes every resource has (RFC 7643 §3.1): id,
// externalId and meta. They are not part of any schema's attribute list.
func Common() []Attribute {
	return []Attribute{
		{Name: "id", Type: String, CaseExact: true, Mutability: ReadOnly, Returned: Always, Uniqueness: Server,
			Description: "Unique identifier for the resource, assigned by the service provider."},
		{Name: "externalId", Type: String, CaseExact: true,
			Description: "Identifier for the resource as defined by the provisioning client."},
		{Name: "meta", Type: Complex, Mutability: ReadOnly, Description: "Resource metadata.",
			SubAttributes: []Attribute{
				{Name: "resourceType", Type: String, CaseExact: true, Mutability: ReadOnly},
				{Name: "created", Type: DateTime, Mutability: ReadOnly},
				{Name: "lastModified", Type: DateTime, Mutability: ReadOnly},
				{Name: "location", Type: Reference, CaseExact: true, Mutability: ReadOnly, ReferenceTypes: []string{"uri"}},
				{Name: "version", Type: String, CaseExact: true, Mutability: ReadOnly},
			}},
	}
}
