package schema

import (
	"fmt"
	"strings"
)

// Type is an attribute's data type (RFC 7643 §2.3).
type Type string

// The attribute data types of RFC 7643 §2.3.
const (
	String    Type = "string"
	Boolean   Type = "boolean"
	Decimal   Type = "decimal"
	Integer   Type = "integer"
	DateTime  Type = "dateTime"
	Reference Type = "reference"
	Binary    Type = "binary"
	Complex   Type = "complex"
)

// Mutability says whether and how an attribute may be written (RFC 7643 §7).
type Mutability string

// The mutability values. The zero value means ReadWrite.
const (
	ReadWrite Mutability = "readWrite"
	ReadOnly  Mutability = "readOnly"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute is returned (RFC 7643 §7).
type Returned string

// The returned values. The zero value means Default.
const (
	Default Returned = "default"
	Always  Returned = "always"
	Never   Returned = "never"
	Request Returned = "request"
)

// Uniqueness says how an attribute's values must be unique (RFC 7643 §7).
type Uniqueness string

// The uniqueness values. The zero value means None.
const (
	None   Uniqueness = "none"
	Server Uniqueness = "server"
	Global Uniqueness = "global"
)

// Attribute defines one attribute of a schema (RFC 7643 §7). It is plain
// data: the zero values of Mutability, Returned and Uniqueness mean
// readWrite, default and none.
type Attribute struct {
	// Name is the attribute's name, e.g. "regions" (RFC 7643 §2.1).
	Name string
	// Type is its data type.
	Type Type
	// MultiValued says the attribute holds a list of values.
	MultiValued bool
	// Description is served in /Schemas.
	Description string
	// Required makes a create or replace without a value a 400.
	Required bool
	// CaseExact makes string comparisons in filters case-sensitive.
	CaseExact bool
	// Mutability: readOnly values in input are ignored; immutable ones
	// may be set once and then not changed; writeOnly ones are never
	// returned.
	Mutability Mutability
	// Returned: "never" and "request" values are left out of responses.
	Returned Returned
	// Uniqueness is served in /Schemas; the scim handler accepts only
	// "none" for host-declared attributes (only userName is kept unique).
	Uniqueness Uniqueness
	// CanonicalValues are the suggested values, served in /Schemas.
	CanonicalValues []string
	// ReferenceTypes are the kinds of resource a reference names.
	ReferenceTypes []string
	// SubAttributes are the members of a Complex attribute.
	SubAttributes []Attribute
}

// Schema is a SCIM schema (RFC 7643 §7): a URN and its attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []Attribute
}

// Validate reports the first problem that makes s unusable: an ID that is
// not a URN, an empty, malformed or duplicate attribute name (compared
// case-insensitively, since RFC 7643 §2.1 names are), an unknown type, a
// complex attribute without sub-attributes or nested complex attributes.
func (s *Schema) Validate() error {
	if !strings.HasPrefix(s.ID, "urn:") {
		return fmt.Errorf("schema: id %q is not a URN", s.ID)
	}
	return validateAttributes(s.ID, s.Attributes, true)
}

func validateAttributes(where string, attrs []Attribute, top bool) error {
	seen := make(map[string]string, len(attrs))
	for i := range attrs {
		a := &attrs[i]
		if !ValidName(a.Name) {
			return fmt.Errorf("schema: %s: attribute name %q is not a valid SCIM attribute name", where, a.Name)
		}
		if prev, dup := seen[strings.ToLower(a.Name)]; dup {
			return fmt.Errorf("schema: %s: attribute %q is declared twice (as %q and %q)", where, a.Name, prev, a.Name)
		}
		seen[strings.ToLower(a.Name)] = a.Name
		if err := a.validate(where, top); err != nil {
			return err
		}
	}
	return nil
}

func (a *Attribute) validate(where string, top bool) error {
	switch a.Type {
	case String, Boolean, Decimal, Integer, DateTime, Reference, Binary:
		if len(a.SubAttributes) > 0 {
			return fmt.Errorf("schema: %s: attribute %q of type %s has sub-attributes", where, a.Name, a.Type)
		}
	case Complex:
		if !top {
			return fmt.Errorf("schema: %s: complex attribute %q is nested in another complex attribute", where, a.Name)
		}
		if len(a.SubAttributes) == 0 {
			return fmt.Errorf("schema: %s: complex attribute %q has no sub-attributes", where, a.Name)
		}
		return validateAttributes(where+":"+a.Name, a.SubAttributes, false)
	default:
		return fmt.Errorf("schema: %s: attribute %q has unknown type %q", where, a.Name, a.Type)
	}
	switch a.Mutability {
	case "", ReadWrite, ReadOnly, Immutable, WriteOnly:
	default:
		return fmt.Errorf("schema: %s: attribute %q has unknown mutability %q", where, a.Name, a.Mutability)
	}
	switch a.Returned {
	case "", Default, Always, Never, Request:
	default:
		return fmt.Errorf("schema: %s: attribute %q has unknown returned %q", where, a.Name, a.Returned)
	}
	switch a.Uniqueness {
	case "", None, Server, Global:
	default:
		return fmt.Errorf("schema: %s: attribute %q has unknown uniqueness %q", where, a.Name, a.Uniqueness)
	}
	return nil
}

// ValidName reports whether name is a valid attribute name (RFC 7643 §2.1):
// a letter followed by letters, digits, '-' and '_', or "$ref".
func ValidName(name string) bool {
	if name == "$ref" {
		return true
	}
	if name == "" || !isAlpha(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Attribute returns the attribute named name, compared exactly when fold is
// false and case-insensitively when it is true.
func (s *Schema) Attribute(name string, fold bool) (*Attribute, bool) {
	return find(s.Attributes, name, fold)
}

// SubAttribute returns the sub-attribute of a named name.
func (a *Attribute) SubAttribute(name string, fold bool) (*Attribute, bool) {
	return find(a.SubAttributes, name, fold)
}

func find(attrs []Attribute, name string, fold bool) (*Attribute, bool) {
	for i := range attrs {
		if attrs[i].Name == name || fold && strings.EqualFold(attrs[i].Name, name) {
			return &attrs[i], true
		}
	}
	return nil, false
}
