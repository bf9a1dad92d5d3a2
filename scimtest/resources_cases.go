package scimtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// resourceCases check the promises of scim.ResourceStore, round trips
// first, then the rules built on them, then the optional capability.
var resourceCases = []resourceCase{
	{
		name: "CreateAndGet",
		rule: "RFC 7644 §3.3 and §3.4.1 with scim.Resource: CreateResource returns the resource as stored, with an ID and a Meta.Version, and Resource returns the same; every value of the type's schema keeps its Go type (string, bool, int64, time.Time, their slices, map[string]any, []map[string]any), and a resource with its required attributes alone stays so",
		run:  checkResourceCreateAndGet,
	},
	{
		name: "ReplaceRoundTrip",
		rule: "RFC 7644 §3.5.1 and scim.ResourceStore ReplaceResource: a replace sets every attribute, removed ones included, keeps the id and the resource's place in the list order, and assigns a new version",
		run:  checkResourceReplace,
	},
	{
		name: "NotFound",
		rule: "RFC 7644 §3.12 (404) and scim.ResourceStore: Resource, ReplaceResource and DeleteResource of an unknown id, or of an id in another case (ids are caseExact, RFC 7643 §3.1), return an error wrapping scim.ErrNotFound and change nothing",
		run:  checkResourceNotFound,
	},
	{
		name: "Delete",
		rule: "RFC 7644 §3.6: a deleted resource is not found by Resource, ReplaceResource or DeleteResource, is gone from lists and filters, and its unique values are free again",
		run:  checkResourceDelete,
	},
	{
		name: "VersionCompareAndSwap",
		rule: "RFC 7644 §3.14 (If-Match) and Store.Replace's version rule: ReplaceResource and DeleteResource at a stale version fail with scim.ErrVersionMismatch and change nothing; at the current or the empty version they succeed; every write assigns a version the resource never had",
		run:  checkResourceVersions,
	},
	{
		name: "ConcurrentReplaceSameVersion",
		rule: "RFC 7644 §3.14 under concurrency: of simultaneous ReplaceResource calls at the same version exactly one succeeds and the others fail with scim.ErrVersionMismatch, so the handler's PATCH retry loses no update (run with -race)",
		run:  checkResourceConcurrentReplace,
	},
	{
		name: "UniqueAttributes",
		rule: "scim.ResourceType.Unique (RFC 7643 §2.1 uniqueness server): a create or replace that gives two resources of the type one value of a unique attribute fails with scim.ErrUniqueness and changes nothing; strings compare ignoring case unless caseExact; a resource may keep or re-case its own value; a value given up by a replace or a delete is free again; resources without a value do not conflict",
		skip: noUnique,
		run:  checkResourceUnique,
	},
	{
		name: "ConcurrentCreateSameUniqueValue",
		rule: "scim.ResourceType.Unique under concurrency: of simultaneous creates of one unique value (in any case, unless caseExact) exactly one succeeds and the others fail with scim.ErrUniqueness",
		skip: noUnique,
		run:  checkResourceConcurrentUnique,
	},
	{
		name: "ReturnedResourcesAreCopies",
		rule: "scim.ResourceStore: the store owns its state; changing the Attributes (at any depth) of a resource passed to CreateResource or ReplaceResource after the call, or of one returned by any method, does not change the stored resource",
		run:  checkResourceCopies,
	},
	{
		name: "StablePaging",
		rule: "RFC 7644 §3.4.2.4 with Store.List's rules: startIndex is 1-based, a page holds at most count resources, pages of the stable order concatenate to the whole list with none skipped or repeated, filtered or not; count=0 gives totalResults only",
		run:  checkResourcePaging,
	},
	{
		name: "Filters",
		rule: "scim.ResourceStore ListResources with Store.List's rules (RFC 7644 §3.4.2.2): every filter on the type's attributes (eq, ne, co, sw, ew, pr, gt, le; on sub-attributes, in value paths, joined by and, or, not) selects exactly the resources filter.Match selects, with that TotalResults, or is refused with scim.ErrUnsupportedFilter; never ignored",
		run:  checkResourceFilters,
	},
	{
		name: "TenantIsolation",
		rule: "scim.ResourceStore: the tenant in the context partitions the resources; one unique value may exist in two tenants, and no get, list, filter, replace or delete reaches another tenant's resource",
		run:  checkResourceTenants,
	},
	{
		name: "DeletedReferenceLeavesLists",
		rule: "scim.ResourceType.References: deleting a resource removes the elements that refer to it by value from every reference list of the tenant's resources of the type, keeps the other elements, and gives each resource changed a new version",
		skip: noReferenceLists,
		run:  checkResourceReferences,
	},
	{
		name: "DeletedUserLeavesLists",
		rule: "scim.ResourceType.References with a store that is also the handler's scim.Store: deleting a user removes the elements that name it from the reference lists of the tenant's resources of the type, with a new version",
		skip: func(k *resourceKit) string {
			if why := noReferenceLists(k); why != "" {
				return why
			}
			return noUsers(k)
		},
		run: checkResourceUserReferences,
	},
	{
		name: "IDsDisjointFromUsers",
		rule: "RFC 7643 §3.1 and scim.ResourceStore, with a store that is also the handler's scim.Store: no resource of the type has the id of a user of its tenant; Resource of a user's id and User of a resource's id fail with scim.ErrNotFound",
		skip: noUsers,
		run:  checkResourceIDsDisjoint,
	},
	{
		name: "KeysetWalksBothWays",
		rule: "scim.ResourceKeysetLister and RFC 9865 §2: pages walked forward from the start and backward from the end give every resource exactly once in ListResources' order, filtered or not, with its TotalResults (or -1); Keys.Before is false on the first page and Keys.After false only on the last",
		skip: noResourceKeyset,
		run:  checkResourceKeyset,
	},
	{
		name: "KeysetTenantIsolation",
		rule: "scim.ResourceKeysetLister and the ResourceStore contract: a keyset walk lists the resources of the context's tenant only",
		skip: noResourceKeyset,
		run:  checkResourceKeysetTenants,
	},
}

func noUnique(k *resourceKit) string {
	if len(k.uniqueSimple()) == 0 {
		return fmt.Sprintf("the type %s has no single-valued simple unique attribute (scim.ResourceType.Unique)", k.typ.Name)
	}
	return ""
}

func noReferenceLists(k *resourceKit) string {
	if len(k.typ.References()) == 0 {
		return fmt.Sprintf("the type %s has no reference attributes (scim.ResourceType.References)", k.typ.Name)
	}
	return ""
}

func noUsers(k *resourceKit) string {
	if _, ok := k.s.(scim.Store); !ok {
		return "the store is not a scim.Store: its users are kept elsewhere"
	}
	return ""
}

func noResourceKeyset(k *resourceKit) string {
	if _, ok := k.s.(scim.ResourceKeysetLister); !ok {
		return "the store does not implement scim.ResourceKeysetLister"
	}
	return ""
}

func checkResourceCreateAndGet(t tb, k *resourceKit) {
	seen := map[string]bool{}
	for n, want := range []*scim.Resource{k.sample(1), k.sample(2), k.bare(5)} {
		got := k.create(t, k.ctx, want)
		if got.ID == "" {
			t.Errorf("CreateResource returned an empty ID")
		} else if seen[got.ID] {
			t.Errorf("CreateResource returned the ID %q twice", got.ID)
		}
		seen[got.ID] = true
		if got.Meta.Version == "" {
			t.Errorf("CreateResource returned an empty Meta.Version for %q", got.ID)
		}
		what := "the full sample"
		if n == 2 {
			what = "a resource with its required attributes alone"
		}
		checkResource(t, "CreateResource of "+what+" returned", want, got)
		stored := k.get(t, k.ctx, got.ID)
		if stored == nil {
			continue
		}
		checkResource(t, "Resource after CreateResource of "+what+" returned", want, stored)
		if stored.ID != got.ID {
			t.Errorf("Resource(%q).ID = %q", got.ID, stored.ID)
		}
		if stored.Meta.Version != got.Meta.Version {
			t.Errorf("Resource after CreateResource: Meta.Version = %q, CreateResource returned %q", stored.Meta.Version, got.Meta.Version)
		}
	}
}

func checkResourceReplace(t tb, k *resourceKit) {
	before := k.create(t, k.ctx, k.sample(1))
	r := k.create(t, k.ctx, k.sample(2))
	after := k.create(t, k.ctx, k.sample(4))
	order := resourceIDs(k.all(t, k.ctx))

	// New values in every attribute, the optional ones removed.
	want := k.bare(20)
	want.ID, want.ExternalID = r.ID, "ext-replaced"
	want.Meta = scim.Meta{Created: r.Meta.Created, LastModified: r.Meta.LastModified.Add(time.Minute)}
	got, err := k.s.ReplaceResource(k.ctx, k.typ, want.Clone(), r.Meta.Version)
	if err != nil {
		t.Fatalf("ReplaceResource: %v", err)
	}
	if got == nil {
		t.Fatalf("ReplaceResource returned a nil resource and no error")
	}
	checkResource(t, "ReplaceResource with the optional attributes removed returned", want, got)
	if got.ID != r.ID {
		t.Errorf("ReplaceResource returned ID %q, want %q", got.ID, r.ID)
	}
	if got.Meta.Version == "" || got.Meta.Version == r.Meta.Version {
		t.Errorf("ReplaceResource returned Meta.Version %q; want a new one (was %q)", got.Meta.Version, r.Meta.Version)
	}
	if stored := k.get(t, k.ctx, r.ID); stored != nil {
		checkResource(t, "Resource after ReplaceResource returned", want, stored)
		if stored.Meta.Version != got.Meta.Version {
			t.Errorf("Resource after ReplaceResource: Meta.Version = %q, ReplaceResource returned %q", stored.Meta.Version, got.Meta.Version)
		}
	}

	// And back to every attribute set.
	want = k.sample(21)
	want.ID, want.Meta = r.ID, got.Meta
	got2, err := k.s.ReplaceResource(k.ctx, k.typ, want.Clone(), "")
	if err != nil {
		t.Fatalf("ReplaceResource setting every attribute again: %v", err)
	}
	checkResource(t, "ReplaceResource setting every attribute returned", want, got2)
	if stored := k.get(t, k.ctx, r.ID); stored != nil {
		checkResource(t, "Resource after ReplaceResource setting every attribute returned", want, stored)
	}
	if again := resourceIDs(k.all(t, k.ctx)); !slices.Equal(again, order) {
		t.Errorf("after replacing %q (created between %q and %q) the list order changed from\n%q\nto\n%q", r.ID, before.ID, after.ID, order, again)
	}
}

func checkResourceNotFound(t tb, k *resourceKit) {
	r := k.create(t, k.ctx, k.sample(1))
	unknown := []string{"2819c223-7f76-453a-919d-413861904646", strings.ToUpper(r.ID), strings.ToLower(r.ID) + "x"}
	if swapped := swapCase(r.ID); swapped != r.ID {
		unknown = append(unknown, swapped)
	}
	for _, id := range unknown {
		if id == r.ID {
			continue
		}
		_, err := k.s.Resource(k.ctx, k.typ, id)
		wantErrIs(t, fmt.Sprintf("Resource(%q)", id), err, scim.ErrNotFound)
		in := k.sample(2)
		in.ID = id
		_, err = k.s.ReplaceResource(k.ctx, k.typ, in, "")
		wantErrIs(t, fmt.Sprintf("ReplaceResource(%q)", id), err, scim.ErrNotFound)
		err = k.s.DeleteResource(k.ctx, k.typ, id, "")
		wantErrIs(t, fmt.Sprintf("DeleteResource(%q)", id), err, scim.ErrNotFound)
	}
	if stored := k.get(t, k.ctx, r.ID); stored != nil {
		checkResource(t, "the resource after writes to unknown ids", k.sample(1), stored)
		if stored.Meta.Version != r.Meta.Version {
			t.Errorf("writes to unknown ids changed the version from %q to %q", r.Meta.Version, stored.Meta.Version)
		}
	}
	if n := len(k.all(t, k.ctx)); n != 1 {
		t.Errorf("after writes to unknown ids the type has %d resources, want 1", n)
	}
}

func checkResourceDelete(t tb, k *resourceKit) {
	r := k.create(t, k.ctx, k.sample(1))
	other := k.create(t, k.ctx, k.sample(2))
	if err := k.s.DeleteResource(k.ctx, k.typ, r.ID, r.Meta.Version); err != nil {
		t.Fatalf("DeleteResource(%q) at its version: %v", r.ID, err)
	}
	_, err := k.s.Resource(k.ctx, k.typ, r.ID)
	wantErrIs(t, "Resource of a deleted resource", err, scim.ErrNotFound)
	in := k.sample(1)
	in.ID = r.ID
	_, err = k.s.ReplaceResource(k.ctx, k.typ, in, "")
	wantErrIs(t, "ReplaceResource of a deleted resource", err, scim.ErrNotFound)
	err = k.s.DeleteResource(k.ctx, k.typ, r.ID, "")
	wantErrIs(t, "DeleteResource of a deleted resource", err, scim.ErrNotFound)
	if got := resourceIDs(k.all(t, k.ctx)); !slices.Equal(got, []string{other.ID}) {
		t.Errorf("ListResources after a delete returned %q, want only %q", got, other.ID)
	}
	k.find(t, k.ctx, idEq(r.ID))
	// Its unique values are free again: the same sample is created anew.
	k.create(t, k.ctx, k.sample(1))
}

func checkResourceVersions(t tb, k *resourceKit) {
	r := k.create(t, k.ctx, k.sample(1))
	seen := map[string]bool{r.Meta.Version: true}
	v1 := r.Meta.Version
	in := k.sample(2)
	in.ID = r.ID
	r2, err := k.s.ReplaceResource(k.ctx, k.typ, in.Clone(), v1)
	if err != nil {
		t.Fatalf("ReplaceResource at the current version: %v", err)
	}
	seen[r2.Meta.Version] = true
	for _, stale := range []string{v1, `W/"999999"`} {
		bad := k.sample(3)
		bad.ID = r.ID
		_, err := k.s.ReplaceResource(k.ctx, k.typ, bad, stale)
		wantErrIs(t, fmt.Sprintf("ReplaceResource at the stale version %q", stale), err, scim.ErrVersionMismatch)
		err = k.s.DeleteResource(k.ctx, k.typ, r.ID, stale)
		wantErrIs(t, fmt.Sprintf("DeleteResource at the stale version %q", stale), err, scim.ErrVersionMismatch)
	}
	if stored := k.get(t, k.ctx, r.ID); stored != nil {
		checkResource(t, "the resource after stale writes", in, stored)
		if stored.Meta.Version != r2.Meta.Version {
			t.Errorf("stale writes changed the version from %q to %q", r2.Meta.Version, stored.Meta.Version)
		}
	}
	cur := r2.Meta.Version
	for i := range 4 {
		w := k.sample(4 + i)
		w.ID = r.ID
		version := cur
		if i%2 == 1 {
			version = "" // the empty version always succeeds
		}
		got, err := k.s.ReplaceResource(k.ctx, k.typ, w, version)
		if err != nil {
			t.Fatalf("ReplaceResource at version %q: %v", version, err)
		}
		if seen[got.Meta.Version] {
			t.Errorf("ReplaceResource assigned the version %q, which the resource had before", got.Meta.Version)
		}
		seen[got.Meta.Version] = true
		cur = got.Meta.Version
	}
	if err := k.s.DeleteResource(k.ctx, k.typ, r.ID, cur); err != nil {
		t.Errorf("DeleteResource at the current version %q: %v", cur, err)
	}
}

func checkResourceConcurrentReplace(t tb, k *resourceKit) {
	const n = 16
	r := k.create(t, k.ctx, k.sample(1))
	errs := concurrently(n, func(i int) error {
		w := k.sample(100 + i)
		w.ID = r.ID
		_, err := k.s.ReplaceResource(k.ctx, k.typ, w, r.Meta.Version)
		return err
	})
	if wins := countWins(t, "concurrent ReplaceResource at one version", errs, scim.ErrVersionMismatch); wins != 1 {
		t.Errorf("%d of %d concurrent replaces at version %q succeeded, want exactly 1", wins, n, r.Meta.Version)
	}
	stored := k.get(t, k.ctx, r.ID)
	if stored == nil {
		return
	}
	for i, err := range errs {
		if err == nil {
			checkResource(t, fmt.Sprintf("the stored resource after writer %d's replace succeeded", i), k.sample(100+i), stored)
		}
	}
}

// sameValue is v as another client could send it and still collide with
// v: a string in other case unless a is caseExact.
func sameValue(a *schema.Attribute, v any) any {
	if s, ok := v.(string); ok && !a.CaseExact {
		return swapCase(s)
	}
	return v
}

func checkResourceUnique(t tb, k *resourceKit) {
	for i, a := range k.uniqueSimple() {
		n := 100 * i // samples of their own, whatever the last attribute left
		a1 := k.create(t, k.ctx, k.sample(n+1))
		b := k.create(t, k.ctx, k.sample(n+2))
		v := a1.Attributes[a.Name]
		count := len(k.all(t, k.ctx))

		dup := k.sample(n + 3)
		dup.Attributes[a.Name] = sameValue(a, v)
		if _, err := k.s.CreateResource(k.ctx, k.typ, dup); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("CreateResource with %s %#v, which %q has as %#v: got %v, want an error wrapping %q", a.Name, dup.Attributes[a.Name], a1.ID, v, err, scim.ErrUniqueness)
		}
		if s, ok := v.(string); ok && a.CaseExact && swapCase(s) != s {
			other := k.sample(n + 4)
			other.Attributes[a.Name] = swapCase(s)
			if got, err := k.s.CreateResource(k.ctx, k.typ, other); err != nil {
				t.Errorf("CreateResource with %s %q, which differs only in case from %q's and %s is caseExact: %v", a.Name, swapCase(s), a1.ID, a.Name, err)
			} else {
				k.track(k.ctx, got.ID)
				count++
			}
		}
		if n := len(k.all(t, k.ctx)); n != count {
			t.Errorf("after a refused create of a taken %s the type has %d resources, want %d", a.Name, n, count)
		}

		// A replace onto another's value is refused and changes nothing.
		onto := k.sample(n + 2)
		onto.ID = b.ID
		onto.Attributes[a.Name] = sameValue(a, v)
		if _, err := k.s.ReplaceResource(k.ctx, k.typ, onto, ""); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("ReplaceResource giving %q the %s %#v of %q: got %v, want an error wrapping %q", b.ID, a.Name, onto.Attributes[a.Name], a1.ID, err, scim.ErrUniqueness)
		}
		if stored := k.get(t, k.ctx, b.ID); stored != nil {
			checkResource(t, "the resource after a refused replace onto a taken "+a.Name, k.sample(n+2), stored)
		}
		// A resource keeps its own value, and may change its case.
		self := k.sample(n + 1)
		self.ID = a1.ID
		self.Attributes[a.Name] = sameValue(a, v)
		if _, err := k.s.ReplaceResource(k.ctx, k.typ, self, ""); err != nil {
			t.Errorf("ReplaceResource of %q keeping its own %s as %#v: %v", a1.ID, a.Name, self.Attributes[a.Name], err)
		}
		// A value a replace gives up is free again.
		moved := k.sample(n + 1)
		moved.ID = a1.ID
		moved.Attributes[a.Name] = k.sample(n + 5).Attributes[a.Name]
		if _, err := k.s.ReplaceResource(k.ctx, k.typ, moved, ""); err != nil {
			t.Errorf("ReplaceResource of %q giving it the free %s %#v: %v", a1.ID, a.Name, moved.Attributes[a.Name], err)
		} else {
			reuse := k.sample(n + 6)
			reuse.Attributes[a.Name] = v
			if got, err := k.s.CreateResource(k.ctx, k.typ, reuse); err != nil {
				t.Errorf("CreateResource with the %s %#v, which %q gave up in a replace: %v", a.Name, v, a1.ID, err)
			} else {
				k.track(k.ctx, got.ID)
			}
		}
		// Resources without a value do not conflict.
		if !a.Required {
			for j := range 2 {
				none := k.sample(n + 10 + j)
				delete(none.Attributes, a.Name)
				if got, err := k.s.CreateResource(k.ctx, k.typ, none); err != nil {
					t.Errorf("CreateResource of a resource without %s (resource %d of 2 without it): %v", a.Name, j+1, err)
				} else {
					k.track(k.ctx, got.ID)
				}
			}
		}
		// Start the next attribute from an empty type.
		if !t.Failed() {
			k.cleanUp(t)
		}
	}
}

func checkResourceConcurrentUnique(t tb, k *resourceKit) {
	const n = 16
	for j, a := range k.uniqueSimple() {
		v := k.sample(7 + 1000*j).Attributes[a.Name]
		errs := concurrently(n, func(i int) error {
			r := k.sample(100 + 1000*j + i)
			r.Attributes[a.Name] = v
			if i%2 == 1 {
				r.Attributes[a.Name] = sameValue(a, v)
			}
			got, err := k.s.CreateResource(k.ctx, k.typ, r)
			if err == nil {
				k.track(k.ctx, got.ID)
			}
			return err
		})
		if wins := countWins(t, "concurrent CreateResource of one "+a.Name, errs, scim.ErrUniqueness); wins != 1 {
			t.Errorf("%d of %d concurrent creates of one %s (%#v, in different cases unless caseExact) succeeded, want exactly 1", wins, n, a.Name, v)
		}
		if !t.Failed() {
			k.cleanUp(t)
		}
	}
}

// mutateResource changes every part of r that a store could share with
// its own copy: the map, its values' slices and maps, in place.
func mutateResource(r *scim.Resource) {
	r.ExternalID += "-changed"
	r.Meta.Version = "changed"
	for name, v := range r.Attributes {
		switch v := v.(type) {
		case string:
			r.Attributes[name] = v + "-changed"
		case []string:
			for i := range v {
				v[i] += "-changed"
			}
		case []bool:
			for i := range v {
				v[i] = !v[i]
			}
		case []int64:
			for i := range v {
				v[i]++
			}
		case []time.Time:
			for i := range v {
				v[i] = v[i].Add(time.Hour)
			}
		case map[string]any:
			for s := range v {
				v[s] = "changed"
			}
			v["added"] = "changed"
		case []map[string]any:
			for _, m := range v {
				for s := range m {
					m[s] = "changed"
				}
				m["added"] = "changed"
			}
		default:
			r.Attributes[name] = "changed"
		}
	}
	r.Attributes["scimtestAdded"] = "changed"
}

func checkResourceCopies(t tb, k *resourceKit) {
	want := k.sample(1)
	in := want.Clone()
	out, err := k.s.CreateResource(k.ctx, k.typ, in)
	if err != nil {
		t.Fatalf("CreateResource: %v", err)
	}
	k.track(k.ctx, out.ID)
	id, version := out.ID, out.Meta.Version
	unchanged := func(after string) {
		t.Helper()
		stored, err := k.s.Resource(k.ctx, k.typ, id)
		if err != nil {
			t.Errorf("Resource after %s: %v", after, err)
			return
		}
		for _, d := range diffResource(want, stored) {
			t.Errorf("after %s, the stored resource changed: %s", after, d)
		}
		if stored.Meta.Version != version {
			t.Errorf("after %s, the stored version changed from %q to %q", after, version, stored.Meta.Version)
		}
	}
	mutateResource(in)
	unchanged("changing the resource passed to CreateResource")
	mutateResource(out)
	unchanged("changing the resource CreateResource returned")
	if got, err := k.s.Resource(k.ctx, k.typ, id); err == nil {
		mutateResource(got)
		unchanged("changing the resource Resource returned")
	}
	for _, r := range k.all(t, k.ctx) {
		mutateResource(r)
	}
	unchanged("changing the resources ListResources returned")
	for _, r := range k.list(t, k.ctx, scim.Query{Filter: idEq(id), StartIndex: 1, Count: 10}).Resources {
		mutateResource(r)
	}
	unchanged("changing the resources a filtered ListResources returned")
	if kl, ok := k.s.(scim.ResourceKeysetLister); ok {
		if p, err := kl.ListResourcesKeyset(k.ctx, k.typ, scim.Query{Count: 10}); err == nil && p != nil {
			for _, r := range p.Resources {
				mutateResource(r)
			}
			unchanged("changing the resources ListResourcesKeyset returned")
		}
	}

	in = k.sample(2)
	in.ID = id
	out, err = k.s.ReplaceResource(k.ctx, k.typ, in, "")
	if err != nil {
		t.Fatalf("ReplaceResource: %v", err)
	}
	want, version = in.Clone(), out.Meta.Version
	mutateResource(in)
	unchanged("changing the resource passed to ReplaceResource")
	mutateResource(out)
	unchanged("changing the resource ReplaceResource returned")
}

func checkResourcePaging(t tb, k *resourceKit) {
	const n = 23
	created := map[string]bool{}
	for i := range n {
		created[k.create(t, k.ctx, k.sample(i)).ID] = true
	}
	full := resourceListing.checkAll(t, n, created, func() []string { return resourceIDs(k.all(t, k.ctx)) })
	checkPagesOf(t, "resources", k.lister(t, k.ctx), nil, full)

	// A filter that selects some pages the same way: every third sample
	// has no externalId.
	some := &filter.Compare{Path: filter.AttrPath{Name: "externalId"}, Op: filter.Pr, CaseExact: true}
	if ids, ok := resourceListing.filtered(t, k.resourcesIn(k.ctx), some); ok {
		if len(ids) != n-(n+2)/3 {
			t.Errorf("ListResources(%s) returned %d resources, want %d", some, len(ids), n-(n+2)/3)
		}
		checkPagesOf(t, "resources", k.lister(t, k.ctx), some, ids)
	}

	// count=0 asks for totalResults only.
	for _, f := range []filter.Expr{nil, idEq(full[3])} {
		q := scim.Query{Filter: f, StartIndex: 1, Count: 0}
		p := k.list(t, k.ctx, q)
		want := n
		if f != nil {
			want = 1
		}
		if p.TotalResults != want || len(p.Resources) != 0 {
			t.Errorf("ListResources(%s): TotalResults %d and %d resources, want %d and none", queryString(q), p.TotalResults, len(p.Resources), want)
		}
	}
}

// idEq is the resolved filter id eq "id" (caseExact, RFC 7643 §3.1).
func idEq(id string) filter.Expr { return cmpEq("id", id) }

func checkResourceFilters(t tb, k *resourceKit) {
	for i := range 8 {
		k.create(t, k.ctx, k.sample(i))
	}
	// Another tenant's resources never match.
	k.create(t, k.ctxB, k.sample(2))
	all := k.all(t, k.ctx)
	if len(all) != 8 {
		t.Fatalf("ListResources returned %d resources, want the 8 created", len(all))
	}
	views := make([]filter.Resource, len(all))
	for i, r := range all {
		views[i] = r
	}
	for _, f := range k.filters(all) {
		checkFilterSelects(t, f, views, resourceIDs(all), k.resourcesIn(k.ctx))
	}
}

// filters are the filters a client could send on the type, derived from
// its schema and resolved as the handler resolves them: canonical names,
// CaseExact from the attribute's definition, literals of the attribute's
// type. Their values come from the resources rs, so that each selects
// some and not others.
func (k *resourceKit) filters(rs []*scim.Resource) []filter.Expr {
	pick := rs[2] // a sample with every attribute set
	cmp := func(p filter.AttrPath, op filter.Op, v filter.Value, exact bool) *filter.Compare {
		return &filter.Compare{Path: p, Op: op, Value: v, CaseExact: exact}
	}
	str := func(s string) filter.Value { return filter.Value{Kind: filter.String, Str: s} }
	t2 := resourceTime.Add(2*time.Hour + 30*time.Minute)
	fs := []filter.Expr{
		idEq(pick.ID),
		idEq(swapCase(pick.ID)),
		cmpEq("externalId", pick.ExternalID),
		cmpEq("externalId", swapCase(pick.ExternalID)),
		cmp(filter.AttrPath{Name: "externalId"}, filter.Pr, filter.Value{}, true),
		cmp(filter.AttrPath{Name: "meta", Sub: "created"}, filter.Gt, filter.Value{Kind: filter.DateTime, Str: t2.Format(time.RFC3339), Time: t2}, false),
	}
	// simple adds the comparisons that fit a simple value v of def at p.
	simple := func(p filter.AttrPath, def *schema.Attribute, v any) {
		exact := def.CaseExact
		switch v := v.(type) {
		case string:
			fs = append(fs,
				cmp(p, filter.Eq, str(v), exact),
				cmp(p, filter.Eq, str(swapCase(v)), exact),
				cmp(p, filter.Ne, str(v), exact),
				cmp(p, filter.Pr, filter.Value{}, exact),
			)
			if len(v) >= 4 {
				fs = append(fs,
					cmp(p, filter.Sw, str(swapCase(v[:4])), exact),
					cmp(p, filter.Co, str(v[1:len(v)-1]), exact),
					cmp(p, filter.Ew, str(swapCase(v[len(v)-3:])), exact),
				)
			}
		case bool:
			fs = append(fs, cmp(p, filter.Eq, filter.Value{Kind: filter.Bool, Bool: v}, false), cmp(p, filter.Eq, filter.Value{Kind: filter.Bool, Bool: !v}, false))
		case int64:
			num := filter.Value{Kind: filter.Number, Num: float64(v)}
			fs = append(fs, cmp(p, filter.Eq, num, false), cmp(p, filter.Gt, num, false), cmp(p, filter.Le, num, false))
		case time.Time:
			dt := filter.Value{Kind: filter.DateTime, Str: v.Format(time.RFC3339), Time: v}
			fs = append(fs, cmp(p, filter.Eq, dt, false), cmp(p, filter.Gt, dt, false), cmp(p, filter.Le, dt, false))
		}
	}
	for _, a := range k.attrs {
		p := filter.AttrPath{Name: a.Name}
		switch v := pick.Attributes[a.Name].(type) {
		case map[string]any:
			for i := range a.SubAttributes {
				if s := &a.SubAttributes[i]; v[s.Name] != nil {
					simple(filter.AttrPath{Name: a.Name, Sub: s.Name}, s, v[s.Name])
				}
			}
		case []map[string]any:
			for i := range a.SubAttributes {
				s := &a.SubAttributes[i]
				if len(v) == 0 || v[len(v)-1][s.Name] == nil {
					continue
				}
				el := v[len(v)-1][s.Name]
				simple(filter.AttrPath{Name: a.Name, Sub: s.Name}, s, el)
				if sv, ok := el.(string); ok {
					fs = append(fs, &filter.ValuePath{Path: p, Filter: cmp(filter.AttrPath{Name: s.Name}, filter.Eq, str(sv), s.CaseExact)})
				}
			}
		case []string:
			simple(p, a, v[len(v)-1])
		case []bool:
			simple(p, a, v[0])
		case []int64:
			simple(p, a, v[len(v)-1])
		case []time.Time:
			simple(p, a, v[len(v)-1])
		case nil:
		default:
			simple(p, a, v)
		}
	}
	// Joined: the first comparisons on attributes, two by two.
	var joined []filter.Expr
	for i := 6; i+3 < len(fs) && len(joined) < 6; i += 4 {
		joined = append(joined,
			&filter.Logical{Op: filter.And, Left: fs[i], Right: fs[i+3]},
			&filter.Logical{Op: filter.Or, Left: fs[i], Right: fs[i+1]},
			&filter.Not{X: fs[i+3]},
		)
	}
	joined = append(joined, &filter.Logical{Op: filter.Or, Left: idEq(rs[0].ID), Right: idEq(rs[5].ID)})
	return append(fs, joined...)
}

func checkResourceTenants(t tb, k *resourceKit) {
	shared := k.sample(1)
	a := k.create(t, k.ctx, shared)
	b := k.create(t, k.ctxB, shared) // the same unique values in another tenant are no conflict
	onlyB := k.create(t, k.ctxB, k.sample(2))
	if a.ID == b.ID {
		t.Errorf("two tenants' resources have the same id %q", a.ID)
	}
	for _, id := range []string{b.ID, onlyB.ID} {
		if _, err := k.s.Resource(k.ctx, k.typ, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Resource in tenant %q of tenant %q's resource %q: got %v, want an error wrapping %q", tenantA, tenantB, id, err, scim.ErrNotFound)
		}
		if _, err := k.s.Resource(k.ctx0, k.typ, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Resource without a tenant of tenant %q's resource %q: got %v, want an error wrapping %q", tenantB, id, err, scim.ErrNotFound)
		}
		r := k.sample(3)
		r.ID = id
		_, err := k.s.ReplaceResource(k.ctx, k.typ, r, "")
		wantErrIs(t, fmt.Sprintf("ReplaceResource in tenant %q of tenant %q's resource", tenantA, tenantB), err, scim.ErrNotFound)
		err = k.s.DeleteResource(k.ctx, k.typ, id, "")
		wantErrIs(t, fmt.Sprintf("DeleteResource in tenant %q of tenant %q's resource", tenantA, tenantB), err, scim.ErrNotFound)
	}
	for _, r := range []*scim.Resource{b, onlyB} {
		got, err := k.s.Resource(k.ctxB, k.typ, r.ID)
		if err != nil {
			t.Errorf("after replaces and deletes from tenant %q, Resource in tenant %q: %v", tenantA, tenantB, err)
			continue
		}
		checkResource(t, fmt.Sprintf("tenant %q's resource after writes from tenant %q", tenantB, tenantA), r, got)
	}
	resourceListing.checkTenantLists(t, a.ID, resourceIDs(k.all(t, k.ctx)), resourceIDs(k.all(t, k.ctx0)), resourceIDs(k.all(t, k.ctxB)))
	k.find(t, k.ctx, idEq(onlyB.ID))
	k.find(t, k.ctx, cmpEq("externalId", onlyB.ExternalID))
	for _, u := range k.uniqueSimple() {
		if s, ok := onlyB.Attributes[u.Name].(string); ok {
			k.find(t, k.ctx, &filter.Compare{Path: filter.AttrPath{Name: u.Name}, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: s}, CaseExact: u.CaseExact})
		}
	}
	k.find(t, k.ctx0, idEq(a.ID))
}

func checkResourceReferences(t tb, k *resourceKit) {
	for _, name := range k.typ.References() {
		def := k.attrNamed(name)
		if def == nil {
			t.Errorf("scimtest: References lists %q, which is not a writable attribute of %s", name, k.typ.Name)
			continue
		}
		target := k.create(t, k.ctx, k.sample(1))
		kept := k.create(t, k.ctx, k.sample(2))
		ref := func(id string, i int) map[string]any {
			m := complexValue(def, 9, i)
			m["value"] = id
			return m
		}
		in := k.sample(3)
		in.Attributes[name] = []map[string]any{ref(target.ID, 0), ref(kept.ID, 1)}
		referrer := k.create(t, k.ctx, in)
		only := k.sample(4)
		only.Attributes[name] = []map[string]any{ref(target.ID, 0)}
		onlyRef := k.create(t, k.ctx, only)
		// Another tenant's resource with the same reference is not touched.
		inB := k.create(t, k.ctxB, in)

		if err := k.s.DeleteResource(k.ctx, k.typ, target.ID, ""); err != nil {
			t.Fatalf("DeleteResource(%q), which two resources refer to by %s: %v", target.ID, name, err)
		}
		if got := k.get(t, k.ctx, referrer.ID); got != nil {
			want := in.Clone()
			want.Attributes[name] = []map[string]any{ref(kept.ID, 1)}
			// The store may stamp the change with its own clock.
			if got.Meta.LastModified.Before(referrer.Meta.LastModified) {
				t.Errorf("deleting %q moved the Meta.LastModified of %q back from %v to %v", target.ID, referrer.ID, referrer.Meta.LastModified, got.Meta.LastModified)
			}
			want.Meta.LastModified = got.Meta.LastModified
			checkResource(t, fmt.Sprintf("the resource whose %s named %q and %q, after %q was deleted", name, target.ID, kept.ID, target.ID), want, got)
			if got.Meta.Version == referrer.Meta.Version {
				t.Errorf("deleting %q changed the %s of %q but not its version %q", target.ID, name, referrer.ID, got.Meta.Version)
			}
		}
		if got := k.get(t, k.ctx, onlyRef.ID); got != nil {
			if list, _ := got.Attributes[name].([]map[string]any); len(list) != 0 {
				t.Errorf("the resource whose only %s element named %q still has %s = %#v after it was deleted", name, target.ID, name, got.Attributes[name])
			}
			if got.Meta.Version == onlyRef.Meta.Version {
				t.Errorf("deleting %q emptied the %s of %q but did not change its version %q", target.ID, name, onlyRef.ID, got.Meta.Version)
			}
		}
		if got := k.get(t, k.ctxB, inB.ID); got != nil {
			checkResource(t, fmt.Sprintf("tenant %q's resource referring to an id deleted in tenant %q", tenantB, tenantA), in, got)
		}
		k.find(t, k.ctx, &filter.Compare{Path: filter.AttrPath{Name: name, Sub: "value"}, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: target.ID}, CaseExact: subNamedDef(def, "value").CaseExact})
		if !t.Failed() {
			k.cleanUp(t)
		}
	}
}

func (k *resourceKit) attrNamed(name string) *schema.Attribute {
	for _, a := range k.attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func subNamedDef(a *schema.Attribute, name string) *schema.Attribute {
	for i := range a.SubAttributes {
		if a.SubAttributes[i].Name == name {
			return &a.SubAttributes[i]
		}
	}
	return &schema.Attribute{}
}

// keysetWalk pages by key through the resources f selects in tenant A.
func (k *resourceKit) keysetWalk(t tb, f filter.Expr, count int, backward bool) ([]string, int) {
	t.Helper()
	kl := k.s.(scim.ResourceKeysetLister)
	return walkKeyset(t, f, count, backward, nil, func(q scim.Query) ([]string, scim.PageKeys, int) {
		p, err := kl.ListResourcesKeyset(k.ctx, k.typ, q)
		args := keysetArgs(q)
		checkPage(t, resourceKeysetListing, args, q.Count, p, err, pageResources)
		checkKeys(t, resourceKeysetListing, args, len(p.Resources), p.Keys)
		return resourceIDs(p.Resources), p.Keys, p.TotalResults
	})
}

func checkResourceKeyset(t tb, k *resourceKit) {
	const n = 23
	for i := range n {
		k.create(t, k.ctx, k.sample(i))
	}
	some := &filter.Compare{Path: filter.AttrPath{Name: "externalId"}, Op: filter.Pr, CaseExact: true}
	for _, f := range []filter.Expr{nil, some} {
		p, err := k.s.ListResources(k.ctx, k.typ, scim.Query{Filter: f, StartIndex: 1, Count: 1000})
		if errors.Is(err, scim.ErrUnsupportedFilter) {
			t.Logf("the store does not support %s; not checked", f)
			continue
		}
		if err != nil || p == nil {
			t.Fatalf("ListResources(%v): %v", f, err)
		}
		want := resourceIDs(p.Resources)
		for _, count := range []int{1, 4, 7, n, 100} {
			for _, back := range []bool{false, true} {
				got, total := k.keysetWalk(t, f, count, back)
				if !slices.Equal(got, want) {
					t.Errorf("filter %v, pages of %d (backward %v) give\n%q\nwant ListResources' order\n%q", f, count, back, got, want)
				}
				if total != len(want) && total != -1 {
					t.Errorf("filter %v, pages of %d (backward %v): TotalResults = %d, want %d (or -1)", f, count, back, total, len(want))
				}
			}
		}
	}
}

func checkResourceKeysetTenants(t tb, k *resourceKit) {
	for i := range 5 {
		k.create(t, k.ctx, k.sample(i))
	}
	b := k.create(t, k.ctxB, k.sample(99))
	p, err := k.s.(scim.ResourceKeysetLister).ListResourcesKeyset(k.ctxB, k.typ, scim.Query{Count: 100})
	if err != nil || p == nil {
		t.Fatalf("ListResourcesKeyset in tenant B: %v", err)
	}
	if ids := resourceIDs(p.Resources); !slices.Equal(ids, []string{b.ID}) {
		t.Errorf("ListResourcesKeyset in tenant B returned %q, want only tenant B's resource %q", ids, b.ID)
	}
	got, _ := k.keysetWalk(t, nil, 2, false)
	if slices.Contains(got, b.ID) || len(got) != 5 {
		t.Errorf("a walk in tenant A returned %q: want tenant A's 5 resources only", got)
	}
}

// createUser creates a user in tenant A of a store that is also a
// scim.Store; the check deletes it.
func (k *resourceKit) createUser(t tb, n int) *scim.User {
	t.Helper()
	us := k.s.(scim.Store)
	u, err := us.Create(k.ctx, &scim.User{UserName: fmt.Sprintf("scimtest-owner-%04d@example.com", n), Active: true})
	if err != nil {
		t.Fatalf("Create of a user: %v", err)
	}
	return u
}

func checkResourceUserReferences(t tb, k *resourceKit) {
	us := k.s.(scim.Store)
	for i, name := range k.typ.References() {
		def := k.attrNamed(name)
		if def == nil {
			continue
		}
		owner, kept := k.createUser(t, 2*i), k.createUser(t, 2*i+1)
		ref := func(id string, j int) map[string]any {
			m := complexValue(def, 9, j)
			m["value"] = id
			return m
		}
		in := k.sample(1 + 10*i)
		in.Attributes[name] = []map[string]any{ref(owner.ID, 0), ref(kept.ID, 1)}
		r := k.create(t, k.ctx, in)
		if err := us.Delete(k.ctx, owner.ID, ""); err != nil {
			t.Fatalf("Delete of the user %q that %q names in %s: %v", owner.ID, r.ID, name, err)
		}
		if got := k.get(t, k.ctx, r.ID); got != nil {
			want := in.Clone()
			want.Attributes[name] = []map[string]any{ref(kept.ID, 1)}
			want.Meta.LastModified = got.Meta.LastModified
			checkResource(t, fmt.Sprintf("the resource whose %s named the users %q and %q, after %q was deleted", name, owner.ID, kept.ID, owner.ID), want, got)
			if got.Meta.Version == r.Meta.Version {
				t.Errorf("deleting the user %q changed the %s of %q but not its version %q", owner.ID, name, r.ID, got.Meta.Version)
			}
		}
		if err := us.Delete(k.ctx, kept.ID, ""); err != nil {
			t.Errorf("Delete of the user %q: %v", kept.ID, err)
		}
	}
}

func checkResourceIDsDisjoint(t tb, k *resourceKit) {
	us := k.s.(scim.Store)
	var users, resources []string
	for i := range 20 {
		users = append(users, k.createUser(t, i).ID)
		resources = append(resources, k.create(t, k.ctx, k.sample(i)).ID)
	}
	for _, id := range resources {
		if slices.Contains(users, id) {
			t.Errorf("a user and a resource of %s both have id %q", k.typ.Name, id)
		}
		if u, err := us.User(k.ctx, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User(%q), a resource's id: got %+v, %v; want an error wrapping scim.ErrNotFound", id, u, err)
		}
	}
	for _, id := range users {
		if r, err := k.s.Resource(k.ctx, k.typ, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Resource(%q), a user's id: got %+v, %v; want an error wrapping scim.ErrNotFound", id, r, err)
		}
		if err := us.Delete(k.ctx, id, ""); err != nil {
			t.Errorf("Delete of the user %q: %v", id, err)
		}
	}
}
