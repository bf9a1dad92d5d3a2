package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// TestConcurrentChurn creates, renames, deletes, reads, lists (by page and
// by keyset) and groups users from many goroutines in two tenants, with
// colliding keys and enough users that the slab grows chunks while readers
// hold refs; run with -race. Afterwards every tenant's userNames are
// unique but for case, every index agrees with a scan, and no user or
// group membership crossed tenants.
func TestConcurrentChurn(t *testing.T) {
	s := &Store{keyShift: 60}
	tenants := []string{"a", "b"}
	const workers, ops = 8, 1200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			var mine []string
			for i := range ops {
				ctx := scim.WithTenant(context.Background(), tenants[r.IntN(2)])
				name := fmt.Sprint("u", r.IntN(5000))
				if r.IntN(2) == 0 {
					name = strings.ToUpper(name)
				}
				switch r.IntN(8) {
				case 0, 1, 2:
					u, err := s.Create(ctx, &scim.User{UserName: name, ExternalID: fmt.Sprint("x", i%5), Email: name + "@x",
						Custom: map[string]any{"tags": []string{"a"}}})
					if err == nil {
						mine = append(mine, u.ID)
						u.Custom["tags"].([]string)[0] = "scribbled"
					} else if !errors.Is(err, scim.ErrUniqueness) {
						t.Error(err)
					}
				case 3:
					if len(mine) > 0 {
						id := mine[r.IntN(len(mine))]
						if u, err := s.User(ctx, id); err == nil {
							if u.Custom["tags"].([]string)[0] != "a" {
								t.Errorf("user %s holds %v", id, u.Custom)
							}
							u.UserName = name
							if _, err := s.Replace(ctx, u, u.Meta.Version); err != nil && !errors.Is(err, scim.ErrUniqueness) && !errors.Is(err, scim.ErrVersionMismatch) && !errors.Is(err, scim.ErrNotFound) {
								t.Error(err)
							}
						}
					}
				case 4:
					if len(mine) > 0 {
						id := mine[r.IntN(len(mine))]
						if err := s.Delete(ctx, id, ""); err != nil && !errors.Is(err, scim.ErrNotFound) {
							t.Error(err)
						}
					}
				case 5:
					f, _ := filter.Parse(fmt.Sprintf("userName eq %q and (emails.value pr or emails.value eq %q)", name, name+"@X"))
					p, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 10})
					if err != nil {
						t.Error(err)
					} else if len(p.Users) > 1 {
						t.Errorf("%d users named %q", len(p.Users), name)
					}
					for _, u := range p.Users {
						u.Custom["tags"].([]string)[0] = "scribbled"
					}
				case 6:
					p, err := s.ListKeyset(ctx, scim.Query{Count: 50})
					if err != nil {
						t.Error(err)
					}
					for pages := 0; p != nil && p.Keys.After && pages < 5; pages++ {
						for _, u := range p.Users {
							if u.Custom["tags"].([]string)[0] != "a" {
								t.Errorf("user %s holds %v", u.ID, u.Custom)
							}
						}
						if p, err = s.ListKeyset(ctx, scim.Query{Count: 50, Seek: scim.Seek{Key: p.Keys.Last}}); err != nil {
							t.Error(err)
						}
					}
				case 7:
					if len(mine) > 0 {
						id := mine[r.IntN(len(mine))]
						_, err := s.CreateGroup(ctx, &scim.Group{DisplayName: fmt.Sprint("g", w, i), Members: []scim.Member{{Value: id}}})
						var unknown *scim.UnknownMembersError
						if err != nil && !errors.As(err, &unknown) {
							t.Error(err)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, tn := range tenants {
		ctx := scim.WithTenant(context.Background(), tn)
		p, err := s.List(ctx, scim.Query{StartIndex: 1, Count: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, u := range p.Users {
			k := strings.ToLower(u.UserName)
			if other, ok := seen[k]; ok {
				t.Errorf("tenant %s: %q and %q", tn, other, u.UserName)
			}
			seen[k] = u.UserName
			f, _ := filter.Parse(fmt.Sprintf("userName eq %q", strings.ToLower(u.UserName)))
			if q, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 10}); err != nil || len(q.Users) != 1 || q.Users[0].ID != u.ID {
				t.Errorf("tenant %s: userName eq %q misses %s", tn, u.UserName, u.ID)
			}
			other := scim.WithTenant(context.Background(), tenants[0])
			if tn == tenants[0] {
				other = scim.WithTenant(context.Background(), tenants[1])
			}
			if _, err := s.User(other, u.ID); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("user %s of %s is read in the other tenant: %v", u.ID, tn, err)
			}
			if gs, _ := s.UserGroups(other, u.ID); len(gs) != 0 {
				t.Errorf("user %s of %s is in the other tenant's groups", u.ID, tn)
			}
		}
		if n := len(s.tenants[tn].users.chunks); n < 2 {
			t.Errorf("tenant %s: the slab has %d chunks, so no reader saw one added", tn, n)
		}
		if p.TotalResults != len(p.Users) {
			t.Errorf("tenant %s: %d users listed of %d", tn, len(p.Users), p.TotalResults)
		}
	}
}
