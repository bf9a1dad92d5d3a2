package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// A keyset walk while another goroutine deletes most users (enough to
// compact the order several times) lists every user that lives
// throughout exactly once and never one twice.
func TestKeysetConcurrentDeletes(t *testing.T) {
	for _, back := range []bool{false, true} {
		t.Run(fmt.Sprintf("backward=%v", back), func(t *testing.T) {
			s := memstore.New()
			ctx := context.Background()
			const n = 2000
			ids := make([]string, n)
			for i := range n {
				u, err := s.Create(ctx, &scim.User{UserName: fmt.Sprintf("u%05d", i)})
				if err != nil {
					t.Fatal(err)
				}
				ids[i] = u.ID
			}
			// Every user whose index is not a multiple of 5 is deleted
			// during the walk.
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := n - 1; i >= 0; i-- {
					if i%5 != 0 {
						if err := s.Delete(ctx, ids[(i*7919)%n], ""); err != nil && !errors.Is(err, scim.ErrNotFound) {
							t.Error(err)
						}
					}
				}
			}()
			seen := map[string]int{}
			seek := scim.Seek{Backward: back}
			for {
				p, err := s.ListKeyset(ctx, scim.Query{Count: 7, Seek: seek})
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range p.Users {
					seen[u.ID]++
				}
				if back && !p.Keys.Before || !back && !p.Keys.After {
					break
				}
				if back {
					seek.Key = p.Keys.First
				} else {
					seek.Key = p.Keys.Last
				}
			}
			wg.Wait()
			for i, id := range ids {
				if seen[id] > 1 {
					t.Errorf("user %d listed %d times", i, seen[id])
				}
			}
			for i := 0; i < n; i++ {
				// The deleter removes ids[(i*7919)%n] for i%5 != 0; the
				// survivors are ids[(j*7919)%n] for j%5 == 0.
				if i%5 == 0 {
					if id := ids[(i*7919)%n]; seen[id] != 1 {
						t.Errorf("surviving user %q listed %d times, want once", id, seen[id])
					}
				}
			}
		})
	}
}

// A key the store did not issue is ErrInvalidCursor.
func TestKeysetBadKey(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	s.Create(ctx, &scim.User{UserName: "a"})
	for _, k := range []string{"x!", "0", "-1", "00", "zzzzzzzzzzzzzzzzzz"} {
		if _, err := s.ListKeyset(ctx, scim.Query{Count: 1, Seek: scim.Seek{Key: k}}); !errors.Is(err, scim.ErrInvalidCursor) {
			t.Errorf("ListKeyset(key %q): %v, want ErrInvalidCursor", k, err)
		}
		if _, err := s.ListGroupsKeyset(ctx, scim.Query{Count: 1, Seek: scim.Seek{Key: k}}); !errors.Is(err, scim.ErrInvalidCursor) {
			t.Errorf("ListGroupsKeyset(key %q): %v, want ErrInvalidCursor", k, err)
		}
	}
}
