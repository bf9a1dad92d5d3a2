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

// elimityBaseURL is the base URL elimity writes into meta.location; it
// takes it from its configuration, not from the request.
const elimityBaseURL = "http://example.com"

// newElimity builds elimity-com/scim's Server as its README shows it: the
// core User schema with the enterprise extension, and a ResourceHandler
// modelled on the in-memory one its README links to (resource_handler_test.go):
// a map by id and the attributes as the validated map. Beyond that example
// it keeps insertion order (so that paging is stable), a map by lower-cased
// userName (so that create can refuse a duplicate, which elimity leaves to
// the handler), a lock, and a PATCH that applies the operations Okta and
// Entra ID send. Filters are evaluated as elimity offers it: the parsed
// filter's PassesFilter on every user, a linear scan.
func newElimity(n int) (*Peer, error) {
	// Entra ID sends "False" for active; elimity accepts string booleans
	// only with this process-wide switch, which no other peer reads.
	eschema.SetAllowStringValues(true)

	users := &elimityUsers{
		byID:   make(map[string]*elimityUser, n),
		byName: make(map[string]string, n),
		order:  make([]string, 0, n),
	}
	ids := make([]string, n)
	for k := range n {
		s := seed(k)
		attrs := escim.ResourceAttributes{
			"externalId":  s.ExternalID,
			"userName":    s.UserName,
			"name":        map[string]interface{}{"givenName": s.GivenName, "familyName": s.FamilyName},
			"displayName": s.DisplayName,
			"emails":      []interface{}{map[string]interface{}{"value": s.Email, "type": "work", "primary": true}},
			"active":      true,
		}
		u := users.insert(attrs, s.Meta.Created)
		ids[k] = u.id
	}
	server, err := escim.NewServer(&escim.ServerArgs{
		ServiceProviderConfig: &escim.ServiceProviderConfig{},
		ResourceTypes: []escim.ResourceType{{
			ID:               optional.NewString("User"),
			Name:             "User",
			Endpoint:         "/Users",
			Description:      optional.NewString("User Account"),
			Schema:           eschema.CoreUserSchema(),
			SchemaExtensions: []escim.SchemaExtension{{Schema: eschema.ExtensionEnterpriseUser()}},
			Handler:          users,
		}},
	}, escim.WithBaseURL(elimityBaseURL))
	if err != nil {
		return nil, err
	}
	return &Peer{Handler: server, ids: ids}, nil
}

type elimityUsers struct {
	mu     sync.RWMutex
	byID   map[string]*elimityUser
	byName map[string]string // lower-cased userName → id
	order  []string          // ids in insertion order
	next   uint64
}

// elimityUser is never changed once stored: PATCH stores a new one, so that
// the server can marshal a user's attributes after the lock is released.
type elimityUser struct {
	id                string
	attrs             escim.ResourceAttributes
	created, modified time.Time
	version           int
}

func (h *elimityUsers) insert(attrs escim.ResourceAttributes, now time.Time) *elimityUser {
	h.next++
	u := &elimityUser{id: strconv.FormatUint(h.next, 10), attrs: attrs, created: now, modified: now, version: 1}
	h.byID[u.id] = u
	h.byName[strings.ToLower(userNameOf(attrs))] = u.id
	h.order = append(h.order, u.id)
	return u
}

func userNameOf(attrs escim.ResourceAttributes) string {
	s, _ := attrs["userName"].(string)
	return s
}

func (u *elimityUser) resource() escim.Resource {
	r := escim.Resource{
		ID:         u.id,
		Attributes: u.attrs,
		Meta: escim.Meta{
			Created:      &u.created,
			LastModified: &u.modified,
			Version:      `W/"` + strconv.Itoa(u.version) + `"`,
		},
	}
	if ext, ok := u.attrs["externalId"].(string); ok {
		r.ExternalID = optional.NewString(ext)
	}
	return r
}

func (h *elimityUsers) Create(r *http.Request, attrs escim.ResourceAttributes) (escim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, taken := h.byName[strings.ToLower(userNameOf(attrs))]; taken {
		return escim.Resource{}, eerrors.ScimErrorUniqueness
	}
	return h.insert(attrs, time.Now()).resource(), nil
}

func (h *elimityUsers) Get(r *http.Request, id string) (escim.Resource, error) {
	h.mu.RLock()
	u, ok := h.byID[id]
	h.mu.RUnlock()
	if !ok {
		return escim.Resource{}, eerrors.ScimErrorResourceNotFound(id)
	}
	return u.resource(), nil
}

func (h *elimityUsers) GetAll(r *http.Request, params escim.ListRequestParams) (escim.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	page := escim.Page{Resources: []escim.Resource{}}
	if params.FilterValidator == nil {
		page.TotalResults = len(h.order)
		from := min(params.StartIndex-1, len(h.order))
		for _, id := range h.order[from:min(from+params.Count, len(h.order))] {
			page.Resources = append(page.Resources, h.byID[id].resource())
		}
		return page, nil
	}
	for _, id := range h.order {
		u := h.byID[id]
		if params.FilterValidator.PassesFilter(u.attrs) != nil {
			continue
		}
		page.TotalResults++
		if page.TotalResults >= params.StartIndex && len(page.Resources) < params.Count {
			page.Resources = append(page.Resources, u.resource())
		}
	}
	return page, nil
}

func (h *elimityUsers) Replace(r *http.Request, id string, attrs escim.ResourceAttributes) (escim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		return escim.Resource{}, eerrors.ScimErrorResourceNotFound(id)
	}
	return h.store(old, attrs)
}

// store puts attrs in place of old's, checking userName's uniqueness; the
// caller holds mu.
func (h *elimityUsers) store(old *elimityUser, attrs escim.ResourceAttributes) (escim.Resource, error) {
	oldName, newName := strings.ToLower(userNameOf(old.attrs)), strings.ToLower(userNameOf(attrs))
	if newName != oldName {
		if _, taken := h.byName[newName]; taken {
			return escim.Resource{}, eerrors.ScimErrorUniqueness
		}
		delete(h.byName, oldName)
		h.byName[newName] = old.id
	}
	u := &elimityUser{id: old.id, attrs: attrs, created: old.created, modified: time.Now(), version: old.version + 1}
	h.byID[u.id] = u
	return u.resource(), nil
}

func (h *elimityUsers) Delete(r *http.Request, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.byID[id]
	if !ok {
		return eerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.byID, id)
	delete(h.byName, strings.ToLower(userNameOf(u.attrs)))
	for i, x := range h.order {
		if x == id {
			h.order = append(h.order[:i], h.order[i+1:]...)
			break
		}
	}
	return nil
}

// Patch applies operations elimity has already validated against the
// schema (names, types, mutability) to a copy of the user.
func (h *elimityUsers) Patch(r *http.Request, id string, ops []escim.PatchOperation) (escim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		return escim.Resource{}, eerrors.ScimErrorResourceNotFound(id)
	}
	attrs := cloneAttrs(old.attrs)
	for _, op := range ops {
		if op.Path == nil {
			m, ok := op.Value.(map[string]interface{})
			if !ok {
				return escim.Resource{}, eerrors.ScimErrorInvalidValue
			}
			for k, v := range m {
				attrs[k] = v
			}
			continue
		}
		if err := applyPath(attrs, op.Op, op.Path, op.Value); err != nil {
			return escim.Resource{}, err
		}
	}
	return h.store(old, attrs)
}

// applyPath applies one operation with a path: an attribute, a
// sub-attribute of a complex one, or a sub-attribute of the elements a
// value filter selects (emails[type eq "work"].value).
func applyPath(attrs map[string]interface{}, op string, p *efilter.Path, v interface{}) error {
	name := p.AttributePath.AttributeName
	if p.ValueExpression == nil {
		sub := p.AttributePath.SubAttribute
		if sub == nil {
			if op == escim.PatchOperationRemove {
				delete(attrs, name)
			} else {
				attrs[name] = v
			}
			return nil
		}
		m, _ := attrs[name].(map[string]interface{})
		if m == nil {
			m = map[string]interface{}{}
			attrs[name] = m
		}
		if op == escim.PatchOperationRemove {
			delete(m, *sub)
		} else {
			m[*sub] = v
		}
		return nil
	}
	e, ok := p.ValueExpression.(*efilter.AttributeExpression)
	if !ok || e.Operator != efilter.EQ || p.SubAttribute == nil {
		return eerrors.ScimErrorInvalidPath
	}
	list, _ := attrs[name].([]interface{})
	found := false
	for _, el := range list {
		m, ok := el.(map[string]interface{})
		if ok && m[e.AttributePath.AttributeName] == e.CompareValue {
			found = true
			if op == escim.PatchOperationRemove {
				delete(m, *p.SubAttribute)
			} else {
				m[*p.SubAttribute] = v
			}
		}
	}
	if !found && op != escim.PatchOperationRemove {
		attrs[name] = append(list, map[string]interface{}{e.AttributePath.AttributeName: e.CompareValue, *p.SubAttribute: v})
	}
	return nil
}

// cloneAttrs copies the maps and slices of a user's attributes, so that a
// PATCH never changes a stored user in place.
func cloneAttrs(m map[string]interface{}) map[string]interface{} {
	c := make(map[string]interface{}, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v interface{}) interface{} {
	switch v := v.(type) {
	case map[string]interface{}:
		return cloneAttrs(v)
	case []interface{}:
		c := make([]interface{}, len(v))
		for i, x := range v {
			c[i] = cloneValue(x)
		}
		return c
	}
	return v
}
