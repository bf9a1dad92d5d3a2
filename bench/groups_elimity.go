package bench

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	escim "github.com/elimity-com/scim"
	eerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	eschema "github.com/elimity-com/scim/schema"
	efilter "github.com/scim2/filter-parser/v2"
)

// newElimityGroups builds elimity-com/scim's Server with the core Group
// schema and a ResourceHandler in the shape its README and in-memory
// example give: a map by id and each group's attributes as the validated
// map, the member list an attribute of the group ([]interface{} of
// {"value": id}). The handler is the most favourable one that shape
// allows: PATCH changes the list in place under the lock (a scan for an
// add, to keep members unique, and a filtering pass for a remove; no copy)
// and answers 204 as scimkit does; Get copies the list's slice (not its
// elements, which are never changed) so that elimity can marshal it after
// the lock is released. Filters are elimity's PassesFilter over every
// group. It checks no member against the users (elimity leaves that to
// the handler, and its example does not).
func newElimityGroups(s GroupSizes) (*groupPeer, error) {
	h := &elimityGroups{byID: map[string]*elimityGroup{}}
	ids := make([]string, s.users())
	for k := range ids {
		ids[k] = "u" + strconv.Itoa(k)
	}
	small, big, wide, out := s.layout(ids)
	p := &groupPeer{fix: groupFixture{Out: out}}
	mk := func(name string, members []string) string {
		list := make([]interface{}, len(members))
		for i, m := range members {
			list[i] = map[string]interface{}{"value": m}
		}
		attrs := escim.ResourceAttributes{"displayName": name}
		if len(members) > 0 {
			attrs["members"] = list
		}
		h.next++
		g := &elimityGroup{id: strconv.FormatUint(h.next, 10), attrs: attrs, created: epoch, modified: epoch, version: 1}
		h.byID[g.id] = g
		h.order = append(h.order, g.id)
		return g.id
	}
	p.fix.Small, p.fix.Big, p.fix.Wide = mk("small", small), mk("big", big), mk("wide", wide)
	for k := range s.Groups {
		mk(groupName(k), nil)
	}
	server, err := escim.NewServer(&escim.ServerArgs{
		ServiceProviderConfig: &escim.ServiceProviderConfig{},
		ResourceTypes: []escim.ResourceType{{
			ID:          optional.NewString("Group"),
			Name:        "Group",
			Endpoint:    "/Groups",
			Description: optional.NewString("Group"),
			Schema:      eschema.CoreGroupSchema(),
			Handler:     h,
		}},
	}, escim.WithBaseURL(elimityBaseURL))
	if err != nil {
		return nil, err
	}
	p.handler = server
	return p, nil
}

type elimityGroups struct {
	mu    sync.RWMutex
	byID  map[string]*elimityGroup
	order []string
	next  uint64
}

type elimityGroup struct {
	id                string
	attrs             escim.ResourceAttributes
	created, modified time.Time
	version           int
}

// resource returns g with a copy of its attribute map and member slice;
// the caller holds a lock.
func (g *elimityGroup) resource() escim.Resource {
	attrs := make(escim.ResourceAttributes, len(g.attrs))
	for k, v := range g.attrs {
		if l, ok := v.([]interface{}); ok {
			v = append([]interface{}(nil), l...)
		}
		attrs[k] = v
	}
	created, modified := g.created, g.modified
	return escim.Resource{
		ID:         g.id,
		Attributes: attrs,
		Meta:       escim.Meta{Created: &created, LastModified: &modified, Version: `W/"` + strconv.Itoa(g.version) + `"`},
	}
}

func (h *elimityGroups) Create(r *http.Request, attrs escim.ResourceAttributes) (escim.Resource, error) {
	return escim.Resource{}, eerrors.ScimErrorMutability
}

func (h *elimityGroups) Replace(r *http.Request, id string, attrs escim.ResourceAttributes) (escim.Resource, error) {
	return escim.Resource{}, eerrors.ScimErrorMutability
}

func (h *elimityGroups) Delete(r *http.Request, id string) error {
	return eerrors.ScimErrorMutability
}

func (h *elimityGroups) Get(r *http.Request, id string) (escim.Resource, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	g, ok := h.byID[id]
	if !ok {
		return escim.Resource{}, eerrors.ScimErrorResourceNotFound(id)
	}
	return g.resource(), nil
}

func (h *elimityGroups) GetAll(r *http.Request, params escim.ListRequestParams) (escim.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	page := escim.Page{Resources: []escim.Resource{}}
	for _, id := range h.order {
		g := h.byID[id]
		if params.FilterValidator != nil && params.FilterValidator.PassesFilter(g.attrs) != nil {
			continue
		}
		page.TotalResults++
		if page.TotalResults >= params.StartIndex && len(page.Resources) < params.Count {
			page.Resources = append(page.Resources, g.resource())
		}
	}
	return page, nil
}

// Patch applies Okta's and Entra ID's membership operations, which
// elimity has validated against the Group schema, to the member list.
func (h *elimityGroups) Patch(r *http.Request, id string, ops []escim.PatchOperation) (escim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g, ok := h.byID[id]
	if !ok {
		return escim.Resource{}, eerrors.ScimErrorResourceNotFound(id)
	}
	list, _ := g.attrs["members"].([]interface{})
	has := func(v interface{}) bool {
		for _, el := range list {
			if m, ok := el.(map[string]interface{}); ok && m["value"] == v {
				return true
			}
		}
		return false
	}
	changed := false
	for _, op := range ops {
		if op.Path == nil || !strings.EqualFold(op.Path.AttributePath.AttributeName, "members") {
			return escim.Resource{}, eerrors.ScimErrorInvalidPath
		}
		switch {
		case op.Op == escim.PatchOperationAdd && op.Path.ValueExpression == nil:
			vs, _ := op.Value.([]interface{})
			for _, v := range vs {
				m, ok := v.(map[string]interface{})
				if !ok {
					return escim.Resource{}, eerrors.ScimErrorInvalidValue
				}
				if !has(m["value"]) {
					list = append(list, map[string]interface{}{"value": m["value"]})
					changed = true
				}
			}
		case op.Op == escim.PatchOperationRemove && op.Path.ValueExpression != nil:
			e, ok := op.Path.ValueExpression.(*efilter.AttributeExpression)
			if !ok || e.Operator != efilter.EQ || e.AttributePath.AttributeName != "value" {
				return escim.Resource{}, eerrors.ScimErrorInvalidFilter
			}
			kept := list[:0]
			for _, el := range list {
				if m, ok := el.(map[string]interface{}); ok && m["value"] == e.CompareValue {
					changed = true
					continue
				}
				kept = append(kept, el)
			}
			clear(list[len(kept):])
			list = kept
		default:
			return escim.Resource{}, eerrors.ScimErrorInvalidPath
		}
	}
	if changed {
		// Changed in place: readers hold their own copies of the slice
		// (resource), and the element maps are never changed.
		g.attrs["members"] = list
		g.version++
		g.modified = time.Now()
	}
	return escim.Resource{}, nil
}
