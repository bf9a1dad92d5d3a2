// Package schema defines SCIM schemas as plain data (RFC 7643 §7): the core
// User schema scimkit serves, the schemas of the discovery resources, and the
// attributes a host declares for itself.
//
// # Declaring attributes
//
// A host adds attributes with scim.Config.Attributes (in the core User
// schema) or scim.Config.Extensions (in extension schemas with their own
// URN), as Attribute values. Schema.Validate checks a schema once, when the
// handler is built; nothing in this package panics on bad input.
//
// # Names
//
// Attribute names are compared exactly by default; Schema.Attribute with
// fold set compares them case-insensitively, as RFC 7643 §2.1 allows.
package schema
