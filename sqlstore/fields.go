package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// A field is one attribute the table keeps, and its column.
type field struct {
	attr   string // the attribute's path: "userName", "name.givenName", or a custom name
	col    string
	kind   filter.Kind
	multi  bool
	custom int // index in Config.Custom, or -1
	at     int // index of col in Store.cols
}

// A column the store reads, which backs one or more fields.
type column struct {
	name  string
	kind  filter.Kind
	multi bool
}

// The attributes of the core User and the Columns field of each, in the
// order of the fields.
func coreFields(k Columns) []field {
	return []field{
		{attr: "externalId", col: k.ExternalID, kind: filter.String},
		{attr: "userName", col: k.UserName, kind: filter.String},
		{attr: "name.givenName", col: k.GivenName, kind: filter.String},
		{attr: "name.familyName", col: k.FamilyName, kind: filter.String},
		{attr: "displayName", col: k.DisplayName, kind: filter.String},
		{attr: "emails", col: k.Email, kind: filter.String},
		{attr: "active", col: k.Active, kind: filter.Bool},
		{attr: "meta.created", col: k.Created, kind: filter.DateTime},
		{attr: "meta.lastModified", col: k.LastModified, kind: filter.DateTime},
	}
}

// allFields are the kept fields of c (which has its defaults), core then
// custom, with at filled in, and the distinct columns they read.
func (c Config) allFields() ([]field, []column) {
	var fields []field
	for _, f := range coreFields(c.Columns) {
		if f.col != "" {
			f.custom = -1
			fields = append(fields, f)
		}
	}
	for i, a := range c.Custom {
		fields = append(fields, field{attr: a.Name, col: a.Column, kind: a.Kind, multi: a.Multi, custom: i})
	}
	if c.Columns.Attributes != "" {
		fields = append(fields, field{attr: attributesField, col: c.Columns.Attributes, kind: filter.String, custom: -1})
	}
	var cols []column
	for i := range fields {
		f := &fields[i]
		f.at = slices.IndexFunc(cols, func(c column) bool { return sameColumn(c.name, f.col) })
		if f.at < 0 {
			f.at = len(cols)
			cols = append(cols, column{name: f.col, kind: f.kind, multi: f.multi})
		}
	}
	return fields, cols
}

// sameColumn reports whether two configured names name one column:
// unquoted identifiers compare ignoring case, as the databases compare
// them.
func sameColumn(a, b string) bool {
	if strings.ContainsAny(a, "\"`") || strings.ContainsAny(b, "\"`") {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// checkShared refuses a column that backs attributes which cannot share
// it: only single-valued strings can (userName and the work e-mail in one
// "email" column), since one value must serve them all.
func (c Config) checkShared() error {
	k := c.Columns
	fields, _ := c.allFields()
	reserved := map[string]string{"Columns.ID": k.ID, "Columns.Version": k.Version, "Columns.Tenant": k.Tenant,
		"Columns.UserNameLower": k.UserNameLower, "Columns.EmailLower": k.EmailLower}
	for i, f := range fields {
		for name, col := range reserved {
			if col != "" && sameColumn(col, f.col) {
				return fmt.Errorf("sqlstore: Config.%s %q is also the column of %s", name, col, f.attr)
			}
		}
		for _, g := range fields[:i] {
			if g.at != f.at {
				continue
			}
			if f.kind != filter.String || g.kind != filter.String || f.multi || g.multi {
				return fmt.Errorf("sqlstore: %s and %s are both in column %q; only single-valued string attributes can share a column", g.attr, f.attr, f.col)
			}
		}
	}
	return nil
}

// get returns f's value in u as it is written: nil for an empty value.
func (f field) get(cfg *Config, u *scim.User) (any, error) {
	switch f.attr {
	case "externalId":
		return nullString(u.ExternalID), nil
	case "userName":
		return u.UserName, nil
	case "name.givenName":
		return nullString(u.GivenName), nil
	case "name.familyName":
		return nullString(u.FamilyName), nil
	case "displayName":
		return nullString(u.DisplayName), nil
	case "emails":
		return nullString(u.Email), nil
	case "active":
		return u.Active, nil
	case "meta.created":
		return nullTime(u.Meta.Created), nil
	case "meta.lastModified":
		return nullTime(u.Meta.LastModified), nil
	case attributesField:
		return attributesValue(cfg, u)
	}
	return customValue(cfg.Custom[f.custom], u.Custom[cfg.Custom[f.custom].Name])
}

var errWorkEmailOnly = errors.New("sqlstore: Config.WorkEmailOnly is set, but the handler keeps every e-mail (scim.ProfileRFC, or \"emails\" in scim.Config.Keep): unset it, so that emails filters read the e-mails in Columns.Attributes")

// attributesField is the field of Columns.Attributes, the JSON column.
const attributesField = "(attributes)"

// attributesValue is the JSON of the custom attributes that have no
// column of their own; nil when there are none.
func attributesValue(cfg *Config, u *scim.User) (any, error) {
	rest := make(map[string]any, len(u.Custom))
	for k, v := range u.Custom {
		if !slices.ContainsFunc(cfg.Custom, func(a Custom) bool { return a.Name == k }) {
			rest[k] = v
		}
	}
	if len(rest) == 0 {
		return nil, nil
	}
	if _, ok := rest["emails"]; ok && cfg.WorkEmailOnly {
		return nil, errWorkEmailOnly
	}
	data, err := scim.MarshalCustom(rest)
	if err != nil {
		return nil, err
	}
	return string(data), nil
}

// set stores v, as read from f's column (nil, string, bool, int64 or
// time.Time), in u.
func (f field) set(cfg *Config, u *scim.User, v any) {
	str, _ := v.(string)
	switch f.attr {
	case "externalId":
		u.ExternalID = str
	case "userName":
		u.UserName = str
	case "name.givenName":
		u.GivenName = str
	case "name.familyName":
		u.FamilyName = str
	case "displayName":
		u.DisplayName = str
	case "emails":
		u.Email = str
	case "active":
		u.Active, _ = v.(bool)
	case "meta.created":
		u.Meta.Created, _ = v.(time.Time)
	case "meta.lastModified":
		u.Meta.LastModified, _ = v.(time.Time)
	case attributesField:
		if str == "" {
			return
		}
		// A value the store did not write reads as no attributes rather
		// than failing every read of the user.
		if m, err := scim.UnmarshalCustom([]byte(str)); err == nil && len(m) > 0 {
			if u.Custom == nil {
				u.Custom = make(map[string]any, len(m))
			}
			for k, x := range m {
				u.Custom[k] = x
			}
		}
	default:
		if cv := customRead(cfg.Custom[f.custom], v); cv != nil {
			if u.Custom == nil {
				u.Custom = make(map[string]any, len(cfg.Custom))
			}
			u.Custom[cfg.Custom[f.custom].Name] = cv
		}
	}
}

// customRead converts a custom column's value to the attribute's.
func customRead(a Custom, v any) any {
	switch v := v.(type) {
	case string:
		if a.Multi {
			if v == "" {
				return nil
			}
			return splitValues(a.Kind, strings.Split(v, ","))
		}
		if v == "" || a.Kind != filter.String {
			return nil
		}
		return v
	case bool, int64, time.Time:
		if a.Multi {
			return nil
		}
		return v
	}
	return nil
}

// rowValues are u's values for the store's columns (Store.cols), in
// order. A column that backs several attributes takes the one value they
// agree on: an empty one gives way to a set one, and values that differ
// only in case are one value (the first field's, userName before the
// e-mail); others are a 400, since one of them would be silently lost.
func (s *Store) rowValues(u *scim.User) ([]any, error) {
	if !u.Active && s.cfg.Columns.Active == "" {
		// Dropping it would make a deprovisioning look done while the
		// account stays usable.
		return nil, &scim.Error{Status: http.StatusBadRequest, ScimType: scim.ScimTypeInvalidValue,
			Detail: "this service provider cannot deactivate users (it keeps no active flag); deprovision by deleting the user instead"}
	}
	vals := make([]any, len(s.cols))
	from := make([]string, len(s.cols))
	for _, f := range s.fields {
		v, err := f.get(&s.cfg, u)
		if err != nil {
			return nil, err
		}
		switch cur := vals[f.at]; {
		case from[f.at] == "" || cur == nil:
			vals[f.at], from[f.at] = v, f.attr
		case v == nil:
		case !strings.EqualFold(cur.(string), v.(string)):
			return nil, &scim.Error{Status: http.StatusBadRequest, ScimType: scim.ScimTypeInvalidValue,
				Detail: fmt.Sprintf("%s %q and %s %q are kept in one field by this service provider and must be equal", attrName(from[f.at]), cur, attrName(f.attr), v)}
		}
	}
	return vals, nil
}

// attrName is an attribute's path as a SCIM client writes it.
func attrName(attr string) string {
	if attr == "emails" {
		return `emails[type eq "work"].value`
	}
	return attr
}

// holder receives one column of a row.
type holder struct {
	str sql.NullString
	b   sql.NullBool
	n   sql.NullInt64
	t   sql.NullTime
}

func (h *holder) dest(c column) any {
	if c.multi {
		return &h.str
	}
	switch c.kind {
	case filter.Bool:
		return &h.b
	case filter.Number:
		return &h.n
	case filter.DateTime:
		return &h.t
	}
	return &h.str
}

// value is what was read, as rowValues writes it: nil for NULL.
func (h *holder) value(c column) any {
	switch {
	case c.multi || c.kind == filter.String:
		if h.str.Valid {
			return h.str.String
		}
	case c.kind == filter.Bool:
		if h.b.Valid {
			return h.b.Bool
		}
	case c.kind == filter.Number:
		if h.n.Valid {
			return h.n.Int64
		}
	case c.kind == filter.DateTime:
		if h.t.Valid {
			return dbTime(h.t.Time)
		}
	}
	return nil
}

// userFrom builds the user a row of values holds, as the store serves it
// (see served).
func (s *Store) userFrom(id string, vals []any) *scim.User {
	u := &scim.User{ID: id}
	for _, f := range s.fields {
		f.set(&s.cfg, u, vals[f.at])
	}
	s.served(u)
	return u
}

// served fills in what a table without some columns serves in their
// place: active true without an active column (every row of such a table
// is an account in use), meta.lastModified equal to meta.created without
// a last-modified column.
func (s *Store) served(u *scim.User) {
	k := s.cfg.Columns
	if k.Active == "" {
		u.Active = true
	}
	if k.LastModified == "" {
		u.Meta.LastModified = u.Meta.Created
	}
}

// asStored returns the user that writing vals stores: u as User would
// read it back.
func (s *Store) asStored(u *scim.User, vals []any) *scim.User {
	out := s.userFrom(u.ID, vals)
	out.Meta.Version = u.Meta.Version
	return out
}
