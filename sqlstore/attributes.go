package sqlstore

import (
	"slices"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// The definitions of the attributes a handler keeps in User.Custom, and
// so in Columns.Attributes when they have no column of their own: RFC
// 7643's User (its attributes beyond the typed ones) and the enterprise
// extension. Read-only after init.
var rfcUser, rfcEnterprise = schema.FullUser(), schema.EnterpriseUser()

// typedAttributes are the core attributes held in User's own fields (and
// so in columns, or not kept), never in the JSON column; name keeps its
// other parts there.
var typedAttributes = map[string]bool{"id": true, "externalId": true, "userName": true, "displayName": true,
	"active": true, "password": true, "groups": true, "meta": true, "emails": true}

// attributesColumn maps a resolved filter path to where the JSON column
// holds it (see filter.JSONPath), for an attribute of the RFC's User or
// the enterprise extension that has no column of its own. A host's own
// attributes there are not mapped: their types are not known here (map
// them in Config.Custom to filter on them).
func (s *Store) attributesColumn(p filter.AttrPath) (filter.Column, bool) {
	doc := s.cfg.Columns.Attributes
	if doc == "" {
		return filter.Column{}, false
	}
	var def *schema.Attribute
	var ok bool
	switch p.URN {
	case "":
		if typedAttributes[p.Name] {
			return filter.Column{}, false
		}
		def, ok = rfcUser.Attribute(p.Name, false)
	case schema.EnterpriseUserURN:
		def, ok = rfcEnterprise.Attribute(p.Name, false)
	}
	if !ok {
		return filter.Column{}, false
	}
	return jsonColumn(doc, def, p.Sub)
}

// jsonColumn is the column of def's sub-attribute sub ("" for def
// itself) in the JSON column doc.
func jsonColumn(doc string, def *schema.Attribute, sub string) (filter.Column, bool) {
	p := filter.AttrPath{Sub: sub}
	path := filter.JSONPath{Key: def.Name, Array: def.MultiValued}
	kind := def.Type
	switch {
	case def.Type == schema.Complex:
		// A complex attribute compared as a whole is its value, as
		// scim.User.AttrValue reads it; a value path asks for value
		// whether or not the attribute has one, for its elements.
		path.Sub = p.Sub
		if path.Sub == "" {
			path.Sub = "value"
		}
		kind = schema.String
		if sub, ok := def.SubAttribute(path.Sub, false); ok {
			kind = sub.Type
		}
	case p.Sub != "":
		return filter.Column{}, false
	}
	return filter.Column{Name: doc, Kind: kindOf(kind), JSON: &path}, true
}

// emailsColumn maps emails.value, type, primary and display when the JSON
// column may hold every e-mail (the RFC profile, or Keep "emails"): a row
// whose document has them is filtered on them, any other on the work
// e-mail's column, as scim.User.AttrValue reads such a user.
func (s *Store) emailsColumn(p filter.AttrPath, work filter.Column) (filter.Column, bool) {
	doc := s.cfg.Columns.Attributes
	if doc == "" || s.cfg.WorkEmailOnly {
		return filter.Column{}, false
	}
	def, _ := rfcUser.Attribute("emails", false)
	c, ok := jsonColumn(doc, def, p.Sub)
	if !ok {
		return c, false
	}
	email := s.cfg.Columns.Email
	if email == "" {
		return c, true
	}
	var other filter.Column
	switch p.Sub {
	case "value":
		other = work
	case "type":
		other = filter.Column{Name: "CASE WHEN " + email + " <> '' THEN 'work' END", Kind: filter.String}
	case "primary":
		other = filter.Column{Name: "CASE WHEN " + email + " <> '' THEN TRUE END", Kind: filter.Bool}
	default:
		other = filter.Column{Name: "CASE WHEN 1=0 THEN " + email + " END", Kind: filter.String}
	}
	c.Otherwise = &other
	return c, true
}

// kindOf is the filter kind of a schema type.
func kindOf(t schema.Type) filter.Kind {
	switch t {
	case schema.Boolean:
		return filter.Bool
	case schema.Integer, schema.Decimal:
		return filter.Number
	case schema.DateTime:
		return filter.DateTime
	}
	return filter.String
}

// leanColumns returns the index in cols of Columns.Attributes and the
// select list without it, when a list may leave it out: the column backs
// no other attribute, and the table has a version column (content
// versions hash every column read). Otherwise -1 and "".
func (s *Store) leanColumns() (int, string) {
	k := s.cfg.Columns
	if k.Attributes == "" || k.Version == "" {
		return -1, ""
	}
	at := -1
	for _, f := range s.fields {
		if f.attr == attributesField {
			at = f.at
		}
	}
	for _, f := range s.fields {
		if f.at == at && f.attr != attributesField {
			return -1, ""
		}
	}
	cols := []string{k.ID}
	for i, c := range s.cols {
		if i != at {
			cols = append(cols, c.name)
		}
	}
	return at, strings.Join(append(cols, k.Version), ", ")
}

// columnAttributes are the top-level attributes never held in the JSON
// column: User's typed fields but name (whose other parts are) and emails
// (all of which may be).
var columnAttributes = []string{"id", "externalId", "userName", "displayName", "active", "meta", "password", "groups"}

// leanList reports whether a list for q leaves the JSON column out (not
// selected, not decoded): q.Attributes lists no attribute the column may
// hold. That is every attribute but the typed ones, those of Config.Custom
// and, with WorkEmailOnly, emails: name.formatted and the others live
// there, and a host's own attributes as well as the RFC's.
func (s *Store) leanList(q scim.Query) bool {
	if s.attrsAt < 0 || q.Attributes == nil {
		return false
	}
	for _, a := range q.Attributes {
		name := a
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			name = a[i+1:] // Config.Custom matches whatever URN
		} else if slices.Contains(columnAttributes, a) || a == "emails" && s.cfg.WorkEmailOnly {
			continue
		}
		if !slices.ContainsFunc(s.cfg.Custom, func(c Custom) bool { return c.Name == name }) {
			return false
		}
	}
	return true
}
