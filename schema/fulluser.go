package schema

// EnterpriseUserURN is the URN of the enterprise User extension (RFC 7643
// §4.3).
const EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// FullUser returns the whole core User schema of RFC 7643 §4.1 (as its
// §8.7.1 representation defines it), for the RFC profile, with the
// host's custom attributes appended. Its attributes are also what a host
// in the strict profile may opt in to, one by one.
func FullUser(custom ...Attribute) Schema {
	str := func(name, desc string) Attribute { return Attribute{Name: name, Type: String, Description: desc} }
	ref := func(name, desc string, types ...string) Attribute {
		return Attribute{Name: name, Type: Reference, Description: desc, ReferenceTypes: types}
	}
	typ := func(values ...string) Attribute {
		return Attribute{Name: "type", Type: String, CanonicalValues: values, Description: "A label indicating the attribute's function."}
	}
	primary := Attribute{Name: "primary", Type: Boolean, Description: "Indicates the primary value; true at most once in the attribute."}
	display := Attribute{Name: "display", Type: String, Description: "A human-readable name, primarily used for display purposes."}
	multi := func(name, desc string, value Attribute, types ...string) Attribute {
		value.Name = "value"
		return Attribute{Name: name, Type: Complex, MultiValued: true, Description: desc,
			SubAttributes: []Attribute{value, display, typ(types...), primary}}
	}
	attrs := []Attribute{
		{Name: "userName", Type: String, Required: true, Uniqueness: Server,
			Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Compared case-insensitively."},
		{Name: "name", Type: Complex, Description: "The components of the user's real name.",
			SubAttributes: []Attribute{
				str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
				str("familyName", "The family name of the User."),
				str("givenName", "The given name of the User."),
				str("middleName", "The middle name(s) of the User."),
				str("honorificPrefix", "The honorific prefix(es) of the User."),
				str("honorificSuffix", "The honorific suffix(es) of the User."),
			}},
		str("displayName", "The name of the User, suitable for display to end-users."),
		str("nickName", "The casual way to address the user in real life."),
		ref("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", "external"),
		str("title", "The user's title, such as \"Vice President\"."),
		str("userType", "Used to identify the relationship between the organization and the user."),
		str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
		str("locale", "Used to indicate the User's default location for purposes of localizing items."),
		str("timezone", "The User's time zone in the \"Olson\" time zone database format."),
		{Name: "active", Type: Boolean, Description: "The User's administrative status."},
		{Name: "password", Type: String, Mutability: WriteOnly, Returned: Never,
			Description: "Accepted for compatibility with identity providers that send one; never stored or returned."},
		multi("emails", "Email addresses for the user.", Attribute{Type: String, Description: "Email address for the User."}, "work", "home", "other"),
		multi("phoneNumbers", "Phone numbers for the User.", Attribute{Type: String, Description: "Phone number of the User."}, "work", "home", "mobile", "fax", "pager", "other"),
		multi("ims", "Instant messaging addresses for the User.", Attribute{Type: String, Description: "Instant messaging address for the User."}, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
		multi("photos", "URLs of photos of the User.", Attribute{Type: Reference, ReferenceTypes: []string{"external"}, Description: "URL of a photo of the User."}, "photo", "thumbnail"),
		{Name: "addresses", Type: Complex, MultiValued: true, Description: "A physical mailing address for this User.",
			SubAttributes: []Attribute{
				str("formatted", "The full mailing address, formatted for display or use with a mailing label."),
				str("streetAddress", "The full street address component."),
				str("locality", "The city or locality component."),
				str("region", "The state or region component."),
				str("postalCode", "The zip code or postal code component."),
				str("country", "The country name component."),
				typ("work", "home", "other"),
				primary,
			}},
		UserGroups(),
		multi("entitlements", "A list of entitlements for the User that represent a thing the User has.", Attribute{Type: String, Description: "The value of an entitlement."}),
		multi("roles", "A list of roles for the User that collectively represent who the User is.", Attribute{Type: String, Description: "The value of a role."}),
		multi("x509Certificates", "A list of certificates issued to the User.", Attribute{Type: Binary, Description: "The value of an X.509 certificate."}),
	}
	return Schema{ID: UserURN, Name: "User", Description: "User Account", Attributes: append(attrs, custom...)}
}

// EnterpriseUser returns the enterprise User extension of RFC 7643 §4.3.
func EnterpriseUser() Schema {
	str := func(name, desc string) Attribute { return Attribute{Name: name, Type: String, Description: desc} }
	return Schema{
		ID: EnterpriseUserURN, Name: "EnterpriseUser", Description: "Enterprise User",
		Attributes: []Attribute{
			str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
			str("costCenter", "Identifies the name of a cost center."),
			str("organization", "Identifies the name of an organization."),
			str("division", "Identifies the name of a division."),
			str("department", "Identifies the name of a department."),
			{Name: "manager", Type: Complex, Description: "The User's manager. A bare string is taken as the manager's id.",
				SubAttributes: []Attribute{
					{Name: "value", Type: String, Description: "The id of the SCIM resource representing the User's manager."},
					{Name: "$ref", Type: Reference, ReferenceTypes: []string{"User"}, Description: "The URI of the SCIM resource representing the User's manager."},
					{Name: "displayName", Type: String, Description: "The displayName of the User's manager, kept as the client sent it."},
				}},
		},
	}
}
