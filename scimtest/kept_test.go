package scimtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// A store that implements scim.Keeper is held to what it says it keeps:
// an honest one passes, and one whose claim is false fails the check
// named after the promise.

// keeps is memstore over a table with only some attributes: it drops
// displayName and every custom attribute but costCenter, and with single
// keeps no tenants.
type keeps struct {
	scim.Store
	single bool
}

var errTenant = errors.New("this store keeps no tenants")

func (s keeps) Keeps() scim.Kept {
	return scim.Kept{SingleTenant: s.single, Missing: []string{"displayName"}, Custom: []string{"costCenter"}}
}

func (s keeps) drop(u *scim.User) *scim.User {
	u = u.Clone()
	u.DisplayName = ""
	for k := range u.Custom {
		if k != "costCenter" {
			delete(u.Custom, k)
		}
	}
	if len(u.Custom) == 0 {
		u.Custom = nil
	}
	return u
}

func (s keeps) tenant(ctx context.Context) error {
	if s.single && scim.TenantFrom(ctx) != "" {
		return errTenant
	}
	return nil
}

func (s keeps) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	if err := s.tenant(ctx); err != nil {
		return nil, err
	}
	return s.Store.Create(ctx, s.drop(u))
}

func (s keeps) Replace(ctx context.Context, u *scim.User, v string) (*scim.User, error) {
	if err := s.tenant(ctx); err != nil {
		return nil, err
	}
	return s.Store.Replace(ctx, s.drop(u), v)
}

func (s keeps) User(ctx context.Context, id string) (*scim.User, error) {
	if err := s.tenant(ctx); err != nil {
		return nil, err
	}
	return s.Store.User(ctx, id)
}

func (s keeps) Delete(ctx context.Context, id, v string) error {
	if err := s.tenant(ctx); err != nil {
		return err
	}
	return s.Store.Delete(ctx, id, v)
}

func (s keeps) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if err := s.tenant(ctx); err != nil {
		return nil, err
	}
	return s.Store.List(ctx, q)
}

// claimsMore says it drops displayName but keeps it.
type claimsMore struct{ scim.Store }

func (claimsMore) Keeps() scim.Kept {
	return scim.Kept{Missing: []string{"displayName"}, Custom: []string{"costCenter", "level", "contractor", "hired", "regions", "badges", "flags", "reviews"}}
}

// claimsSingleTenant says it keeps no tenants but accepts them.
type claimsSingleTenant struct{ keeps }

func (s claimsSingleTenant) Keeps() scim.Kept { k := s.keeps.Keeps(); k.SingleTenant = true; return k }

// claimsContentVersions says a no-op write keeps the version, but
// memstore changes it on every write.
type claimsContentVersions struct{ keeps }

func (s claimsContentVersions) Keeps() scim.Kept {
	k := s.keeps.Keeps()
	k.ContentVersions = true
	return k
}

func TestKitHoldsKeepersToTheirWord(t *testing.T) {
	for _, single := range []bool{false, true} {
		got := run(func() scim.Store { return keeps{memstore.New(), single} })
		for name, msgs := range got {
			if len(msgs) > 0 {
				t.Errorf("honest keeper (single tenant %v): check %s failed: %s", single, name, strings.Join(msgs, "; "))
			}
		}
	}
	for _, tt := range []struct {
		name     string
		store    func() scim.Store
		mustFail []string
	}{
		{"keeps an attribute it says it drops", func() scim.Store { return claimsMore{memstore.New()} }, []string{"CreateAndGet", "ReturnedUsersAreCopies"}},
		{"accepts tenants it says it cannot keep", func() scim.Store { return claimsSingleTenant{keeps{memstore.New(), false}} }, []string{"SingleTenantRefusesTenants"}},
		{"changes a content version on a no-op write", func() scim.Store { return claimsContentVersions{keeps{memstore.New(), false}} }, []string{"VersionChangesOnEveryWrite"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := run(tt.store)
			for _, name := range tt.mustFail {
				if len(got[name]) == 0 {
					t.Errorf("check %s did not fail; failing checks: %v", name, slices.Sorted(func(yield func(string) bool) {
						for n, m := range got {
							if len(m) > 0 && !yield(n) {
								return
							}
						}
					}))
				}
			}
		})
	}
}

// noExternalID is memstore over a table without an externalId column: it
// drops the value and refuses a filter on it, as sqlstore does.
type noExternalID struct{ scim.Store }

func (noExternalID) Keeps() scim.Kept {
	return scim.Kept{Missing: []string{"externalId"}, Custom: []string{"costCenter", "level", "contractor", "hired", "regions", "badges", "flags", "reviews"}}
}

func dropExternalID(u *scim.User) *scim.User { u = u.Clone(); u.ExternalID = ""; return u }

func (s noExternalID) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	return s.Store.Create(ctx, dropExternalID(u))
}

func (s noExternalID) Replace(ctx context.Context, u *scim.User, v string) (*scim.User, error) {
	return s.Store.Replace(ctx, dropExternalID(u), v)
}

func (s noExternalID) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if q.Filter != nil && strings.Contains(q.Filter.String(), "externalId") {
		return nil, scim.ErrUnsupportedFilter
	}
	return s.Store.List(ctx, q)
}

// The kit looks users up only by what the store keeps: a store without
// externalId passes Delete (and every other check) without being sent an
// externalId filter it refuses.
func TestKitFiltersOnlyOnKeptAttributes(t *testing.T) {
	got := run(func() scim.Store { return noExternalID{memstore.New()} })
	for name, msgs := range got {
		for _, m := range msgs {
			t.Errorf("%s: %s", name, m)
		}
	}
}
