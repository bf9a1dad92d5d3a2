package scim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// Keeper is an optional Store capability: a Store over a table that keeps
// only some attributes, or no tenants, says so. NewHandler reads it to
// refuse, at start-up, a configuration the store cannot serve, and
// scimtest.TestStore checks the store against what it says it keeps.
type Keeper interface {
	Keeps() Kept
}

// Kept is what a Store keeps, as its Keeper reports it.
type Kept struct {
	// SingleTenant says the store keeps no tenants: every call with a
	// context carrying one (WithTenant) fails, rather than sharing users
	// between tenants. NewHandler refuses such a store with
	// Config.TenantInPath.
	SingleTenant bool
	// Missing are the core attributes the store does not keep, as
	// "externalId", "name.givenName", "name.familyName", "displayName",
	// "emails" (the work e-mail), "active", "meta.created" or
	// "meta.lastModified". The store reads them back empty whatever was
	// written, except active, read as true, and meta.lastModified, read
	// as meta.created. A store without active should refuse a write of
	// active false with a 400, rather than let a deprovisioning look done.
	Missing []string
	// Custom are the custom attributes (User.Custom keys) the store keeps;
	// it drops the others. NewHandler refuses a Config.Attributes or
	// extension attribute not among them.
	Custom []string
	// AnyCustom says the store keeps every custom attribute, those not
	// in Custom as well (sqlstore's JSON Columns.Attributes).
	AnyCustom bool
	// EmailIsUserName says the work e-mail and userName are kept in one
	// field: the store reads the e-mail back equal to userName, and a
	// write where both are set and differ (other than in case) fails.
	EmailIsUserName bool
	// ContentVersions says versions are derived from the user's content:
	// a write that changes nothing keeps the version (there is no update
	// to lose), and any other write changes it.
	ContentVersions bool
}

// checkKept refuses a configuration the store says it cannot serve.
func checkKept(store Store, cfg Config) error {
	k, ok := store.(Keeper)
	if !ok {
		return nil
	}
	kept := k.Keeps()
	if kept.SingleTenant && cfg.TenantInPath {
		return fmt.Errorf("scim: Config.TenantInPath is set but the Store keeps no tenants (for sqlstore, set Columns.Tenant)")
	}
	if tokens, ok := cfg.Authenticator.(*Tokens); ok && kept.SingleTenant {
		// The tokens added so far; one added later with a tenant is
		// refused by the Store on each request.
		for _, info := range tokens.List("") {
			if info.Tenant != "" {
				return fmt.Errorf("scim: a token (label %q) is for tenant %q but the Store keeps no tenants (for sqlstore, set Columns.Tenant; or issue tokens with an empty tenant)", info.Label, info.Tenant)
			}
		}
	}
	if kept.AnyCustom {
		return nil
	}
	// Every attribute the handler holds in User.Custom: the host's, and
	// the RFC's that the profile or Keep adds.
	user, exts, err := cfg.userSchema()
	if err != nil {
		return err
	}
	attrs := slices.Clone(user.Attributes)
	for _, ext := range exts {
		attrs = append(attrs, ext.Attributes...)
	}
	var h Handler
	h.allEmails = cfg.keepsAllEmails()
	for i, a := range attrs {
		custom := a.Mutability != schema.ReadOnly && h.isCustom(ifExt(i >= len(user.Attributes)), &attrs[i])
		if a.Name == "name" && len(a.SubAttributes) > 2 {
			custom = true // name.formatted and the others live in Custom["name"]
		}
		if custom && !slices.Contains(kept.Custom, a.Name) {
			return fmt.Errorf("scim: attribute %q is kept by this handler (Config.Attributes, Config.Profile or Config.Keep) but the Store does not keep it (for sqlstore, map it in Config.Custom or set Columns.Attributes)", a.Name)
		}
	}
	return nil
}

// ifExt is the URN argument of isCustom: any non-empty one for an
// extension's attribute.
func ifExt(ext bool) string {
	if ext {
		return "extension"
	}
	return ""
}

// unkeptFilterError is a Store's refusal of a user filter that names an
// attribute the store does not keep (Kept.Missing): the client is told
// so, rather than pointed at lookups the store cannot serve either.
type unkeptFilterError struct {
	attr string
	err  error
}

func (e *unkeptFilterError) Error() string { return e.err.Error() }
func (e *unkeptFilterError) Unwrap() error { return e.err }

// unkeptFilter marks err, a Store's answer to a list of users filtered by
// f, when the store refused the filter and f names an attribute the store
// does not keep.
func (h *Handler) unkeptFilter(f filter.Expr, err error) error {
	if len(h.unkept) == 0 || !errors.Is(err, ErrUnsupportedFilter) {
		return err
	}
	if attr := h.unkeptIn(f); attr != "" {
		return &unkeptFilterError{attr: attr, err: err}
	}
	return err
}

// unkeptIn is the first attribute e names that the store does not keep,
// "" when there is none. Active and meta.lastModified are read back all
// the same (as true and as meta.created), so a filter on them is not
// refused for want of them.
func (h *Handler) unkeptIn(e filter.Expr) string {
	var p filter.AttrPath
	switch e := e.(type) {
	case *filter.Logical:
		return cmp.Or(h.unkeptIn(e.Left), h.unkeptIn(e.Right))
	case *filter.Not:
		return h.unkeptIn(e.X)
	case *filter.ValuePath:
		p = e.Path
	case *filter.Compare:
		p = e.Path
	}
	name := p.Name
	if p.Sub != "" && name != "emails" {
		name += "." + p.Sub
	}
	if p.URN != "" || name == "active" || name == "meta.lastModified" || !slices.Contains(h.unkept, name) {
		return ""
	}
	return name
}

// unsupportedFilter is the detail of a 400 for a filter the Store cannot
// evaluate: the attribute it names that the store does not keep, if it
// was refused for that, and the lookups the store serves.
func (h *Handler) unsupportedFilter(err error) string {
	var lookups []string
	for _, l := range [...]struct{ attr, says string }{{"userName", "userName"}, {"externalId", "externalId"}, {"id", "id"}, {"emails", "the work email"}} {
		if !slices.Contains(h.unkept, l.attr) {
			lookups = append(lookups, l.says)
		}
	}
	serves := "lookups with eq on " + strings.Join(lookups[:len(lookups)-1], ", ") + " or " + lookups[len(lookups)-1] + ", joined with and/or, are the ones to use"
	var ue *unkeptFilterError
	switch {
	case !errors.As(err, &ue):
		return "this service provider cannot evaluate this filter; " + serves
	case ue.attr == "externalId" || ue.attr == "emails":
		// What Microsoft Entra ID matches users on, when so configured.
		return fmt.Sprintf("this service provider keeps no %s, so users cannot be looked up by it: have the identity provider match users on userName (in Microsoft Entra ID, map userName as the matching attribute); %s", ue.attr, serves)
	}
	return fmt.Sprintf("this service provider keeps no %s, so it cannot filter on it; %s", ue.attr, serves)
}
