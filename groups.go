package scim

import (
	"errors"
	"net/http"

	"github.com/scimkit/scim/schema"
)

// groupType is the Groups resource type.
func (h *Handler) groupType() *resourceType {
	return withListing(h, &resourceType{
		name: "Group", endpoint: "Groups", noun: "group", description: "Group", names: &h.groupNames, patchNoContent: true,
		create: h.createGroup,
		get:    h.getGroup, replace: h.replaceGroup, patch: h.patchGroup, del: h.deleteGroup,
	}, h.groupListing())
}

// groupOut is what writing a group needs besides the group.
type groupOut struct {
	base string // the mount URL, for locations and members' $ref
	p    *projection
}

func (h *Handler) groupOut(r *http.Request, req request, p *projection) groupOut {
	return groupOut{base: h.baseURL(r, req), p: p}
}

// writeGroup writes g with its ETag (and Location, for a 201).
func (h *Handler) writeGroup(w http.ResponseWriter, status int, g *Group, o groupOut) {
	loc := h.groups.location(o.base, g.ID)
	writeResource(w, status, g.Meta.Version, loc, func(b []byte, c *chunkWriter) []byte {
		return h.appendGroup(b, c, g, loc, o)
	})
}

// readGroup reads the projection and the group of a POST or PUT.
func (h *Handler) readGroup(w http.ResponseWriter, r *http.Request) (*projection, *Group, *Error) {
	p, e := h.requestProjection(&h.groupNames, r)
	if e != nil {
		return nil, nil, e
	}
	body, e := h.readBody(w, r)
	if e != nil {
		return nil, nil, e
	}
	g, e := h.decodeGroup(body)
	return p, g, e
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, req request) {
	p, g, e := h.readGroup(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	now := h.cfg.Now()
	g.Meta.Created, g.Meta.LastModified = now, now
	created, err := h.groupStore.CreateGroup(r.Context(), g)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.groupChanged(r, EventCreated, created, GroupChange{ReplaceMembers: true, Add: created.Members})
	h.writeGroup(w, http.StatusCreated, created, h.groupOut(r, req, p))
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request, req request, id string) {
	p, e := h.requestProjection(&h.groupNames, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	members := p.wants("members", schema.Default)
	conditional := r.Header.Get("If-None-Match") != ""
	// A conditional GET is answered from the group without its members:
	// a 304 for a group of 100,000 members loads none of them.
	g, err := h.groupStore.Group(r.Context(), id, members && !conditional)
	if err == nil && conditional {
		if notModified(w, r, g.Meta.Version) {
			return
		}
		if members {
			g, err = h.groupStore.Group(r.Context(), id, true)
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeGroup(w, http.StatusOK, g, h.groupOut(r, req, p))
}

// groupVersion returns the version a group write must be applied at: the
// current one when the request has an If-Match that names it (a 412
// otherwise), "" when it has none.
func (h *Handler) groupVersion(r *http.Request, id string) (string, error) {
	if r.Header.Get("If-Match") == "" {
		return "", nil
	}
	g, err := h.groupStore.Group(r.Context(), id, false)
	if err != nil {
		return "", err
	}
	if e := ifMatch(r, g.Meta.Version); e != nil {
		return "", e
	}
	return g.Meta.Version, nil
}

// modifyGroup applies c to the group with the given id at the request's
// If-Match version and records the change.
func (h *Handler) modifyGroup(r *http.Request, id string, c GroupChange) (*Group, error) {
	for _, m := range c.Add {
		// A member typed "Group" with the group's id is the group itself
		// whatever the store holds. One without a type is resolved by the
		// store, which reports ErrSelfMember when it is the group.
		if m.Value == id && m.Type == MemberGroup {
			return nil, selfMember()
		}
	}
	version, err := h.groupVersion(r, id)
	if err != nil {
		return nil, err
	}
	c.Now = h.cfg.Now()
	before, err := h.groupStore.ModifyGroup(r.Context(), id, c, version)
	if err != nil {
		return nil, err
	}
	h.groupChanged(r, EventUpdated, before, c)
	return before, nil
}

// writeModified answers a PUT or PATCH of a group: the group as stored,
// with its members read back when the projection wants them.
func (h *Handler) writeModified(w http.ResponseWriter, r *http.Request, req request, g *Group, p *projection) {
	if p.wants("members", schema.Default) {
		full, err := h.groupStore.Group(r.Context(), g.ID, true)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		g = full
	}
	h.writeGroup(w, http.StatusOK, g, h.groupOut(r, req, p))
}

func (h *Handler) replaceGroup(w http.ResponseWriter, r *http.Request, req request, id string) {
	p, g, e := h.readGroup(w, r)
	if e != nil {
		// PUT of an unknown id is a 404 whatever the body says, as for users.
		if _, err := h.groupStore.Group(r.Context(), id, false); errors.Is(err, ErrNotFound) {
			h.writeError(w, r, err)
			return
		}
		h.writeError(w, r, e)
		return
	}
	members := g.Members
	if members == nil {
		members = []Member{}
	}
	stored, err := h.modifyGroup(r, id, GroupChange{DisplayName: &g.DisplayName, ExternalID: &g.ExternalID, ReplaceMembers: true, Add: members})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeModified(w, r, req, stored, p)
}

// patchGroup answers by the PATCH rule of every type (patchWithoutContent):
// for Groups 204 unless the request asks for attributes.
func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request, req request, id string) {
	p, e := h.requestProjection(&h.groupNames, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	ops, ok := h.readPatch(w, r, &h.groupNames)
	if !ok {
		return
	}
	c, e := h.groupChange(ops)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	var stored *Group
	var err error
	if c.Empty() {
		// Every operation named something a group does not keep.
		stored, err = h.groupStore.Group(r.Context(), id, false)
		if err == nil {
			if e := ifMatch(r, stored.Meta.Version); e != nil {
				err = e
			}
		}
	} else {
		stored, err = h.modifyGroup(r, id, c)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.patchWithoutContent(h.groups, r) {
		writeNoContent(w, stored.Meta.Version)
		return
	}
	h.writeModified(w, r, req, stored, p)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, _ request, id string) {
	version, err := h.groupVersion(r, id)
	if err == nil {
		err = h.groupStore.DeleteGroup(r.Context(), id, version)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.groupChanged(r, EventDeleted, &Group{ID: id}, GroupChange{})
	writeNoContent(w, "")
}

func selfMember() *Error {
	return badRequest(ScimTypeInvalidValue, "a group cannot be a member of itself")
}
