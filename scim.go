package scim

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim/schema"
)

// Handler is a SCIM 2.0 service provider for users, groups and the
// resource types the host declares (Config.ResourceTypes): an
// http.Handler to mount wherever the host's router puts it.
type Handler struct {
	store    Store
	cfg      Config
	names    names
	user     schema.Schema // the User schema with the host's attributes
	required []string      // canonical paths of required attributes
	// emailsIndex is the position of emails in names.core.
	emailsIndex int
	// allEmails is set when every email is kept (the RFC profile, or
	// Keep "emails"), in User.Custom["emails"]; otherwise the work email
	// alone, in User.Email.
	allEmails bool
	// customCore are the core User attributes held in User.Custom, in
	// schema order: the kept RFC attributes and the host's.
	customCore []*schema.Attribute
	discovery  discovery
	users      *resourceType
	// unkept are the core User attributes the store does not keep
	// (Kept.Missing), for the error of a filter on one of them.
	unkept []string

	// Groups, when the store is a GroupStore; groupStore is nil otherwise.
	groupStore   GroupStore
	groupNames   names
	membersIndex int // the position of members in groupNames.core
	groups       *resourceType

	failedAuth *failedAuth // nil without Config.FailedAuthLimiter

	// declared are the host's resource types (Config.ResourceTypes), and
	// endpoints every endpoint the handler finds in a path: RFC 7644's
	// and theirs.
	declared  []*resourceType
	endpoints []string
	// generic and root are set on the view of h that serves a declared
	// type (declaredType): its resources hold every attribute in
	// User.Custom, and root is the handler it is a view of.
	generic bool
	root    *Handler
}

// NewHandler returns a Handler that serves store with cfg. It validates cfg
// once, here: a bad configuration is an error, never a panic later.
func NewHandler(store Store, cfg Config) (*Handler, error) {
	if store == nil {
		return nil, errors.New("scim: NewHandler needs a Store")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkKept(store, cfg); err != nil {
		return nil, err
	}
	user, exts, err := cfg.userSchema()
	if err != nil {
		return nil, err
	}
	h := &Handler{store: store, cfg: cfg, user: user}
	if k, ok := store.(Keeper); ok {
		h.unkept = k.Keeps().Missing
	}
	if cfg.FailedAuthLimiter != nil {
		h.failedAuth = &failedAuth{limiter: cfg.FailedAuthLimiter, now: cfg.Now}
	}
	if gs, ok := store.(GroupStore); ok && servesGroups(store) {
		h.groupStore = gs
		// The user's groups are served from the store's memberships.
		i := slices.IndexFunc(h.user.Attributes, func(a schema.Attribute) bool { return a.Name == "groups" })
		h.user.Attributes = slices.Clone(h.user.Attributes)
		h.user.Attributes[i] = schema.UserGroups()
		h.groupNames = names{urn: schema.GroupURN, core: append(schema.Common(), schema.Group().Attributes...), fold: cfg.Leniency.CaseInsensitiveNames}
		h.membersIndex = slices.IndexFunc(h.groupNames.core, func(a schema.Attribute) bool { return a.Name == "members" })
		h.groups = h.groupType()
	}
	if err := h.user.Validate(); err != nil {
		return nil, fmt.Errorf("scim: Config.Attributes: %w", err)
	}
	taken := map[string]string{}
	for _, a := range append(schema.Common(), h.user.Attributes...) {
		taken[strings.ToLower(a.Name)] = schema.UserURN
	}
	for _, a := range cfg.Attributes {
		if err := checkCustom(a); err != nil {
			return nil, err
		}
		// The User schema's Validate sees the custom attributes beside the
		// schema's own, but not beside id, externalId and meta.
		for _, c := range schema.Common() {
			if strings.EqualFold(a.Name, c.Name) {
				return nil, fmt.Errorf("scim: Config.Attributes: attribute %q is already declared as %q, an attribute every resource has", a.Name, c.Name)
			}
		}
	}
	for i := range exts {
		ext := &exts[i]
		if err := ext.Validate(); err != nil {
			return nil, fmt.Errorf("scim: Config.Extensions: %w", err)
		}
		if strings.EqualFold(ext.ID, schema.UserURN) || h.names.extension(ext.ID) != nil {
			return nil, fmt.Errorf("scim: Config.Extensions: schema %q is declared twice", ext.ID)
		}
		host := !strings.EqualFold(ext.ID, schema.EnterpriseUserURN)
		for _, a := range ext.Attributes {
			if !host {
				// RFC 7643's own: complex values (manager) are fine.
			} else if err := checkCustom(a); err != nil {
				return nil, err
			}
			if where, dup := taken[strings.ToLower(a.Name)]; dup {
				return nil, fmt.Errorf("scim: Config.Extensions: attribute %q of %s is already declared in %s; custom attribute names must be unique", a.Name, ext.ID, where)
			}
			taken[strings.ToLower(a.Name)] = ext.ID
		}
		h.names.extensions = append(h.names.extensions, *ext)
	}
	h.names.core = append(schema.Common(), h.user.Attributes...)
	h.allEmails = cfg.keepsAllEmails()
	for i := range h.user.Attributes {
		a := &h.user.Attributes[i]
		if h.isCustom("", a) && a.Mutability != schema.ReadOnly {
			h.customCore = append(h.customCore, a)
		}
	}
	h.names.fold = cfg.Leniency.CaseInsensitiveNames
	h.names.urn = schema.UserURN
	h.emailsIndex = slices.IndexFunc(h.names.core, func(a schema.Attribute) bool { return a.Name == "emails" })
	h.names.returned = (*projection)(nil).attributes(&h.names)
	h.groupNames.returned = (*projection)(nil).attributes(&h.groupNames)
	required := cfg.Required
	if required == nil && cfg.Profile == ProfileStrict {
		required = []string{"userName", "name.givenName", "name.familyName", "emails"}
	}
	h.required = []string{"userName"}
	// Host-declared attributes marked Required are required: /Schemas says
	// so, and a promise advertised must be kept.
	for _, a := range cfg.Attributes {
		if a.Required {
			required = append(slices.Clip(required), a.Name)
		}
	}
	for _, ext := range cfg.Extensions {
		for _, a := range ext.Attributes {
			if a.Required {
				required = append(slices.Clip(required), ext.ID+":"+a.Name)
			}
		}
	}
	for _, p := range required {
		urn, rest := splitURN(p)
		name, sub, _ := strings.Cut(rest, ".")
		ref, ne := h.names.resolve(urn, name, sub)
		if ne != nil {
			return nil, fmt.Errorf("scim: Config.Required: %q: %s", p, ne)
		}
		if ref.def.Mutability == schema.ReadOnly || ref.def.Mutability == schema.WriteOnly {
			return nil, fmt.Errorf("scim: Config.Required: %q cannot be required", p)
		}
		if ref.path() == "emails.display" {
			// Only the work email's value is kept, so a required display
			// would refuse every create.
			return nil, fmt.Errorf("scim: Config.Required: %q cannot be required: it is not kept", ref.path())
		}
		if !slices.Contains(h.required, ref.path()) {
			h.required = append(h.required, ref.path())
		}
	}
	h.names.limits = h.planWalk(&h.names, h.userWalk())
	h.groupNames.limits = h.planWalk(&h.groupNames, walkType{fields: groupFields, outside: []string{"members"}})
	h.users = h.userType()
	h.endpoints = endpoints
	if h.declared, err = h.declaredTypes(); err != nil {
		return nil, err
	}
	for _, rt := range h.declared {
		h.endpoints = append(slices.Clip(h.endpoints), rt.endpoint)
	}
	h.discovery, err = h.buildDiscovery()
	if err != nil {
		return nil, err
	}
	return h, nil
}

// checkCustom rejects host-declared attributes of types the handler cannot
// store in User.Custom.
func checkCustom(a schema.Attribute) error {
	switch a.Type {
	case schema.String, schema.Boolean, schema.Integer, schema.DateTime:
	default:
		return fmt.Errorf("scim: custom attribute %q has type %q; supported types are string, boolean, integer and dateTime", a.Name, a.Type)
	}
	if a.Uniqueness != "" && a.Uniqueness != schema.None {
		// Only the Store could keep such a promise, and the Store contract
		// does not ask it to: refuse to advertise what nothing enforces.
		return fmt.Errorf("scim: custom attribute %q has uniqueness %q; only userName is kept unique", a.Name, a.Uniqueness)
	}
	return nil
}
