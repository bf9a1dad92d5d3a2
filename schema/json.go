package schema

import "encoding/json"

// attributeJSON is an attribute in the representation of RFC 7643 §7, with
// every default spelled out, as clients such as Entra's validator expect.
type attributeJSON struct {
	Name            string          `json:"name"`
	Type            Type            `json:"type"`
	MultiValued     bool            `json:"multiValued"`
	Description     string          `json:"description,omitempty"`
	Required        bool            `json:"required"`
	CaseExact       bool            `json:"caseExact"`
	Mutability      Mutability      `json:"mutability"`
	Returned        Returned        `json:"returned"`
	Uniqueness      Uniqueness      `json:"uniqueness"`
	CanonicalValues []string        `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string        `json:"referenceTypes,omitempty"`
	SubAttributes   []attributeJSON `json:"subAttributes,omitempty"`
}

func toJSON(attrs []Attribute) []attributeJSON {
	out := make([]attributeJSON, len(attrs))
	for i, a := range attrs {
		out[i] = attributeJSON{
			Name: a.Name, Type: a.Type, MultiValued: a.MultiValued, Description: a.Description,
			Required: a.Required, CaseExact: a.CaseExact,
			Mutability: or(a.Mutability, ReadWrite), Returned: or(a.Returned, Default),
			Uniqueness: or(a.Uniqueness, None), CanonicalValues: a.CanonicalValues,
			ReferenceTypes: a.ReferenceTypes, SubAttributes: toJSON(a.SubAttributes),
		}
		if len(out[i].SubAttributes) == 0 {
			out[i].SubAttributes = nil
		}
	}
	return out
}

func or[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}

// Resource is the representation of s served at /Schemas/{id} (RFC 7643
// §7), with meta.location set to location.
func (s *Schema) Resource(location string) any {
	return struct {
		Schemas     []string        `json:"schemas"`
		ID          string          `json:"id"`
		Name        string          `json:"name,omitempty"`
		Description string          `json:"description,omitempty"`
		Attributes  []attributeJSON `json:"attributes"`
		Meta        resourceMeta    `json:"meta"`
	}{
		Schemas: []string{SchemaURN}, ID: s.ID, Name: s.Name, Description: s.Description,
		Attributes: toJSON(s.Attributes), Meta: resourceMeta{ResourceType: "Schema", Location: location},
	}
}

type resourceMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// MarshalJSON writes s as /Schemas/{id} does, without meta.
func (s *Schema) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Schemas     []string        `json:"schemas"`
		ID          string          `json:"id"`
		Name        string          `json:"name,omitempty"`
		Description string          `json:"description,omitempty"`
		Attributes  []attributeJSON `json:"attributes"`
	}{[]string{SchemaURN}, s.ID, s.Name, s.Description, toJSON(s.Attributes)})
}
