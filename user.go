package scim

import (
	"maps"
	"time"

	"github.com/scimkit/scim/filter"
)

// User is a SCIM user as scimkit stores and serves it: the attributes of the
// core User schema that identity providers provision, plus the custom
// attributes a host declares in Config.Attributes.
type User struct {
	// ID is the store-assigned identifier; compared case-sensitively.
	ID string
	// ExternalID is the identity provider's identifier; compared
	// case-sensitively.
	ExternalID string
	// UserName is unique within a tenant, compared case-insensitively, and
	// kept and returned as it was sent.
	UserName string
	// GivenName and FamilyName are name.givenName and name.familyName.
	GivenName  string
	FamilyName string
	// DisplayName, when empty, is served as "GivenName FamilyName".
	DisplayName string
	// Email is the work email, emails[type eq "work"].value.
	Email string
	// Active is false for a deactivated user. A deactivated user is still
	// returned by reads and filters.
	//
	// An unassigned active is false too. A PATCH may remove active (a
	// remove, or null, at the path "active": RFC 7644 §3.5.2.2 makes it
	// unassigned, since /Schemas lists it neither required nor read-only),
	// and then nothing asserts that the user is active: it gets no
	// access, the change reaches the host as EventDeactivated, as Okta's
	// and Entra ID's deprovisioning (active false) does, and it is served
	// as "active": false rather than absent, since Okta's import expects
	// active on every user. A Store keeps no third state (one that keeps
	// no active, Kept.Missing, refuses it as it refuses active false). A
	// create that does not mention active makes an active user; a PUT
	// that does not, or a path-less PATCH value with active null, keeps
	// the stored value (the rule for bodies).
	Active bool
	// Custom holds the values of host-declared attributes, keyed by the
	// attribute's declared name. A value is a string, bool, int64 or
	// time.Time, and a multi-valued attribute's value a []string, []bool,
	// []int64 or []time.Time. Nil when the host declares none.
	Custom map[string]any
	// Meta is the resource's metadata.
	Meta Meta
}

// Meta is the metadata of a resource (RFC 7643 §3.1).
type Meta struct {
	// Created and LastModified are set by the handler's clock.
	Created      time.Time
	LastModified time.Time
	// Version is the opaque version the Store assigns on every write; the
	// handler serves it as the ETag, e.g. W/"3".
	Version string
}

// Clone returns a deep copy of u: changes to the copy, including to its
// custom multi-valued attributes, do not reach u.
func (u *User) Clone() *User {
	c := *u
	c.Custom = cloneCustom(u.Custom)
	return &c
}

// cloneCustom is a deep copy of a map of attribute values (User.Custom,
// Resource.Attributes); nil stays nil.
func cloneCustom(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return maps.Clone(v)
	case []map[string]any:
		out := make([]map[string]any, len(v))
		for i, m := range v {
			out[i] = maps.Clone(m)
		}
		return out
	case []string:
		return append([]string(nil), v...)
	case []bool:
		return append([]bool(nil), v...)
	case []int64:
		return append([]int64(nil), v...)
	case []time.Time:
		return append([]time.Time(nil), v...)
	}
	return v
}

// displayName is the served displayName: the stored one, or the fallback.
func (u *User) displayName() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	switch {
	case u.GivenName == "":
		return u.FamilyName
	case u.FamilyName == "":
		return u.GivenName
	}
	return u.GivenName + " " + u.FamilyName
}

// AttrLen implements filter.Resource, so that a Store can evaluate a
// resolved filter against a user with filter.Match.
func (u *User) AttrLen(p filter.AttrPath) int {
	if v, ok := u.Custom[p.Name]; ok {
		// Every email (the RFC profile), the RFC's complex attributes and
		// the host's.
		return customLen(v)
	}
	if p.Name == "emails" {
		// emails, emails.value, emails.type and emails.primary all count
		// the one (work) element there is.
		if u.Email == "" {
			return 0
		}
		return 1
	}
	if p.Name == "name" && p.Sub == "" {
		if u.GivenName == "" && u.FamilyName == "" {
			return 0
		}
		return 1
	}
	if p.Name == "meta" && p.Sub == "" {
		return 1
	}
	if u.AttrValue(p, 0).Kind == filter.Null {
		return 0
	}
	return 1
}

// AttrValue implements filter.Resource.
func (u *User) AttrValue(p filter.AttrPath, i int) filter.Value {
	if v, ok := u.Custom[p.Name]; ok {
		// A User's name.givenName and name.familyName are typed, its
		// other parts in Custom["name"]; a declared type's name is its own.
		if _, parts := v.(map[string]any); !parts || p.Name != "name" {
			return attrValue(v, i, p.Sub)
		}
	}
	if v, ok := commonValue(p, u.ID, u.ExternalID, &u.Meta, "User"); ok {
		return v
	}
	switch p.Name {
	case "userName":
		return strValue(u.UserName)
	case "displayName":
		return strValue(u.displayName())
	case "active":
		return filter.Value{Kind: filter.Bool, Bool: u.Active}
	case "name":
		switch p.Sub {
		case "givenName":
			return strValue(u.GivenName)
		case "familyName":
			return strValue(u.FamilyName)
		}
		return complexValue(u.Custom["name"], i, p.Sub)
	case "emails":
		if u.Email == "" || i != 0 {
			return filter.Value{}
		}
		switch p.Sub {
		case "value":
			return strValue(u.Email)
		case "type":
			return filter.Value{Kind: filter.String, Str: "work"}
		case "primary":
			return filter.Value{Kind: filter.Bool, Bool: true}
		}
	}
	return filter.Value{}
}

// commonValue is the value of one of the attributes every resource has
// (id, externalId, meta's sub-attributes), for a resource of the given
// type; ok is false for any other attribute.
func commonValue(p filter.AttrPath, id, externalID string, m *Meta, resourceType string) (v filter.Value, ok bool) {
	switch p.Name {
	case "id":
		return strValue(id), true
	case "externalId":
		return strValue(externalID), true
	case "meta":
		return metaValue(m, resourceType, p.Sub), true
	}
	return v, false
}

// attrValue is value i of an attribute value held generically (User.Custom,
// Resource.Attributes), or of its sub-attribute sub.
func attrValue(v any, i int, sub string) filter.Value {
	switch v.(type) {
	case map[string]any, []map[string]any:
		return complexValue(v, i, sub)
	}
	if sub == "" {
		return customValue(v, i)
	}
	return filter.Value{}
}

// strValue is s as a filter value; the empty string is absent (null).
func strValue(s string) filter.Value {
	if s == "" {
		return filter.Value{}
	}
	return filter.Value{Kind: filter.String, Str: s}
}

// metaValue is the value of meta.sub of a resource of the given type.
func metaValue(m *Meta, resourceType, sub string) filter.Value {
	switch sub {
	case "created":
		return timeValue(m.Created)
	case "lastModified":
		return timeValue(m.LastModified)
	case "resourceType":
		return filter.Value{Kind: filter.String, Str: resourceType}
	case "version":
		if m.Version != "" {
			return filter.Value{Kind: filter.String, Str: m.Version}
		}
	}
	return filter.Value{}
}

func timeValue(t time.Time) filter.Value {
	if t.IsZero() {
		return filter.Value{}
	}
	return filter.Value{Kind: filter.DateTime, Str: t.UTC().Format(time.RFC3339), Time: t}
}

func customLen(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
	case []map[string]any:
		return len(v)
	case []string:
		return len(v)
	case []bool:
		return len(v)
	case []int64:
		return len(v)
	case []time.Time:
		return len(v)
	}
	return 1
}

func customValue(v any, i int) filter.Value {
	if i < 0 || i >= customLen(v) {
		return filter.Value{}
	}
	switch v := v.(type) {
	case string:
		return filter.Value{Kind: filter.String, Str: v}
	case bool:
		return filter.Value{Kind: filter.Bool, Bool: v}
	case int64:
		return filter.Value{Kind: filter.Number, Num: float64(v)}
	case time.Time:
		return timeValue(v)
	case []string:
		return filter.Value{Kind: filter.String, Str: v[i]}
	case []bool:
		return filter.Value{Kind: filter.Bool, Bool: v[i]}
	case []int64:
		return filter.Value{Kind: filter.Number, Num: float64(v[i])}
	case []time.Time:
		return timeValue(v[i])
	}
	return filter.Value{}
}
