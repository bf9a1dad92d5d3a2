package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var (
	_ scim.ResourceStore        = (*Store)(nil)
	_ scim.ResourceKeysetLister = (*Store)(nil)
)

// resources holds one tenant's resources of one declared type.
type resources struct {
	byID  map[string]*rentry
	order order[*rentry]
	// unique maps an attribute that t.Unique lists to its values' keys.
	unique map[string]map[string]*rentry
	// decl is the type's declaration, for its references.
	decl *scim.ResourceType
}

// rentry is a stored resource.
type rentry struct {
	res  scim.Resource
	ver  uint64
	slot int
	typ  *resources
}

func (e *rentry) slotIndex() *int { return &e.slot }

// table is the tenant's resources of type t, made on first use when make
// is set. The tenant's lock is held.
func (t *tenant) table(typ *scim.ResourceType, create bool) *resources {
	rs := t.declared[typ.Name]
	if rs == nil && create {
		if t.declared == nil {
			t.declared = map[string]*resources{}
		}
		rs = &resources{byID: map[string]*rentry{}, unique: map[string]map[string]*rentry{}, decl: typ}
		rs.order.slot = (*rentry).slotIndex
		t.declared[typ.Name] = rs
	}
	return rs
}

// idTaken reports whether a user, a group or a declared resource of the
// tenant has the id: ids are unique across types. The tenant's lock is
// held.
func (t *tenant) idTaken(id string) bool {
	if t.user(id) != 0 || t.groups.byID[id] != nil {
		return true
	}
	for _, rs := range t.declared {
		if rs.byID[id] != nil {
			return true
		}
	}
	return false
}

// typed is a stored resource as a filter reads it: with its type's name
// as meta.resourceType.
type typed struct {
	*scim.Resource
	name string
}

func (r typed) AttrValue(p filter.AttrPath, i int) filter.Value {
	if p.Name == "meta" && p.Sub == "resourceType" && p.URN == "" {
		return filter.Value{Kind: filter.String, Str: r.name}
	}
	return r.Resource.AttrValue(p, i)
}

// uniqueKeys are the keys of r's values of the attributes typ.Unique
// lists, by attribute: a string is folded unless the attribute is
// caseExact.
func uniqueKeys(typ *scim.ResourceType, r *scim.Resource) map[string]string {
	var keys map[string]string
	for _, a := range typ.Unique() {
		v, ok := r.Attributes[a.Name]
		if !ok {
			continue
		}
		var k string
		switch v := v.(type) {
		case string:
			k = v
			if !a.CaseExact {
				k = fold(v)
			}
		case time.Time:
			k = v.UTC().Format(time.RFC3339Nano) // one instant, one key
		default:
			k = fmt.Sprint(v)
		}
		if keys == nil {
			keys = map[string]string{}
		}
		keys[a.Name] = k
	}
	return keys
}

// conflict returns the error for a unique value another resource holds.
func (rs *resources) conflict(keys map[string]string, self *rentry) error {
	for name, k := range keys {
		if o := rs.unique[name][k]; o != nil && o != self {
			return fmt.Errorf("memstore: another resource has this %s: %w", name, scim.ErrUniqueness)
		}
	}
	return nil
}

func (rs *resources) index(keys map[string]string, e *rentry, add bool) {
	for name, k := range keys {
		m := rs.unique[name]
		if m == nil {
			m = map[string]*rentry{}
			rs.unique[name] = m
		}
		if add {
			m[k] = e
		} else if m[k] == e {
			delete(m, k)
		}
	}
}

// CreateResource stores a copy of r with a new random ID and version
// W/"1".
func (s *Store) CreateResource(ctx context.Context, typ *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nr := r.Clone()
	nr.Meta.Version = versionTag(1)
	keys := uniqueKeys(typ, nr)
	t := s.tenant(ctx, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	rs := t.table(typ, true)
	if err := rs.conflict(keys, nil); err != nil {
		return nil, err
	}
	nr.ID = newID()
	for t.idTaken(nr.ID) {
		nr.ID = newID()
	}
	e := &rentry{res: *nr, ver: 1, typ: rs}
	rs.byID[nr.ID] = e
	rs.order.push(e)
	rs.index(keys, e, true)
	t.refer(e, true)
	return nr.Clone(), nil
}

// Resource returns a copy of the resource with the given id.
func (s *Store) Resource(ctx context.Context, typ *scim.ResourceType, id string) (*scim.Resource, error) {
	t, err := s.existing(ctx, func() error { return resourceNotFound(typ, id) })
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if rs := t.table(typ, false); rs != nil {
		if e := rs.byID[id]; e != nil {
			return e.res.Clone(), nil
		}
	}
	return nil, resourceNotFound(typ, id)
}

// ReplaceResource stores a copy of r in place of the resource with ID
// r.ID; it keeps its place in the list order.
func (s *Store) ReplaceResource(ctx context.Context, typ *scim.ResourceType, r *scim.Resource, version string) (*scim.Resource, error) {
	nr := r.Clone()
	keys := uniqueKeys(typ, nr)
	t, err := s.writing(ctx, func() error { return resourceNotFound(typ, r.ID) })
	if err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	rs := t.table(typ, false)
	var e *rentry
	if rs != nil {
		e = rs.byID[r.ID]
	}
	if e == nil {
		return nil, resourceNotFound(typ, r.ID)
	}
	if err := versionRule(typ.Name, r.ID, e.res.Meta.Version, version); err != nil {
		return nil, err
	}
	if err := rs.conflict(keys, e); err != nil {
		return nil, err
	}
	rs.index(uniqueKeys(typ, &e.res), e, false)
	rs.index(keys, e, true)
	e.ver++
	nr.Meta.Version = versionTag(e.ver)
	t.refer(e, false)
	e.res = *nr
	t.refer(e, true)
	return nr.Clone(), nil
}

// DeleteResource removes the resource with the given id.
func (s *Store) DeleteResource(ctx context.Context, typ *scim.ResourceType, id, version string) error {
	t, err := s.writing(ctx, func() error { return resourceNotFound(typ, id) })
	if err != nil {
		return err
	}
	defer t.mu.Unlock()
	rs := t.table(typ, false)
	var e *rentry
	if rs != nil {
		e = rs.byID[id]
	}
	if e == nil {
		return resourceNotFound(typ, id)
	}
	if err := versionRule(typ.Name, id, e.res.Meta.Version, version); err != nil {
		return err
	}
	rs.index(uniqueKeys(typ, &e.res), e, false)
	delete(rs.byID, id)
	rs.order.remove(e)
	t.refer(e, false)
	t.dropReferences(id, s.now())
	return nil
}

// ListResources returns the resources that match q.Filter in creation
// order; a filter is evaluated with filter.Match on each (an id equality
// from the index).
func (s *Store) ListResources(ctx context.Context, typ *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	return s.listResources(ctx, typ, q, false)
}

// ListResourcesKeyset is ListResources by keyset (see scim.KeysetLister),
// with ListKeyset's keys.
func (s *Store) ListResourcesKeyset(ctx context.Context, typ *scim.ResourceType, q scim.Query) (*scim.ResourcePage, error) {
	return s.listResources(ctx, typ, q, true)
}

func (s *Store) listResources(ctx context.Context, typ *scim.ResourceType, q scim.Query, byKey bool) (*scim.ResourcePage, error) {
	page := &scim.ResourcePage{Resources: []*scim.Resource{}}
	t, err := s.listed(ctx, q, byKey)
	if t == nil || err != nil {
		return nilIfFailed(page, err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	rs := t.table(typ, false)
	if rs == nil {
		return page, nil
	}
	index := func(eq filter.Equality) ([]*rentry, bool) {
		if eq.Path.Name == "id" && eq.Path.Sub == "" && eq.CaseExact {
			if e := rs.byID[eq.Value.Str]; e != nil {
				return []*rentry{e}, true
			}
			return nil, true
		}
		return nil, false
	}
	view := func(e *rentry) filter.Resource { return typed{&e.res, typ.Name} }
	out := func(e *rentry) { page.Resources = append(page.Resources, e.res.Clone()) }
	page.TotalResults, page.Keys, err = list(ctx, q, byKey, &rs.order, index, view, out)
	if err != nil {
		return nil, err
	}
	return page, nil
}

// references are the ids r refers to by typ.References.
func references(typ *scim.ResourceType, r *scim.Resource) []string {
	var ids []string
	for _, name := range typ.References() {
		list, _ := r.Attributes[name].([]map[string]any)
		for _, m := range list {
			if id, ok := m["value"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// refer records (add) or forgets that e refers to the ids of its
// references. The tenant's lock is held.
func (t *tenant) refer(e *rentry, add bool) {
	for _, id := range references(e.typ.decl, &e.res) {
		m := t.referrers[id]
		if add {
			if m == nil {
				if t.referrers == nil {
					t.referrers = map[string]map[*rentry]struct{}{}
				}
				m = map[*rentry]struct{}{}
				t.referrers[id] = m
			}
			m[e] = struct{}{}
		} else if m != nil {
			delete(m, e)
			if len(m) == 0 {
				delete(t.referrers, id)
			}
		}
	}
}

// dropReferences removes the deleted resource id (a user, a group, a
// declared resource) from the references of every declared resource that
// refers to it, as scim.ResourceStore asks: only those are visited. Each
// gets a new version. The tenant's lock is held.
func (t *tenant) dropReferences(id string, now time.Time) {
	for e := range t.referrers[id] {
		attrs := cloneAttributes(e.res.Attributes)
		for _, name := range e.typ.decl.References() {
			list, _ := attrs[name].([]map[string]any)
			kept := list[:0]
			for _, m := range list {
				if v, _ := m["value"].(string); v != id {
					kept = append(kept, m)
				}
			}
			if len(kept) == 0 {
				delete(attrs, name)
			} else {
				attrs[name] = kept
			}
		}
		e.res.Attributes = attrs
		e.ver++
		e.res.Meta.Version = versionTag(e.ver)
		e.res.Meta.LastModified = now
	}
	delete(t.referrers, id)
}

func cloneAttributes(m map[string]any) map[string]any {
	return (&scim.Resource{Attributes: m}).Clone().Attributes
}

func resourceNotFound(typ *scim.ResourceType, id string) error { return missing(typ.Name, id) }
