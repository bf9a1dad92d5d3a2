package scimtest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// cursorCases check scim.KeysetLister and scim.GroupKeysetLister, the
// keyset listing behind RFC 9865 cursor pagination.
var cursorCases = []storeCase{
	{
		name:       "KeysetWalksBothWays",
		rule:       "scim.KeysetLister and RFC 9865 §2: pages walked forward from the start, and backward from the end, give every user exactly once in List's order; Keys.Before is false on the first page and Keys.After false only on the last",
		needs:      isKeysetLister,
		capability: "scim.KeysetLister",
		run:        checkKeysetWalk,
	},
	{
		name:       "KeysetFilter",
		rule:       "scim.KeysetLister: a filtered walk gives exactly the users List gives for the filter, in the same order, with List's TotalResults (or -1)",
		needs:      isKeysetLister,
		capability: "scim.KeysetLister",
		run:        checkKeysetFilter,
	},
	{
		name:       "KeysetSurvivesDeletes",
		rule:       "scim.KeysetLister: a key names a position, not a user: deleting users during a walk (the one whose key the walk holds included) neither skips nor repeats a user that lives throughout it",
		needs:      isKeysetLister,
		capability: "scim.KeysetLister",
		run:        checkKeysetDeletes,
	},
	{
		name:       "KeysetTenantIsolation",
		rule:       "scim.KeysetLister and the Store contract: a keyset walk lists the users of the context's tenant only",
		needs:      isKeysetLister,
		capability: "scim.KeysetLister",
		run:        checkKeysetTenants,
	},
	{
		name: "GroupKeysetWalksBothWays",
		rule: "scim.GroupKeysetLister and RFC 9865 §2: pages of groups walked both ways give every group exactly once in ListGroups' order",
		needs: func(s scim.Store) bool {
			_, ok := s.(scim.GroupKeysetLister)
			return ok && isGroupStore(s)
		},
		capability: "scim.GroupStore and scim.GroupKeysetLister",
		run:        checkGroupKeysetWalk,
	},
}

func isKeysetLister(s scim.Store) bool { _, ok := s.(scim.KeysetLister); return ok }

// keysetPage runs one ListKeyset and checks what any page must satisfy; an
// error stops the check.
func (k *storeKit) keysetPage(t tb, q scim.Query) *scim.Page {
	t.Helper()
	p, err := k.s.(scim.KeysetLister).ListKeyset(k.ctx, q)
	args := keysetArgs(q)
	checkPage(t, userKeysetListing, args, q.Count, p, err, pageUsers)
	checkKeys(t, userKeysetListing, args, len(p.Users), p.Keys)
	return p
}

// keysetArgs are the arguments of a keyset query as messages show them.
func keysetArgs(q scim.Query) string {
	return fmt.Sprintf("%s, seek %+v", queryString(q), q.Seek)
}

// walk pages through f's users with count per page, forward from the start
// or backward from the end, and returns their ids in list order. between,
// when not nil, runs after each page.
func (k *storeKit) walk(t tb, f filter.Expr, count int, backward bool, between func(page []string)) ([]string, int) {
	t.Helper()
	return walkKeyset(t, f, count, backward, between, func(q scim.Query) ([]string, scim.PageKeys, int) {
		p := k.keysetPage(t, q)
		return userIDs(p.Users), p.Keys, p.TotalResults
	})
}

// walkKeyset pages through the resources f selects with count per page,
// forward from the start or backward from the end, whatever their type,
// and returns their ids in list order and the first page's TotalResults.
// page runs one keyset query; between, when not nil, runs after each
// page.
func walkKeyset(t tb, f filter.Expr, count int, backward bool, between func(page []string), page func(q scim.Query) ([]string, scim.PageKeys, int)) ([]string, int) {
	t.Helper()
	var got []string
	seek := scim.Seek{Backward: backward}
	total := 0
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("a walk of pages of %d did not end after 1000 pages: Keys.After (or Before) never turns false", count)
		}
		q := scim.Query{Filter: f, Count: count, Seek: seek}
		ids, keys, n := page(q)
		if pages == 0 {
			total = n
			if backward && keys.After {
				t.Errorf("the last page (seek %+v) reports Keys.After", seek)
			}
			if !backward && keys.Before {
				t.Errorf("the first page (seek %+v) reports Keys.Before", seek)
			}
		}
		if backward {
			got = append(ids, got...)
		} else {
			got = append(got, ids...)
		}
		if between != nil {
			between(ids)
		}
		if backward {
			if !keys.Before {
				return got, total
			}
			if keys.First == "" {
				t.Fatalf("page (seek %+v) reports Keys.Before but is empty: the walk cannot go on", seek)
			}
			seek = scim.Seek{Key: keys.First, Backward: true}
		} else {
			if !keys.After {
				return got, total
			}
			if keys.Last == "" {
				t.Fatalf("page (seek %+v) reports Keys.After but is empty: the walk cannot go on", seek)
			}
			seek = scim.Seek{Key: keys.Last}
		}
	}
}

func checkKeysetWalk(t tb, k *storeKit) {
	const n = 23
	for i := range n {
		k.create(t, sampleUser(i))
	}
	full := userIDs(k.all(t, k.ctx))
	for _, count := range []int{1, 4, 7, n, 100} {
		for _, back := range []bool{false, true} {
			got, total := k.walk(t, nil, count, back, nil)
			if !slices.Equal(got, full) {
				t.Errorf("pages of %d (backward %v) give\n%q\nwant List's order\n%q", count, back, got, full)
			}
			if total != n && total != -1 {
				t.Errorf("pages of %d (backward %v): TotalResults = %d, want %d (or -1)", count, back, total, n)
			}
		}
	}
	// From the middle: the page after a key and the page before the next
	// key meet.
	p := k.keysetPage(t, scim.Query{Count: 5})
	next := k.keysetPage(t, scim.Query{Count: 5, Seek: scim.Seek{Key: p.Keys.Last}})
	prev := k.keysetPage(t, scim.Query{Count: 5, Seek: scim.Seek{Key: next.Keys.First, Backward: true}})
	if !slices.Equal(userIDs(prev.Users), userIDs(p.Users)) {
		t.Errorf("the page before the second page is %q, want the first page %q", userIDs(prev.Users), userIDs(p.Users))
	}
	if !next.Keys.Before || prev.Keys.Before || !prev.Keys.After {
		t.Errorf("second page Keys.Before = %v (want true); first page read backward: Keys.Before = %v (want false), Keys.After = %v (want true)", next.Keys.Before, prev.Keys.Before, prev.Keys.After)
	}
	// Count 0 returns no users.
	if z := k.keysetPage(t, scim.Query{Count: 0}); len(z.Users) != 0 || (z.TotalResults != n && z.TotalResults != -1) {
		t.Errorf("ListKeyset(count 0) returned %d users and TotalResults %d, want none and %d", len(z.Users), z.TotalResults, n)
	}
}

func checkKeysetFilter(t tb, k *storeKit) {
	for i := range 20 {
		u := sampleUser(i)
		u.Active = i%3 != 0
		k.create(t, u)
	}
	active := &filter.Compare{Path: filter.AttrPath{Name: "active"}, Op: filter.Eq, Value: filter.Value{Kind: filter.Bool, Bool: true}}
	one := cmpEq("userName", sampleUser(7).UserName)
	for _, f := range []filter.Expr{active, one} {
		p, err := k.s.List(k.ctx, scim.Query{Filter: f, StartIndex: 1, Count: 1000})
		if errors.Is(err, scim.ErrUnsupportedFilter) {
			t.Logf("the store does not support %s; not checked", f)
			continue
		}
		if err != nil {
			t.Fatalf("List(%s): %v", f, err)
		}
		want := userIDs(p.Users)
		for _, count := range []int{1, 3, 100} {
			for _, back := range []bool{false, true} {
				got, total := k.walk(t, f, count, back, nil)
				if !slices.Equal(got, want) {
					t.Errorf("filter %s, pages of %d (backward %v) give\n%q\nwant\n%q", f, count, back, got, want)
				}
				if total != len(want) && total != -1 {
					t.Errorf("filter %s: TotalResults = %d, want %d (or -1)", f, total, len(want))
				}
			}
		}
	}
}

func checkKeysetDeletes(t tb, k *storeKit) {
	const n = 60
	for i := range n {
		k.create(t, sampleUser(i))
	}
	full := userIDs(k.all(t, k.ctx))
	for _, back := range []bool{false, true} {
		deleted := map[string]bool{}
		del := func(id string) {
			if deleted[id] {
				return
			}
			if err := k.s.Delete(k.ctx, id, ""); err != nil && !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("Delete(%q): %v", id, err)
			}
			deleted[id] = true
		}
		cur := slices.Clone(full)
		got, _ := k.walk(t, nil, 4, back, func(page []string) {
			if len(page) == 0 {
				return
			}
			// The user whose key the walk holds next, one already seen and
			// one not yet seen.
			edge := page[len(page)-1]
			if back {
				edge = page[0]
			}
			del(edge)
			for _, id := range cur {
				if !deleted[id] && !slices.Contains(page, id) {
					del(id)
					break
				}
			}
			for i := len(cur) - 1; i >= 0; i-- {
				if id := cur[i]; !deleted[id] && !slices.Contains(page, id) {
					del(id)
					break
				}
			}
		})
		seen := map[string]int{}
		for _, id := range got {
			seen[id]++
		}
		for _, id := range cur {
			switch {
			case seen[id] > 1:
				t.Errorf("backward %v: user %q was listed %d times", back, id, seen[id])
			case seen[id] == 0 && !deleted[id]:
				t.Errorf("backward %v: user %q, never deleted, was skipped", back, id)
			}
		}
		// Make the next direction's walk start from the same users.
		for id := range deleted {
			full = slices.DeleteFunc(full, func(s string) bool { return s == id })
		}
		if len(full) < 8 {
			for i := range 20 {
				full = append(full, k.create(t, sampleUser(1000+i+len(deleted))).ID)
			}
		}
	}
}

func checkKeysetTenants(t tb, k *storeKit) {
	for i := range 5 {
		k.create(t, sampleUser(i))
	}
	b := k.createIn(t, k.ctxB, sampleUser(99))
	p, err := k.s.(scim.KeysetLister).ListKeyset(k.ctxB, scim.Query{Count: 100})
	if err != nil {
		t.Fatalf("ListKeyset in tenant B: %v", err)
	}
	if ids := userIDs(p.Users); !slices.Equal(ids, []string{b.ID}) {
		t.Errorf("ListKeyset in tenant B returned %q, want only tenant B's user %q", ids, b.ID)
	}
	got, _ := k.walk(t, nil, 2, false, nil)
	if slices.Contains(got, b.ID) || len(got) != 5 {
		t.Errorf("a walk in tenant A returned %q: want tenant A's 5 users only", got)
	}
}

func checkGroupKeysetWalk(t tb, k *storeKit) {
	gs, kl := k.s.(scim.GroupStore), k.s.(scim.GroupKeysetLister)
	const n = 17
	for i := range n {
		if _, err := gs.CreateGroup(k.ctx, &scim.Group{DisplayName: fmt.Sprintf("group %02d", i)}); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	all, err := gs.ListGroups(k.ctx, scim.Query{StartIndex: 1, Count: 1000})
	if err != nil {
		t.Fatalf("ListGroups: %v", err)
	}
	var full []string
	for _, g := range all.Groups {
		full = append(full, g.ID)
	}
	for _, count := range []int{1, 5, 100} {
		for _, back := range []bool{false, true} {
			var got []string
			seek := scim.Seek{Backward: back}
			for pages := 0; pages <= n+1; pages++ {
				p, err := kl.ListGroupsKeyset(k.ctx, scim.Query{Count: count, Seek: seek})
				if err != nil {
					t.Fatalf("ListGroupsKeyset(seek %+v): %v", seek, err)
				}
				var ids []string
				for _, g := range p.Groups {
					ids = append(ids, g.ID)
				}
				if back {
					got = append(ids, got...)
					if !p.Keys.Before {
						break
					}
					seek = scim.Seek{Key: p.Keys.First, Backward: true}
				} else {
					got = append(got, ids...)
					if !p.Keys.After {
						break
					}
					seek = scim.Seek{Key: p.Keys.Last}
				}
			}
			if !slices.Equal(got, full) {
				t.Errorf("group pages of %d (backward %v) give\n%q\nwant ListGroups' order\n%q", count, back, got, full)
			}
		}
	}
}
