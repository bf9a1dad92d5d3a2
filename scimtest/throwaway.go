package scimtest

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scim"
)

// The kits write only into a throwaway store: every check first sees that
// the store holds nothing it could write over, count or delete in the
// tenants it uses, and refuses before it writes anything when it does, so
// that a kit pointed at a real table stops at once instead of leaving test
// users among real ones or deleting real ones. A check that passes removes
// what it wrote.

// A tenant is a context the checks write in, named for messages.
type tenant struct {
	name string
	ctx  context.Context
}

func tenantsOf(a, b, none context.Context) []tenant {
	return []tenant{{fmt.Sprintf("tenant %q", tenantA), a}, {fmt.Sprintf("tenant %q", tenantB), b}, {"no tenant", none}}
}

// A kind is one kind of resource a store holds, as the checks list and
// delete it.
type kind struct {
	noun   string // "users", "groups", "Agent resources"
	method string // the list method, for messages: "List"
	// list returns the ids of a page of q in ctx and its TotalResults.
	list func(ctx context.Context, q scim.Query) ([]string, int, error)
	// del deletes the resource with the given id in ctx, at any version.
	del func(ctx context.Context, id string) error
}

// refuseNonEmpty stops the check, before it writes anything, when the
// store already holds resources of one of the kinds in one of the tenants:
// kit names the entry point in the message.
func refuseNonEmpty(t tb, kit string, tenants []tenant, kinds ...kind) {
	t.Helper()
	for _, tn := range tenants {
		for _, k := range kinds {
			_, n, err := k.list(tn.ctx, scim.Query{StartIndex: 1, Count: 0})
			if err != nil {
				t.Fatalf("%s of the %s in %s, to see that the store is empty: %v", k.method, k.noun, tn.name, err)
			}
			if n != 0 {
				t.Fatalf("scimtest: the store already holds %d %s in %s; %s needs an empty throwaway store (it creates, counts and deletes what it checks), so it wrote nothing", n, k.noun, tn.name, kit)
			}
		}
	}
}

// sweep deletes every resource of the kinds in the tenants, in the order
// of kinds: what a passing check created, since refuseNonEmpty saw the
// store empty before it.
func sweep(t tb, tenants []tenant, kinds ...kind) {
	t.Helper()
	for _, k := range kinds {
		for _, tn := range tenants {
			// A page at a time, until none is left; a round that deletes
			// nothing ends it, reported, rather than loop.
			for range 1000 {
				ids, _, err := k.list(tn.ctx, scim.Query{StartIndex: 1, Count: 100})
				if err != nil {
					t.Errorf("%s of the %s in %s, to delete what the check created: %v", k.method, k.noun, tn.name, err)
					break
				}
				deleted := 0
				for _, id := range ids {
					if err := k.del(tn.ctx, id); err == nil || errors.Is(err, scim.ErrNotFound) {
						deleted++
					} else {
						t.Errorf("deleting %q of the %s the check created in %s: %v", id, k.noun, tn.name, err)
					}
				}
				if len(ids) == 0 || deleted == 0 {
					break
				}
			}
		}
	}
}

// The kinds of a scim.Store: its users, and its groups when it keeps them.

func usersOf(s scim.Store) kind {
	return kind{noun: "users", method: "List",
		list: func(ctx context.Context, q scim.Query) ([]string, int, error) {
			p, err := s.List(ctx, q)
			if err != nil || p == nil {
				return nil, 0, pageErr(err)
			}
			return userIDs(p.Users), p.TotalResults, nil
		},
		del: func(ctx context.Context, id string) error { return s.Delete(ctx, id, "") }}
}

func groupsOf(s scim.GroupStore) kind {
	return kind{noun: "groups", method: "ListGroups",
		list: func(ctx context.Context, q scim.Query) ([]string, int, error) {
			p, err := s.ListGroups(ctx, q)
			if err != nil || p == nil {
				return nil, 0, pageErr(err)
			}
			ids := make([]string, len(p.Groups))
			for i, g := range p.Groups {
				ids[i] = g.ID
			}
			return ids, p.TotalResults, nil
		},
		del: func(ctx context.Context, id string) error { return s.DeleteGroup(ctx, id, "") }}
}

func resourcesOf(s scim.ResourceStore, typ *scim.ResourceType) kind {
	return kind{noun: typ.Name + " resources", method: "ListResources",
		list: func(ctx context.Context, q scim.Query) ([]string, int, error) {
			p, err := s.ListResources(ctx, typ, q)
			if err != nil || p == nil {
				return nil, 0, pageErr(err)
			}
			return resourceIDs(p.Resources), p.TotalResults, nil
		},
		del: func(ctx context.Context, id string) error { return s.DeleteResource(ctx, typ, id, "") }}
}

// pageErr is a list's error, errNilPage for a nil page with none.
func pageErr(err error) error {
	if err == nil {
		return errNilPage
	}
	return err
}
