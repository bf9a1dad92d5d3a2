package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

// tenant holds one tenant's users. Reads take mu for reading, so they run
// in parallel; writes take it exclusively.
type tenant struct {
	mu sync.RWMutex

	byID   map[string]*entry
	byName map[string]*entry // fold(userName): unique
	// byExt (exact externalId) and byEmail (fold(email)) are not unique;
	// their entries are chained through the entries' own link fields, so
	// the usual key held by one user costs a map slot and no slice.
	byExt   chain[*entry]
	byEmail chain[*entry]

	order order[*entry]

	// listed counts the users whose every email is kept in Custom (the RFC
	// profile): byEmail indexes only User.Email, so while there are any,
	// emails filters are not answered from it.
	listed int

	groups groups
}

// entry is a stored user. The User is held by value so that a user costs
// one allocation besides its strings.
type entry struct {
	user     scim.User
	ver      uint64 // the counter behind user.Meta.Version
	slot     int    // index in tenant.order.slots
	nextExt  *entry // next entry with the same externalId
	nextMail *entry // next entry with the same folded email
}

func (e *entry) slotIndex() *int { return &e.slot }

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
		t = &tenant{
			byID:    make(map[string]*entry),
			byName:  make(map[string]*entry),
			byExt:   chain[*entry]{m: make(map[string]*entry), link: func(e *entry) **entry { return &e.nextExt }},
			byEmail: chain[*entry]{m: make(map[string]*entry), link: func(e *entry) **entry { return &e.nextMail }},
		}
		s.tenants[name] = t
	}
	return t
}

// Create stores a copy of u with a new random ID and version W/"1".
func (s *Store) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &entry{user: *u, ver: 1}
	if u.Custom != nil {
		e.user.Custom = u.Clone().Custom
	}
	e.user.Meta.Version = versionTag(1)
	e.user.ID = newID()
	pack(&e.user)
	key, mail := fold(e.user.UserName), fold(e.user.Email)
	out := e.user.Clone() // before the lock: it costs the user's size

	t := s.tenant(ctx, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byName[key] != nil {
		return nil, taken(u.UserName)
	}
	// 2^-122 per create; cheap to rule out. Users and groups never share
	// an id, so a member id names one resource.
	for t.byID[e.user.ID] != nil || t.groups.byID[e.user.ID] != nil {
		e.user.ID = newID()
		pack(&e.user)
	}
	t.byID[e.user.ID] = e
	t.byName[key] = e
	t.byExt.add(e.user.ExternalID, e)
	t.byEmail.add(mail, e)
	t.order.push(e)
	t.listed += listsEmails(&e.user)
	out.ID = e.user.ID
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
	e := t.byID[id]
	var u scim.User
	if e != nil {
		u = e.user // stored Custom maps are never changed, only replaced
	}
	t.mu.RUnlock()
	if e == nil {
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
	key, mail := fold(nu.UserName), fold(nu.Email)
	out := nu.Clone() // before the lock: it costs the user's size

	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byID[u.ID]
	if e == nil {
		return nil, notFound(u.ID)
	}
	if err := checkVersion(e, version); err != nil {
		return nil, err
	}
	if oldKey := fold(e.user.UserName); key != oldKey {
		if t.byName[key] != nil {
			return nil, taken(u.UserName)
		}
		delete(t.byName, oldKey)
		t.byName[key] = e
	}
	if nu.ExternalID != e.user.ExternalID {
		t.byExt.remove(e.user.ExternalID, e)
		t.byExt.add(nu.ExternalID, e)
	}
	if oldMail := fold(e.user.Email); mail != oldMail {
		t.byEmail.remove(oldMail, e)
		t.byEmail.add(mail, e)
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
	if err := ctx.Err(); err != nil {
		return err
	}
	t := s.tenant(ctx, false)
	if t == nil {
		return notFound(id)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byID[id]
	if e == nil {
		return notFound(id)
	}
	if err := checkVersion(e, version); err != nil {
		return err
	}
	delete(t.byID, id)
	delete(t.byName, fold(e.user.UserName))
	t.byExt.remove(e.user.ExternalID, e)
	t.byEmail.remove(fold(e.user.Email), e)
	t.order.remove(e)
	t.listed -= listsEmails(&e.user)
	t.groups.leaveAll(id, s.now())
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page := &scim.Page{Users: []*scim.User{}}
	t := s.tenant(ctx, false)
	if t == nil {
		return page, nil
	}
	t.mu.RLock()
	var err error
	page.TotalResults, err = query(ctx, q, &t.order, t.index,
		func(e *entry) filter.Resource { return &e.user },
		func(e *entry) { u := e.user; page.Users = append(page.Users, &u) })
	t.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	// Deep copies outside the lock: they cost the page's size.
	for i, u := range page.Users {
		page.Users[i] = u.Clone()
	}
	return page, nil
}

// index answers one equality of a user filter from an index: userName
// (folded keys give a superset whether or not the compare is case-exact),
// id and externalId (case-exact), emails.value (folded).
func (t *tenant) index(eq filter.Equality) ([]*entry, bool) {
	p, v := eq.Path, eq.Value.Str
	switch {
	case p.Name == "userName" && p.Sub == "":
		if e := t.byName[fold(v)]; e != nil {
			return []*entry{e}, true
		}
		return nil, true
	case p.Name == "id" && p.Sub == "" && eq.CaseExact:
		if e := t.byID[v]; e != nil {
			return []*entry{e}, true
		}
		return nil, true
	case p.Name == "externalId" && p.Sub == "" && eq.CaseExact:
		return t.byExt.appendTo(nil, v), true
	case p.Name == "emails" && p.Sub == "value" && t.listed == 0:
		return t.byEmail.appendTo(nil, fold(v)), true
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
	if version != "" && version != e.user.Meta.Version {
		return fmt.Errorf("memstore: user %q is at version %s, not %s: %w", e.user.ID, e.user.Meta.Version, version, scim.ErrVersionMismatch)
	}
	return nil
}

func notFound(id string) error {
	return fmt.Errorf("memstore: no user with id %q: %w", id, scim.ErrNotFound)
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

// pack copies u's strings into one allocation and points u's fields into
// it. A stored user is then two heap objects (its entry and its strings)
// instead of up to eight, and what a garbage collection of a large store
// costs is mostly a matter of how many objects it marks.
func pack(u *scim.User) {
	fields := [...]*string{&u.ID, &u.ExternalID, &u.UserName, &u.GivenName, &u.FamilyName, &u.DisplayName, &u.Email}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		*f, all = all[:len(*f)], all[len(*f):]
	}
}
