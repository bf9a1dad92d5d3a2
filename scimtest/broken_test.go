package scimtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
)

// The kit is tested the way testing/fstest tests TestFS: against stores
// with one deliberate bug each, every one of which must make the check
// named after the broken promise fail.

func TestKitCatchesBrokenStores(t *testing.T) {
	tests := []struct {
		name string
		wrap func(s scim.Store) scim.Store
		// mustFail are the checks the bug breaks; each must report it.
		mustFail []string
	}{
		{
			name:     "ignores versions",
			wrap:     func(s scim.Store) scim.Store { return versionBlind{s} },
			mustFail: []string{"VersionCompareAndSwap", "ConcurrentReplaceSameVersion"},
		},
		{
			name:     "returns another tenant's users",
			wrap:     func(s scim.Store) scim.Store { return &tenantLeak{Store: s} },
			mustFail: []string{"TenantIsolation"},
		},
		{
			name:     "shuffles pages",
			wrap:     func(s scim.Store) scim.Store { return shuffled{s} },
			mustFail: []string{"StablePaging"},
		},
		{
			name:     "userName unique case-sensitively",
			wrap:     func(s scim.Store) scim.Store { return caseSensitive{s} },
			mustFail: []string{"UserNameUniqueIgnoringCase", "FilterUserNameAnyCase", "ConcurrentCreateSameUserName"},
		},
		{
			name:     "returns internal pointers",
			wrap:     func(s scim.Store) scim.Store { return &sharesPointers{Store: s, users: map[string]*scim.User{}} },
			mustFail: []string{"ReturnedUsersAreCopies"},
		},
		{
			name:     "does not wrap the sentinel errors",
			wrap:     func(s scim.Store) scim.Store { return opaqueErrors{s} },
			mustFail: []string{"NotFound", "UserNameUniqueIgnoringCase", "VersionCompareAndSwap", "Delete"},
		},
		{
			name:     "Patch loses updates and ignores versions",
			wrap:     func(s scim.Store) scim.Store { return lossyPatcher{s} },
			mustFail: []string{"PatchVersionCompareAndSwap", "PatchConcurrentNoLostUpdates"},
		},
		{
			name:     "ignores filters it has no index for",
			wrap:     func(s scim.Store) scim.Store { return ignoresFilters{s} },
			mustFail: []string{"FilterNeverIgnored"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(func() scim.Store { return tt.wrap(memstore.New()) })
			failed := slices.Sorted(func(yield func(string) bool) {
				for name := range got {
					if !yield(name) {
						return
					}
				}
			})
			t.Logf("failing checks: %s", strings.Join(failed, ", "))
			for _, name := range tt.mustFail {
				if len(got[name]) == 0 {
					t.Errorf("check %s did not fail", name)
				}
			}
		})
	}
}

// A check reports every violation it finds, not only the first.
func TestKitReportsEveryViolation(t *testing.T) {
	got := run(func() scim.Store { return versionBlind{memstore.New()} })
	// Two stale versions, each for Replace and Delete, then the user's
	// state after them.
	if n := len(got["VersionCompareAndSwap"]); n < 4 {
		t.Errorf("VersionCompareAndSwap reported %d violations, want at least 4: %q", n, got["VersionCompareAndSwap"])
	}
}

// versionBlind ignores the version of Replace and Delete.
type versionBlind struct{ scim.Store }

func (s versionBlind) Replace(ctx context.Context, u *scim.User, _ string) (*scim.User, error) {
	return s.Store.Replace(ctx, u, "")
}

func (s versionBlind) Delete(ctx context.Context, id, _ string) error {
	return s.Store.Delete(ctx, id, "")
}

// tenantLeak falls back to the other tenants it has seen when a user is
// not found, or a list is empty, in the caller's tenant.
type tenantLeak struct {
	scim.Store
	mu      sync.Mutex
	tenants []string
}

func (s *tenantLeak) others(ctx context.Context) []context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cs []context.Context
	for _, t := range s.tenants {
		if t != scim.TenantFrom(ctx) {
			cs = append(cs, scim.WithTenant(ctx, t))
		}
	}
	return cs
}

func (s *tenantLeak) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	s.mu.Lock()
	if t := scim.TenantFrom(ctx); !slices.Contains(s.tenants, t) {
		s.tenants = append(s.tenants, t)
	}
	s.mu.Unlock()
	return s.Store.Create(ctx, u)
}

func (s *tenantLeak) User(ctx context.Context, id string) (*scim.User, error) {
	u, err := s.Store.User(ctx, id)
	for _, c := range s.others(ctx) {
		if err == nil {
			break
		}
		u, err = s.Store.User(c, id)
	}
	return u, err
}

func (s *tenantLeak) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	p, err := s.Store.List(ctx, q)
	for _, c := range s.others(ctx) {
		if err != nil || p.TotalResults > 0 {
			break
		}
		p, err = s.Store.List(c, q)
	}
	return p, err
}

// shuffled returns the matching users in a different order on every call.
type shuffled struct{ scim.Store }

func (s shuffled) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	all, err := s.Store.List(ctx, scim.Query{Filter: q.Filter, StartIndex: 1, Count: 1 << 30})
	if err != nil {
		return nil, err
	}
	rand.Shuffle(len(all.Users), func(i, j int) { all.Users[i], all.Users[j] = all.Users[j], all.Users[i] })
	from := min(max(q.StartIndex, 1)-1, len(all.Users))
	all.Users = all.Users[from:min(from+q.Count, len(all.Users))]
	return all, nil
}

// caseSensitive compares userName case-sensitively, as a store over a
// column with a binary collation does: it stores each upper-case letter as
// a marker and the lower-case letter, which memstore's folding keeps
// apart, and compares userName in filters exactly.
type caseSensitive struct{ scim.Store }

const upperMark = '↑'

func encodeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteRune(upperMark)
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func decodeName(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		switch {
		case r == upperMark:
			upper = true
			continue
		case upper:
			r, upper = unicode.ToUpper(r), false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func encodeUser(u *scim.User) *scim.User {
	c := u.Clone()
	c.UserName = encodeName(c.UserName)
	return c
}

func decodeUser(u *scim.User, err error) (*scim.User, error) {
	if u != nil {
		u.UserName = decodeName(u.UserName)
	}
	return u, err
}

func encodeFilter(e filter.Expr) filter.Expr {
	switch e := e.(type) {
	case *filter.Compare:
		if e.Path.Name == "userName" && e.Value.Kind == filter.String {
			c := *e
			c.Value.Str, c.CaseExact = encodeName(c.Value.Str), true
			return &c
		}
	case *filter.Logical:
		return &filter.Logical{Op: e.Op, Left: encodeFilter(e.Left), Right: encodeFilter(e.Right)}
	case *filter.Not:
		return &filter.Not{X: encodeFilter(e.X)}
	}
	return e
}

func (s caseSensitive) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	return decodeUser(s.Store.Create(ctx, encodeUser(u)))
}

func (s caseSensitive) User(ctx context.Context, id string) (*scim.User, error) {
	return decodeUser(s.Store.User(ctx, id))
}

func (s caseSensitive) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	return decodeUser(s.Store.Replace(ctx, encodeUser(u), version))
}

func (s caseSensitive) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	q.Filter = encodeFilter(q.Filter)
	p, err := s.Store.List(ctx, q)
	if p != nil {
		for _, u := range p.Users {
			decodeUser(u, nil)
		}
	}
	return p, err
}

// sharesPointers keeps the users passed to Create and Replace and hands
// the same pointers out on every read, as a store over a map of *User
// without copying would.
type sharesPointers struct {
	scim.Store
	mu    sync.Mutex
	users map[string]*scim.User // by tenant and id
}

func (s *sharesPointers) keep(ctx context.Context, in, stored *scim.User, err error) (*scim.User, error) {
	if err != nil {
		return nil, err
	}
	in.ID, in.Meta.Version = stored.ID, stored.Meta.Version
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[scim.TenantFrom(ctx)+"\x00"+in.ID] = in
	return in, nil
}

func (s *sharesPointers) kept(ctx context.Context, u *scim.User) *scim.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.users[scim.TenantFrom(ctx)+"\x00"+u.ID]; k != nil {
		return k
	}
	return u
}

func (s *sharesPointers) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	stored, err := s.Store.Create(ctx, u)
	return s.keep(ctx, u, stored, err)
}

func (s *sharesPointers) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	stored, err := s.Store.Replace(ctx, u, version)
	return s.keep(ctx, u, stored, err)
}

func (s *sharesPointers) User(ctx context.Context, id string) (*scim.User, error) {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.kept(ctx, u), nil
}

func (s *sharesPointers) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	p, err := s.Store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	for i, u := range p.Users {
		p.Users[i] = s.kept(ctx, u)
	}
	return p, nil
}

// opaqueErrors returns errors with the right text that wrap nothing.
type opaqueErrors struct{ scim.Store }

func opaque(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(err.Error())
}

func (s opaqueErrors) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	u, err := s.Store.Create(ctx, u)
	return u, opaque(err)
}

func (s opaqueErrors) User(ctx context.Context, id string) (*scim.User, error) {
	u, err := s.Store.User(ctx, id)
	return u, opaque(err)
}

func (s opaqueErrors) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	u, err := s.Store.Replace(ctx, u, version)
	return u, opaque(err)
}

func (s opaqueErrors) Delete(ctx context.Context, id, version string) error {
	return opaque(s.Store.Delete(ctx, id, version))
}

// ignoresFilters evaluates the lookups identity providers send and
// silently drops any other filter.
type ignoresFilters struct{ scim.Store }

func (s ignoresFilters) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if _, ok := filter.Equalities(q.Filter); !ok {
		q.Filter = nil
	}
	return s.Store.List(ctx, q)
}

// patcher adds scim.Patcher to a Store the way the handler's fallback
// does: get, apply, replace at the version read, retried when it moved.
type patcher struct{ scim.Store }

func (s patcher) Patch(ctx context.Context, id string, p scim.Patch, version string) (*scim.User, error) {
	for {
		u, err := s.User(ctx, id)
		if err != nil {
			return nil, err
		}
		if version != "" && u.Meta.Version != version {
			return nil, fmt.Errorf("patcher: %w", scim.ErrVersionMismatch)
		}
		nu, err := p.Apply(u)
		if err != nil {
			return nil, err
		}
		stored, err := s.Replace(ctx, nu, u.Meta.Version)
		if version == "" && errors.Is(err, scim.ErrVersionMismatch) {
			continue
		}
		return stored, err
	}
}

// lossyPatcher patches without comparing versions: concurrent patches
// overwrite each other.
type lossyPatcher struct{ scim.Store }

func (s lossyPatcher) Patch(ctx context.Context, id string, p scim.Patch, _ string) (*scim.User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return nil, err
	}
	nu, err := p.Apply(u)
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Millisecond) // let the other writers read the same user
	return s.Replace(ctx, nu, "")
}
