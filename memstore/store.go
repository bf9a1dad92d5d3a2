package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var _ scim.Store = (*Store)(nil)

// Store is an in-memory scim.Store. Its zero value is an empty store ready
// to use; New returns the same. A Store is safe for concurrent use.
type Store struct {
	// mu guards the tenants map only. Each tenant has its own lock, so
	// that one tenant's writes never wait for another's, and lookups of a
	// tenant (every call) share a read lock.
	mu      sync.RWMutex
	tenants map[string]*tenant

	// keyShift is userKeys.shift of every tenant: 0 but in tests.
	keyShift uint8

	// Now is the clock for meta.lastModified of the groups a deletion
	// changes (a deleted user or group leaves every group it was in); the
	// handler's clock dates every other write. Default time.Now.
	Now func() time.Time
}

// now is the time a deletion changes the groups it touches, to the
// millisecond in UTC as the handler keeps times.
func (s *Store) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Millisecond)
}

// New returns an empty Store.
func New() *Store { return &Store{} }

// tenant holds one tenant's users (laid out as slab.go explains). Reads
// take mu for reading, so they run in parallel; writes take it
// exclusively.
type tenant struct {
	mu sync.RWMutex

	users slab
	keys  userKeys
	// The indexes map a key's hash to the first of the entries with that
	// hash, chained through the entries' own link fields, so the usual key
	// held by one user costs a map slot and no slice. byID (exact id) and
	// byName (fold(userName)) hold one user per key, byExt (exact
	// externalId) and byEmail (fold(email)) any number.
	byID    chain[uint64, ref]
	byName  chain[uint64, ref]
	byExt   chain[uint64, ref]
	byEmail chain[uint64, ref]

	order order[ref]

	// listed counts the users whose every email is kept in Custom (the RFC
	// profile): byEmail indexes only User.Email, so while there are any,
	// emails filters are not answered from it.
	listed int

	groups groups

	// declared holds the resources of host-declared types, by type name;
	// referrers maps an id to the declared resources that refer to it
	// (scim.ResourceType.References).
	declared  map[string]*resources
	referrers map[string]map[*rentry]struct{}
}

// entry is a stored user. The User is held by value, its strings packed
// into one allocation (see pack).
type entry struct {
	user scim.User
	ver  uint64 // the counter behind user.Meta.Version
	slot int    // index in tenant.order.slots
	// The next entries with the same hash of id, folded userName,
	// externalId and folded email.
	nextID, nextName, nextExt, nextMail ref
}

func newTenant(keyShift uint8) *tenant {
	t := &tenant{keys: userKeys{maphash.MakeSeed(), keyShift}}
	link := func(f func(*entry) *ref) func(ref) *ref {
		return func(r ref) *ref { return f(t.users.at(r)) }
	}
	t.byID = chain[uint64, ref]{m: make(map[uint64]ref), link: link(func(e *entry) *ref { return &e.nextID })}
	t.byName = chain[uint64, ref]{m: make(map[uint64]ref), link: link(func(e *entry) *ref { return &e.nextName })}
	t.byExt = chain[uint64, ref]{m: make(map[uint64]ref), link: link(func(e *entry) *ref { return &e.nextExt })}
	t.byEmail = chain[uint64, ref]{m: make(map[uint64]ref), link: link(func(e *entry) *ref { return &e.nextMail })}
	t.order.slot = func(r ref) *int { return &t.users.at(r).slot }
	return t
}

// user returns the user with the given id, or 0.
func (t *tenant) user(id string) ref {
	for r := t.byID.m[t.keys.key(id)]; r != 0; r = t.users.at(r).nextID {
		if t.users.at(r).user.ID == id {
			return r
		}
	}
	return 0
}

// named returns the user whose userName is name but for case, or 0; key
// is the hash of fold(name).
func (t *tenant) named(name string, key uint64) ref {
	for r := t.byName.m[key]; r != 0; r = t.users.at(r).nextName {
		if strings.EqualFold(t.users.at(r).user.UserName, name) {
			return r
		}
	}
	return 0
}

// view is the user at r for reading under the tenant's lock.
func (t *tenant) view(r ref) filter.Resource { return &t.users.at(r).user }

func (s *Store) tenant(ctx context.Context, create bool) *tenant {
	name := scim.TenantFrom(ctx)
	s.mu.RLock()
	t := s.tenants[name]
	s.mu.RUnlock()
	if t != nil || !create {
		return t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t = s.tenants[name]; t == nil {
		if s.tenants == nil {
			s.tenants = make(map[string]*tenant)
		}
		t = newTenant(s.keyShift)
		s.tenants[name] = t
	}
	return t
}

// existing is the tenant of ctx for a request about a resource that must
// exist: the context's error when it is done, and missing's when the
// tenant has nothing yet.
func (s *Store) existing(ctx context.Context, missing func() error) (*tenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t := s.tenant(ctx, false); t != nil {
		return t, nil
	}
	return nil, missing()
}

// writing is existing's tenant locked for a write; the caller unlocks it.
func (s *Store) writing(ctx context.Context, missing func() error) (*tenant, error) {
	t, err := s.existing(ctx, missing)
	if err == nil {
		t.mu.Lock()
	}
	return t, err
}

// listed is the tenant of ctx for a list: nil when it has nothing yet
// (the list is empty). A keyset list's key is read even then, so that a
// malformed one is an error whatever the tenant holds.
func (s *Store) listed(ctx context.Context, q scim.Query, byKey bool) (*tenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := s.tenant(ctx, false)
	if t == nil && byKey {
		if _, err := parseKey(q.Seek.Key); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// nilIfFailed is a list's answer when its tenant holds nothing: the empty
// page, or no page and the error.
func nilIfFailed[P any](page *P, err error) (*P, error) {
	if err != nil {
		return nil, err
	}
	return page, nil
}

// Create stores a copy of u with a new random ID and version W/"1".
func (s *Store) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nu := *u
	if u.Custom != nil {
		nu.Custom = u.Clone().Custom
	}
	nu.Meta.Version = versionTag(1)
	nu.ID = newID()
	pack(&nu)
	out := nu.Clone() // before the lock: it costs the user's size

	t := s.tenant(ctx, true)
	name, mail := t.keys.name(nu.UserName), t.keys.key(fold(nu.Email))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.named(nu.UserName, name) != 0 {
		return nil, taken(u.UserName)
	}
	// 2^-122 per create; cheap to rule out. Users and groups never share
	// an id, so a member id names one resource.
	for t.idTaken(nu.ID) {
		nu.ID = newID()
		pack(&nu)
		out.ID = nu.ID
	}
	r := t.users.alloc()
	e := t.users.at(r)
	e.user, e.ver = nu, 1
	t.byID.add(t.keys.key(nu.ID), r)
	t.byName.add(name, r)
	t.byExt.add(t.keys.key(nu.ExternalID), r)
	t.byEmail.add(mail, r)
	t.order.push(r)
	t.listed += listsEmails(&nu)
	return out, nil
}

// User returns a copy of the user with the given id.
func (s *Store) User(ctx context.Context, id string) (*scim.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := s.tenant(ctx, false)
	if t == nil {
		return nil, notFound(id)
	}
	t.mu.RLock()
	r := t.user(id)
	var u scim.User
	if r != 0 {
		u = t.users.at(r).user // stored Custom maps are never changed, only replaced
	}
	t.mu.RUnlock()
	if r == 0 {
		return nil, notFound(id)
	}
	return u.Clone(), nil // outside the lock: it costs the user's size
}

// Replace stores a copy of u in place of the user with ID u.ID. The user
// keeps its place in the order of List.
func (s *Store) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := s.tenant(ctx, false)
	if t == nil {
		return nil, notFound(u.ID)
	}
	nu := *u
	if u.Custom != nil {
		nu.Custom = u.Clone().Custom
	}
	pack(&nu)
	name, mail := t.keys.name(nu.UserName), t.keys.key(fold(nu.Email))
	out := nu.Clone() // before the lock: it costs the user's size

	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.user(u.ID)
	if r == 0 {
		return nil, notFound(u.ID)
	}
	e := t.users.at(r)
	if err := checkVersion(e, version); err != nil {
		return nil, err
	}
	if !strings.EqualFold(nu.UserName, e.user.UserName) {
		if t.named(nu.UserName, name) != 0 {
			return nil, taken(u.UserName)
		}
		t.byName.remove(t.keys.name(e.user.UserName), r)
		t.byName.add(name, r)
	}
	if nu.ExternalID != e.user.ExternalID {
		t.byExt.remove(t.keys.key(e.user.ExternalID), r)
		t.byExt.add(t.keys.key(nu.ExternalID), r)
	}
	if !strings.EqualFold(nu.Email, e.user.Email) {
		t.byEmail.remove(t.keys.key(fold(e.user.Email)), r)
		t.byEmail.add(mail, r)
	}
	nu.ID = e.user.ID
	t.listed += listsEmails(&nu) - listsEmails(&e.user)
	e.ver++
	nu.Meta.Version = versionTag(e.ver)
	e.user = nu
	out.ID, out.Meta.Version = nu.ID, nu.Meta.Version
	return out, nil
}

// Delete removes the user with the given id, and its membership in every
// group.
func (s *Store) Delete(ctx context.Context, id, version string) error {
	t, err := s.writing(ctx, func() error { return notFound(id) })
	if err != nil {
		return err
	}
	defer t.mu.Unlock()
	r := t.user(id)
	if r == 0 {
		return notFound(id)
	}
	e := t.users.at(r)
	if err := checkVersion(e, version); err != nil {
		return err
	}
	t.byID.remove(t.keys.key(e.user.ID), r)
	t.byName.remove(t.keys.name(e.user.UserName), r)
	t.byExt.remove(t.keys.key(e.user.ExternalID), r)
	t.byEmail.remove(t.keys.key(fold(e.user.Email)), r)
	t.order.remove(r)
	t.listed -= listsEmails(&e.user)
	t.users.release(r)
	t.groups.leaveAll(id, s.now())
	t.dropReferences(id, s.now())
	return nil
}

// List returns the users that match q.Filter in creation order.
//
// Without a filter a page costs O(Count·log n) at any StartIndex. A filter
// that filter.Equalities recognises on userName, externalId (case-exact),
// emails.value or id is answered from an index: the index gives a
// superset of the matches and filter.Match decides, so the result is
// exactly Match's. Any other filter is evaluated with filter.Match on every
// user of the tenant. An error of filter.Match (a *filter.MatchError, for
// an operator that does not apply to a value) is returned as it is.
func (s *Store) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	return s.listUsers(ctx, q, false)
}

// listUsers answers List, and ListKeyset when byKey is set.
func (s *Store) listUsers(ctx context.Context, q scim.Query, byKey bool) (*scim.Page, error) {
	page := &scim.Page{Users: []*scim.User{}}
	t, err := s.listed(ctx, q, byKey)
	if t == nil || err != nil {
		return nilIfFailed(page, err)
	}
	t.mu.RLock()
	var users []scim.User
	if q.Filter == nil && !byKey {
		// One allocation for the page: its size is known.
		users = make([]scim.User, 0, min(max(q.Count, 0), max(t.order.live-max(q.StartIndex, 1)+1, 0)))
	}
	out := func(r ref) { users = append(users, t.users.at(r).user) }
	page.TotalResults, page.Keys, err = list(ctx, q, byKey, &t.order, t.index, t.view, out)
	t.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	page.Users = copyOut(page.Users, users) // outside the lock: it costs the page's size
	return page, nil
}

// copyOut appends pointers to users to dst, with a deep copy of each one's
// Custom (the stored maps are shared until then).
func copyOut(dst []*scim.User, users []scim.User) []*scim.User {
	dst = slices.Grow(dst, len(users))
	for i := range users {
		u := &users[i]
		if u.Custom != nil {
			u.Custom = u.Clone().Custom
		}
		dst = append(dst, u)
	}
	return dst
}

// index answers one equality of a user filter from an index: userName
// (folded keys give a superset whether or not the compare is case-exact),
// id and externalId (case-exact), emails.value (folded). As every index
// is keyed by a hash, what it gives is a superset in any case.
func (t *tenant) index(eq filter.Equality) ([]ref, bool) {
	p, v := eq.Path, eq.Value.Str
	switch {
	case p.Name == "userName" && p.Sub == "":
		return t.byName.appendTo(nil, t.keys.name(v)), true
	case p.Name == "id" && p.Sub == "" && eq.CaseExact:
		if r := t.user(v); r != 0 {
			return []ref{r}, true
		}
		return nil, true
	case p.Name == "externalId" && p.Sub == "" && eq.CaseExact:
		return t.byExt.appendTo(nil, t.keys.key(v)), true
	case p.Name == "emails" && p.Sub == "value" && t.listed == 0:
		return t.byEmail.appendTo(nil, t.keys.key(fold(v))), true
	}
	return nil, false
}

// listsEmails is 1 for a user whose emails are all kept in Custom.
func listsEmails(u *scim.User) int {
	if _, ok := u.Custom["emails"]; ok {
		return 1
	}
	return 0
}

func checkVersion(e *entry, version string) error {
	return versionRule("user", e.user.ID, e.user.Meta.Version, version)
}

func notFound(id string) error { return missing("user", id) }

// versionRule is every write's version rule: a version given must be the
// stored one, or nothing is written.
func versionRule(kind, id, stored, version string) error {
	if version != "" && version != stored {
		return fmt.Errorf("memstore: %s %q is at version %s, not %s: %w", kind, id, stored, version, scim.ErrVersionMismatch)
	}
	return nil
}

// missing is the error for an id the tenant has no resource of kind with.
func missing(kind, id string) error {
	return fmt.Errorf("memstore: no %s with id %q: %w", kind, id, scim.ErrNotFound)
}

func taken(userName string) error {
	return fmt.Errorf("memstore: userName %q is taken by another user: %w", userName, scim.ErrUniqueness)
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never returns an error; it crashes the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// smallVersions holds the first version strings, so that most users,
// which are written a few times, share them instead of holding their own.
var smallVersions = func() (v [32]string) {
	for i := range v {
		v[i] = `W/"` + strconv.Itoa(i) + `"`
	}
	return v
}()

func versionTag(n uint64) string {
	if n < uint64(len(smallVersions)) {
		return smallVersions[n]
	}
	return `W/"` + strconv.FormatUint(n, 10) + `"`
}
