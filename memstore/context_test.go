package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
)

var bg = context.Background()

// TestDoneContext: every call with a done context returns its error and
// changes nothing, so that a request past its deadline writes nothing.
func TestDoneContext(t *testing.T) {
	s := memstore.New()
	u, err := s.Create(bg, &scim.User{UserName: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(bg)
	cancel()
	if _, err := s.Create(done, &scim.User{UserName: "bob"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Create: %v", err)
	}
	if _, err := s.User(done, u.ID); !errors.Is(err, context.Canceled) {
		t.Errorf("User: %v", err)
	}
	next := u.Clone()
	next.UserName = "changed"
	if _, err := s.Replace(done, next, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Replace: %v", err)
	}
	if err := s.Delete(done, u.ID, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete: %v", err)
	}
	if _, err := s.List(done, scim.Query{StartIndex: 1, Count: 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("List: %v", err)
	}
	if _, err := s.CreateGroup(done, &scim.Group{DisplayName: "g"}); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateGroup: %v", err)
	}
	p, _ := s.List(bg, scim.Query{StartIndex: 1, Count: 10})
	if p.TotalResults != 1 || p.Users[0].UserName != "ann" {
		t.Fatalf("store changed by calls with a done context: %+v", p.Users)
	}
}

// laterCtx reports itself done from its second Err call on: List's
// check on entry passes, and only the scan's own check can stop it.
type laterCtx struct {
	context.Context
	calls int
}

func (c *laterCtx) Err() error {
	if c.calls++; c.calls > 1 {
		return context.Canceled
	}
	return nil
}

// TestScanObservesContext: a filtered scan stops when the context ends
// mid-scan (the scan checks it every 1024 users).
func TestScanObservesContext(t *testing.T) {
	s := memstore.New()
	for i := range 5000 {
		if _, err := s.Create(bg, &scim.User{UserName: fmt.Sprint("user", i), DisplayName: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := filter.Parse(`displayName co "y"`)
	ctx := &laterCtx{Context: bg}
	if _, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("List whose context ends mid-scan: %v", err)
	}
	if ctx.calls != 2 {
		t.Fatalf("the context was checked %d times, want 2 (on entry, then at user 1024)", ctx.calls)
	}
}

// TestCopiesOutsideLock runs reads that copy users outside the tenant's
// lock against writers that replace the same users; run with -race.
func TestCopiesOutsideLock(t *testing.T) {
	s := memstore.New()
	var ids []string
	for i := range 20 {
		u, err := s.Create(bg, &scim.User{UserName: fmt.Sprint("u", i), Custom: map[string]any{"regions": []string{"a", "b"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	f, _ := filter.Parse(`userName sw "u"`)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := ids[(i+w)%len(ids)]
				if w%2 == 0 {
					u, err := s.User(bg, id)
					if err != nil {
						t.Error(err)
						return
					}
					u.Custom["regions"] = append(u.Custom["regions"].([]string), fmt.Sprint(i))
					u.Custom["level"] = int64(i)
					if _, err := s.Replace(bg, u, ""); err != nil {
						t.Error(err)
						return
					}
				} else {
					p, err := s.List(bg, scim.Query{Filter: f, StartIndex: 1, Count: 20})
					if err != nil {
						t.Error(err)
						return
					}
					for _, u := range p.Users {
						u.Custom["regions"] = nil // a copy: must not reach the store
					}
				}
			}
		}()
	}
	wg.Wait()
	p, _ := s.List(bg, scim.Query{StartIndex: 1, Count: 20})
	for _, u := range p.Users {
		if u.Custom["regions"] == nil {
			t.Fatalf("a caller's change of a listed copy reached the store: %+v", u)
		}
	}
}
