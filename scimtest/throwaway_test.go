package scimtest

import (
	"context"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// holdings lists what s holds in every tenant the kit uses: the users'
// ids and versions, and the groups' ids.
func holdings(t *testing.T, s *memstore.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tn := range tenantsOf(scim.WithTenant(context.Background(), tenantA), scim.WithTenant(context.Background(), tenantB), context.Background()) {
		p, err := s.List(tn.ctx, scim.Query{StartIndex: 1, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			out[tn.name] = append(out[tn.name], "user "+u.ID+" "+u.Meta.Version)
		}
		g, err := s.ListGroups(tn.ctx, scim.Query{StartIndex: 1, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range g.Groups {
			out[tn.name] = append(out[tn.name], "group "+g.ID)
		}
	}
	return out
}

// A store that already holds a user is refused by every check before it
// writes anything, and is left as it was.
func TestKitRefusesAStoreInUse(t *testing.T) {
	for _, ctx := range []context.Context{scim.WithTenant(context.Background(), tenantB), context.Background()} {
		s := memstore.New()
		if _, err := s.Create(ctx, &scim.User{UserName: "real.person@example.com", Active: true}); err != nil {
			t.Fatal(err)
		}
		before := holdings(t, s)
		got := run(func() scim.Store { return s })
		for _, c := range storeCasesAll() {
			msgs := got[c.name]
			if c.name == "SingleTenantRefusesTenants" || c.needs != nil && !c.needs(s) {
				continue // skipped: memstore keeps tenants, and is no Patcher
			}
			if len(msgs) != 1 || !strings.Contains(msgs[0], "TestStore needs an empty throwaway store") {
				t.Errorf("%s: %q, want the one refusal", c.name, msgs)
			}
		}
		if after := holdings(t, s); !equalHoldings(before, after) {
			t.Errorf("after the refusals the store holds %q, want %q as before", after, before)
		}
	}
}

// One throwaway store for every check: each that passes leaves it empty,
// users, groups and memberships.
func TestKitLeavesTheStoreEmpty(t *testing.T) {
	s := memstore.New()
	TestStore(t, func(*testing.T) scim.Store { return s })
	if h := holdings(t, s); len(h) != 0 {
		t.Errorf("after the kit the store holds %q, want nothing", h)
	}
}

func equalHoldings(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, ",") != strings.Join(b[k], ",") {
			return false
		}
	}
	return true
}
