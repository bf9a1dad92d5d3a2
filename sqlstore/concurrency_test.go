package sqlstore_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestConcurrency runs two Stores on one table, as two replicas of a host
// would: uniqueness and versions must hold across them.
func TestConcurrency(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s1, db, cfg := d.newStore(t, fullConfig)
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		stores := []*sqlstore.Store{s1, s2}
		ctx := scim.WithTenant(bg, "acme")

		t.Run("creates", func(t *testing.T) {
			// 50 goroutines create 10 userNames, each in several cases.
			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range 50 {
				wg.Go(func() {
					name := userName(i % 10)
					if i%3 == 1 {
						name = strings.ToUpper(name)
					}
					_, errs[i] = stores[i%2].Create(ctx, &scim.User{UserName: name})
				})
			}
			wg.Wait()
			created := 0
			for _, err := range errs {
				switch {
				case err == nil:
					created++
				case !errors.Is(err, scim.ErrUniqueness):
					t.Errorf("Create: %v", err)
				}
			}
			p := must(s1.List(ctx, scim.Query{StartIndex: 1, Count: 100}))(t)
			if created != 10 || p.TotalResults != 10 {
				t.Errorf("%d creates succeeded and %d users are stored, want 10 of each", created, p.TotalResults)
			}
		})

		t.Run("replace", func(t *testing.T) {
			u := must(s1.Create(ctx, &scim.User{UserName: "contested", Custom: map[string]any{"level": int64(0)}}))(t)
			// Everyone replaces the version they read: one wins.
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range 20 {
				wg.Go(func() {
					next := u.Clone()
					next.GivenName = "writer"
					_, errs[i] = stores[i%2].Replace(ctx, next, u.Meta.Version)
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, scim.ErrVersionMismatch):
					t.Errorf("Replace: %v", err)
				}
			}
			if won != 1 {
				t.Errorf("%d replaces of one version succeeded, want 1", won)
			}

			// Read-modify-write with a retry on a mismatch, as the
			// handler's PATCH does: no increment is lost.
			const writers, rounds = 10, 5
			for i := range writers {
				wg.Go(func() {
					s := stores[i%2]
					for range rounds {
						for {
							cur, err := s.User(ctx, u.ID)
							if err != nil {
								t.Error(err)
								return
							}
							cur.Custom["level"] = cur.Custom["level"].(int64) + 1
							_, err = s.Replace(ctx, cur, cur.Meta.Version)
							if err == nil {
								break
							}
							if !errors.Is(err, scim.ErrVersionMismatch) {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			if got := must(s2.User(ctx, u.ID))(t); got.Custom["level"] != int64(writers*rounds) {
				t.Errorf("level %v after %d increments", got.Custom["level"], writers*rounds)
			}
		})
	})
}
