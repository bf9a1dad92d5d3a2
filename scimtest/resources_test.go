package scimtest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/internal/testtypes"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// deviceType is a declared type with an attribute of every kind a
// declared type holds, so that every Go type of scim.Resource is written
// and read back: integer, dateTime, binary and reference values, slices of
// each simple kind, a single complex attribute, a caseExact unique string
// and a unique integer, some in an extension.
func deviceType() scim.ResourceType {
	attr := func(name string, typ schema.Type, multi bool) schema.Attribute {
		return schema.Attribute{Name: name, Type: typ, MultiValued: multi, Mutability: schema.ReadWrite, Returned: schema.Default}
	}
	serial := attr("serial", schema.String, false)
	serial.Required, serial.CaseExact, serial.Uniqueness = true, true, schema.Server
	asset := attr("assetNumber", schema.Integer, false)
	asset.Uniqueness = schema.Server
	location := attr("location", schema.Complex, false)
	location.SubAttributes = []schema.Attribute{attr("site", schema.String, false), attr("rack", schema.Integer, false), attr("since", schema.DateTime, false)}
	links := attr("links", schema.Complex, true)
	links.SubAttributes = []schema.Attribute{attr("value", schema.String, false), {Name: "$ref", Type: schema.Reference, Mutability: schema.ReadWrite, Returned: schema.Default}, attr("primary", schema.Boolean, false)}
	return scim.ResourceType{
		Name: "Device", Endpoint: "Devices",
		Schema: schema.Schema{ID: "urn:example:scim:schemas:Device", Name: "Device", Attributes: []schema.Attribute{
			serial, asset,
			attr("enrolled", schema.DateTime, false),
			attr("managed", schema.Boolean, false),
			attr("tags", schema.String, true),
			location, links,
		}},
		Extensions: []schema.Schema{{ID: "urn:example:scim:schemas:extension:DeviceHealth", Name: "DeviceHealth", Attributes: []schema.Attribute{
			attr("ports", schema.Integer, true),
			attr("checks", schema.DateTime, true),
			attr("flags", schema.Boolean, true),
			attr("certificate", schema.Binary, false),
			attr("homepage", schema.Reference, false),
		}}},
	}
}

// The kit as a user runs it, on the reference implementation.
func TestTestResourceStore(t *testing.T) {
	for _, typ := range []scim.ResourceType{agentType(), deviceType()} {
		t.Run(typ.Name, func(t *testing.T) {
			TestResourceStore(t, func(*testing.T) scim.ResourceStore { return memstore.New() }, typ)
		})
	}
}

// One throwaway store for every check: each leaves it empty.
func TestTestResourceStoreSharedStore(t *testing.T) {
	s := memstore.New()
	TestResourceStore(t, func(*testing.T) scim.ResourceStore { return s }, agentType())
	for _, ctx := range []context.Context{scim.WithTenant(context.Background(), tenantA), scim.WithTenant(context.Background(), tenantB), context.Background()} {
		typ := agentType()
		if p, err := s.ListResources(ctx, &typ, scim.Query{StartIndex: 1, Count: 0}); err != nil || p.TotalResults != 0 {
			t.Errorf("after the kit, %s holds %+v (%v), want nothing", scim.TenantFrom(ctx), p, err)
		}
	}
}

// runResources runs the kit on the stores newStore returns and returns
// the failures it reported, by subtest.
func runResources(newStore func() scim.ResourceStore, typ scim.ResourceType) map[string][]string {
	r := newRecorder()
	testResourceStore(r, func(tb) scim.ResourceStore { return newStore() }, typ)
	return r.log.msgs
}

func TestResourceKitPassesMemstore(t *testing.T) {
	for _, typ := range []scim.ResourceType{agentType(), deviceType()} {
		for name, msgs := range runResources(func() scim.ResourceStore { return memstore.New() }, typ) {
			for _, m := range msgs {
				t.Errorf("%s: %s: %s", typ.Name, name, m)
			}
		}
	}
}

// A store that holds resources of the type is refused before anything is
// written to it.
func TestResourceKitRefusesAStoreInUse(t *testing.T) {
	s := memstore.New()
	typ := agentType()
	ctx := scim.WithTenant(context.Background(), tenantB)
	if _, err := s.CreateResource(ctx, &typ, &scim.Resource{Attributes: map[string]any{"name": "prod-agent"}}); err != nil {
		t.Fatal(err)
	}
	got := runResources(func() scim.ResourceStore { return s }, agentType())
	for _, c := range resourceCases {
		msgs := got[c.name]
		if len(msgs) != 1 || !strings.Contains(msgs[0], "needs an empty throwaway store") {
			t.Errorf("%s: %q, want the one refusal", c.name, msgs)
		}
	}
	for _, ctx := range []context.Context{ctx, scim.WithTenant(context.Background(), tenantA), context.Background()} {
		p, err := s.ListResources(ctx, &typ, scim.Query{StartIndex: 1, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[scim.TenantFrom(ctx) == tenantB]; p.TotalResults != want {
			t.Errorf("tenant %q holds %d agents after the refusals, want %d", scim.TenantFrom(ctx), p.TotalResults, want)
		}
	}
}

// The kit is tested as testing/fstest tests TestFS: against stores with
// one deliberate bug each, each of which the check named after the broken
// promise must report.
func TestResourceKitCatchesBrokenStores(t *testing.T) {
	tests := []struct {
		name     string
		typ      scim.ResourceType
		wrap     func(s *memstore.Store) scim.ResourceStore
		mustFail []string
	}{
		{
			name:     "ignores versions",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return resVersionBlind{s} },
			mustFail: []string{"VersionCompareAndSwap", "ConcurrentReplaceSameVersion"},
		},
		{
			name:     "keeps no uniqueness",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return retyped{s, noUniqueness} },
			mustFail: []string{"UniqueAttributes", "ConcurrentCreateSameUniqueValue"},
		},
		{
			name:     "compares unique strings case-sensitively",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return retyped{s, caseExactUnique} },
			mustFail: []string{"UniqueAttributes", "ConcurrentCreateSameUniqueValue"},
		},
		{
			name:     "keeps references of deleted resources",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return retyped{s, noReferences} },
			mustFail: []string{"DeletedReferenceLeavesLists"},
		},
		{
			name: "returns the caller's maps",
			wrap: func(s *memstore.Store) scim.ResourceStore {
				return &resSharesMaps{ResourceStore: s, kept: map[string]map[string]any{}}
			},
			mustFail: []string{"ReturnedResourcesAreCopies"},
		},
		{
			name:     "ignores the tenant",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return resNoTenant{s} },
			mustFail: []string{"TenantIsolation"},
		},
		{
			name:     "reverses its order on every other list",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return &resUnstable{ResourceStore: s} },
			mustFail: []string{"StablePaging"},
		},
		{
			name:     "ignores filters other than id eq",
			wrap:     func(s *memstore.Store) scim.ResourceStore { return resIgnoresFilters{s} },
			mustFail: []string{"Filters"},
		},
		{
			name:     "reads integers and times back as strings",
			typ:      deviceType(),
			wrap:     func(s *memstore.Store) scim.ResourceStore { return resStringly{s} },
			mustFail: []string{"CreateAndGet", "ReplaceRoundTrip"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := tt.typ
			if typ.Name == "" {
				typ = agentType()
			}
			got := runResources(func() scim.ResourceStore { return tt.wrap(memstore.New()) }, typ)
			t.Logf("failing checks: %s", strings.Join(slices.Sorted(func(yield func(string) bool) {
				for name := range got {
					if !yield(name) {
						return
					}
				}
			}), ", "))
			for _, name := range tt.mustFail {
				if len(got[name]) == 0 {
					t.Errorf("check %s did not fail", name)
				}
			}
		})
	}
}

// resVersionBlind ignores the version of ReplaceResource and
// DeleteResource.
type resVersionBlind struct{ scim.ResourceStore }

func (s resVersionBlind) ReplaceResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource, _ string) (*scim.Resource, error) {
	return s.ResourceStore.ReplaceResource(ctx, t, r, "")
}

func (s resVersionBlind) DeleteResource(ctx context.Context, t *scim.ResourceType, id, _ string) error {
	return s.ResourceStore.DeleteResource(ctx, t, id, "")
}

// retyped hands the store a declaration changed by change: the store then
// keeps the promises of another type than the one it is asked about.
type retyped struct {
	s      scim.ResourceStore
	change func(scim.ResourceType) scim.ResourceType
}

func (s retyped) typ(t *scim.ResourceType) *scim.ResourceType {
	c := s.change(*t)
	return &c
}

func (s retyped) CreateResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	return s.s.CreateResource(ctx, s.typ(t), r)
}

func (s retyped) Resource(ctx context.Context, t *scim.ResourceType, id string) (*scim.Resource, error) {
	return s.s.Resource(ctx, s.typ(t), id)
}

func (s retyped) ReplaceResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource, v string) (*scim.Resource, error) {
	return s.s.ReplaceResource(ctx, s.typ(t), r, v)
}

func (s retyped) DeleteResource(ctx context.Context, t *scim.ResourceType, id, v string) error {
	return s.s.DeleteResource(ctx, s.typ(t), id, v)
}

func (s retyped) ListResources(ctx context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	return s.s.ListResources(ctx, s.typ(t), q)
}

// mapAttrs returns t with f applied to a copy of each attribute.
func mapAttrs(t scim.ResourceType, f func(a *schema.Attribute)) scim.ResourceType {
	t.Schema.Attributes = slices.Clone(t.Schema.Attributes)
	for i := range t.Schema.Attributes {
		a := &t.Schema.Attributes[i]
		a.SubAttributes = slices.Clone(a.SubAttributes)
		f(a)
	}
	return t
}

func noUniqueness(t scim.ResourceType) scim.ResourceType {
	return mapAttrs(t, func(a *schema.Attribute) { a.Uniqueness = schema.None })
}

func caseExactUnique(t scim.ResourceType) scim.ResourceType {
	return mapAttrs(t, func(a *schema.Attribute) { a.CaseExact = true })
}

func noReferences(t scim.ResourceType) scim.ResourceType {
	return mapAttrs(t, func(a *schema.Attribute) {
		a.SubAttributes = slices.DeleteFunc(a.SubAttributes, func(s schema.Attribute) bool { return s.Name == "$ref" })
	})
}

// resSharesMaps hands back the Attributes map it was given, as a store
// that keeps the caller's map instead of a copy does.
type resSharesMaps struct {
	scim.ResourceStore
	mu   sync.Mutex
	kept map[string]map[string]any // by tenant and id
}

func (s *resSharesMaps) keep(ctx context.Context, in, stored *scim.Resource, err error) (*scim.Resource, error) {
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept[scim.TenantFrom(ctx)+"\x00"+stored.ID] = in.Attributes
	stored.Attributes = in.Attributes
	return stored, nil
}

func (s *resSharesMaps) CreateResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	stored, err := s.ResourceStore.CreateResource(ctx, t, r)
	return s.keep(ctx, r, stored, err)
}

func (s *resSharesMaps) ReplaceResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource, v string) (*scim.Resource, error) {
	stored, err := s.ResourceStore.ReplaceResource(ctx, t, r, v)
	return s.keep(ctx, r, stored, err)
}

func (s *resSharesMaps) Resource(ctx context.Context, t *scim.ResourceType, id string) (*scim.Resource, error) {
	r, err := s.ResourceStore.Resource(ctx, t, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.kept[scim.TenantFrom(ctx)+"\x00"+id]; m != nil {
		r.Attributes = m
	}
	return r, nil
}

// resNoTenant keeps every tenant's resources together.
type resNoTenant struct{ s scim.ResourceStore }

var noTenant = context.Background()

func (s resNoTenant) CreateResource(_ context.Context, t *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	return s.s.CreateResource(noTenant, t, r)
}

func (s resNoTenant) Resource(_ context.Context, t *scim.ResourceType, id string) (*scim.Resource, error) {
	return s.s.Resource(noTenant, t, id)
}

func (s resNoTenant) ReplaceResource(_ context.Context, t *scim.ResourceType, r *scim.Resource, v string) (*scim.Resource, error) {
	return s.s.ReplaceResource(noTenant, t, r, v)
}

func (s resNoTenant) DeleteResource(_ context.Context, t *scim.ResourceType, id, v string) error {
	return s.s.DeleteResource(noTenant, t, id, v)
}

func (s resNoTenant) ListResources(_ context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	return s.s.ListResources(noTenant, t, q)
}

// resUnstable lists in reverse order every other time.
type resUnstable struct {
	scim.ResourceStore
	mu sync.Mutex
	n  int
}

func (s *resUnstable) ListResources(ctx context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	p, err := s.ResourceStore.ListResources(ctx, t, q)
	s.mu.Lock()
	s.n++
	odd := s.n%2 == 1
	s.mu.Unlock()
	if err == nil && odd {
		slices.Reverse(p.Resources)
	}
	return p, err
}

// resIgnoresFilters answers id eq and lists everything for any other
// filter.
type resIgnoresFilters struct{ scim.ResourceStore }

func (s resIgnoresFilters) ListResources(ctx context.Context, t *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	if q.Filter != nil && !strings.HasPrefix(q.Filter.String(), "id eq ") {
		q.Filter = nil
	}
	return s.ResourceStore.ListResources(ctx, t, q)
}

// resStringly reads integers and times back as strings, as a store over
// text columns that forgets the schema's types does.
type resStringly struct{ scim.ResourceStore }

func (s resStringly) Resource(ctx context.Context, t *scim.ResourceType, id string) (*scim.Resource, error) {
	r, err := s.ResourceStore.Resource(ctx, t, id)
	if err == nil {
		for k, v := range r.Attributes {
			switch v := v.(type) {
			case int64:
				r.Attributes[k] = strconv.FormatInt(v, 10)
			case time.Time:
				r.Attributes[k] = v.Format(time.RFC3339)
			}
		}
	}
	return r, err
}

// The demo's Agent, declared once for the repository's tests.
const agentURN = testtypes.AgentURN

func agentType() scim.ResourceType { return testtypes.Agent() }
