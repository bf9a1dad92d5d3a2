package scimtest

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/scimkit/scim"
)

// A store that implements scim.Keeper says what it keeps, and the checks
// hold it to exactly that: the kit writes its users whole (but for what
// the store says it refuses, see sendable), and every user the store
// returns must equal the user shaped to what it keeps: an attribute it
// does not keep must come back empty (active true, meta.lastModified
// equal to meta.created), neither kept after all nor made up. A single-tenant store is checked in the
// context without a tenant, and must refuse every call in one with a
// tenant (SingleTenantRefusesTenants) instead of tenant isolation.

// keptCases are checked only for a store that reports what it keeps.
var keptCases = []storeCase{
	{
		name: "SingleTenantRefusesTenants",
		rule: "scim.Kept.SingleTenant: a store that keeps no tenants fails every call in a context carrying one, so that two tenants never share its users",
		run:  checkSingleTenantRefuses,
	},
}

// needsForKept says why a case cannot run on a store that keeps what
// kept says, or "" when it can.
func needsForKept(name string, kept *scim.Kept) string {
	if kept == nil {
		if name == "SingleTenantRefusesTenants" {
			return "the store does not implement scim.Keeper"
		}
		return ""
	}
	needs := map[string][]string{
		"FilterExternalIDCaseExact":  {"externalId"},
		"FilterWorkEmail":            {"emails"},
		"FilterAnd":                  {"externalId", "emails"},
		"FilterNoMatch":              {"externalId", "emails"},
		"DeactivatedUsersVisible":    {"active", "externalId", "emails"},
		"TenantIsolation":            {"tenants"},
		"SingleTenantRefusesTenants": {"single tenant"},
	}[name]
	for _, n := range needs {
		switch {
		case n == "tenants" && kept.SingleTenant:
			return "the store keeps no tenants (scim.Kept.SingleTenant); SingleTenantRefusesTenants checks it instead"
		case n == "single tenant" && !kept.SingleTenant:
			return "the store keeps tenants"
		case slices.Contains(kept.Missing, n):
			return "the store does not keep " + n + " (scim.Kept.Missing), which the check looks users up by"
		}
	}
	return ""
}

// keeps reports whether the store keeps attr, one of the names of
// scim.Kept.Missing: true for a store that does not say.
func (k *storeKit) keeps(attr string) bool {
	return k.kept == nil || !slices.Contains(k.kept.Missing, attr)
}

// shape returns u as a store that keeps what kept says stores it.
func shape(kept *scim.Kept, u *scim.User) *scim.User {
	if kept == nil || u == nil {
		return u
	}
	u = u.Clone()
	for _, m := range kept.Missing {
		switch m {
		case "externalId":
			u.ExternalID = ""
		case "name.givenName":
			u.GivenName = ""
		case "name.familyName":
			u.FamilyName = ""
		case "displayName":
			u.DisplayName = ""
		case "emails":
			u.Email = ""
		case "active":
			u.Active = true
		case "meta.created":
			u.Meta.Created = time.Time{}
		}
	}
	if slices.Contains(kept.Missing, "meta.lastModified") {
		u.Meta.LastModified = u.Meta.Created
	}
	if kept.EmailIsUserName {
		u.Email = u.UserName
	}
	for name := range u.Custom {
		if !slices.Contains(kept.Custom, name) {
			delete(u.Custom, name)
		}
	}
	if len(u.Custom) == 0 {
		u.Custom = nil
	}
	return u
}

// sendable returns u without what the store says it must refuse: an
// e-mail other than userName when it keeps both in one field, and active
// false when it keeps no active flag. Everything else it does not keep
// is sent, for it to drop.
func sendable(kept *scim.Kept, u *scim.User) *scim.User {
	if kept == nil || u == nil {
		return u
	}
	u = u.Clone()
	if kept.EmailIsUserName {
		u.Email = u.UserName
	}
	if slices.Contains(kept.Missing, "active") {
		u.Active = true
	}
	return u
}

// keptStore makes the users the checks write sendable to the store.
type keptStore struct {
	scim.Store
	kept *scim.Kept
}

func (s keptStore) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	return s.Store.Create(ctx, sendable(s.kept, u))
}

func (s keptStore) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	return s.Store.Replace(ctx, sendable(s.kept, u), version)
}

func checkSingleTenantRefuses(t tb, k *storeKit) {
	ctx := scim.WithTenant(context.Background(), tenantA)
	u := k.create(t, sampleUser(1))
	if _, err := k.s.Create(ctx, sampleUser(2)); err == nil {
		t.Errorf("Create in tenant %q succeeded in a store that keeps no tenants", tenantA)
	}
	if _, err := k.s.User(ctx, u.ID); err == nil {
		t.Errorf("User in tenant %q succeeded in a store that keeps no tenants", tenantA)
	}
	if _, err := k.s.List(ctx, scim.Query{StartIndex: 1, Count: 10}); err == nil {
		t.Errorf("List in tenant %q succeeded in a store that keeps no tenants", tenantA)
	}
	if _, err := k.s.Replace(ctx, u, ""); err == nil {
		t.Errorf("Replace in tenant %q succeeded in a store that keeps no tenants", tenantA)
	}
	if err := k.s.Delete(ctx, u.ID, ""); err == nil {
		t.Errorf("Delete in tenant %q succeeded in a store that keeps no tenants", tenantA)
	}
	if _, err := k.s.User(k.ctx, u.ID); errors.Is(err, scim.ErrNotFound) {
		t.Errorf("the user is gone after calls refused in tenant %q", tenantA)
	}
}
