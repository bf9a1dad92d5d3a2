package scim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// userType is the Users resource type.
func (h *Handler) userType() *resourceType {
	return withListing(h, &resourceType{
		name: "User", endpoint: "Users", noun: "user", description: "User Account", names: &h.names,
		create: h.createUser, conflict: "a user with this userName already exists",
		label: func(u *User) string { return u.UserName },
		get:   h.getUser, replace: h.replaceUser, patch: h.patchUser, del: h.deleteUser,
		disabled: func(op Operations) bool { return h.cfg.Disabled&op != 0 },
	}, h.userListing())
}

// writeUser writes u with its ETag (and Location, for a 201), with the
// attributes the request's projection wants.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, req request, status int, u *User) {
	o, err := h.userOut(r, req, u, status == http.StatusOK && r.Method == http.MethodGet)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	loc := h.users.location(h.baseURL(r, req), u.ID)
	writeResource(w, status, u.Meta.Version, loc, func(b []byte, _ *chunkWriter) []byte { return h.appendUser(b, u, loc, o) })
}

// userOut reads the request's projection and, for one user read (single)
// or when attributes names them, the user's groups. It is nil when the
// request wants the default attributes and no groups.
func (h *Handler) userOut(r *http.Request, req request, u *User, single bool) (*userOut, error) {
	p, e := h.requestProjection(&h.names, r)
	if e != nil {
		return nil, e
	}
	return h.userOutFor(r, req, p, u, single)
}

// userOutFor is userOut with the projection p already read.
func (h *Handler) userOutFor(r *http.Request, req request, p *projection, u *User, single bool) (*userOut, error) {
	withGroups := h.groupStore != nil && (single && p.wants("groups", schema.Default) || p.explicit("groups"))
	if p == nil && !withGroups {
		return nil, nil
	}
	o := &userOut{p: p, withGroups: withGroups, base: h.baseURL(r, req)}
	if withGroups && u != nil {
		gs, err := h.groupStore.UserGroups(r.Context(), u.ID)
		if err != nil {
			return nil, err
		}
		o.groups = gs
	}
	return o, nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, req request, id string) {
	u, err := h.store.User(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if notModified(w, r, u.Meta.Version) {
		return
	}
	h.writeUser(w, r, req, http.StatusOK, u)
}

// current reads the user with the given id and checks the request's
// If-Match against it.
func (h *Handler) current(r *http.Request, id string) (*User, error) {
	u, err := h.store.User(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if e := ifMatch(r, u.Meta.Version); e != nil {
		return nil, e
	}
	return u, nil
}

// readUser reads, decodes and validates the user of a POST or PUT body.
func (h *Handler) readUser(w http.ResponseWriter, r *http.Request) (u *User, hasActive bool, e *Error) {
	body, e := h.readBody(w, r)
	if e == nil {
		u, hasActive, e = h.decodeUser(body)
	}
	if e == nil {
		e = h.checkUser(u)
	}
	if e == nil {
		e = h.checkRequired(u)
	}
	return u, hasActive, e
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, req request) {
	u, hasActive, e := h.readUser(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	if !hasActive && !h.generic {
		// An identity provider provisions a user to give access: a create
		// that does not say otherwise makes an active user.
		u.Active = true
	}
	now := h.cfg.Now()
	u.Meta.Created, u.Meta.LastModified = now, now
	ctx := r.Context()
	if h.cfg.Hooks.BeforeCreate != nil {
		if err := callHook(func() error { return h.cfg.Hooks.BeforeCreate(ctx, u) }); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	var created *User
	var err error
	if h.cfg.AdoptByEmail && h.cfg.Hooks.Adopt != nil && u.Email != "" {
		created, err = h.adopt(r, workEmailEq(u.Email), u)
	}
	if created == nil && err == nil && ctx.Err() != nil {
		err = ctxError(ctx) // out of time: nothing is written
	}
	if created == nil && err == nil {
		created, err = h.store.Create(ctx, u)
		if err == nil {
			h.changed(ctx, EventCreated, nil, created)
		} else if errors.Is(err, ErrUniqueness) && !h.generic {
			var named *Error // a conflict the store named itself (another unique attribute)
			errors.As(err, &named)
			created, err = h.adopt(r, userNameEq(u.UserName), u)
			if created == nil && err == nil && named != nil {
				err = named
			} else if created == nil && err == nil {
				err = errorf(http.StatusConflict, ScimTypeUniqueness, fmt.Sprintf("a user with userName %q already exists (userName is compared case-insensitively)", u.UserName))
			}
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, req, http.StatusCreated, created)
}

// adopt offers Hooks.Adopt the user that match selects. It returns nil and
// no error when there is no such user, no hook, or the hook declines.
func (h *Handler) adopt(r *http.Request, match filter.Expr, incoming *User) (*User, error) {
	if h.cfg.Hooks.Adopt == nil {
		return nil, nil
	}
	ctx := r.Context()
	page, err := h.store.List(ctx, Query{Filter: match, StartIndex: 1, Count: 1})
	if err != nil || len(page.Users) == 0 {
		return nil, err
	}
	existing := page.Users[0]
	var ok bool
	err = callHook(func() (err error) {
		ok, err = h.cfg.Hooks.Adopt(ctx, existing.Clone(), incoming.Clone())
		return err
	})
	if err != nil || !ok {
		return nil, err
	}
	next := incoming.Clone()
	next.ID = existing.ID
	next.Meta.Created = existing.Meta.Created
	stored, err := h.store.Replace(ctx, next, existing.Meta.Version)
	if errors.Is(err, ErrVersionMismatch) {
		return nil, errorf(http.StatusConflict, "", "the matching user changed while it was being adopted; try again")
	}
	if err != nil {
		return nil, err
	}
	h.changed(ctx, EventAdopted, existing, stored)
	return stored, nil
}

func userNameEq(userName string) filter.Expr {
	return &filter.Compare{Path: filter.AttrPath{Name: "userName"}, Op: filter.Eq,
		Value: filter.Value{Kind: filter.String, Str: userName}}
}

// workEmailEq is emails[type eq "work" and value eq email], the shape in
// which Entra ID looks users up by work email.
func workEmailEq(email string) filter.Expr {
	return &filter.ValuePath{Path: filter.AttrPath{Name: "emails"}, Filter: &filter.Logical{Op: filter.And,
		Left:  &filter.Compare{Path: filter.AttrPath{Name: "type"}, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: "work"}},
		Right: &filter.Compare{Path: filter.AttrPath{Name: "value"}, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: email}},
	}}
}

// maxRetries bounds how often a write re-reads a user whose version moved
// under it; each retry means another writer succeeded. With the backoff
// below, 50 writers racing on one user (two replicas, one database) all
// get through.
const maxRetries = 32

// backoff waits before retry n (1-based) of a write that lost a race: a
// random time up to 1ms·2ⁿ, capped at 64ms, so that racing writers spread
// out instead of colliding again in lockstep. It stops early when ctx ends.
func backoff(ctx context.Context, n int) error {
	ceiling := time.Millisecond << min(n, 6)
	t := time.NewTimer(rand.N(ceiling) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// update reads the user, lets change compute its replacement and stores
// that if the user's version is still the one read. When another writer got
// there first, it reads again and retries, so that concurrent writers never
// lose an update; an If-Match the stored version no longer matches is a 412.
func (h *Handler) update(r *http.Request, id string, change func(old *User) (*User, *Error)) (*User, error) {
	for attempt := range maxRetries {
		if attempt > 0 {
			if err := backoff(r.Context(), attempt); err != nil {
				return nil, err
			}
		}
		old, err := h.current(r, id)
		if err != nil {
			return nil, err
		}
		u, e := change(old)
		if e != nil {
			return nil, e
		}
		if sameUser(old, u) {
			// RFC 7644 §3.5.2: a change that changes nothing leaves the
			// version and lastModified alone; nothing is written.
			return old, nil
		}
		u.ID = old.ID
		u.Meta.Created = old.Meta.Created
		u.Meta.LastModified = h.cfg.Now()
		if r.Context().Err() != nil {
			// Out of time: nothing is written, whatever the Store does
			// with a done context.
			return nil, ctxError(r.Context())
		}
		stored, err := h.store.Replace(r.Context(), u, old.Meta.Version)
		if errors.Is(err, ErrVersionMismatch) {
			continue
		}
		if err != nil {
			return nil, err
		}
		h.changed(r.Context(), EventUpdated, old, stored)
		return stored, nil
	}
	return nil, errorf(http.StatusConflict, "", "the "+h.users.noun+" is being changed by many requests at once; try again")
}

func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request, req request, id string) {
	u, hasActive, e := h.readUser(w, r)
	if e != nil {
		// PUT of an unknown id is a 404 whatever the body says.
		if _, err := h.store.User(r.Context(), id); errors.Is(err, ErrNotFound) {
			h.writeError(w, r, err)
			return
		}
		h.writeError(w, r, e)
		return
	}
	stored, err := h.update(r, id, func(old *User) (*User, *Error) {
		next := u.Clone()
		if h.generic {
			// A PUT cannot change what a client may not write: the
			// declared type's read-only values stay the stored ones.
			h.keepReadOnly(old, next)
		}
		if !hasActive {
			// Okta's PUT may leave active out; that must not deactivate.
			next.Active = old.Active
		}
		if h.cfg.DisableProfileUpdates && profileChanged(old, next) {
			return nil, errProfileUpdates
		}
		if e := h.checkImmutable(old, next); e != nil {
			return nil, e
		}
		return next, nil
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, req, http.StatusOK, stored)
}

var errProfileUpdates = errorf(http.StatusForbidden, ScimTypeMutability, "this service provider does not accept profile updates; only active can be changed")

// sameUser reports whether next, the result of a change to old, holds the
// same values: id, meta and an empty Custom aside.
func sameUser(old, next *User) bool {
	return old.Active == next.Active && sameProfile(old, next)
}

// profileChanged reports whether anything but active differs.
func profileChanged(old, next *User) bool { return !sameProfile(old, next) }

// sameProfile reports whether a and b hold the same values but for id,
// meta and active, an empty Custom being no Custom. A client that echoes
// the served displayName (the "given family" fallback, as Okta's PUT
// does) has not changed it. Field by field rather than reflect.DeepEqual
// of the two users, which was a twentieth of Entra ID's PATCH;
// TestSameProfileFields fails for a field of User added and not compared.
func sameProfile(a, b *User) bool {
	return a.ExternalID == b.ExternalID && a.UserName == b.UserName &&
		a.GivenName == b.GivenName && a.FamilyName == b.FamilyName && a.Email == b.Email &&
		(a.DisplayName == b.DisplayName || a.displayName() == b.displayName()) &&
		(len(a.Custom) == 0 && len(b.Custom) == 0 || reflect.DeepEqual(a.Custom, b.Custom))
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, _ request, id string) {
	version := ""
	var before *User
	if r.Header.Get("If-Match") != "" || h.cfg.Hooks.AfterChange != nil || h.cfg.Hooks.AfterResourceChange != nil || h.cfg.AuditLogger != nil || h.cfg.Activity != nil {
		u, err := h.current(r, id)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		before = u
		if r.Header.Get("If-Match") != "" {
			version = u.Meta.Version
		}
	}
	if r.Context().Err() != nil {
		h.writeError(w, r, ctxError(r.Context())) // out of time: nothing is deleted
		return
	}
	if err := h.store.Delete(r.Context(), id, version); err != nil {
		h.writeError(w, r, err)
		return
	}
	if before != nil {
		h.changed(r.Context(), EventDeleted, before, nil)
	}
	writeNoContent(w, "")
}
