package scim_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// fakeStore is a small hand-written Store for the handler's tests: users
// per tenant in creation order, W/"n" versions, userName unique
// case-insensitively, filters evaluated with filter.Match. It records what
// reached it so that tests can check what the handler stores.
type fakeStore struct {
	mu      sync.Mutex
	users   map[string][]*scim.User // by tenant, in creation order
	nextID  int
	version int

	// fail, when set, is returned by every method.
	fail error
	// tenants records the tenant of every call.
	tenants []string
	// queries records every List query.
	queries []scim.Query
}

func newFakeStore() *fakeStore { return &fakeStore{users: map[string][]*scim.User{}} }

func (s *fakeStore) enter(ctx context.Context) error {
	s.tenants = append(s.tenants, scim.TenantFrom(ctx))
	return s.fail
}

func (s *fakeStore) find(ctx context.Context, id string) (int, []*scim.User) {
	us := s.users[scim.TenantFrom(ctx)]
	for i, u := range us {
		if u.ID == id {
			return i, us
		}
	}
	return -1, us
}

func (s *fakeStore) taken(ctx context.Context, userName, except string) bool {
	for _, u := range s.users[scim.TenantFrom(ctx)] {
		if u.ID != except && strings.EqualFold(u.UserName, userName) {
			return true
		}
	}
	return false
}

func (s *fakeStore) bump(u *scim.User) {
	s.version++
	u.Meta.Version = `W/"` + strconv.Itoa(s.version) + `"`
}

func (s *fakeStore) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	if s.taken(ctx, u.UserName, "") {
		return nil, fmt.Errorf("fake: userName %q: %w", u.UserName, scim.ErrUniqueness)
	}
	s.nextID++
	c := u.Clone()
	c.ID = fmt.Sprintf("u%04d", s.nextID)
	s.bump(c)
	t := scim.TenantFrom(ctx)
	s.users[t] = append(s.users[t], c)
	return c.Clone(), nil
}

func (s *fakeStore) User(ctx context.Context, id string) (*scim.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	i, us := s.find(ctx, id)
	if i < 0 {
		return nil, fmt.Errorf("fake: %q: %w", id, scim.ErrNotFound)
	}
	return us[i].Clone(), nil
}

func (s *fakeStore) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	i, us := s.find(ctx, u.ID)
	if i < 0 {
		return nil, fmt.Errorf("fake: %q: %w", u.ID, scim.ErrNotFound)
	}
	if version != "" && us[i].Meta.Version != version {
		return nil, fmt.Errorf("fake: %w", scim.ErrVersionMismatch)
	}
	if s.taken(ctx, u.UserName, u.ID) {
		return nil, fmt.Errorf("fake: %w", scim.ErrUniqueness)
	}
	c := u.Clone()
	s.bump(c)
	us[i] = c
	return c.Clone(), nil
}

func (s *fakeStore) Delete(ctx context.Context, id, version string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return err
	}
	i, us := s.find(ctx, id)
	if i < 0 {
		return fmt.Errorf("fake: %q: %w", id, scim.ErrNotFound)
	}
	if version != "" && us[i].Meta.Version != version {
		return fmt.Errorf("fake: %w", scim.ErrVersionMismatch)
	}
	t := scim.TenantFrom(ctx)
	s.users[t] = append(us[:i:i], us[i+1:]...)
	return nil
}

func (s *fakeStore) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	s.queries = append(s.queries, q)
	var match []*scim.User
	for _, u := range s.users[scim.TenantFrom(ctx)] {
		if q.Filter != nil {
			ok, err := filter.Match(q.Filter, u)
			if err != nil {
				return nil, fmt.Errorf("fake: %v: %w", err, scim.ErrUnsupportedFilter)
			}
			if !ok {
				continue
			}
		}
		match = append(match, u.Clone())
	}
	p := &scim.Page{TotalResults: len(match)}
	from := min(q.StartIndex-1, len(match))
	to := min(from+q.Count, len(match))
	p.Users = match[from:to]
	return p, nil
}

// get returns the stored user with the given id in the default tenant.
func (s *fakeStore) get(id string) *scim.User {
	u, err := s.User(context.Background(), id)
	if err != nil {
		return nil
	}
	return u
}

var errBoom = errors.New("connection to db-7.internal refused")
