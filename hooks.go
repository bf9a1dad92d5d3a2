package scim

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
)

// Hooks let a host take part in the lifecycle of the users SCIM manages.
// Every hook is optional. A hook that returns an *Error chooses the
// response; any other error is a 500 whose text is logged. A hook that
// panics before the change is stored is a 500 too, never a crashed server.
type Hooks struct {
	// BeforeCreate runs before a new user is stored. It may change u, for
	// example to give it the host's default role through a custom attribute,
	// or refuse the create by returning an error.
	BeforeCreate func(ctx context.Context, u *User) error

	// Adopt runs when a create collides with an existing user: one with the
	// same userName, or with Config.AdoptByEmail the same work email. It
	// typically recognises a user who signed in by SSO before SCIM was set
	// up. When it returns true, the existing user takes the incoming
	// attributes (its id and meta.created stay; externalId links it to the
	// identity provider) and the create answers 201 with it. When it returns
	// false, or is nil, the create answers 409 uniqueness.
	Adopt func(ctx context.Context, existing, incoming *User) (bool, error)

	// AfterChange runs after every change a request made: created, updated,
	// deactivated, reactivated, deleted or adopted. The change is stored by
	// then: a panic in it is logged and the request still succeeds.
	AfterChange func(ctx context.Context, e Event)

	// AfterGroupChange runs after every change to a group: created,
	// updated (renamed, members added or removed) or deleted. A host maps
	// group membership to its own teams or roles here. Like AfterChange, it
	// runs after the change is stored.
	AfterGroupChange func(ctx context.Context, e GroupEvent)

	// AfterResourceChange runs after every change to a resource of a
	// host-declared type (Config.ResourceTypes): created, updated or
	// deleted. Like AfterChange, it runs after the change is stored.
	AfterResourceChange func(ctx context.Context, e ResourceEvent)
}

// ResourceEvent describes one change to a resource of a host-declared
// type, for Hooks.AfterResourceChange.
type ResourceEvent struct {
	// Kind is EventCreated, EventUpdated or EventDeleted.
	Kind EventKind
	// Type is the resource type's Name, e.g. "Agent".
	Type string
	// Tenant and TokenLabel say who made the change.
	Tenant     string
	TokenLabel string
	// Before and After are the resource before and after the change: nil
	// Before for a create, nil After for a delete. The hook may keep them.
	Before, After *Resource
	// Changed names the attributes whose values differ.
	Changed []string
}

// EventKind is what a change did to a user.
type EventKind int

// The kinds of change.
const (
	EventCreated EventKind = iota + 1
	EventUpdated
	EventDeactivated
	EventReactivated
	EventDeleted
	EventAdopted
)

var eventNames = [...]string{"", "created", "updated", "deactivated", "reactivated", "deleted", "adopted"}

// String returns the kind as a word, e.g. "deactivated".
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(eventNames) {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return eventNames[k]
}

// Event describes one change, for Hooks.AfterChange and the audit trail.
type Event struct {
	Kind EventKind
	// Tenant and TokenLabel say who made the change (from the bearer
	// token's Principal).
	Tenant     string
	TokenLabel string
	// Before is nil for a create, After nil for a delete.
	Before, After *User
	// Changed names the attributes whose values changed.
	Changed []string
}

// callHook runs fn and turns a panic into an error, so that a host's bug
// cannot crash the server.
func callHook(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("scim: hook panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// changed records a write: the AfterChange hook and the audit record. The
// write is committed by then, so a failing hook is logged, not answered: a
// 500 would make the identity provider retry a create that succeeded and
// get a 409.
func (h *Handler) changed(ctx context.Context, kind EventKind, before, after *User) {
	if h.cfg.Hooks.AfterChange == nil && h.cfg.Hooks.AfterResourceChange == nil && h.cfg.AuditLogger == nil && h.cfg.Activity == nil {
		return
	}
	if kind == EventUpdated && before != nil && after != nil && before.Active != after.Active {
		kind = EventDeactivated
		if after.Active {
			kind = EventReactivated
		}
	}
	if h.cfg.Activity != nil {
		noteChange(ctx, h.activityKind(kind), cmp.Or(after, before), h.users.label)
		if h.cfg.Hooks.AfterChange == nil && h.cfg.Hooks.AfterResourceChange == nil && h.cfg.AuditLogger == nil {
			return
		}
	}
	if h.generic {
		h.resourceChanged(ctx, kind, before, after)
		return
	}
	p, _ := PrincipalFrom(ctx)
	e := Event{Kind: kind, Tenant: TenantFrom(ctx), TokenLabel: p.Label, Before: before, After: after,
		Changed: changedAttributes(before, after)}
	if h.cfg.AuditLogger != nil {
		u := after
		if u == nil {
			u = before
		}
		// Attribute names only: values may be personal data, and tokens are
		// never logged.
		h.cfg.AuditLogger.LogAttrs(ctx, slog.LevelInfo, "scim: user "+kind.String(),
			slog.String("tenant", e.Tenant), slog.String("token_label", e.TokenLabel),
			slog.String("op", kind.String()), slog.String("user_id", u.ID),
			slog.String("userName", u.UserName), slog.Any("changed", e.Changed))
	}
	if h.cfg.Hooks.AfterChange == nil {
		return
	}
	if err := callHook(func() error { h.cfg.Hooks.AfterChange(ctx, e); return nil }); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "scim: AfterChange hook failed after the change was stored", "event", kind.String(), "error", err)
	}
}

// resourceChanged is changed's part for a declared type: the audit record
// and Hooks.AfterResourceChange.
func (h *Handler) resourceChanged(ctx context.Context, kind EventKind, before, after *User) {
	p, _ := PrincipalFrom(ctx)
	e := ResourceEvent{Kind: kind, Type: h.users.name, Tenant: TenantFrom(ctx), TokenLabel: p.Label,
		Changed: changedAttributes(before, after)}
	if before != nil {
		e.Before = resourceOf(before.Clone())
	}
	if after != nil {
		e.After = resourceOf(after.Clone())
	}
	if h.cfg.AuditLogger != nil {
		u := cmp.Or(after, before)
		h.cfg.AuditLogger.LogAttrs(ctx, slog.LevelInfo, "scim: "+h.users.noun+" "+kind.String(),
			slog.String("tenant", e.Tenant), slog.String("token_label", e.TokenLabel),
			slog.String("op", kind.String()), slog.String("id", u.ID),
			slog.String("name", h.users.label(u)), slog.Any("changed", e.Changed))
	}
	if h.cfg.Hooks.AfterResourceChange == nil {
		return
	}
	if err := callHook(func() error { h.cfg.Hooks.AfterResourceChange(ctx, e); return nil }); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "scim: AfterResourceChange hook failed after the change was stored", "event", kind.String(), "error", err)
	}
}

// changedAttributes names the attributes that differ between two users
// (all that are set when one of them is nil).
func changedAttributes(a, b *User) []string {
	if a == nil {
		a = &User{}
	}
	if b == nil {
		b = &User{}
	}
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("externalId", a.ExternalID != b.ExternalID)
	add("userName", a.UserName != b.UserName)
	add("name.givenName", a.GivenName != b.GivenName)
	add("name.familyName", a.FamilyName != b.FamilyName)
	add("displayName", a.DisplayName != b.DisplayName)
	add("emails", a.Email != b.Email)
	add("active", a.Active != b.Active)
	for _, k := range slices.Sorted(maps.Keys(b.Custom)) {
		add(k, !reflect.DeepEqual(b.Custom[k], a.Custom[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(a.Custom)) {
		_, ok := b.Custom[k]
		add(k, !ok)
	}
	return out
}

// GroupEvent describes one change to a group, for Hooks.AfterGroupChange
// and the audit trail. A user (or group) deleted leaves every group it was
// in without a GroupEvent of its own: its Event (EventDeleted) stands for
// those removals.
type GroupEvent struct {
	// Kind is EventCreated, EventUpdated or EventDeleted.
	Kind EventKind
	// Tenant and TokenLabel say who made the change.
	Tenant     string
	TokenLabel string
	// Group is the group as stored after the change, without its members
	// (only its ID after a delete).
	Group *Group
	// ReplacedMembers says the request set the members to exactly Added.
	// Otherwise Added and Removed are the members the request added and
	// the ids it removed; those that were already present, or absent, are
	// included (identity providers retry, and the change is idempotent).
	ReplacedMembers bool
	Added           []Member
	Removed         []string
}

// groupChanged records a write to a group: the hook and the audit record.
func (h *Handler) groupChanged(r *http.Request, kind EventKind, g *Group, c GroupChange) {
	ctx := r.Context()
	if h.cfg.Activity != nil {
		noteGroupChange(ctx, kind, g)
	}
	if h.cfg.Hooks.AfterGroupChange == nil && h.cfg.AuditLogger == nil {
		return
	}
	p, _ := PrincipalFrom(ctx)
	stored := *g
	stored.Members = nil
	e := GroupEvent{Kind: kind, Tenant: TenantFrom(ctx), TokenLabel: p.Label, Group: &stored,
		ReplacedMembers: c.ReplaceMembers, Added: c.Add, Removed: c.Remove}
	if h.cfg.AuditLogger != nil {
		h.cfg.AuditLogger.LogAttrs(ctx, slog.LevelInfo, "scim: group "+kind.String(),
			slog.String("tenant", e.Tenant), slog.String("token_label", e.TokenLabel),
			slog.String("op", kind.String()), slog.String("group_id", g.ID),
			slog.String("displayName", g.DisplayName), slog.Bool("members_replaced", c.ReplaceMembers),
			slog.Int("members_added", len(c.Add)), slog.Int("members_removed", len(c.Remove)))
	}
	if h.cfg.Hooks.AfterGroupChange == nil {
		return
	}
	if err := callHook(func() error { h.cfg.Hooks.AfterGroupChange(ctx, e); return nil }); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "scim: AfterGroupChange hook failed after the change was stored", "event", kind.String(), "error", err)
	}
}
