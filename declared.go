package scim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// ResourceType declares a resource type of the host's own, served beside
// Users and Groups (Config.ResourceTypes): the demo's /Agents, in the shape
// of the IETF agent drafts, is one. The handler serves it with the code
// that serves Users: every method, filters, every PATCH shape, projection,
// .search, cursors (when the store can page by key), ETags, limits, and
// /Schemas and /ResourceTypes, with no code of the host's beyond the
// declaration and a ResourceStore.
type ResourceType struct {
	// Name is meta.resourceType and the type's name in /ResourceTypes,
	// e.g. "Agent".
	Name string
	// Endpoint is the path segment the type is served at, e.g. "Agents"
	// for /Agents; it must not be one of RFC 7644's own.
	Endpoint string
	// Description is /ResourceTypes' description of the type.
	Description string
	// Schema is the type's core schema: its ID (a URN) is the type's
	// schema, and its attributes are the type's beside id, externalId
	// and meta. Attribute types are string, boolean, integer, dateTime,
	// reference, binary and complex (of those); names are unique across
	// the schema and its extensions, compared case-insensitively.
	// Attributes with uniqueness server or global are unique within a
	// tenant: the store keeps that promise (see ResourceStore).
	Schema schema.Schema
	// Extensions are the type's schema extensions, served as the User's
	// are (under their URN).
	Extensions []schema.Schema
	// Store keeps the type's resources. Nil means the handler's Store,
	// which must then implement ResourceStore.
	Store ResourceStore
	// Disabled lists the write operations not served for the type.
	Disabled Operations
}

// Unique lists the attributes of t whose values must be unique within a
// tenant (uniqueness server or global), by name. A ResourceStore enforces
// it: a create or replace that would give two resources of the type one
// value of such an attribute returns an error wrapping ErrUniqueness. A
// string's values are compared case-insensitively unless the attribute is
// caseExact.
func (t *ResourceType) Unique() []*schema.Attribute {
	var out []*schema.Attribute
	add := func(attrs []schema.Attribute) {
		for i := range attrs {
			if u := attrs[i].Uniqueness; u == schema.Server || u == schema.Global {
				out = append(out, &attrs[i])
			}
		}
	}
	add(t.Schema.Attributes)
	for i := range t.Extensions {
		add(t.Extensions[i].Attributes)
	}
	return out
}

// References lists the attributes of t by which a resource refers to
// users, groups or other resources, by name: the multi-valued complex
// attributes with a "value" sub-attribute and a "$ref" sub-attribute of
// type reference (an agent's owners). When a resource of the tenant is
// deleted, a ResourceStore removes the elements whose value is its id
// from these attributes, in the same atomic step, and gives each resource
// changed a new version: a deleted owner leaves the list.
func (t *ResourceType) References() []string {
	var out []string
	add := func(attrs []schema.Attribute) {
		for _, a := range attrs {
			if a.Type != schema.Complex || !a.MultiValued {
				continue
			}
			hasValue, hasRef := false, false
			for _, s := range a.SubAttributes {
				hasValue = hasValue || s.Name == "value"
				hasRef = hasRef || s.Name == "$ref" && s.Type == schema.Reference
			}
			if hasValue && hasRef {
				out = append(out, a.Name)
			}
		}
	}
	add(t.Schema.Attributes)
	for i := range t.Extensions {
		add(t.Extensions[i].Attributes)
	}
	return out
}

// Resource is a resource of a host-declared type, as a ResourceStore keeps
// it.
type Resource struct {
	// ID is the store-assigned identifier; compared case-sensitively.
	ID string
	// ExternalID is the identity provider's identifier.
	ExternalID string
	// Attributes holds the resource's values keyed by attribute name (an
	// extension's attributes too: names are unique across a type's
	// schemas). A value has the types of User.Custom's: a string, bool,
	// int64 or time.Time, a slice of one of them for a multi-valued
	// attribute, a map[string]any for a complex one and a
	// []map[string]any for a multi-valued complex one. An attribute
	// without a value has no key.
	Attributes map[string]any
	// Meta is the resource's metadata.
	Meta Meta
}

// Clone returns a deep copy of r.
func (r *Resource) Clone() *Resource {
	c := *r
	c.Attributes = cloneCustom(r.Attributes)
	return &c
}

// AttrLen implements filter.Resource, so that a ResourceStore can evaluate
// a resolved filter against a resource with filter.Match.
func (r *Resource) AttrLen(p filter.AttrPath) int {
	switch p.Name {
	case "meta":
		if p.Sub == "" {
			return 1
		}
		fallthrough
	case "id", "externalId":
		if r.AttrValue(p, 0).Kind == filter.Null {
			return 0
		}
		return 1
	}
	return customLen(r.Attributes[p.Name])
}

// AttrValue implements filter.Resource.
func (r *Resource) AttrValue(p filter.AttrPath, i int) filter.Value {
	if v, ok := commonValue(p, r.ID, r.ExternalID, &r.Meta, ""); ok {
		return v
	}
	return attrValue(r.Attributes[p.Name], i, p.Sub)
}

// ResourcePage is one page of a ListResources.
type ResourcePage struct {
	// TotalResults is the number of resources that match the filter,
	// across all pages.
	TotalResults int
	// Resources are the page's resources, at most Query.Count.
	Resources []*Resource
	// Keys places a keyset page (ResourceKeysetLister).
	Keys PageKeys
}

// ResourceStore keeps the resources of host-declared types. Its rules are
// Store's, type by type: tenant isolation, no aliasing of what it is given
// or returns (Attributes included), opaque versions, sentinel errors
// wrapped with %w, a stable list order. Every method names the type; a
// store may serve many. Ids are unique across every type the handler
// serves (RFC 7643 §3.1): no resource has the id of a user, a group or a
// resource of another type of its tenant.
//
// A create or replace that would give two resources of the type one value
// of an attribute t.Unique lists returns an error wrapping ErrUniqueness.
type ResourceStore interface {
	// CreateResource stores a new resource and returns it as stored, with
	// ID and Meta.Version assigned; Meta.Created and Meta.LastModified
	// are set by the handler.
	CreateResource(ctx context.Context, t *ResourceType, r *Resource) (*Resource, error)
	// Resource returns the resource with the given id, or an error
	// wrapping ErrNotFound.
	Resource(ctx context.Context, t *ResourceType, id string) (*Resource, error)
	// ReplaceResource stores r in place of the resource with ID r.ID,
	// with Store.Replace's version rule. r.Meta.Created is the stored one
	// (the handler never changes it), so a store may keep the create's.
	ReplaceResource(ctx context.Context, t *ResourceType, r *Resource, version string) (*Resource, error)
	// DeleteResource removes the resource with the given id, with
	// Store.Delete's version rule.
	DeleteResource(ctx context.Context, t *ResourceType, id, version string) error
	// ListResources returns the resources that match q.Filter, with the
	// rules of Store.List.
	ListResources(ctx context.Context, t *ResourceType, q Query) (*ResourcePage, error)
}

// ResourceKeysetLister is KeysetLister for a ResourceStore: when the store
// implements it, declared types are paged by cursor (RFC 9865) too.
type ResourceKeysetLister interface {
	// ListResourcesKeyset returns a keyset page of the resources of t
	// that match q.Filter, with KeysetLister.ListKeyset's rules for
	// q.Seek and the page's Keys.
	ListResourcesKeyset(ctx context.Context, t *ResourceType, q Query) (*ResourcePage, error)
}

// The internal carrier of a declared type's resource is a User holding
// nothing but ID, ExternalID, Custom and Meta: the pipeline that serves
// Users' long tail (decode, PATCH, limits, projection, encode) serves it,
// with the type's names. The conversions share the attribute map: the
// store copies what it keeps.

func resourceOf(u *User) *Resource {
	return &Resource{ID: u.ID, ExternalID: u.ExternalID, Attributes: u.Custom, Meta: u.Meta}
}

func userOf(r *Resource) *User {
	return &User{ID: r.ID, ExternalID: r.ExternalID, Custom: r.Attributes, Meta: r.Meta}
}

// resourceStore is the Store the pipeline calls for a declared type.
type resourceStore struct {
	rs ResourceStore
	t  *ResourceType
}

func (s resourceStore) Create(ctx context.Context, u *User) (*User, error) {
	r, err := s.rs.CreateResource(ctx, s.t, resourceOf(u))
	if err != nil {
		return nil, err
	}
	return userOf(r), nil
}

func (s resourceStore) User(ctx context.Context, id string) (*User, error) {
	r, err := s.rs.Resource(ctx, s.t, id)
	if err != nil {
		return nil, err
	}
	return userOf(r), nil
}

func (s resourceStore) Replace(ctx context.Context, u *User, version string) (*User, error) {
	r, err := s.rs.ReplaceResource(ctx, s.t, resourceOf(u), version)
	if err != nil {
		return nil, err
	}
	return userOf(r), nil
}

func (s resourceStore) Delete(ctx context.Context, id, version string) error {
	return s.rs.DeleteResource(ctx, s.t, id, version)
}

func (s resourceStore) List(ctx context.Context, q Query) (*Page, error) {
	return usersPage(s.rs.ListResources(ctx, s.t, q))
}

// keysetResourceStore is resourceStore over a store that pages by key.
type keysetResourceStore struct{ resourceStore }

func (s keysetResourceStore) ListKeyset(ctx context.Context, q Query) (*Page, error) {
	return usersPage(s.rs.(ResourceKeysetLister).ListResourcesKeyset(ctx, s.t, q))
}

func usersPage(p *ResourcePage, err error) (*Page, error) {
	if err != nil {
		return nil, err
	}
	out := &Page{TotalResults: p.TotalResults, Keys: p.Keys, Users: make([]*User, len(p.Resources))}
	for i, r := range p.Resources {
		out.Users[i] = userOf(r)
	}
	return out, nil
}

// declaredTypes checks the host's declarations and builds a resource type
// for each: a view of h with the type's names and store.
func (h *Handler) declaredTypes() ([]*resourceType, error) {
	var out []*resourceType
	seenEndpoint := map[string]bool{}
	seenName := map[string]bool{"user": true, "group": true}
	seenURN := map[string]bool{strings.ToLower(schema.UserURN): true, strings.ToLower(schema.GroupURN): true}
	for _, e := range h.names.extensions {
		seenURN[strings.ToLower(e.ID)] = true
	}
	// The handler keeps its own copy: a host that changes its slice after
	// NewHandler changes nothing served.
	h.cfg.ResourceTypes = slices.Clone(h.cfg.ResourceTypes)
	for i := range h.cfg.ResourceTypes {
		d := &h.cfg.ResourceTypes[i]
		where := fmt.Sprintf("scim: Config.ResourceTypes[%d] (%q)", i, d.Name)
		if d.Name == "" || d.Endpoint == "" {
			return nil, fmt.Errorf("%s: a resource type needs a Name and an Endpoint", where)
		}
		if strings.ContainsAny(d.Endpoint, "/?#%") || slices.ContainsFunc(endpoints, func(e string) bool { return strings.EqualFold(e, d.Endpoint) }) || seenEndpoint[strings.ToLower(d.Endpoint)] {
			return nil, fmt.Errorf("%s: endpoint %q is taken or not a path segment", where, d.Endpoint)
		}
		if seenName[strings.ToLower(d.Name)] {
			return nil, fmt.Errorf("%s: the name %q is declared twice", where, d.Name)
		}
		seenEndpoint[strings.ToLower(d.Endpoint)], seenName[strings.ToLower(d.Name)] = true, true
		if d.Schema.ID == "" || !strings.HasPrefix(strings.ToLower(d.Schema.ID), "urn:") {
			return nil, fmt.Errorf("%s: the schema needs an ID that is a URN, got %q", where, d.Schema.ID)
		}
		rs := d.Store
		if rs == nil {
			var ok bool
			if rs, ok = h.store.(ResourceStore); !ok {
				return nil, fmt.Errorf("%s: no Store given, and the handler's Store (%T) does not implement ResourceStore", where, h.store)
			}
		}
		taken := map[string]string{}
		for _, c := range schema.Common() {
			taken[strings.ToLower(c.Name)] = "every resource"
		}
		for _, s := range append([]schema.Schema{d.Schema}, d.Extensions...) {
			if seenURN[strings.ToLower(s.ID)] {
				return nil, fmt.Errorf("%s: schema %q is declared twice", where, s.ID)
			}
			seenURN[strings.ToLower(s.ID)] = true
			if err := s.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			for _, a := range s.Attributes {
				if err := checkDeclared(a, ""); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				if other, dup := taken[strings.ToLower(a.Name)]; dup {
					return nil, fmt.Errorf("%s: attribute %q of %s is already declared in %s", where, a.Name, s.ID, other)
				}
				taken[strings.ToLower(a.Name)] = s.ID
			}
		}
		out = append(out, h.declaredType(d, rs))
	}
	return out, nil
}

// checkDeclared refuses an attribute the pipeline does not hold: a type
// it does not know, a writeOnly one (it would be accepted and never
// stored), a unique one that is not a single simple value, a multi-valued
// sub-attribute.
func checkDeclared(a schema.Attribute, parent string) error {
	if a.Mutability == schema.WriteOnly {
		return fmt.Errorf("attribute %q is writeOnly, which a declared resource type cannot hold (it would be accepted and never stored)", a.Name)
	}
	if u := a.Uniqueness; (u == schema.Server || u == schema.Global) && (a.MultiValued || a.Type == schema.Complex || parent != "") {
		return fmt.Errorf("attribute %q is unique (uniqueness %s) but not a single simple value of the resource: uniqueness holds for single-valued, simple attributes", a.Name, u)
	}
	if parent != "" && a.MultiValued {
		return fmt.Errorf("sub-attribute %q of %q is multi-valued; a declared type's sub-attributes hold one value", a.Name, parent)
	}
	switch a.Type {
	case schema.String, schema.Boolean, schema.Integer, schema.DateTime, schema.Reference, schema.Binary:
		return nil
	case schema.Complex:
		if parent != "" {
			return fmt.Errorf("attribute %q of %q is complex; a complex attribute's sub-attributes are simple (RFC 7643 §2.3.8)", a.Name, parent)
		}
		for _, s := range a.SubAttributes {
			if err := checkDeclared(s, a.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("attribute %q has type %q, which a declared resource type cannot hold; supported types are string, boolean, integer, dateTime, reference, binary and complex", a.Name, a.Type)
}

// declaredType is the resource type of declaration d: a view of h whose
// names, store and required attributes are the type's, so that the
// pipeline's functions serve it as they serve Users.
func (h *Handler) declaredType(d *ResourceType, rs ResourceStore) *resourceType {
	v := &Handler{cfg: h.cfg, generic: true, user: d.Schema, emailsIndex: -1, root: h}
	var store Store = resourceStore{rs, d}
	if _, ok := rs.(ResourceKeysetLister); ok {
		store = keysetResourceStore{resourceStore{rs, d}}
	}
	v.store = store
	// The hooks, adoption and profile switches are the User's.
	v.cfg.Hooks = Hooks{AfterResourceChange: h.cfg.Hooks.AfterResourceChange}
	v.cfg.AdoptByEmail, v.cfg.DisableProfileUpdates = false, false
	v.cfg.Disabled = d.Disabled
	v.cfg.Attributes = d.Schema.Attributes // for checkImmutable
	v.names = names{urn: d.Schema.ID, core: append(schema.Common(), d.Schema.Attributes...), extensions: d.Extensions, fold: h.cfg.Leniency.CaseInsensitiveNames}
	for i := range d.Schema.Attributes {
		// Read-only values too: the store sets them, and they are served.
		v.customCore = append(v.customCore, &d.Schema.Attributes[i])
	}
	for _, a := range d.Schema.Attributes {
		if a.Required {
			v.required = append(v.required, a.Name)
		}
	}
	for _, e := range d.Extensions {
		for _, a := range e.Attributes {
			if a.Required {
				v.required = append(v.required, e.ID+":"+a.Name)
			}
		}
	}
	v.names.returned = (*projection)(nil).attributes(&v.names)
	v.names.limits = v.planWalk(&v.names, walkType{fields: map[string]func(walkView) string{
		"externalId": func(r walkView) string { return r.(storedUser).ExternalID },
	}, generic: func(urn string, a *schema.Attribute) bool { return urn != "" || a.Name != "externalId" }})
	noun := strings.ToLower(d.Name)
	var unique []string
	for _, a := range d.Unique() {
		unique = append(unique, a.Name)
	}
	v.users = withListing(v, &resourceType{name: d.Name, endpoint: d.Endpoint, noun: noun, description: d.Description, names: &v.names,
		create: v.createUser, get: v.getUser, replace: v.replaceUser, patch: v.patchUser, del: v.deleteUser,
		disabled: func(op Operations) bool { return d.Disabled&op != 0 },
		conflict: conflictDetail(noun, unique),
		label:    declaredLabel, view: v,
	}, v.userListing())
	return v.users
}

// keepReadOnly gives next the read-only values of old, the stored resource
// a PUT replaces: a client cannot write them, so its body cannot remove
// them either.
func (h *Handler) keepReadOnly(old, next *User) {
	keep := func(attrs []schema.Attribute) {
		for i := range attrs {
			if attrs[i].Mutability != schema.ReadOnly {
				continue
			}
			if v, ok := old.Custom[attrs[i].Name]; ok {
				if next.Custom == nil {
					next.Custom = map[string]any{}
				}
				next.Custom[attrs[i].Name] = cloneValue(v)
			}
		}
	}
	keep(h.user.Attributes)
	for i := range h.names.extensions {
		keep(h.names.extensions[i].Attributes)
	}
}

// declaredLabel names a declared resource in the activity log and the
// audit record: its displayName, or else its name.
func declaredLabel(u *User) string {
	for _, k := range [...]string{"displayName", "name"} {
		if s, ok := u.Custom[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// conflictDetail words a uniqueness conflict of a declared type whose
// unique attributes are unique.
func conflictDetail(noun string, unique []string) string {
	if len(unique) == 0 {
		return fmt.Sprintf("another %s has the same value of an attribute the store keeps unique", noun)
	}
	quoted := make([]string, len(unique))
	for i, s := range unique {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("another %s has the same %s (unique in a tenant)", noun, strings.Join(quoted, " or "))
}
