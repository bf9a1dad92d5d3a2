package scim

import (
	"context"
	"errors"
	"slices"

	"github.com/scimkit/scim/filter"
)

// Store keeps a host application's users. It is the one interface a host
// implements; memstore is the embedded default and scimtest.TestStore checks
// any implementation against every promise made here.
//
// A Store must be safe for concurrent use: the handler calls it from many
// requests at once, and several handlers (replicas of the host) may share
// one. Every method takes the request's context. The tenant the bearer token
// was issued for is in it (TenantFrom); a Store must never read, list,
// change or delete a user of another tenant, and must answer as if such a
// user did not exist.
//
// A Store must not keep the *User it is given nor hand out one it keeps:
// the handler changes users it holds. Users come back as they were stored,
// Custom values with the same Go types (int64 stays int64, times are equal
// instants). id is compared case-sensitively; userName case-insensitively.
//
// A Store keeps no unassigned state beside a user's values: an attribute
// a PATCH removes comes to it as the zero value (an empty string, no
// Custom key), and a removed active as false (see User.Active).
//
// Stores wrap the sentinel errors below with %w; the handler maps them to
// HTTP status codes and SCIM error types. Any other error becomes a 500
// whose text goes to the log, never to the client.
type Store interface {
	// Create stores a new user and returns it as stored, with ID and
	// Meta.Version (opaque, such as W/"1"; a bare one is served as a weak
	// ETag) assigned by the store. u.ID is empty; Meta.Created and
	// Meta.LastModified are set by the handler. It returns an error wrapping
	// ErrUniqueness when another user of the tenant has the same UserName,
	// compared case-insensitively.
	Create(ctx context.Context, u *User) (*User, error)

	// User returns the user with the given id, or an error wrapping
	// ErrNotFound.
	User(ctx context.Context, id string) (*User, error)

	// Replace stores u in place of the user with ID u.ID, assigns a new
	// Meta.Version and returns the user as stored. When version is not
	// empty, the replace happens only if the stored Meta.Version equals it
	// (compared as an opaque string); otherwise it returns an error
	// wrapping ErrVersionMismatch, and nothing changes. It returns
	// ErrNotFound for an unknown id and ErrUniqueness when the new UserName
	// belongs to another user (a user may change the case of its own). A
	// replaced user keeps its place in List's order.
	Replace(ctx context.Context, u *User, version string) (*User, error)

	// Delete removes the user with the given id, with the same version
	// rule as Replace. It returns ErrNotFound for an unknown id. A deleted
	// user is gone from List, and its userName is free again.
	Delete(ctx context.Context, id, version string) error

	// List returns the users that match q.Filter (all users when it is
	// nil) in a stable order: the same query gives the same order on every
	// call until the users change, so that paging by StartIndex neither
	// skips nor repeats a user. A filter selects exactly the users
	// filter.Match would. List returns an error wrapping
	// ErrUnsupportedFilter for a filter it cannot evaluate, and may return
	// a *filter.MatchError as it is (both are a 400 invalidFilter); it must
	// never ignore a filter.
	List(ctx context.Context, q Query) (*Page, error)
}

// Query is a list request: a filter, already validated against the schema
// and resolved to canonical attribute names, and a page.
type Query struct {
	// Filter selects the users; nil selects every user.
	Filter filter.Expr
	// StartIndex is the 1-based index of the first user to return (≥ 1).
	StartIndex int
	// Count is the maximum number of users to return (≥ 0). A Count of 0
	// asks only for TotalResults.
	Count int
	// Members says whether ListGroups loads the members of the page's
	// groups (false when the request excluded them). List ignores it.
	Members bool
	// MaxMembers caps the members one ListGroups page embeds in all; 0
	// means no cap. List ignores it.
	MaxMembers int
	// Seek is the position of a keyset page, for KeysetLister and
	// GroupKeysetLister; List and ListGroups ignore it.
	Seek Seek
	// Attributes, when not nil, lists every top-level attribute the
	// response to the list returns, by canonical name ("userName",
	// "name", "emails", "members"; an extension's attributes qualified
	// with its URN, "urn:…:enterprise:2.0:User:department"): the request's
	// attributes or excludedAttributes (RFC 7644 §3.9) applied to the
	// served schema. A Store may leave any other attribute out of the
	// users or groups it returns, so as not to load what is excluded; the
	// handler never returns one anyway. It must return every listed one
	// as stored. Nil means every attribute. See Wants. The slice is
	// shared between requests: a Store must not modify it.
	Attributes []string
}

// Wants reports whether the response to q returns the top-level
// attribute attr, named as in Query.Attributes: true when Attributes is
// nil or lists it.
func (q *Query) Wants(attr string) bool {
	return q.Attributes == nil || slices.Contains(q.Attributes, attr)
}

// Page is one page of a List.
type Page struct {
	// TotalResults is the number of users that match the filter, across all
	// pages.
	TotalResults int
	// Users are the users of the requested page, at most Query.Count;
	// nil when there are none.
	Users []*User
	// Keys places a keyset page (KeysetLister); List leaves it zero.
	Keys PageKeys
}

// The sentinel errors a Store wraps with %w. The handler checks them with
// errors.Is.
var (
	// ErrNotFound: no user with that id in the tenant (404).
	ErrNotFound = errors.New("scim: user not found")
	// ErrUniqueness: a unique attribute's value is taken (409 uniqueness).
	ErrUniqueness = errors.New("scim: uniqueness conflict")
	// ErrVersionMismatch: the stored version differs from the one given
	// (412 with If-Match; a PATCH retries internally).
	ErrVersionMismatch = errors.New("scim: version mismatch")
	// ErrUnsupportedFilter: the store cannot evaluate the filter
	// (400 invalidFilter).
	ErrUnsupportedFilter = errors.New("scim: unsupported filter")
)

type tenantKey struct{}

// WithTenant returns a context that carries the tenant. The handler calls it
// with the tenant of the authenticated bearer token; tests and hosts that
// call a Store directly use it too.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantFrom returns the tenant carried by ctx, "" when there is none (a
// single-tenant deployment).
func TenantFrom(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}
