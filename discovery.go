package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scim/schema"
)

// discovery holds what the discovery endpoints serve, built once from the
// configuration so that it says exactly what this handler does.
type discovery struct {
	schemas []schema.Schema // User, extensions, then the discovery schemas
}

func (h *Handler) buildDiscovery() (discovery, error) {
	user := h.user
	// The served User schema lists the common attributes too, so that a
	// client learns id's and externalId's caseExact from it.
	user.Attributes = h.markRequired(append(schema.Common(), user.Attributes...), "")
	d := discovery{schemas: []schema.Schema{user}}
	if h.groupStore != nil {
		group := schema.Group()
		group.Attributes = append(schema.Common(), group.Attributes...)
		d.schemas = append(d.schemas, group)
	}
	for _, ext := range h.names.extensions {
		ext.Attributes = h.markRequired(ext.Attributes, ext.ID)
		d.schemas = append(d.schemas, ext)
	}
	for _, rt := range h.declared {
		v := rt.view
		s := v.user
		s.Attributes = v.markRequired(append(schema.Common(), s.Attributes...), "")
		d.schemas = append(d.schemas, s)
		for _, ext := range v.names.extensions {
			ext.Attributes = v.markRequired(ext.Attributes, ext.ID)
			d.schemas = append(d.schemas, ext)
		}
	}
	d.schemas = append(d.schemas, schema.ServiceProviderConfigSchema(), schema.ResourceTypeSchema(), schema.SchemaSchema())
	return d, nil
}

// markRequired returns a copy of attrs, the attributes of the schema urn
// ("" for User), in which the attributes the handler requires (and the
// parents of required sub-attributes) say so, so that a client learns them
// from /Schemas rather than from a 400.
func (h *Handler) markRequired(attrs []schema.Attribute, urn string) []schema.Attribute {
	out := slices.Clone(attrs)
	for _, p := range h.required {
		pu, rest := splitURN(p)
		if !strings.EqualFold(pu, urn) {
			continue
		}
		name, sub, _ := strings.Cut(rest, ".")
		for i := range out {
			a := &out[i]
			if a.Name != name {
				continue
			}
			a.Required = true
			if sub != "" {
				a.SubAttributes = slices.Clone(a.SubAttributes)
				for j := range a.SubAttributes {
					if a.SubAttributes[j].Name == sub {
						a.SubAttributes[j].Required = true
					}
				}
			}
		}
	}
	return out
}

type supported struct {
	Supported bool `json:"supported"`
}

type metaJSON struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

func (h *Handler) serviceProviderConfig(base string) any {
	type filterSupport struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	}
	type bulk struct {
		Supported      bool `json:"supported"`
		MaxOperations  int  `json:"maxOperations"`
		MaxPayloadSize int  `json:"maxPayloadSize"`
	}
	type scheme struct {
		Type             string `json:"type"`
		Name             string `json:"name"`
		Description      string `json:"description"`
		SpecURI          string `json:"specUri"`
		DocumentationURI string `json:"documentationUri"`
		Primary          bool   `json:"primary"`
	}
	doc := "https://pkg.go.dev/github.com/scimkit/scim"
	patchDoc := ""
	if h.cfg.DisableProfileUpdates {
		patchDoc = " Only active can be changed: profile updates are not accepted."
	}
	return struct {
		Schemas               []string      `json:"schemas"`
		DocumentationURI      string        `json:"documentationUri"`
		Patch                 supported     `json:"patch"`
		Bulk                  bulk          `json:"bulk"`
		Filter                filterSupport `json:"filter"`
		ChangePassword        supported     `json:"changePassword"`
		Sort                  supported     `json:"sort"`
		Etag                  supported     `json:"etag"`
		Pagination            pagination    `json:"pagination"`
		AuthenticationSchemes []scheme      `json:"authenticationSchemes"`
		Meta                  metaJSON      `json:"meta"`
	}{
		Schemas:          []string{ServiceProviderConfigURN},
		DocumentationURI: doc,
		Patch:            supported{h.cfg.Disabled&OpPatch == 0},
		Filter:           filterSupport{true, h.cfg.MaxResults},
		Etag:             supported{true},
		Pagination:       h.pagination(),
		AuthenticationSchemes: []scheme{{
			Type:             "oauthbearertoken",
			Name:             "OAuth Bearer Token",
			Description:      "Authentication with a bearer token issued by the service provider." + patchDoc,
			SpecURI:          "https://www.rfc-editor.org/info/rfc6750",
			DocumentationURI: doc,
			Primary:          true,
		}},
		Meta: metaJSON{"ServiceProviderConfig", base + "/ServiceProviderConfig"},
	}
}

// resourceTypes returns the resource types served: User, Group when the
// store keeps groups, and the host's.
func (h *Handler) resourceTypes(base string) []any {
	type ext struct {
		Schema   string `json:"schema"`
		Required bool   `json:"required"`
	}
	type resourceTypeJSON struct {
		Schemas          []string `json:"schemas"`
		ID               string   `json:"id"`
		Name             string   `json:"name"`
		Endpoint         string   `json:"endpoint"`
		Description      string   `json:"description"`
		Schema           string   `json:"schema"`
		SchemaExtensions []ext    `json:"schemaExtensions"`
		Meta             metaJSON `json:"meta"`
	}
	var types []any
	for _, rt := range h.types() {
		exts := []ext{}
		for _, e := range rt.names.extensions {
			exts = append(exts, ext{e.ID, false})
		}
		types = append(types, resourceTypeJSON{
			Schemas: []string{ResourceTypeURN}, ID: rt.name, Name: rt.name, Endpoint: "/" + rt.endpoint,
			Description: rt.description, Schema: rt.names.urn, SchemaExtensions: exts,
			Meta: metaJSON{"ResourceType", base + "/ResourceTypes/" + rt.name},
		})
	}
	return types
}

// listOf wraps resources in a ListResponse.
func listOf(resources []any) any {
	return struct {
		Schemas      []string `json:"schemas"`
		TotalResults int      `json:"totalResults"`
		StartIndex   int      `json:"startIndex"`
		ItemsPerPage int      `json:"itemsPerPage"`
		Resources    []any    `json:"Resources"`
	}{[]string{ListResponseURN}, len(resources), 1, len(resources), resources}
}

// serveDiscovery serves /ServiceProviderConfig, /ResourceTypes[/User] and
// /Schemas[/{urn}] (RFC 7644 §4).
func (h *Handler) serveDiscovery(w http.ResponseWriter, r *http.Request, req request) {
	if !h.allow(w, r, http.MethodGet) {
		return
	}
	if r.URL.Query().Has("filter") {
		h.writeError(w, r, errorf(http.StatusForbidden, "", "discovery endpoints do not take a filter (RFC 7644 §4)"))
		return
	}
	base := h.baseURL(r, req)
	id := strings.Join(req.rest, "/")
	var body any
	switch req.endpoint {
	case "ServiceProviderConfig":
		if id == "" {
			body = h.serviceProviderConfig(base)
		}
	case "ResourceTypes":
		types := h.resourceTypes(base)
		if id == "" {
			body = listOf(types)
		}
		for i, rt := range h.types() {
			if id == rt.name {
				body = types[i]
			}
		}
	case "Schemas":
		var all []any
		for i := range h.discovery.schemas {
			s := &h.discovery.schemas[i]
			res := s.Resource(base + "/Schemas/" + s.ID)
			if id == "" {
				all = append(all, res)
			} else if strings.EqualFold(id, s.ID) {
				body = res
			}
		}
		if id == "" {
			body = listOf(all)
		}
	}
	if body == nil {
		h.writeError(w, r, errorf(http.StatusNotFound, "", fmt.Sprintf("no %s named %q", strings.TrimSuffix(req.endpoint, "s"), id)))
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
