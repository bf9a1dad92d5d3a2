package scim

import (
	"context"
	"errors"
)

// KeysetLister is an optional capability of a Store: listing users by
// keyset, so that the handler serves RFC 9865 cursor pagination (GET
// /Users?cursor, "cursor" in a /Users/.search body) at a cost that does
// not grow with the depth of the page. The handler finds it by type
// assertion; without it, cursor paging of users is refused with a 400
// invalidCursor and /ServiceProviderConfig advertises index paging only.
//
// ListKeyset returns the users that match q.Filter, in the order of List,
// taken from the position q.Seek names: the q.Count users just after
// q.Seek.Key (from the start of the list when it is ""), or, when
// q.Seek.Backward is set, the q.Count users just before it (up to the end
// of the list when it is ""), always in list order. q.StartIndex is
// ignored. Page.Keys says where the page lies: the keys of its first and
// last users, and whether the list holds users that match the filter
// before and after it.
//
// A key is the store's own encoding of a position in the list order, such
// as a sequence number or a (created, id) pair, at most 256 bytes. The
// handler signs the keys it hands out inside its cursors, so a store sees
// only keys it issued itself (or, after its key format changed, old ones: a
// key it cannot read is an error wrapping ErrInvalidCursor). A key stays
// valid when the user it was taken from is deleted: it names a position,
// not a user, so that a client walking the list while users are deleted
// neither skips nor repeats a user that was there throughout the walk.
// Users created during a walk appear in it when they sort after its
// current position.
//
// TotalResults is the number of users that match the filter, as for List,
// or -1 when the store cannot count them for less than the page costs: the
// ListResponse then omits totalResults, as RFC 9865 §2 allows.
//
// A SQL store implements it with a keyset over its stable order, e.g.
// (created, id): WHERE filter AND (created, id) > ($1, $2) ORDER BY
// created, id LIMIT count+1 (the extra row tells Keys.After), and the
// mirror image with < and ORDER BY … DESC for Backward.
type KeysetLister interface {
	ListKeyset(ctx context.Context, q Query) (*Page, error)
}

// GroupKeysetLister is KeysetLister for groups: an optional capability of
// a GroupStore, with the rules of ListKeyset and the members rules of
// ListGroups (q.Members, q.MaxMembers).
type GroupKeysetLister interface {
	ListGroupsKeyset(ctx context.Context, q Query) (*GroupPage, error)
}

// Seek is where a keyset page starts (see KeysetLister).
type Seek struct {
	// Key is a key from an earlier page's Keys; "" is the start of the
	// list, or its end when Backward is set.
	Key string
	// Backward asks for the page that ends just before Key instead of the
	// one that starts just after it.
	Backward bool
}

// PageKeys says where a keyset page lies in its list (see KeysetLister).
type PageKeys struct {
	// First and Last are the keys of the page's first and last resources;
	// both are "" when the page is empty.
	First, Last string
	// Before reports that resources matching the filter lie before the
	// page. A store may report true when it is unsure (the previous page
	// may then be empty), but never when the page starts the list.
	Before bool
	// After reports that resources matching the filter lie after the page.
	// It must be exact when false: the client stops there, so a false
	// After with resources after the page loses them.
	After bool
}

// ErrInvalidCursor is the sentinel a KeysetLister wraps when it cannot
// read a Seek.Key (400 invalidCursor).
var ErrInvalidCursor = errors.New("scim: invalid cursor")
