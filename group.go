package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
)

// Group is a SCIM group (RFC 7643 §4.2) as scimkit stores and serves it.
type Group struct {
	// ID is the store-assigned identifier; compared case-sensitively.
	ID string
	// ExternalID is the identity provider's identifier; compared
	// case-sensitively.
	ExternalID string
	// DisplayName is required; filters compare it case-insensitively. It
	// is not unique: identity providers may push two groups of one name.
	DisplayName string
	// Members are the group's direct members, in no particular order. A
	// read fills them only when they were asked for (see GroupStore.Group
	// and Query.Members); otherwise Members is nil.
	Members []Member
	// MembersOmitted is set by ListGroups on a group whose members were
	// asked for but would have taken the page past Query.MaxMembers: its
	// Members is nil, and a client reads them with GET /Groups/{id}.
	MembersOmitted bool
	// Meta is the resource's metadata.
	Meta Meta
}

// Member is one member of a group.
type Member struct {
	// Value is the member's id: a user's, or a group's for a nested group.
	Value string
	// Type is "User" or "Group". A client may leave it out; the store
	// fills it in from what the id names.
	Type string
}

// The member types of RFC 7643 §4.2.
const (
	MemberUser  = "User"
	MemberGroup = "Group"
)

// GroupStore is an optional capability of a Store: keeping groups, so that
// the handler serves /Groups (Okta's Push Groups, Entra ID's group
// provisioning). The handler finds it by type assertion; a Store without
// it answers /Groups with a 404 and /ResourceTypes does not list Group.
//
// Membership is kept as a set of (group, member) pairs, a join table's
// natural shape: changes arrive as deltas (ModifyGroup) that cost
// O(change), never as a whole member list to read and rewrite, and reads
// load members only when they are asked for.
//
// A Store type that serves groups only in some configurations (sqlstore
// serves them when it has group tables) also has a method
//
//	ServesGroups() bool
//
// and the handler serves /Groups only when it reports true.
//
// The Store's rules hold for groups too: tenant isolation, no aliasing of
// the *Group given or returned, versions compared as opaque strings,
// sentinel errors wrapped with %w. When a Store implements GroupStore,
// its Delete of a user also removes that user from every group (and gives
// each such group a new version), in the same atomic step.
//
// Ids are unique across resource types (RFC 7643 §3.1: an id is unique
// across the service provider's entire set of resources): no group has
// the id of a user of its tenant, so an id names exactly one resource.
// Okta and Entra ID send members without a type; such a member is the one
// user or group with its id, and the store fills in Type from what it
// found. A store whose users and groups number their rows separately
// (two database sequences, each from 1) must make the served ids differ,
// as sqlstore does with GroupTables.IDPrefix.
type GroupStore interface {
	// CreateGroup stores a new group with its members and returns it as
	// stored (members included), with ID and Meta.Version assigned by the
	// store; Meta.Created and Meta.LastModified are set by the handler.
	// Every member must name a user (or, with Type "Group", a group) of
	// the tenant; otherwise it returns an *UnknownMembersError and stores
	// nothing. Duplicate members are stored once.
	CreateGroup(ctx context.Context, g *Group) (*Group, error)

	// Group returns the group with the given id, with its members when
	// members is true (and Members nil otherwise, loading none), or an
	// error wrapping ErrNotFound.
	Group(ctx context.Context, id string, members bool) (*Group, error)

	// ListGroups returns the groups that match q.Filter in a stable order,
	// with the paging rules of Store.List. Members are loaded only when
	// q.Members is set, and then at most q.MaxMembers of them in all
	// (MaxMembers 0 means no cap): a group whose members would take the
	// page past the cap comes back with MembersOmitted set instead. Filters
	// on members.value (also as members[value eq "…"]) must be served.
	ListGroups(ctx context.Context, q Query) (*GroupPage, error)

	// ModifyGroup applies c to the group with the given id atomically and
	// returns the group as stored, without its members. When version is
	// not empty it applies c only if the stored Meta.Version equals it,
	// and otherwise returns an error wrapping ErrVersionMismatch. Members
	// in c.Add that are present already and ids in c.Remove that are
	// absent are no-ops (identity providers retry); members in c.Add that
	// name no user or group of the tenant make it return an
	// *UnknownMembersError naming all of them, with nothing applied; a
	// member in c.Add that resolves to the group itself (its id, with
	// Type "Group" or none) makes it return an error wrapping
	// ErrSelfMember, with nothing applied. When
	// c changes nothing, the group keeps its Meta.Version and
	// Meta.LastModified; otherwise it gets a new version and
	// Meta.LastModified = c.Now. Concurrent ModifyGroup calls with no
	// version must all take effect: none may be lost.
	ModifyGroup(ctx context.Context, id string, c GroupChange, version string) (*Group, error)

	// DeleteGroup removes the group (and its memberships, including its
	// membership in other groups), with the version rule of ModifyGroup.
	// It returns ErrNotFound for an unknown id.
	DeleteGroup(ctx context.Context, id, version string) error

	// UserGroups returns the groups the user with the given id is a direct
	// member of, for the user's readOnly groups attribute (RFC 7643
	// §4.1.2), in a stable order. An unknown user has none.
	UserGroups(ctx context.Context, userID string) ([]GroupRef, error)
}

// servesGroups reports whether a GroupStore serves groups: a store that
// does only when configured to (sqlstore without group tables does not)
// says so with a ServesGroups method.
func servesGroups(s Store) bool {
	if sw, ok := s.(interface{ ServesGroups() bool }); ok {
		return sw.ServesGroups()
	}
	return true
}

// GroupChange is one atomic change to a group: new values for its
// attributes and a delta of its members. The handler turns every PUT and
// PATCH of a group into one.
type GroupChange struct {
	// DisplayName and ExternalID, when not nil, are the new values; an
	// empty ExternalID removes it.
	DisplayName *string
	ExternalID  *string
	// ReplaceMembers replaces every member with Add (an empty Add empties
	// the group); otherwise Add and Remove are applied to the members
	// there are, Remove first.
	ReplaceMembers bool
	// Add are members to add; Remove are the ids of members to remove.
	Add    []Member
	Remove []string
	// Now is the handler's clock: the group's new Meta.LastModified when
	// the change changes anything.
	Now time.Time
}

// Empty reports whether c changes nothing at all, before any store sees it.
func (c GroupChange) Empty() bool {
	return c.DisplayName == nil && c.ExternalID == nil && !c.ReplaceMembers && len(c.Add) == 0 && len(c.Remove) == 0
}

// GroupPage is one page of ListGroups.
type GroupPage struct {
	// TotalResults is the number of groups that match the filter.
	TotalResults int
	// Groups are the groups of the requested page; nil when there are
	// none.
	Groups []*Group
	// Keys places a keyset page (GroupKeysetLister); ListGroups leaves it
	// zero.
	Keys PageKeys
}

// GroupRef is a group as the groups attribute of a user names it.
type GroupRef struct {
	// ID is the group's id.
	ID string
	// DisplayName is the group's displayName.
	DisplayName string
}

// ErrUnknownMember is what an *UnknownMembersError wraps: a member names no
// user or group of the tenant (400 invalidValue).
var ErrUnknownMember = errors.New("scim: unknown member")

// ErrSelfMember is what a GroupStore's ModifyGroup wraps when a member
// to add resolves to the group itself (400 invalidValue). The store
// checks it after resolving the member, since only then does a member
// without a type name a user or a group.
var ErrSelfMember = errors.New("scim: a group cannot be a member of itself")

// UnknownMembersError names the member ids of a group write that name no
// user or group of the tenant.
type UnknownMembersError struct {
	IDs []string
}

// Error implements error.
func (e *UnknownMembersError) Error() string {
	const show = 10
	ids := e.IDs
	more := ""
	if len(ids) > show {
		ids, more = ids[:show], fmt.Sprintf(" and %d more", len(e.IDs)-show)
	}
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return "scim: no user or group with id " + strings.Join(q, ", ") + more
}

// Unwrap returns ErrUnknownMember.
func (e *UnknownMembersError) Unwrap() error { return ErrUnknownMember }

// Clone returns a deep copy of g.
func (g *Group) Clone() *Group {
	c := *g
	if g.Members != nil {
		c.Members = append([]Member(nil), g.Members...)
	}
	return &c
}

// generic is the limit walk's view of the values a group holds
// generically: none.
func (g *Group) generic() map[string]any { return nil }

// AttrLen implements filter.Resource, so that a Store can evaluate a
// resolved group filter with filter.Match. members counts the loaded
// Members.
func (g *Group) AttrLen(p filter.AttrPath) int {
	switch p.Name {
	case "members":
		return len(g.Members)
	case "meta":
		return 1
	}
	if g.AttrValue(p, 0).Kind == filter.Null {
		return 0
	}
	return 1
}

// AttrValue implements filter.Resource.
func (g *Group) AttrValue(p filter.AttrPath, i int) filter.Value {
	if v, ok := commonValue(p, g.ID, g.ExternalID, &g.Meta, "Group"); ok {
		return v
	}
	switch p.Name {
	case "displayName":
		return strValue(g.DisplayName)
	case "members":
		if i < 0 || i >= len(g.Members) {
			return filter.Value{}
		}
		switch p.Sub {
		case "value", "":
			return strValue(g.Members[i].Value)
		case "type":
			return strValue(g.Members[i].Type)
		}
	}
	return filter.Value{}
}
