package scimtest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// TestResourceStore checks that a scim.ResourceStore keeps every promise of
// the ResourceStore contract for the host-declared type typ: create, get,
// replace and delete round trips with every value of the type's schema
// keeping its Go type, ids and versions, optimistic concurrency, copies in
// and out, stable paging, filters evaluated exactly as filter.Match does,
// the uniqueness of the attributes typ.Unique lists, tenant isolation, the
// references typ.References lists, and keyset paging when the store
// implements scim.ResourceKeysetLister.
//
// The cases are derived from typ's schema and extensions, so any declared
// type is checked, not only the demo's Agent: an attribute the type adds
// is written, read back and filtered on without a change here. Each check
// runs as a subtest of t named after the rule it enforces, with a store
// from newStore, and reports every violation it finds; a failing subtest
// ends with the rule and where it comes from.
//
// newStore must return a store that holds no resource of typ in the
// tenants the checks use ("scimtest-a", "scimtest-b" and the context
// without a tenant): a check refuses, before it writes anything, a store
// that does, since it creates and deletes resources of the type and counts
// them. A check that passes deletes what it created. newStore may return
// the same throwaway store each time; it may use its t for cleanup and to
// skip.
//
// Typical usage:
//
//	func TestAgents(t *testing.T) {
//		scimtest.TestResourceStore(t, func(t *testing.T) scim.ResourceStore {
//			return mystore.Open(t.TempDir())
//		}, agentType)
//	}
func TestResourceStore(t *testing.T, newStore func(t *testing.T) scim.ResourceStore, typ scim.ResourceType) {
	t.Helper()
	testResourceStore(testingT{t}, func(t tb) scim.ResourceStore { return newStore(t.(testingT).T) }, typ)
}

// resourceCase is one check of the ResourceStore contract.
type resourceCase struct {
	name string
	// rule is the promise checked and where it comes from; it is logged
	// when the check fails.
	rule string
	// skip, when not nil, says why the case does not apply to the store
	// or the type ("" when it does).
	skip func(k *resourceKit) string
	run  func(t tb, k *resourceKit)
}

func testResourceStore(t tb, newStore func(t tb) scim.ResourceStore, typ scim.ResourceType) {
	t.Helper()
	for _, c := range resourceCases {
		t.Run(c.name, func(t tb) {
			s := newStore(t)
			if s == nil {
				t.Fatalf("newStore returned nil")
			}
			typ := typ // each check has its own declaration to hand the store
			k := newResourceKit(s, &typ)
			if c.skip != nil {
				if why := c.skip(k); why != "" {
					t.Skipf("%s", why)
				}
			}
			k.refuseNonEmpty(t)
			defer func() {
				if t.Failed() {
					t.Logf("rule: %s", c.rule)
				}
			}()
			c.run(t, k)
			if !t.Failed() {
				k.cleanUp(t)
			}
		})
	}
}

// resourceKit holds the store under test, the type, and helpers that
// report through t.
type resourceKit struct {
	s    scim.ResourceStore
	typ  *scim.ResourceType
	ctx  context.Context // tenant A
	ctxB context.Context // tenant B
	ctx0 context.Context // no tenant
	// attrs are the type's attributes a client may write, core schema
	// first: the ones the samples fill in.
	attrs []*schema.Attribute

	mu      sync.Mutex
	created []createdIn
}

// createdIn is a resource a check created, to delete when it passes.
type createdIn struct {
	ctx context.Context
	id  string
}

func newResourceKit(s scim.ResourceStore, typ *scim.ResourceType) *resourceKit {
	bg := context.Background()
	k := &resourceKit{s: s, typ: typ, ctx: scim.WithTenant(bg, tenantA), ctxB: scim.WithTenant(bg, tenantB), ctx0: bg}
	for _, sc := range slices.Concat([]schema.Schema{typ.Schema}, typ.Extensions) {
		for i := range sc.Attributes {
			if a := &sc.Attributes[i]; writableDef(a) {
				k.attrs = append(k.attrs, a)
			}
		}
	}
	return k
}

func writableDef(a *schema.Attribute) bool {
	return a.Mutability != schema.ReadOnly
}

// refuseNonEmpty stops the check, before it writes anything, when the
// store already holds resources of the type in a tenant the checks use:
// they count what they create, and delete it.
func (k *resourceKit) refuseNonEmpty(t tb) {
	t.Helper()
	refuseNonEmpty(t, "TestResourceStore", tenantsOf(k.ctx, k.ctxB, k.ctx0), resourcesOf(k.s, k.typ))
}

// cleanUp deletes what the check created and has not deleted.
func (k *resourceKit) cleanUp(t tb) {
	t.Helper()
	k.mu.Lock()
	created := k.created
	k.created = nil
	k.mu.Unlock()
	for _, c := range created {
		if err := k.s.DeleteResource(c.ctx, k.typ, c.id, ""); err != nil && !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("deleting the %s %q the check created: %v", k.typ.Name, c.id, err)
		}
	}
}

func (k *resourceKit) track(ctx context.Context, id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.created = append(k.created, createdIn{ctx, id})
}

// create stores r in ctx; a failure stops the check, which needs the
// resource to go on.
func (k *resourceKit) create(t tb, ctx context.Context, r *scim.Resource) *scim.Resource {
	t.Helper()
	got, err := k.s.CreateResource(ctx, k.typ, r.Clone())
	created(t, "CreateResource("+k.label(r)+")", "resource", got, err)
	k.track(ctx, got.ID)
	return got
}

// label names r in messages: its externalId and first string value.
func (k *resourceKit) label(r *scim.Resource) string {
	for _, a := range k.attrs {
		if s, ok := r.Attributes[a.Name].(string); ok {
			return fmt.Sprintf("%s %q", a.Name, s)
		}
	}
	return fmt.Sprintf("externalId %q", r.ExternalID)
}

// get returns the resource with the given id in ctx, or nil after
// reporting an error.
func (k *resourceKit) get(t tb, ctx context.Context, id string) *scim.Resource {
	t.Helper()
	r, err := k.s.Resource(ctx, k.typ, id)
	return read(t, fmt.Sprintf("Resource(%q)", id), "resource", r, err)
}

// list runs q in ctx; an error stops the check.
func (k *resourceKit) list(t tb, ctx context.Context, q scim.Query) *scim.ResourcePage {
	t.Helper()
	p, err := k.s.ListResources(ctx, k.typ, q)
	return checkPage(t, resourceListing, queryString(q), q.Count, p, err, pageResources)
}

func pageResources(p *scim.ResourcePage) []*scim.Resource { return p.Resources }

// all lists every resource of the type in ctx's tenant in the store's
// order.
func (k *resourceKit) all(t tb, ctx context.Context) []*scim.Resource {
	t.Helper()
	return k.list(t, ctx, scim.Query{StartIndex: 1, Count: 1 << 20}).Resources
}

// lister is ListResources in ctx as the shared paging and filter checks
// call it.
func (k *resourceKit) lister(t tb, ctx context.Context) func(q scim.Query) ([]string, int) {
	return func(q scim.Query) ([]string, int) {
		p := k.list(t, ctx, q)
		return resourceIDs(p.Resources), p.TotalResults
	}
}

func resourceIDs(rs []*scim.Resource) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.ID
	}
	return s
}

// find runs f in ctx and checks that it selects exactly the resources with
// the given ids, with a matching TotalResults.
func (k *resourceKit) find(t tb, ctx context.Context, f filter.Expr, want ...string) {
	t.Helper()
	resourceListing.find(t, k.resourcesIn(ctx), f, want)
}

// resourcesIn lists the resources of the type in ctx's tenant for the
// checks shared by every resource type.
func (k *resourceKit) resourcesIn(ctx context.Context) idLister {
	return listerOf(func(q scim.Query) (*scim.ResourcePage, error) { return k.s.ListResources(ctx, k.typ, q) },
		func(p *scim.ResourcePage) ([]string, int) { return resourceIDs(p.Resources), p.TotalResults })
}

// resourceTime is the clock of the samples: whole seconds in UTC, which
// any database keeps.
var resourceTime = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

// sample returns the n-th resource of the type: every attribute a client
// may write holds a value of its type (n in each, so unique values differ),
// except that the optional ones are left out of every fourth sample and
// the externalId out of every third, so that pr and not select some.
func (k *resourceKit) sample(n int) *scim.Resource {
	// Every sample has one Meta.Created: the handler passes the stored
	// one to ReplaceResource, and a store may keep the create's (and order
	// by it), so a replacement never carries another.
	t0 := resourceTime.Add(time.Duration(n) * time.Hour)
	r := &scim.Resource{Attributes: map[string]any{}, Meta: scim.Meta{Created: resourceTime, LastModified: t0}}
	if n%3 != 0 {
		r.ExternalID = fmt.Sprintf("ext-%04d-AbC", n)
	}
	for _, a := range k.attrs {
		if a.Required || n%4 != 3 {
			r.Attributes[a.Name] = attrValue(a, n)
		}
	}
	return r
}

// bare is the n-th resource with its required attributes only.
func (k *resourceKit) bare(n int) *scim.Resource {
	r := k.sample(n)
	r.ExternalID = ""
	for _, a := range k.attrs {
		if !a.Required {
			delete(r.Attributes, a.Name)
		}
	}
	return r
}

// attrValue is the n-th value of attribute a, with the Go type
// scim.Resource documents for it: a multi-valued attribute holds two
// values, a complex one its writable sub-attributes.
func attrValue(a *schema.Attribute, n int) any {
	switch {
	case a.Type == schema.Complex && a.MultiValued:
		return []map[string]any{complexValue(a, n, 0), complexValue(a, n, 1)}
	case a.Type == schema.Complex:
		return complexValue(a, n, 0)
	case !a.MultiValued:
		return scalar(a, n, 0)
	}
	switch a.Type {
	case schema.Boolean:
		return []bool{true, false}
	case schema.Integer:
		return []int64{int64(n), int64(n) + 1000}
	case schema.DateTime:
		return []time.Time{scalar(a, n, 0).(time.Time), scalar(a, n, 1).(time.Time)}
	}
	return []string{scalar(a, n, 0).(string), scalar(a, n, 1).(string)}
}

func complexValue(a *schema.Attribute, n, i int) map[string]any {
	m := map[string]any{}
	for j := range a.SubAttributes {
		if s := &a.SubAttributes[j]; writableDef(s) {
			m[s.Name] = scalar(s, n, i)
		}
	}
	return m
}

// scalar is the i-th simple value of the n-th sample of a: strings in
// mixed case, so that comparisons that should ignore case are seen to.
func scalar(a *schema.Attribute, n, i int) any {
	switch a.Type {
	case schema.Boolean:
		return (n+i)%2 == 1
	case schema.Integer:
		return int64(n + 1000*i)
	case schema.DateTime:
		return resourceTime.Add(time.Duration(n)*time.Hour + time.Duration(i)*time.Minute)
	case schema.Reference:
		return fmt.Sprintf("https://example.com/scim/v2/Things/Ref-%04d-%d", n, i)
	case schema.Binary:
		return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "bytes %04d %d", n, i))
	}
	if len(a.CanonicalValues) > 0 {
		return a.CanonicalValues[(n+i)%len(a.CanonicalValues)]
	}
	return fmt.Sprintf("%s-%04d-%d-Mixed", a.Name, n, i)
}

// diff reports the differences between want and got, one line each,
// ignoring ID and Meta.Version (checked on their own).
func diffResource(want, got *scim.Resource) []string {
	var d []string
	if want.ExternalID != got.ExternalID {
		d = append(d, fmt.Sprintf("ExternalID = %q, want %q", got.ExternalID, want.ExternalID))
	}
	d = append(d, diffTimes(want.Meta, got.Meta)...)
	return append(d, diffAttributes("Attributes", want.Attributes, got.Attributes, valueEqual)...)
}

// valueEqual compares attribute values of the Go types scim.Resource
// documents, times by instant at any depth.
func valueEqual(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && maps.EqualFunc(a, b, valueEqual)
	case []map[string]any:
		b, ok := b.([]map[string]any)
		return ok && slices.EqualFunc(a, b, func(x, y map[string]any) bool { return maps.EqualFunc(x, y, valueEqual) })
	case time.Time, []time.Time:
		return customEqual(a, b)
	}
	return reflect.DeepEqual(a, b)
}

// checkResource reports the differences between want and got, prefixed by
// what got is.
func checkResource(t tb, what string, want, got *scim.Resource) {
	t.Helper()
	if got == nil {
		return
	}
	for _, d := range diffResource(want, got) {
		t.Errorf("%s: %s", what, d)
	}
}

// uniqueSimple are the attributes typ.Unique lists that the uniqueness
// checks can exercise: single-valued and simple.
func (k *resourceKit) uniqueSimple() []*schema.Attribute {
	var out []*schema.Attribute
	for _, a := range k.typ.Unique() {
		if !a.MultiValued && a.Type != schema.Complex && writableDef(a) {
			out = append(out, a)
		}
	}
	return out
}
