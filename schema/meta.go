package schema

// The URNs of the schemas that describe the discovery resources.
const (
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

func ro(name string, t Type, sub ...Attribute) Attribute {
	return Attribute{Name: name, Type: t, Mutability: ReadOnly, SubAttributes: sub}
}

func roMulti(name string, t Type, sub ...Attribute) Attribute {
	a := ro(name, t, sub...)
	a.MultiValued = true
	return a
}

func supported(name string, extra ...Attribute) Attribute {
	return ro(name, Complex, append([]Attribute{ro("supported", Boolean)}, extra...)...)
}

// ServiceProviderConfigSchema describes /ServiceProviderConfig (RFC 7643
// §5, with RFC 9865's pagination).
func ServiceProviderConfigSchema() Schema {
	return Schema{
		ID: ServiceProviderConfigURN, Name: "Service Provider Configuration",
		Description: "Schema for representing the service provider's configuration",
		Attributes: []Attribute{
			ro("documentationUri", Reference),
			supported("patch"),
			supported("bulk", ro("maxOperations", Integer), ro("maxPayloadSize", Integer)),
			supported("filter", ro("maxResults", Integer)),
			supported("changePassword"),
			supported("sort"),
			supported("etag"),
			// RFC 9865 §4: how the service provider pages lists.
			ro("pagination", Complex, ro("cursor", Boolean), ro("index", Boolean),
				ro("defaultPaginationMethod", String), ro("defaultPageSize", Integer),
				ro("maxPageSize", Integer), ro("cursorTimeout", Integer)),
			roMulti("authenticationSchemes", Complex,
				ro("type", String), ro("name", String), ro("description", String),
				ro("specUri", Reference), ro("documentationUri", Reference), ro("primary", Boolean)),
		},
	}
}

// ResourceTypeSchema describes /ResourceTypes (RFC 7643 §6).
func ResourceTypeSchema() Schema {
	return Schema{
		ID: ResourceTypeURN, Name: "ResourceType",
		Description: "Specifies the schema that describes a SCIM resource type",
		Attributes: []Attribute{
			ro("id", String), ro("name", String), ro("description", String),
			ro("endpoint", Reference), ro("schema", Reference),
			roMulti("schemaExtensions", Complex, ro("schema", Reference), ro("required", Boolean)),
		},
	}
}

// SchemaSchema describes /Schemas itself (RFC 7643 §7).
func SchemaSchema() Schema {
	attr := []Attribute{
		ro("name", String), ro("type", String), ro("multiValued", Boolean), ro("description", String),
		ro("required", Boolean), roMulti("canonicalValues", String), ro("caseExact", Boolean),
		ro("mutability", String), ro("returned", String), ro("uniqueness", String),
		roMulti("referenceTypes", String),
	}
	return Schema{
		ID: SchemaURN, Name: "Schema", Description: "Specifies the schema attributes",
		Attributes: []Attribute{
			ro("id", String), ro("name", String), ro("description", String),
			roMulti("attributes", Complex, append(attr, roMulti("subAttributes", String))...),
		},
	}
}
