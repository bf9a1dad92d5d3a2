package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
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

// A tenant of one user holds a few hundred bytes of slab, not a full
// chunk: a host of many small tenants (a test suite, a trial tier) paid
// ~230 KB a tenant, 160 times what the store held before the slab.
func TestSmallTenantHeap(t *testing.T) {
	const tenants = 500
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New()
	for i := range tenants {
		ctx := scim.WithTenant(context.Background(), fmt.Sprint("t", i))
		if _, err := s.Create(ctx, &scim.User{UserName: "bjensen", Email: "bjensen@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	if per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / tenants; per > 16<<10 {
		t.Errorf("a tenant of one user holds %d bytes of heap", per)
	}
}

// The first chunk grows in place of a new one until it is full, and
// every entry keeps its user through the moves.
func TestSlabFirstChunkGrows(t *testing.T) {
	s := New()
	ctx := context.Background()
	var ids []string
	for i := range 3<<chunkBits + 5 {
		u, err := s.Create(ctx, &scim.User{UserName: fmt.Sprint("u", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
		sl := &s.tenants[""].users
		if want := min(max(firstChunk, 1<<bits.Len(uint(i))), 1<<chunkBits); len(sl.chunks) == 1 && len(sl.chunks[0]) != want {
			t.Fatalf("after %d users the first chunk has %d places, want %d", i+1, len(sl.chunks[0]), want)
		}
	}
	if n := len(s.tenants[""].users.chunks); n != 4 {
		t.Errorf("%d chunks for 3077 users, want 4", n)
	}
	for i, id := range ids {
		if u, err := s.User(ctx, id); err != nil || u.UserName != fmt.Sprint("u", i) {
			t.Fatalf("user %d: %v, %v", i, u, err)
		}
	}
}
