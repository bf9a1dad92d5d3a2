package scim

import (
	"fmt"
	"slices"

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
