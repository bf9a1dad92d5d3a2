package memstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/scimtest"
)

// collidingStore is a Store whose user indexes have three hash values, so
// that nearly every lookup walks a chain past users with other keys.
func collidingStore() *Store { return &Store{keyShift: 62} }

// The Store contract holds when keys collide.
func TestStoreCollidingKeys(t *testing.T) {
	scimtest.TestStore(t, func(*testing.T) scim.Store { return collidingStore() })
}

// Every index finds exactly its user among colliding keys, through
// creates, renames and deletes, and deleted places are reused without
// leaking a former user.
func TestCollidingKeys(t *testing.T) {
	s := collidingStore()
	ctx := context.Background()
	const n = 200
	ids := make([]string, n)
	for i := range n {
		u, err := s.Create(ctx, &scim.User{UserName: fmt.Sprint("User", i), ExternalID: fmt.Sprint("x", i%50), Email: fmt.Sprint("U", i, "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	for i := 0; i < n; i += 2 {
		if err := s.Delete(ctx, ids[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < n; i += 4 {
		u, err := s.User(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		u.UserName = fmt.Sprint("renamed", i)
		if _, err := s.Replace(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i += 2 { // into the deleted places
		u, err := s.Create(ctx, &scim.User{UserName: fmt.Sprint("new", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	one := func(f string) []*scim.User {
		t.Helper()
		e, err := filter.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.List(ctx, scim.Query{Filter: e, StartIndex: 1, Count: n})
		if err != nil {
			t.Fatal(err)
		}
		return p.Users
	}
	for i := range n {
		want := fmt.Sprint("User", i)
		switch {
		case i%2 == 0:
			want = fmt.Sprint("new", i)
		case i%4 == 1:
			want = fmt.Sprint("renamed", i)
		}
		if u, err := s.User(ctx, ids[i]); err != nil || u.UserName != want {
			t.Errorf("User(%d) = %v, %v; want userName %q", i, u, err, want)
		}
		if us := one(fmt.Sprintf("userName eq %q", want)); len(us) != 1 || us[0].ID != ids[i] {
			t.Errorf("userName eq %q gives %d users", want, len(us))
		}
		if _, err := s.Create(ctx, &scim.User{UserName: want}); err == nil {
			t.Errorf("a second %q was created", want)
		}
		us := one(fmt.Sprintf("emails.value eq \"u%d@EXAMPLE.com\"", i))
		if wantN := i % 2; len(us) != wantN {
			t.Errorf("emails.value of user %d gives %d users, want %d", i, len(us), wantN)
		}
	}
	if us := one(`externalId eq "x7"`); len(us) != 4 { // users 7, 57, 107 and 157
		t.Errorf("externalId eq x7 gives %d users, want 4", len(us))
	}
	if us := one(`externalId eq "x8"`); len(us) != 0 { // users 8, 58, 108 and 158 were deleted
		t.Errorf("externalId eq x8 gives %d users, want 0", len(us))
	}
	for i := 0; i < n; i += 4 { // a renamed user's old name is free
		if i+1 < n {
			if _, err := s.Create(ctx, &scim.User{UserName: fmt.Sprint("user", i+1)}); err != nil {
				t.Errorf("User%d's old name is still taken: %v", i+1, err)
			}
		}
	}
}
