package memstore

import (
	"context"
	"errors"
	"testing"

	"github.com/scimkit/scim"
)

// An empty userName is a userName like any other for uniqueness, as it
// was before the indexes were keyed by hash (and as a unique index on
// userName in SQL has it): the second user without one is refused, on
// Create and on Replace, and the first one's deletion frees it.
func TestEmptyUserNameUnique(t *testing.T) {
	for _, shift := range []uint8{0, 63} {
		s := &Store{keyShift: shift}
		ctx := context.Background()
		a, err := s.Create(ctx, &scim.User{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, &scim.User{}); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("shift %d: a second user without a userName: %v, want ErrUniqueness", shift, err)
		}
		b, err := s.Create(ctx, &scim.User{UserName: "b"})
		if err != nil {
			t.Fatal(err)
		}
		b.UserName = ""
		if _, err := s.Replace(ctx, b, ""); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("shift %d: a user renamed to no userName: %v, want ErrUniqueness", shift, err)
		}
		if a, err = s.Replace(ctx, a, ""); err != nil { // its own empty name is no conflict
			t.Fatal(err)
		}
		if err := s.Delete(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Replace(ctx, b, ""); err != nil {
			t.Errorf("shift %d: the empty userName is still taken after its user's deletion: %v", shift, err)
		}
	}
}
